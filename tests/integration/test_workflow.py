"""The user's whole workflow through the pyshim CLI, as a user runs it:
install/uninstall with shell start-up files, the default environment
outside projects, init, shared envs, exec, trust."""
import json
import os
import subprocess
import unittest

from pyshimtest import (PIP_TIMEOUT, PYSHIM_BIN, SYSTEM, PYENV, Sandbox,
                        TIMEOUT, base_env, build_wheel, site_packages, write,
                        write_json)


def newest_pyenv():
    present = [i for i in PYENV if i.present]
    return present[-1] if present else None


class InstallRoundTrip(unittest.TestCase):
    """install edits rc files inside a marked block; uninstall gives every
    file back byte for byte; both are idempotent."""

    ORIGINALS = {
        ".bashrc": b"alias ll='ls -l'\nexport EDITOR=vi\n",
        ".zshrc": b"setopt autocd\nbindkey -e",          # no final newline
        ".profile.crlf": b"REM one\r\nREM two\r\n",       # CRLF (zsh below)
    }

    def setUp(self):
        self.sb = Sandbox()
        self.home = self.sb.home
        self.bin2 = os.path.join(self.sb.root, "bin2")

    def tearDown(self):
        self.sb.close()

    def pyshim(self, *args, env=None):
        return subprocess.run([PYSHIM_BIN] + list(args),
                              env=self.sb.envwith(env), cwd=self.sb.work,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT)

    def read(self, rel):
        with open(os.path.join(self.home, rel), "rb") as f:
            return f.read()

    def test_round_trip_twice(self):
        write(os.path.join(self.home, ".bashrc"),
              self.ORIGINALS[".bashrc"], "wb")
        write(os.path.join(self.home, ".zshrc"),
              self.ORIGINALS[".zshrc"], "wb")
        fish = os.path.join(self.home, ".config", "fish", "conf.d",
                            "pyshim.fish")
        for round_ in range(2):
            r = self.pyshim("install", "--bin-dir", self.bin2, "--shell",
                            "all", "--no-default-env")
            self.assertEqual(r.returncode, 0, r.stderr)
            bashrc = self.read(".bashrc")
            self.assertTrue(bashrc.startswith(self.ORIGINALS[".bashrc"]))
            self.assertIn(b"# >>> pyshim >>>", bashrc)
            self.assertIn(self.bin2.encode(), bashrc)
            self.assertEqual(bashrc.count(b"# >>> pyshim >>>"), 1)
            zshrc = self.read(".zshrc")
            self.assertTrue(zshrc.startswith(self.ORIGINALS[".zshrc"] + b"\n"))
            self.assertTrue(os.path.exists(fish))
            # a second install changes nothing
            again = self.pyshim("install", "--bin-dir", self.bin2, "--shell",
                                "all", "--no-default-env")
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertIn("up to date", again.stdout)
            self.assertEqual(self.read(".bashrc"), bashrc)
            self.assertEqual(self.read(".zshrc"), zshrc)
            # the block really puts the bin dir first for bash
            out = subprocess.run(
                ["bash", "-c", "source ~/.bashrc; command -v python"],
                env=dict(self.sb.env, HOME=self.home), capture_output=True,
                text=True, timeout=TIMEOUT)
            self.assertEqual(out.stdout.strip(),
                             os.path.join(self.bin2, "python"))
            u = self.pyshim("uninstall", "--bin-dir", self.bin2)
            self.assertEqual(u.returncode, 0, u.stderr)
            self.assertEqual(self.read(".bashrc"), self.ORIGINALS[".bashrc"])
            self.assertEqual(self.read(".zshrc"), self.ORIGINALS[".zshrc"])
            self.assertFalse(os.path.exists(fish))
            self.assertFalse(os.path.exists(os.path.join(self.bin2, "python")))

    def test_crlf_and_symlinked_rc(self):
        real = os.path.join(self.sb.root, "dotfiles", "zshrc")
        write(real, self.ORIGINALS[".profile.crlf"], "wb")
        os.symlink(real, os.path.join(self.home, ".zshrc"))
        r = self.pyshim("install", "--bin-dir", self.bin2, "--shell", "zsh",
                        "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(os.path.join(self.home, ".zshrc")),
                        "a dotfile manager's link must survive")
        with open(real, "rb") as f:
            edited = f.read()
        self.assertIn(b"# <<< pyshim <<<\r\n", edited)
        self.assertNotIn(b"\n", edited.replace(b"\r\n", b""))
        self.pyshim("uninstall", "--bin-dir", self.bin2)
        with open(real, "rb") as f:
            self.assertEqual(f.read(), self.ORIGINALS[".profile.crlf"])

    def test_created_rc_is_removed_again(self):
        rc = os.path.join(self.home, ".bashrc")
        self.assertFalse(os.path.exists(rc))
        self.pyshim("install", "--bin-dir", self.bin2, "--shell", "bash",
                    "--no-default-env")
        self.assertTrue(os.path.exists(rc))
        self.pyshim("uninstall", "--bin-dir", self.bin2)
        self.assertFalse(os.path.exists(rc))

    def test_refuses_foreign_file(self):
        os.makedirs(self.bin2)
        write(os.path.join(self.bin2, "python"), "#!/bin/sh\necho mine\n")
        r = self.pyshim("install", "--bin-dir", self.bin2, "--no-shell",
                        "--no-default-env")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is not pyshim's", r.stderr)
        with open(os.path.join(self.bin2, "python")) as f:
            self.assertIn("echo mine", f.read())


