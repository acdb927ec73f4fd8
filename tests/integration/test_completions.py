"""Issue 12, item 7: `pyshim completions SHELL` and the man page.

The completion scripts are loaded into the real shells (bash, zsh, fish
from Debian) and asked to complete, the way the shells do on TAB: bash
through its completion function with COMP_WORDS set, fish through
`complete -C`, zsh through the script's word function (zsh's compsys
needs a terminal; the script's compdef glue is checked by `zsh -n` and by
loading it after compinit). PowerShell is not on this machine: its script
is only checked to be printed."""
import os
import shutil
import subprocess
import unittest

from pyshimtest import SandboxTest, TIMEOUT

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


class TestCompletions(SandboxTest, unittest.TestCase):

    def script(self, shell):
        r = self.sb.pyshim("completions", shell)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stderr, "")
        path = os.path.join(self.sb.work, "complete." + shell)
        with open(path, "w") as f:
            f.write(r.stdout)
        return path

    def shell(self, argv):
        r = subprocess.run(argv, env=self.sb.envwith(), cwd=self.sb.work,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r)
        return r.stdout.split()

    def commands(self):
        """The command names `pyshim help` lists."""
        out = self.sb.pyshim("help").stdout
        return [l.split()[0] for l in out.splitlines()
                if l.startswith("  ") and not l.startswith("   ")]

    def bash(self, *words):
        """What bash offers for `pyshim WORDS` (the last word is the one
        being completed)."""
        path = self.script("bash")
        words = ("pyshim",) + words
        arr = " ".join("'%s'" % w for w in words)
        return self.shell([
            "bash", "--norc", "-c",
            'source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _pyshim; '
            'printf "%%s\\n" "${COMPREPLY[@]}"' % (arr, len(words) - 1),
            "bash", path])

    def test_bash_commands_subcommands_and_options(self):
        cmds = self.commands()
        self.assertIn("completions", cmds)
        self.assertIn("shared", cmds)
        self.assertEqual(sorted(self.bash("")), sorted(cmds))
        self.assertEqual(self.bash("sh"), ["shared"])
        self.assertLessEqual({"create", "list", "remove", "path", "pip"},
                             set(self.bash("shared", "")))
        self.assertEqual(self.bash("init", "--pyt"), ["--python"])
        self.assertIn("--purge", self.bash("uninstall", "--"))
        # an option of another command is not offered
        self.assertNotIn("--purge", self.bash("init", "--"))
        # a word that is no command offers nothing (files by default)
        self.assertEqual(self.bash("nosuchcommand", "--"), [])

    @unittest.skipUnless(shutil.which("fish"), "no fish")
    def test_fish_completes_through_complete_C(self):
        path = self.script("fish")

        def fish(line):
            out = self.shell(["fish", "--no-config", "-c",
                              "source %s; complete -C '%s'" % (path, line)])
            return out
        self.assertIn("shared", fish("pyshim sh"))
        self.assertIn("completions", fish("pyshim "))
        self.assertIn("create", fish("pyshim shared "))
        self.assertEqual(fish("pyshim init --pyt"), ["--python"])
        self.assertNotIn("--purge", fish("pyshim init --"))

    @unittest.skipUnless(shutil.which("zsh"), "no zsh")
    def test_zsh_script_loads_and_its_words_are_right(self):
        path = self.script("zsh")
        self.shell(["zsh", "-n", path])
        # loaded after compinit as the help says, it registers itself
        out = self.shell([
            "zsh", "-f", "-c",
            "autoload -U compinit; compinit -u -D; source %s; "
            "print -r -- ${_comps[pyshim]}" % path])
        self.assertEqual(out, ["_pyshim"])

        def words(cmd, pos, cur):
            return self.shell(["zsh", "-f", "-c",
                               'source "$1" 2>/dev/null; _pyshim_words "$2" "$3" "$4"',
                               "zsh", path, cmd, str(pos), cur])
        self.assertEqual(sorted(words("", 0, "")), sorted(self.commands()))
        self.assertIn("remove", words("shared", 1, ""))
        self.assertIn("--python", words("init", 1, "--"))
        self.assertNotIn("--python", words("init", 1, ""))

    def test_powershell_script_is_printed(self):
        path = self.script("powershell")
        with open(path) as f:
            text = f.read()
        self.assertIn("Register-ArgumentCompleter -Native -CommandName pyshim",
                      text)
        self.assertEqual(self.sb.pyshim("completions", "pwsh").stdout, text)

    def test_unknown_or_missing_shell_is_a_usage_error(self):
        for args in (("completions",), ("completions", "tcsh")):
            r = self.sb.pyshim(*args)
            self.assertEqual(r.returncode, 64, r)
            self.assertEqual(r.stdout, "")
            self.assertIn("pyshim: error:", r.stderr)
            self.assertIn("usage: pyshim completions", r.stderr)


class TestManPage(SandboxTest, unittest.TestCase):
    """pyshim(1) is made by scripts/manpage.sh from the binary's help."""

    def test_man_page_holds_every_help_text(self):
        page = os.path.join(self.sb.work, "pyshim.1")
        r = subprocess.run(["sh", os.path.join(TOP, "scripts", "manpage.sh"),
                            os.path.join(self.sb.bin, "pyshim"), page],
                           env=self.sb.envwith(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r)
        if shutil.which("groff"):
            r = subprocess.run(["groff", "-man", "-ww", "-z", page],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=TIMEOUT)
            self.assertEqual((r.returncode, r.stderr), (0, ""))
        if not shutil.which("man"):
            self.skipTest("no man to render it")
        env = self.sb.envwith({"MANWIDTH": "200", "LANG": "C.UTF-8",
                               "MAN_KEEP_FORMATTING": ""})
        r = subprocess.run(["man", "-l", page], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r)
        shown = set(l.strip() for l in r.stdout.splitlines())
        cmds = [l.split()[0] for l in self.sb.pyshim("help").stdout.splitlines()
                if l.startswith("  ") and not l.startswith("   ")]
        self.assertIn("completions", cmds)
        for c in cmds:
            if c in ("help", "version"):
                continue
            text = self.sb.pyshim(c, "--help").stdout
            self.assertIn("pyshim %s" % c, shown)
            for line in text.splitlines():
                self.assertIn(line.strip(), shown, "%s --help: %r" % (c, line))


if __name__ == "__main__":
    unittest.main()
