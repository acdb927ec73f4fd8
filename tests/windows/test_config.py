"""Config discovery with Windows paths.

Two fake installs on PATH, 3.11 first, 3.12 second: which one runs shows
what pyshim decided. Walk-up from a deep cwd, a script's directory
deciding over the cwd's (relative, absolute and forward-slash spellings),
.python-version, a venv (pyvenv.cfg + Scripts\\python.exe), and the same
decisions as PYSHIM_DRYRUN plans.
"""
import os
import shutil
import unittest

import wintest
from wintest import write, write_json, winpath


class Discovery(wintest.WorldTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.py311 = w.install_fake("py311", "3.11.9")
        cls.py312 = w.install_fake("py312", "3.12.4")
        cls.exe311 = winpath(os.path.join(cls.py311, "python.exe"))
        cls.exe312 = winpath(os.path.join(cls.py312, "python.exe"))
        # outer asks for 3.11; outer\proj for 3.12.
        cls.outer = w.mkdtemp("outer")
        write_json(os.path.join(cls.outer, ".pyshim.json"), {"python": "3.11"})
        cls.proj = os.path.join(cls.outer, "proj")
        write_json(os.path.join(cls.proj, ".pyshim.json"), {"python": "3.12"})
        cls.deep = os.path.join(cls.proj, "src", "deep")
        os.makedirs(cls.deep)
        cls.script = write(os.path.join(cls.proj, "src", "x.py"), "pass\n")
        # pv holds only a .python-version (3.11).
        cls.pv = w.mkdtemp("pv")
        write(os.path.join(cls.pv, ".python-version"), "3.11\n")

    def ran(self, r, exe):
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], exe, r.stderr)

    def test_project_walks_up_from_deep_cwd(self):
        r = self.w.run("-c", "pass", cwd=self.deep)
        self.ran(r, self.exe312)
        self.assertEqual(r.report["argv"][1:], ["-c", "pass"])

    def test_outer_project_applies_outside_proj(self):
        self.ran(self.w.run("-c", "pass", cwd=self.outer), self.exe311)

    def test_script_dir_decides_relative_backslashes(self):
        r = self.w.run("proj\\src\\x.py", "arg", cwd=self.outer)
        self.ran(r, self.exe312)
        self.assertEqual(r.report["argv"][1:], ["proj\\src\\x.py", "arg"])

    def test_script_dir_decides_forward_slashes(self):
        r = self.w.run("proj/src/x.py", cwd=self.outer)
        self.ran(r, self.exe312)
        self.assertEqual(r.report["argv"][1:], ["proj/src/x.py"])

    def test_script_dir_decides_absolute_from_elsewhere(self):
        other = self.w.mkdtemp("other")
        r = self.w.run(winpath(self.script), cwd=other)
        self.ran(r, self.exe312)

    def test_script_dir_decides_over_cwd_project(self):
        # cwd is in the 3.11 project (pv), the script in the 3.12 one.
        r = self.w.run(winpath(self.script), cwd=self.pv)
        self.ran(r, self.exe312)

    def test_python_version_file(self):
        self.ran(self.w.run("-c", "pass", cwd=self.pv), self.exe311)

    def test_pyshim_project_variable(self):
        other = self.w.mkdtemp("other")
        r = self.w.run("-c", "pass", cwd=other,
                       env={"PYSHIM_PROJECT": winpath(self.proj)})
        self.ran(r, self.exe312)

    def test_dryrun_plan(self):
        p = self.w.dryrun("-c", "pass", cwd=self.deep)
        self.assertSameWinPath(p["project"], winpath(self.proj))
        self.assertSameWinPath(p["config"],
                               winpath(os.path.join(self.proj, ".pyshim.json")))
        self.assertSameWinPath(p["interpreter"], self.exe312)
        self.assertEqual(p["version"], "3.12.4")
        self.assertEqual(p["mode"], "exec")
        self.assertEqual(p["argv"][1:], ["-c", "pass"])

    def test_no_match_is_an_error(self):
        d = self.w.mkdtemp("want313")
        write_json(os.path.join(d, ".pyshim.json"), {"python": "3.13"})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        self.assertEqual(r.returncode, 69, r)
        self.assertIn("pyshim: error: ", r.stderr)


