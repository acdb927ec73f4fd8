"""pyshim.exe against real CPython installs: runs only on Windows itself
(the CI job's Windows runner, whose toolcache Pythons the job names in
PYSHIM_REAL_PYTHONS, separated by ';'). Under Wine there is no real
CPython for Windows, so it is skipped there: the rest of the suite covers
the same paths against the fake interpreter.

For each real python.exe: pass-through on PATH, a project's venv (made by
that Python) through `python` and `pip`, embed mode, and exit codes.
"""
import os
import subprocess
import unittest

from wintest import NATIVE, PYSHIM_EXE, WorldTest, winpath

REAL = [p for p in os.environ.get("PYSHIM_REAL_PYTHONS", "").split(";") if p]

PRINT = "import sys; print(sys.executable); print(sys.prefix)"


@unittest.skipUnless(NATIVE and REAL,
                     "real CPython runs only natively on Windows with "
                     "PYSHIM_REAL_PYTHONS set (the CI job)")
class RealPython(WorldTest, unittest.TestCase):
    needs = (PYSHIM_EXE,)

    def facts(self, r):
        self.assertEqual(r.returncode, 0, r)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2, r)
        return lines

    def path_with(self, py):
        return ";".join([winpath(self.w.bin), os.path.dirname(py),
                         "C:\\windows\\system32", "C:\\windows"])

    def test_pass_through(self):
        for py in REAL:
            with self.subTest(py=py):
                r = self.w.run("-c", PRINT, path=self.path_with(py),
                               pyshim_home=True)
                exe, _ = self.facts(r)
                self.assertSameWinPath(exe, py)

    def test_project_venv_python_and_pip(self):
        for py in REAL:
            with self.subTest(py=py):
                proj = self.w.mkdtemp("proj")
                subprocess.run([py, "-m", "venv", os.path.join(proj, ".venv")],
                               check=True, timeout=240)
                venv = os.path.join(proj, ".venv")
                for mode in ("exec", "embed"):
                    r = self.w.run("-c", PRINT, cwd=proj,
                                   path=self.path_with(py),
                                   env={"PYSHIM_MODE": mode})
                    exe, prefix = self.facts(r)
                    self.assertSameWinPath(prefix, venv, mode)
                    self.assertSameWinPath(
                        exe, os.path.join(venv, "Scripts", "python.exe"), mode)
                    r = self.w.run("-c", "raise SystemExit(3)", cwd=proj,
                                   path=self.path_with(py),
                                   env={"PYSHIM_MODE": mode})
                    self.assertEqual(r.returncode, 3, r)
                r = self.w.run("--version", name="pip.exe", cwd=proj,
                               path=self.path_with(py), timeout=120)
                self.assertEqual(r.returncode, 0, r)
                self.assertIn(venv.lower(), r.stdout.lower())


if __name__ == "__main__":
    unittest.main()