class DefaultEnvironment(unittest.TestCase):
    """Outside any project, pip installs into pyshim's default env instead
    of failing with externally-managed-environment."""

    def test_pip_outside_projects(self):
        sb = Sandbox()
        try:
            r = sb.pyshim("install", "--bin-dir", sb.bin, "--no-shell",
                          env={"PYENV_VERSION": "system"})
            self.assertEqual(r.returncode, 0, r.stderr)
            default = os.path.join(sb.pyshim_home, "default")
            self.assertTrue(os.path.exists(os.path.join(default, "pyvenv.cfg")))
            with open(sb.global_config) as f:
                self.assertEqual(json.load(f)["venv"], default)
            whl = build_wheel(os.path.join(sb.root, "wheels"), "outsidepkg")
            out = sb.run("pip", "install", "--no-index", "--find-links",
                         os.path.dirname(whl), "outsidepkg",
                         timeout=PIP_TIMEOUT)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotIn("externally-managed", out.stderr)
            got = sb.run("python", "-c",
                         "import outsidepkg, sys; print(outsidepkg.WHERE); "
                         "print(sys.prefix)")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertTrue(got.stdout.startswith(default), got.stdout)
            # --purge takes the default env and the config install wrote
            # (--yes: there is no terminal to ask on)
            u = sb.pyshim("uninstall", "--bin-dir", sb.bin, "--purge",
                          "--yes")
            self.assertEqual(u.returncode, 0, u.stderr)
            self.assertFalse(os.path.exists(default))
            self.assertFalse(os.path.exists(sb.global_config))
        finally:
            sb.close()


