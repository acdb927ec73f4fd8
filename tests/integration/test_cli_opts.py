"""Issue 11: one option parser for every `pyshim` command (cli/opt.c).

The hand-written loops it replaced had three bugs these cases pin down:
`pyshim explain --bogus` printed `which`'s usage, `init --python` with no
value said "unexpected argument '--python'", and `--python=3.12` (the
`--opt=VALUE` form) was rejected. The rest checks what the table gives
every command alike: an unknown option names itself and prints the
command's OWN usage (stderr, exit 64), and `--opt=VALUE` means `--opt
VALUE`.
"""
import json
import os
import subprocess
import unittest

from pyshimtest import SandboxTest

SYSTEM_PYTHON = "/usr/bin/python3"

# Every command and subcommand with options of its own, and the first line
# of its usage.
COMMANDS = [
    (["install"], "usage: pyshim install"),
    (["uninstall"], "usage: pyshim uninstall"),
    (["init"], "usage: pyshim init"),
    (["shared", "create"], "usage: pyshim shared"),
    (["shared", "remove"], "usage: pyshim shared"),
    (["kernel", "install"], "usage: pyshim kernel install"),
    (["kernel", "list"], "usage: pyshim kernel list"),
    (["kernel", "remove"], "usage: pyshim kernel remove"),
    (["kernel", "prune"], "usage: pyshim kernel prune"),
    (["which"], "usage: pyshim which"),
    (["explain"], "usage: pyshim explain"),
    (["doctor"], "usage: pyshim doctor"),
    (["trust"], "usage: pyshim trust"),
    (["untrust"], "usage: pyshim untrust"),
    (["exec"], "usage: pyshim exec"),
    (["freeze"], "usage: pyshim freeze"),
]


def system_minor():
    out = subprocess.run([SYSTEM_PYTHON, "-c",
                          "import sys; print('%d.%d' % sys.version_info[:2])"],
                         stdout=subprocess.PIPE, universal_newlines=True,
                         timeout=60).stdout
    return out.strip()


class OptionParser(SandboxTest, unittest.TestCase):
    maxDiff = None

    def assertUsageError(self, r, usage, *needles):
        self.assertEqual(r.returncode, 64, r)
        lines = r.stderr.splitlines()
        self.assertTrue(lines and lines[0].startswith("pyshim: error: "),
                        r.stderr)
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertTrue(len(lines) > 1 and lines[1].startswith(usage),
                        "expected %r after the error:\n%s" % (usage, r.stderr))

    def test_explain_unknown_option_prints_explain_usage(self):
        r = self.sb.pyshim("explain", "--bogus")
        self.assertUsageError(r, "usage: pyshim explain", "'--bogus'")
        self.assertNotIn("usage: pyshim which", r.stderr)

    def test_init_python_without_value_says_needs_a_value(self):
        proj = self.sb.mkdtemp()
        r = self.sb.pyshim("init", "--python", cwd=proj)
        self.assertUsageError(r, "usage: pyshim init",
                              "option '--python' needs a value")
        self.assertNotIn("unexpected argument", r.stderr)
        self.assertEqual(os.listdir(proj), [])

    def test_init_python_equals_value(self):
        minor = system_minor()
        proj = self.sb.mkdtemp()
        r = self.sb.pyshim("init", "--python=" + minor, "--no-venv", cwd=proj)
        self.assertEqual(r.returncode, 0, r)
        with open(os.path.join(proj, ".pyshim.json")) as f:
            self.assertEqual(json.load(f)["python"], minor)

    def test_equals_form_means_the_same_as_two_arguments(self):
        proj = self.sb.mkdtemp()
        a = self.sb.pyshim("which", "--json", "--name", "pip", cwd=proj)
        b = self.sb.pyshim("which", "--json", "--name=pip", cwd=proj)
        self.assertEqual((a.returncode, b.returncode), (0, 0), (a, b))
        pa, pb = json.loads(a.stdout), json.loads(b.stdout)
        for p in (pa, pb):
            p.pop("env", None)  # holds a per-run marker
        self.assertEqual(pb, pa)
        self.assertIn("/pip'", pa["why"][-1])

    def test_unknown_option_prints_the_commands_own_usage(self):
        for cmd, usage in COMMANDS:
            with self.subTest(cmd=cmd):
                r = self.sb.pyshim(*(cmd + ["--no-such-option"]))
                self.assertUsageError(r, usage,
                                      "unknown option '--no-such-option'")

    def test_flag_with_a_value_is_refused(self):
        r = self.sb.pyshim("doctor", "--json=yes")
        self.assertUsageError(r, "usage: pyshim doctor",
                              "option '--json' takes no value")


if __name__ == "__main__":
    unittest.main()
