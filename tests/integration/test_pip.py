"""`pip` through the shim installs into the project venv, offline, and
leaves what the shared env already provides alone."""
import json
import os
import subprocess
import unittest
import zipfile

from pyshimtest import (SandboxTest, SYSTEM, per_interp, make_venv, site_packages,
                        build_wheel, write_json, PIP_TIMEOUT, Sandbox, PYSHIM_BIN)

OFFLINE = {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PIP_NO_CACHE_DIR": "1", "PIP_NO_INPUT": "1"}


class _Pip(SandboxTest):
    interp = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.wheels = os.path.join(sb.root, "wheels")
        build_wheel(cls.wheels, "pyshim-local", "1.0")
        build_wheel(cls.wheels, "sharedpkg", "2.0")
        # The shared env provides sharedpkg 2.0 (unpacked by hand, as an
        # installer would: pip finds it by its .dist-info).
        cls.shared = sb.make_shared("ai", cls.interp)
        with zipfile.ZipFile(os.path.join(cls.wheels, "sharedpkg-2.0-py3-none-any.whl")) as z:
            z.extractall(site_packages(cls.shared))
        cls.proj = os.path.join(sb.work, "proj")
        cls.venv = make_venv(cls.interp, os.path.join(cls.proj, ".venv"), pip=True)
        cls.venv_sp = site_packages(cls.venv)
        write_json(os.path.join(cls.proj, ".pyshim.json"), {"shared": ["ai"]})
        # A venv made by hand with pip carries start-up code
        # (setuptools' distutils-precedence.pth): pyshim runs a venv it
        # did not make only once trusted (docs/trust.md).
        t = sb.pyshim("trust", cls.proj)
        if t.returncode != 0:
            raise RuntimeError("pyshim trust failed: %r" % (t,))
        cls.sub = os.path.join(cls.proj, "sub")
        os.makedirs(cls.sub)

    def pip(self, *args, name="pip", cwd=None):
        r = self.sb.run(name, *args, cwd=cwd or self.sub, env=OFFLINE,
                        timeout=PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, "stdout: %s\nstderr: %s" % (r.stdout, r.stderr))
        return r

    def test_pip_is_the_venvs(self):
        for name in ("pip", "pip" + self.interp.minor):
            with self.subTest(name=name):
                r = self.pip("--version", name=name)
                self.assertIn(self.venv_sp, r.stdout)
                self.assertIn("python %s" % self.interp.minor, r.stdout)

    def test_install_local_wheel_lands_in_venv(self):
        r = self.pip("install", "--no-index", "--find-links", self.wheels, "pyshim-local")
        self.assertIn("Successfully installed pyshim-local-1.0", r.stdout)
        self.assertTrue(os.path.isfile(os.path.join(self.venv_sp, "pyshim_local.py")))
        self.assertFalse(os.path.exists(os.path.join(site_packages(self.shared),
                                                     "pyshim_local.py")))
        out = self.runpy("import pyshim_local; print(pyshim_local.WHERE)", cwd=self.proj)
        self.assertEqual(out, os.path.join(self.venv_sp, "pyshim_local.py") + "\n")

    def test_shared_requirement_already_satisfied(self):
        r = self.pip("install", "--no-index", "--find-links", self.wheels, "sharedpkg")
        self.assertRegex(r.stdout.lower(), r"requirement already satisfied: sharedpkg")
        self.assertIn(site_packages(self.shared), r.stdout)
        self.assertNotIn("Successfully installed", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.venv_sp, "sharedpkg.py")))
        self.assertFalse([n for n in os.listdir(self.venv_sp) if n.startswith("sharedpkg")])

    def test_python_m_pip_is_the_venvs(self):
        r = self.sb.run("python", "-m", "pip", "--version", cwd=self.sub, env=OFFLINE,
                        timeout=PIP_TIMEOUT)
        self.assertOK(r)
        self.assertIn(self.venv_sp, r.stdout)


per_interp(_Pip, globals())


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class DefaultEnv(unittest.TestCase):
    """`pyshim install` without --no-default-env: outside any project,
    python and pip use DATA/default, so `pip install` works there."""

    @classmethod
    def setUpClass(cls):
        if not os.access(PYSHIM_BIN, os.X_OK):
            raise RuntimeError("no pyshim binary at %s" % PYSHIM_BIN)
        cls.sb = Sandbox()
        r = subprocess.run([os.path.join(cls.sb.bin, "pyshim"), "install",
                            "--bin-dir", cls.sb.bin, "--no-shell"],
                           env=cls.sb.env, cwd=cls.sb.work, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=PIP_TIMEOUT)
        cls.install = r
        cls.default = os.path.join(cls.sb.pyshim_home, "default")
        if not os.path.isdir(cls.default) and r.returncode == 0:
            cls.sb.close()
            raise unittest.SkipTest("this pyshim install makes no default env")

    @classmethod
    def tearDownClass(cls):
        cls.sb.close()

    def test_install_made_default_env_and_config(self):
        self.assertEqual(self.install.returncode, 0, self.install.stderr)
        with open(self.sb.global_config) as f:
            self.assertEqual(os.path.realpath(json.load(f)["venv"]), self.default)

    def test_python_and_pip_outside_projects(self):
        r = self.sb.run("python", "-c", "import sys; print(sys.prefix)")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(r.stdout.strip(), self.default)
        wheels = os.path.join(self.sb.root, "wheels")
        build_wheel(wheels, "outside-pkg", "0.1")
        r = self.sb.run("pip", "install", "--no-index", "--find-links", wheels,
                        "outside-pkg", env=OFFLINE, timeout=PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("externally-managed", r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(site_packages(self.default),
                                                    "outside_pkg.py")))

    def test_reinstall_keeps_config(self):
        with open(self.sb.global_config, "rb") as f:
            before = f.read()
        r = subprocess.run([os.path.join(self.sb.bin, "pyshim"), "install",
                            "--bin-dir", self.sb.bin, "--no-shell"],
                           env=self.sb.env, cwd=self.sb.work, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.sb.global_config, "rb") as f:
            self.assertEqual(f.read(), before)


if __name__ == "__main__":
    unittest.main()
