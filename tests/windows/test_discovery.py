"""Interpreter discovery on Windows: PEP 514 registry entries (HKCU, HKLM
64- and 32-bit views), pyenv-win's versions, uv's managed pythons, PATH,
and the Microsoft Store's aliases in WindowsApps never taken.

Each source holds one fake install of its own version, so the version a
request gets says which source pyshim used. Registry entries are the
prefix's: this test runs alone (RUN_SERIAL; any other test's request could
match them) and deletes what it made.
"""
import os
import shutil
import unittest

import wintest
from wintest import winpath, write

HKCU_KEY = "HKCU\\Software\\Python"
HKLM_KEY = "HKLM\\Software\\Python"


def reg(*args):
    r = wintest.wine("reg", *args)
    if r.returncode != 0:
        raise RuntimeError("reg %s failed: %r" % (" ".join(args), r))


def reg_exists(key, *view):
    return wintest.wine("reg", "query", key, *view).returncode == 0


class Discovery(wintest.WorldTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.had = {(HKCU_KEY, ()): reg_exists(HKCU_KEY),
                   (HKLM_KEY, ("/reg:64",)): reg_exists(HKLM_KEY, "/reg:64"),
                   (HKLM_KEY, ("/reg:32",)): reg_exists(HKLM_KEY, "/reg:32")}
        cls.addClassCleanup(cls._unregister)
        inst = os.path.join(w.root, "installs")
        cls.exe = {}

        def fake(label, d, version, name="python.exe"):
            os.makedirs(d, exist_ok=True)
            # Copies: hard links would be one file, one interpreter.
            shutil.copyfile(wintest.FAKE_PYTHON, os.path.join(d, name))
            write(os.path.join(d, "fake_version.txt"), version + "\n")
            cls.exe[label] = winpath(os.path.join(d, name))
            return d

        # PEP 514, HKCU: InstallPath's default value is the directory.
        d = fake("hkcu", os.path.join(inst, "reg312"), "3.12.4")
        k = HKCU_KEY + "\\PythonCore\\3.12"
        reg("add", k, "/v", "SysVersion", "/d", "3.12", "/f")
        reg("add", k, "/v", "Version", "/d", "3.12.4", "/f")
        reg("add", k + "\\InstallPath", "/ve", "/d", winpath(d) + "\\", "/f")
        # HKLM 64-bit view, a REG_EXPAND_SZ naming a variable.
        fake("hklm", os.path.join(inst, "hklm311"), "3.11.9")
        k = HKLM_KEY + "\\PythonCore\\3.11"
        reg("add", k, "/v", "SysVersion", "/d", "3.11", "/reg:64", "/f")
        reg("add", k + "\\InstallPath", "/ve", "/t", "REG_EXPAND_SZ", "/d",
            "%PYSHIM_T_ROOT%\\installs\\hklm311\\", "/reg:64", "/f")
        # HKLM 32-bit view (WOW6432Node).
        fake("hklm32", os.path.join(inst, "hklm39"), "3.9.13")
        k = HKLM_KEY + "\\PythonCore\\3.9"
        reg("add", k, "/v", "SysVersion", "/d", "3.9", "/reg:32", "/f")
        reg("add", k + "\\InstallPath", "/ve", "/d",
            winpath(os.path.join(inst, "hklm39")) + "\\", "/reg:32", "/f")
        # pyenv-win and uv under the profile.
        fake("pyenv", os.path.join(w.profile, ".pyenv", "pyenv-win",
                                   "versions", "3.10.11"), "3.10.11")
        fake("uv", os.path.join(w.appdata, "uv", "data", "python",
                                "cpython-3.13.1-windows-x86_64-none"),
             "3.13.1")
        # PATH: the Store's aliases first (a real program here, so taking
        # it would show), then an ordinary install.
        cls.store = fake("store", os.path.join(w.localappdata, "Microsoft",
                                               "WindowsApps"), "3.14.0")
        fake("path", os.path.join(inst, "path38"), "3.8.10")
        cls.path = ";".join([winpath(cls.store), winpath(w.bin),
                             winpath(os.path.join(inst, "path38"))] +
                            wintest.SYSTEM_PATH)
        cls.winenv = {"PYSHIM_T_ROOT": winpath(w.root)}

    @classmethod
    def _unregister(cls):
        for (key, view), had in cls.had.items():
            if had:  # only ours: leave the rest of a user's prefix
                tag = {"/reg:64": "3.11", "/reg:32": "3.9"}.get(
                    view[0] if view else "", "3.12")
                wintest.wine("reg", "delete", key + "\\PythonCore\\" + tag,
                             *(view + ("/f",)))
            else:
                wintest.wine("reg", "delete", key, *(view + ("/f",)))

    def run_request(self, request):
        d = self.w.mkdtemp("req")
        write(os.path.join(d, ".python-version"), request + "\n")
        return self.w.run("-c", "pass", cwd=d, path=self.path,
                          winenv=self.winenv)

    def check(self, request, label):
        r = self.run_request(request)
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], self.exe[label],
                               "request %s; stderr: %s" % (request, r.stderr))

    def test_hkcu_pep514(self):
        self.check("3.12", "hkcu")

    def test_hklm_64_bit_view_with_expand_sz(self):
        self.check("3.11", "hklm")

    def test_hklm_32_bit_view(self):
        self.check("3.9", "hklm32")

    def test_pyenv_win(self):
        self.check("3.10", "pyenv")

    def test_uv_managed(self):
        self.check("3.13", "uv")

    def test_path(self):
        self.check("3.8", "path")

    def test_highest_minor_for_major_request(self):
        # The Store's 3.14 does not count.
        self.check("3", "uv")

    def test_store_alias_never_taken(self):
        r = self.run_request("3.14")
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        self.assertEqual(r.returncode, 69, r)


if __name__ == "__main__":
    unittest.main()