class InitSharedExecTrust(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.py = newest_pyenv() or (SYSTEM if SYSTEM.present else None)
        if cls.py is None:
            raise unittest.SkipTest("no interpreter")
        cls.sb = Sandbox()
        cls.ver = cls.py.minor

    @classmethod
    def tearDownClass(cls):
        cls.sb.close()

    def test_shared_init_exec_lifecycle(self):
        sb = self.sb
        r = sb.pyshim("shared", "create", "ai", "--python", self.ver)
        self.assertEqual(r.returncode, 0, r.stderr)
        ai = sb.shared_dir("ai")
        write(os.path.join(site_packages(ai), "aimod.py"), "X = 42\n")
        proj = sb.mkdtemp("proj")
        write(os.path.join(proj, "own.py"), "Y = 1\n")
        # no --python: the shared env's version is the only one that fits
        r = sb.pyshim("init", "--shared", "ai", cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("created", r.stdout)
        with open(os.path.join(proj, ".pyshim.json")) as f:
            cfg = json.load(f)
        self.assertEqual(cfg, {"python": self.ver, "shared": ["ai"]})
        again = sb.pyshim("init", "--shared", "ai", cwd=proj)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("nothing to change", again.stdout)
        sub = os.path.join(proj, "src", "deep")
        os.makedirs(sub)
        got = sb.run("python", "-c",
                     "import aimod, sys; print(sys.prefix, aimod.X)",
                     cwd=sub)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.stdout.split(),
                         [os.path.join(proj, ".venv"), "42"])
        self.assertEqual(got.stderr, "")
        # a script of the project, started from elsewhere, finds both
        script = write(os.path.join(proj, "run.py"),
                       "import aimod, own; print(own.Y + aimod.X)\n")
        got = sb.run("python", script, cwd=sb.root)
        self.assertEqual((got.returncode, got.stdout), (0, "43\n"), got.stderr)
        # the light venv has no pip of its own: pip comes from the shared
        # env and installs into the project
        self.assertFalse(os.path.exists(
            os.path.join(site_packages(os.path.join(proj, ".venv")), "pip")))
        whl = build_wheel(os.path.join(sb.root, "w"), "projpkg")
        inst = sb.run("pip", "install", "--no-index", "--find-links",
                      os.path.dirname(whl), "projpkg", cwd=proj,
                      timeout=PIP_TIMEOUT)
        self.assertEqual(inst.returncode, 0, inst.stderr)
        self.assertTrue(os.path.exists(os.path.join(
            site_packages(os.path.join(proj, ".venv")), "projpkg.py")))
        # exec runs a console script from the shared env with the project's
        # python (pip is one)
        ex = sb.pyshim("exec", "pip", "--version", cwd=proj)
        self.assertEqual(ex.returncode, 0, ex.stderr)
        self.assertIn(ai, ex.stdout)
        lst = sb.pyshim("shared", "list")
        self.assertIn("ai", lst.stdout)
        self.assertIn(proj, lst.stdout)
        path = sb.pyshim("shared", "path", "ai")
        self.assertEqual(path.stdout.strip(), ai)
        # in use: refused; with --force: gone
        rm = sb.pyshim("shared", "remove", "ai")
        self.assertNotEqual(rm.returncode, 0)
        self.assertIn("used by", rm.stderr)
        self.assertTrue(os.path.isdir(ai))
        rm = sb.pyshim("shared", "remove", "ai", "--force", "--yes")
        self.assertEqual(rm.returncode, 0, rm.stderr)
        self.assertFalse(os.path.exists(ai))
        broken = sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotEqual(broken.returncode, 0)
        self.assertIn("pyshim shared create ai", broken.stderr)

    def test_trust(self):
        sb = self.sb
        proj = sb.mkdtemp("trusty")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.ver, "env": {"PYSHIM_TEST_VAR": "set"}})
        r = sb.run("python", "-c", "import os; print(os.environ['PYSHIM_TEST_VAR'])",
                   cwd=proj)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("not trusted", r.stderr)
        self.assertIn("pyshim trust %s" % proj, r.stderr)
        t = sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = sb.run("python", "-c", "import os; print(os.environ['PYSHIM_TEST_VAR'])",
                   cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, "set\n"), r.stderr)
        # an edit asks again
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.ver, "env": {"PYSHIM_TEST_VAR": "evil"}})
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertEqual(r.returncode, 77, r.stderr)
        sb.pyshim("trust", proj)
        self.assertEqual(sb.run("python", "-c", "pass", cwd=proj).returncode, 0)
        u = sb.pyshim("untrust", proj)
        self.assertEqual(u.returncode, 0, u.stderr)
        self.assertEqual(sb.run("python", "-c", "pass", cwd=proj).returncode, 77)
        # a config naming only shared names and its own venv needs none
        plain = sb.mkdtemp("plain")
        write_json(os.path.join(plain, ".pyshim.json"), {"python": self.ver})
        self.assertEqual(sb.run("python", "-c", "pass", cwd=plain).returncode, 0)

    def test_program_shipped_in_tree_needs_trust(self):
        sb = self.sb
        proj = sb.mkdtemp("cloned")
        # a venv whose python is a real binary inside the tree, as a cloned
        # repository with a committed .venv would have
        subprocess.run([self.py.path, "-m", "venv", "--copies",
                        "--without-pip", os.path.join(proj, ".venv")],
                       check=True, timeout=TIMEOUT, env=base_env())
        marker = os.path.join(proj, "ran")
        r = sb.run("python", "-c", "open(%r, 'w').close()" % marker, cwd=proj)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("not trusted", r.stderr)
        self.assertFalse(os.path.exists(marker), "the program must not run")
        # not even probed: no facts were cached for it
        cache = os.path.join(sb.pyshim_home, "cache", "interp")
        probed = [f for f in os.listdir(cache)] if os.path.isdir(cache) else []
        for f in probed:
            with open(os.path.join(cache, f)) as fh:
                self.assertNotIn(proj, fh.read())
        t = sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = sb.run("python", "-c", "open(%r, 'w').close()" % marker, cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(marker))

    def test_pip_install_into_a_distro_python_is_stopped_with_a_way_out(self):
        if not SYSTEM.present:
            self.skipTest("no /usr/bin/python3")
        em = subprocess.run(
            [SYSTEM.path, "-c", "import sysconfig, os; print(os.path.exists("
             "os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
            capture_output=True, text=True, timeout=TIMEOUT).stdout.strip()
        if em != "True":
            self.skipTest("this /usr/bin/python3 is not externally managed")
        sb = self.sb
        proj = sb.mkdtemp("distro")
        write_json(os.path.join(proj, ".pyshim.json"), {"python": SYSTEM.path})
        self.assertEqual(sb.pyshim("trust", proj).returncode, 0)
        r = sb.run("pip", "install", "anything", cwd=proj)
        self.assertEqual(r.returncode, 65, r.stderr)
        self.assertIn("PEP 668", r.stderr)
        self.assertIn("pyshim init %s" % proj, r.stderr)
        self.assertEqual(r.stdout, "")
        # reading is fine, and so is an explicit choice of target
        self.assertEqual(sb.run("pip", "--version", cwd=proj).returncode, 0)
        r = sb.run("pip", "install", "--dry-run", "--no-index", "nothing-here",
                   cwd=proj)
        self.assertNotIn("pyshim:", r.stderr)

    def test_help_for_every_command(self):
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                               "cli.md")) as f:
            cli_doc = f.read()
        top = self.sb.pyshim("help")
        self.assertEqual(top.returncode, 0, top)
        self.assertIn(top.stdout, cli_doc, "docs/cli.md is stale for help")
        # every command `pyshim help` lists (new ones too)
        cmds = [l.split()[0] for l in top.stdout.splitlines()
                if l.startswith("  ") and not l.startswith("   ")]
        self.assertIn("freeze", cmds)
        for cmd in cmds:
            if cmd in ("help", "version"):
                continue
            r = self.sb.pyshim(cmd, "--help")
            self.assertEqual(r.returncode, 0, (cmd, r.stderr))
            self.assertIn("usage: pyshim " + cmd, r.stdout)
            # docs/cli.md carries the same text: the docs cannot drift
            self.assertIn(r.stdout, cli_doc, "docs/cli.md is stale for " + cmd)


if __name__ == "__main__":
    unittest.main()
