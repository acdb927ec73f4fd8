"""Free-threaded interpreters on Linux and macOS layouts (issue 13 item 6):
"3.13t" as a request, python3.13t as a link name, uv's "+freethreaded"
installs found, and the "t" ABI of venvs and shared envs kept apart.

No free-threaded CPython is installed where these tests run, so the
"free-threaded" install is a fake of uv's layout around a real 3.13:
uv/cpython-3.13.N+freethreaded-linux-x86_64-gnu/bin/python3.13t, a copy of
pyenv's python3.13 (with its lib/ beside it). It runs as the regular
3.13 it is (sys.abiflags ""): what is tested is where pyshim looks, what
it picks and what it refuses, not the free-threaded runtime
(docs/resolution.md, "Free-threaded interpreters")."""
import json
import os
import shutil
import unittest

from pyshimtest import (SandboxTest, PYENV, write, write_json,
                        install_quiet_flags)

PY313 = [i for i in PYENV if i.present and i.minor == "3.13"]
PY313 = PY313[0] if PY313 else None
SYS_EXE = "import sys; print(sys.executable)"


@unittest.skipUnless(PY313, "no pyenv 3.13 to build the fake install from")
class FreeThreaded(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        micro = PY313.version[2]
        cls.uv = os.path.join(sb.root, "uv")
        inst = os.path.join(
            cls.uv, "cpython-3.13.%d+freethreaded-linux-x86_64-gnu" % micro)
        os.makedirs(os.path.join(inst, "bin"))
        cls.ft = os.path.join(inst, "bin", "python3.13t")
        shutil.copy2(PY313.path, cls.ft)
        real_prefix = os.path.dirname(os.path.dirname(PY313.path))
        os.symlink(os.path.join(real_prefix, "lib"), os.path.join(inst, "lib"))
        sb.env["UV_PYTHON_INSTALL_DIR"] = cls.uv
        # install again, now that the free-threaded build is there
        r = sb.pyshim("install", "--bin-dir", sb.bin, *install_quiet_flags())
        assert r.returncode == 0, r.stderr

    def which(self, d, *args):
        r = self.sb.pyshim("which", "--json", *args, d)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_request_3_13t_picks_the_free_threaded_build(self):
        d = self.sb.mkdtemp()
        write(os.path.join(d, ".python-version"), "3.13t\n")
        j = self.which(d)
        self.assertEqual(j["interpreter"], self.ft)
        r = self.sb.run("python", "-c", SYS_EXE, cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), self.ft)

    def test_request_3_13_never_takes_it(self):
        d = self.sb.mkdtemp()
        write(os.path.join(d, ".python-version"), "3.13\n")
        j = self.which(d)
        self.assertEqual(os.path.realpath(j["interpreter"]),
                         os.path.realpath(PY313.path))

    def test_link_python3_13t(self):
        link = os.path.join(self.sb.bin, "python3.13t")
        self.assertTrue(os.path.samefile(link, os.path.join(self.sb.bin, "pyshim")))
        self.assertTrue(os.path.exists(os.path.join(self.sb.bin, "pip3.13t")))
        d = self.sb.mkdtemp()  # no project: the pin alone decides
        r = self.sb.run("python3.13t", "-c", SYS_EXE, cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), self.ft)

    def test_python3_13t_in_a_regular_project_leaves_its_env(self):
        d = self.sb.mkdtemp()
        write(os.path.join(d, ".python-version"), "3.13\n")
        j = self.which(d, "--name", "python3.13t")
        self.assertEqual(j["environment_kind"], "base")
        self.assertEqual(j["interpreter"], self.ft)
        self.assertTrue(any("pins 3.13t but the project runs 3.13" in w
                            for w in j["why"]), j["why"])

    def fake_ft_venv(self, d):
        """A free-threaded build's venv, as `python3.13t -m venv` lays it
        out: bin/python -> the build, lib/python3.13t/site-packages."""
        v = os.path.join(d, ".venv")
        write(os.path.join(v, "pyvenv.cfg"),
              "home = %s\nversion = 3.13.%d\n"
              % (os.path.dirname(self.ft), PY313.version[2]))
        os.makedirs(os.path.join(v, "bin"))
        os.symlink(self.ft, os.path.join(v, "bin", "python"))
        os.makedirs(os.path.join(v, "lib", "python3.13t", "site-packages"))
        return v

    def test_a_free_threaded_venv_is_not_a_3_13_one(self):
        d = self.sb.mkdtemp()
        self.fake_ft_venv(d)
        write_json(os.path.join(d, ".pyshim.json"), {"python": "3.13"})
        r = self.sb.pyshim("which", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("(free-threaded), but", r.stderr)
        write_json(os.path.join(d, ".pyshim.json"), {"python": "3.13t"})
        j = self.which(d)
        self.assertEqual(j["environment_kind"], "venv")

    def test_a_regular_shared_env_is_refused_for_a_free_threaded_venv(self):
        self.sb.make_shared("gil313", PY313)
        d = self.sb.mkdtemp()
        self.fake_ft_venv(d)
        write_json(os.path.join(d, ".pyshim.json"), {"shared": ["gil313"]})
        r = self.sb.pyshim("which", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is built for ABI 'python3.13', but this environment uses 'python3.13t'",
                      r.stderr)
        self.assertIn("free-threaded ('t') and regular builds cannot share packages",
                      r.stderr)


if __name__ == "__main__":
    unittest.main()