def make_venv(proj, base):
    """proj\\.venv as `python -m venv` makes it on Windows, from the
    install at base: pyvenv.cfg, Scripts\\python.exe (a copy of a program:
    the fake itself, so running it by mistake shows), Lib\\site-packages."""
    base_exe = winpath(os.path.join(base, "python.exe"))
    venv = os.path.join(proj, ".venv")
    write(os.path.join(venv, "pyvenv.cfg"),
          "home = %s\ninclude-system-site-packages = false\n"
          "version = 3.12.4\nexecutable = %s\n"
          "command = %s -m venv %s\n" %
          (winpath(base), base_exe, base_exe, winpath(venv)))
    exe = os.path.join(venv, "Scripts", "python.exe")
    write(os.path.join(venv, "Scripts", "fake_version.txt"), "3.12.4\n")
    shutil.copyfile(wintest.FAKE_PYTHON, exe)
    os.makedirs(os.path.join(venv, "Lib", "site-packages"))
    return venv, exe


class UndiscoveredBase(wintest.WorldTest, unittest.TestCase):
    """pyvenv.cfg's home is a line of text in the project: a base that is
    no installed interpreter pyshim finds (not on PATH, not in the
    registry, pyenv-win or uv) runs only once the project is trusted."""

    def test_refused_until_trusted(self):
        w = self.w
        w.install_fake("py312", "3.12.4")
        base = w.install_fake("elsewhere", "3.12.4", on_path=False)
        proj = w.mkdtemp("proj")
        venv, exe = make_venv(proj, base)
        r = w.run("-c", "pass", cwd=proj)
        self.assertEqual(r.returncode, 77, r)
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        self.assertIn("pyvenv.cfg's home", r.stderr)
        self.assertIn("pyshim trust", r.stderr)
        t = w.pyshim("trust", winpath(proj))
        self.assertEqual(t.returncode, 0, t)
        r = w.run("-c", "pass", cwd=proj)
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"],
                               winpath(os.path.join(base, "python.exe")))
        self.assertSameWinPath(r.report["pyvenv_launcher"], winpath(exe))


class FreeThreadedVenv(wintest.WorldTest, unittest.TestCase):
    """A venv of a free-threaded build names python3.13t.exe as its
    executable (its launcher, venvlaunchert.exe, runs that one): pyshim
    runs it too, not the regular python.exe beside it."""

    def test_runs_the_t_interpreter(self):
        w = self.w
        base = w.install_fake("py313", "3.13.1")
        ft = os.path.join(base, "python3.13t.exe")
        shutil.copyfile(wintest.FAKE_PYTHON, ft)
        proj = w.mkdtemp("ftproj")
        venv, exe = make_venv(proj, base)
        write(os.path.join(venv, "pyvenv.cfg"),
              "home = %s\ninclude-system-site-packages = false\n"
              "version = 3.13.1\nexecutable = %s\n" %
              (winpath(base), winpath(ft)))
        r = w.run("-c", "pass", cwd=proj)
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], winpath(ft))
        self.assertSameWinPath(r.report["pyvenv_launcher"], winpath(exe))
        # A shared env of the regular build cannot serve it: its packages
        # are built for another ABI (cp313 vs cp313t).
        ai = os.path.join(w.pyshim_home, "shared", "ai")
        write(os.path.join(ai, "pyvenv.cfg"),
              "home = %s\nversion = 3.13.1\nexecutable = %s\n" %
              (winpath(base), winpath(os.path.join(base, "python.exe"))))
        os.makedirs(os.path.join(ai, "Scripts"))
        os.makedirs(os.path.join(ai, "Lib", "site-packages"))
        shutil.copyfile(wintest.FAKE_PYTHON,
                        os.path.join(ai, "Scripts", "python.exe"))
        write_json(os.path.join(proj, ".pyshim.json"), {"shared": ["ai"]})
        r = w.run("-c", "pass", cwd=proj)
        self.assertEqual(r.returncode, 65, r)
        self.assertIsNone(r.report)
        self.assertIn("ABI", r.stderr)
        self.assertIn("python3.13t", r.stderr)


