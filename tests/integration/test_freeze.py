"""Issue 12, items 1 and 3: every env's package list is recorded next to
it (`pyshim freeze`), and PYSHIM_DISABLE=1 turns pyshim off.

No network: the packages are wheels built here (build_wheel), installed
with --no-index --find-links."""
import os
import unittest

from pyshimtest import (SandboxTest, SYSTEM, build_wheel, write, PIP_TIMEOUT,
                        PYSHIM_BIN)

RECORD = "pyshim-requirements.txt"
OFFLINE = ["--no-index", "--find-links"]


def body(path):
    """The record's package lines (its '#' header left out)."""
    with open(path) as f:
        return [l for l in f.read().splitlines() if not l.startswith("#")]


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class TestFreeze(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wheels = cls.sb.mkdtemp("wheels")
        for name, ver in (("alpha", "1.0"), ("beta", "2.0"),
                          ("gamma", "1.0"), ("delta", "3.0"),
                          ("epsilon", "4.0")):
            build_wheel(cls.wheels, name, ver)
        r = cls.pyshim_long("shared", "create", "ai", "--python", SYSTEM.path)
        if r.returncode:
            raise RuntimeError("shared create failed: %r" % (r,))
        cls.env = cls.sb.shared_dir("ai")

    @classmethod
    def pyshim_long(cls, *args, cwd=None):
        return cls.sb.call([os.path.join(cls.sb.bin, "pyshim")] + list(args),
                           cwd=cwd, timeout=PIP_TIMEOUT)

    def pip_freeze(self, env, *extra):
        r = self.sb.call([os.path.join(env, "bin", "python"), "-m", "pip",
                          "freeze"] + list(extra), timeout=PIP_TIMEOUT)
        self.assertOK(r, stderr_empty=False)
        return r.stdout.splitlines()

    def shared_pip(self, *args):
        r = self.pyshim_long("shared", "pip", "ai", *args)
        self.assertOK(r, stderr_empty=False)
        self.assertIn("recorded the packages of 'ai'", r.stdout)

    def test_1_shared_record_follows_every_install_and_uninstall(self):
        rec = os.path.join(self.env, RECORD)
        steps = [
            ["install"] + OFFLINE + [self.wheels, "alpha"],
            ["install"] + OFFLINE + [self.wheels, "beta"],
            ["uninstall", "-y", "alpha"],
            ["install"] + OFFLINE + [self.wheels, "alpha", "delta"],
        ]
        for step in steps:
            self.shared_pip(*step)
            self.assertEqual(body(rec), self.pip_freeze(self.env), step)
        with open(rec) as f:
            head = f.read().splitlines()[:2]
        self.assertIn("pip freeze", head[0])
        self.assertEqual(head[1], "# python %d.%d.%d" % SYSTEM.version)
        r = self.sb.pyshim("freeze", "--shared", "ai")
        self.assertOK(r)
        self.assertEqual(r.stdout.splitlines(), self.pip_freeze(self.env))
        self.assertIn("delta==3.0", r.stdout.splitlines())

    def test_2_pip_list_writes_no_record(self):
        rec = os.path.join(self.env, RECORD)
        before = os.stat(rec).st_mtime_ns if os.path.exists(rec) else None
        r = self.pyshim_long("shared", "pip", "ai", "list")
        self.assertOK(r, stderr_empty=False)
        self.assertNotIn("recorded", r.stdout)
        after = os.stat(rec).st_mtime_ns if os.path.exists(rec) else None
        self.assertEqual(before, after)

    def test_3_project_lists_only_its_own_packages(self):
        self.shared_pip("install", *(OFFLINE + [self.wheels, "beta"]))
        proj = self.sb.mkdtemp("proj")
        r = self.pyshim_long("init", "--shared", "ai", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.run("pip", "install", *(OFFLINE + [self.wheels, "gamma"]),
                        cwd=proj, timeout=PIP_TIMEOUT)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.pyshim("freeze", cwd=proj)
        self.assertOK(r)
        self.assertEqual(r.stdout.splitlines(), ["gamma==1.0"])
        venv = os.path.join(proj, ".venv")
        self.assertEqual(body(os.path.join(venv, RECORD)),
                         self.pip_freeze(venv, "--local"))
        # a later pip install through the shim is seen by the next freeze
        r = self.sb.run("pip", "install", *(OFFLINE + [self.wheels, "epsilon"]),
                        cwd=proj, timeout=PIP_TIMEOUT)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.pyshim("freeze", cwd=proj)
        self.assertOK(r)
        self.assertEqual(r.stdout.splitlines(), ["epsilon==4.0", "gamma==1.0"])
        self.assertEqual(body(os.path.join(venv, RECORD)),
                         self.pip_freeze(venv, "--local"))
        # --all: every package, labelled with its layer
        r = self.sb.pyshim("freeze", "--all", cwd=os.path.join(proj))
        self.assertOK(r)
        lines = r.stdout.splitlines()
        self.assertIn("gamma==1.0  # project", lines)
        self.assertIn("epsilon==4.0  # project", lines)
        self.assertIn("beta==2.0  # shared ai", lines)
        for line in lines:
            self.assertRegex(line, r"  # (project|shared ai)$")

    def test_4_errors(self):
        r = self.sb.pyshim("freeze", "--shared", "nope")
        self.assertShimError(r, "shared env 'nope' does not exist")
        self.assertEqual(r.returncode, 66)
        r = self.sb.pyshim("freeze", cwd=self.sb.mkdtemp("nothing"))
        self.assertShimError(r, "no project here")
        self.assertEqual(r.returncode, 66)
        proj = self.sb.mkdtemp("novenv")
        r = self.pyshim_long("init", "--shared", "ai", "--no-venv", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.pyshim("freeze", cwd=proj)
        self.assertShimError(r, "has no venv of its own")
        self.assertEqual(r.returncode, 66)
        r = self.sb.pyshim("freeze", "--shared", "ai", "--all")
        self.assertEqual(r.returncode, 64)
        self.assertIn("--shared and --all do not go together", r.stderr)

    def test_5_a_file_pyshim_did_not_write_is_kept(self):
        proj = self.sb.mkdtemp("mine")
        r = self.pyshim_long("init", "--shared", "ai", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        mine = os.path.join(proj, ".venv", RECORD)
        write(mine, "my own notes\n")
        r = self.sb.pyshim("freeze", cwd=proj)
        self.assertShimError(r, "was not written by pyshim")
        with open(mine) as f:
            self.assertEqual(f.read(), "my own notes\n")


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class TestDisable(SandboxTest, unittest.TestCase):
    """PYSHIM_DISABLE=1: the next real python on PATH, no project read."""

    def setUp(self):
        self.proj = self.sb.mkdtemp("broken")
        write(os.path.join(self.proj, ".pyshim.json"), "{broken")
        self.next_dir = self.sb.mkdtemp("next")
        self.next_py = os.path.join(self.next_dir, "python")
        if not os.path.lexists(self.next_py):
            os.symlink(SYSTEM.path, self.next_py)
        self.path = os.pathsep.join([self.sb.bin, self.next_dir,
                                     self.sb.env["PATH"]])

    def test_broken_config_errors_without_it(self):
        for env in ({}, {"PYSHIM_DISABLE": "0"}, {"PYSHIM_DISABLE": ""}):
            env["PATH"] = self.path
            r = self.sb.run("python", "-c", "print(1)", cwd=self.proj, env=env)
            self.assertShimError(r, "malformed JSON")
            self.assertEqual(r.returncode, 65)

    def test_disable_runs_next_python_on_path(self):
        env = {"PATH": self.path, "PYSHIM_DISABLE": "1"}
        r = self.sb.run("python", "-c", "import sys; print(sys.executable)",
                        cwd=self.proj, env=env)
        self.assertOK(r)
        self.assertEqual(r.stdout.strip(), self.next_py)
        r = self.sb.pyshim("which", cwd=self.proj, env=env)
        self.assertOK(r)
        self.assertIn("PYSHIM_DISABLE is set", r.stdout)
        self.assertIn("runs:        %s" % self.next_py, r.stdout)


if __name__ == "__main__":
    unittest.main()
