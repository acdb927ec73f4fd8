"""Embed mode: python3XY.dll loaded into the shim, Py_Main called.

The fake install has python312.dll beside python.exe (the probe reports
it as libpython). With "mode": "embed" no second process may start: the
report comes from the DLL inside the shim's own process (exe = the shim),
through Py_Main with UTF-16 argv, every argument exact.
"""
import json
import os
import shutil
import unittest

import wintest
from wintest import TRICKY_ARGS, winpath, write, write_json


class Embed(wintest.WorldTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.fake = w.install_fake("py312", "3.12.4", dll=True)
        cls.fake_exe = winpath(os.path.join(cls.fake, "python.exe"))
        cls.shim = winpath(os.path.join(w.bin, "python.exe"))
        cls.proj = w.mkdtemp("proj")
        write_json(os.path.join(cls.proj, ".pyshim.json"),
                   {"python": "3.12", "mode": "embed"})

    def embedded(self, r):
        self.assertRan(r)
        rep = r.report
        self.assertIs(rep["embedded"], True,
                      "a python.exe ran instead of the DLL; stderr: " +
                      r.stderr)
        self.assertEqual(rep["api"], "Py_Main")
        self.assertSameWinPath(rep["exe"], self.shim)
        return rep

    def test_argv_exact(self):
        rep = self.embedded(self.w.run(*TRICKY_ARGS, cwd=self.proj))
        self.assertEqual(rep["argv"][1:], TRICKY_ARGS)
        self.assertSameWinPath(rep["argv"][0], self.fake_exe)

    def test_exit_code_full_32_bits(self):
        for code in (0, 3, 259, 3221225477):
            with self.subTest(code=code):
                r = self.w.run("-c", "pass", cwd=self.proj, mode="runexit",
                               env={"FAKEPY_EXIT": str(code)})
                self.embedded(r)
                self.assertEqual(json.loads(
                    r.stdout.strip().splitlines()[-1]), {"exit": code})

    def test_dryrun_says_embed(self):
        p = self.w.dryrun("-c", "pass", cwd=self.proj)
        self.assertEqual(p["mode"], "embed")
        self.assertSameWinPath(p["libpython"],
                               winpath(os.path.join(self.fake,
                                                    "python312.dll")))

    def test_exec_mode_spawns_python(self):
        d = self.w.mkdtemp("execproj")
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": "3.12", "mode": "exec"})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertRan(r)
        self.assertIs(r.report["embedded"], False)
        self.assertSameWinPath(r.report["exe"], self.fake_exe)

    def test_venv_embedded(self):
        # A venv of the DLL's install: Py_Main is told the venv through
        # __PYVENV_LAUNCHER__, argv[0] is the venv's python.
        d = self.w.mkdtemp("venvproj")
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": "3.12", "mode": "embed"})
        venv = os.path.join(d, ".venv")
        write(os.path.join(venv, "pyvenv.cfg"),
              "home = %s\ninclude-system-site-packages = false\n"
              "version = 3.12.4\n" % winpath(self.fake))
        venv_exe = os.path.join(venv, "Scripts", "python.exe")
        write(os.path.join(venv, "Scripts", "fake_version.txt"), "3.12.4\n")
        shutil.copyfile(wintest.FAKE_PYTHON, venv_exe)
        os.makedirs(os.path.join(venv, "Lib", "site-packages"))
        rep = self.embedded(self.w.run("-c", "pass", "\u4f60", cwd=d))
        self.assertSameWinPath(rep["pyvenv_launcher"], winpath(venv_exe))
        self.assertSameWinPath(rep["argv"][0], winpath(venv_exe))
        self.assertEqual(rep["argv"][1:], ["-c", "pass", "\u4f60"])


if __name__ == "__main__":
    unittest.main()