class Venv(wintest.WorldTest, unittest.TestCase):
    """proj\\.venv made from an installed interpreter that is not the first
    on PATH: pyshim runs the venv's base (home\\python.exe) with
    __PYVENV_LAUNCHER__ naming proj\\.venv\\Scripts\\python.exe, as
    CPython's venv launcher does; never the python.exe copy inside the
    project tree, nor the first python on PATH."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        w.install_fake("py312", "3.12.4")  # first on PATH: must not be chosen
        cls.base = w.install_fake("venvbase", "3.12.4")
        cls.base_exe = winpath(os.path.join(cls.base, "python.exe"))
        cls.proj = w.mkdtemp("proj")
        cls.venv = os.path.join(cls.proj, ".venv")
        write(os.path.join(cls.venv, "pyvenv.cfg"),
              "home = %s\ninclude-system-site-packages = false\n"
              "version = 3.12.4\nexecutable = %s\n"
              "command = %s -m venv %s\n" %
              (winpath(cls.base), cls.base_exe, cls.base_exe,
               winpath(cls.venv)))
        cls.venv_exe = os.path.join(cls.venv, "Scripts", "python.exe")
        # What `python -m venv` puts there on Windows: a copy of a program
        # (here the fake itself, so running it by mistake shows).
        write(os.path.join(cls.venv, "Scripts", "fake_version.txt"),
              "3.12.4\n")
        shutil.copyfile(wintest.FAKE_PYTHON, cls.venv_exe)
        os.makedirs(os.path.join(cls.venv, "Lib", "site-packages"))
        cls.deep = os.path.join(cls.proj, "src")
        os.makedirs(cls.deep)

    def check(self, r, args):
        self.assertRan(r)
        rep = r.report
        self.assertSameWinPath(rep["exe"], self.base_exe,
                               "not the venv's base interpreter; stderr: " +
                               r.stderr)
        self.assertSameWinPath(rep["pyvenv_launcher"], winpath(self.venv_exe))
        self.assertSameWinPath(rep["argv"][0], winpath(self.venv_exe))
        self.assertEqual(rep["argv"][1:], args)

    def test_zero_config_venv(self):
        self.check(self.w.run("-c", "pass", "é x", cwd=self.deep),
                   ["-c", "pass", "é x"])

    def test_venv_with_version_request(self):
        d = self.w.mkdtemp("cfgproj")
        os.rename(self.venv, os.path.join(d, ".venv"))
        try:
            write_json(os.path.join(d, ".pyshim.json"), {"python": "3.12"})
            r = self.w.run("-c", "pass", cwd=d)
            self.assertRan(r)
            self.assertSameWinPath(r.report["exe"], self.base_exe)
            self.assertSameWinPath(
                r.report["pyvenv_launcher"],
                winpath(os.path.join(d, ".venv", "Scripts", "python.exe")))
        finally:
            os.rename(os.path.join(d, ".venv"), self.venv)

    def test_dryrun_plan(self):
        p = self.w.dryrun("-c", "pass", cwd=self.deep)
        self.assertSameWinPath(p["project"], winpath(self.proj))
        self.assertEqual(p["environment_kind"], "venv")
        self.assertSameWinPath(p["environment"], winpath(self.venv))
        self.assertSameWinPath(p["executable"], self.base_exe)
        self.assertSameWinPath(p["argv"][0], winpath(self.venv_exe))
        self.assertEqual(p["version"], "3.12.4")
        self.assertSameWinPath(p["env"].get("__PYVENV_LAUNCHER__"),
                               winpath(self.venv_exe))


if __name__ == "__main__":
    unittest.main()
