"""pyshim.exe install / uninstall against the Wine registry and profiles.

install: copies (or hard links) of pyshim.exe as python.exe, python3.exe,
pip.exe, pyshim.exe in %LOCALAPPDATA%\\pyshim\\bin; that dir first in
HKCU\\Environment Path (the value's type kept); a marked block in both
PowerShell profiles (Documents\\PowerShell and Documents\\WindowsPowerShell).
uninstall gives back the Path value and the profile files byte for byte
(a UTF-16 LE profile with BOM included).

The registry is the prefix's own: this test holds ctest's RESOURCE_LOCK
wine.registry and restores the Path value and the Documents shell folder
(pointed at this test's profile, so the profiles land in its temp dir).
"""
import os
import shutil
import unittest

import wintest
from wintest import ENV_KEY, SHELL_FOLDERS, read_bytes, reg_get, reg_set, \
    reg_del, winpath, write

PROGRAMS = ("pip.exe", "pyshim.exe", "python.exe", "python3.exe")
BEGIN = "# >>> pyshim >>>"
END = "# <<< pyshim <<<"


class Install(wintest.WorldTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.saved_path = reg_get(ENV_KEY, "Path")
        cls.saved_docs = reg_get(SHELL_FOLDERS, "Personal")
        cls.addClassCleanup(wintest.reg_restore, SHELL_FOLDERS, "Personal",
                            cls.saved_docs)
        cls.addClassCleanup(wintest.reg_restore, ENV_KEY, "Path",
                            cls.saved_path)
        cls.docs = os.path.join(w.profile, "Documents")
        reg_set(SHELL_FOLDERS, "Personal", "REG_EXPAND_SZ", winpath(cls.docs))
        cls.data = os.path.join(w.localappdata, "pyshim")
        cls.bin = os.path.join(cls.data, "bin")
        cls.wbin = winpath(cls.bin)
        cls.ps7 = os.path.join(cls.docs, "PowerShell",
                               "Microsoft.PowerShell_profile.ps1")
        cls.ps5 = os.path.join(cls.docs, "WindowsPowerShell",
                               "Microsoft.PowerShell_profile.ps1")

    def setUp(self):
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.rmtree(self.docs, ignore_errors=True)
        os.makedirs(self.docs)
        reg_del(ENV_KEY, "Path")

    def pyshim(self, *args):
        # No PYSHIM_HOME: DATA is %LOCALAPPDATA%\pyshim, as for a user.
        return self.w.pyshim(*args, pyshim_home=False)

    def assertOK(self, r):
        self.assertEqual(r.returncode, 0, r)

    def check_installed(self):
        names = sorted(os.listdir(self.bin)) if os.path.isdir(self.bin) else []
        for n in PROGRAMS:
            self.assertIn(n, names)
            self.assertEqual(read_bytes(os.path.join(self.bin, n)),
                             read_bytes(wintest.PYSHIM_EXE), n)
        for p in (self.ps7, self.ps5):
            self.assertTrue(os.path.exists(p), "no profile %s" % p)

    def profile_text(self, path):
        raw = read_bytes(path)
        if raw.startswith(b"\xff\xfe"):
            return raw[2:].decode("utf-16-le")
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        return raw.decode("utf-8")

    def check_block(self, path):
        t = self.profile_text(path)
        self.assertEqual(t.count(BEGIN), 1, t)
        self.assertEqual(t.count(END), 1, t)
        block = t[t.index(BEGIN):t.index(END)]
        self.assertIn(self.wbin.lower(), block.lower())
        return t

    def test_fresh_install_then_uninstall(self):
        r = self.pyshim("install", "--no-default-env")
        self.assertOK(r)
        self.check_installed()
        typ, val = reg_get(ENV_KEY, "Path") or (None, None)
        self.assertEqual(typ, "REG_EXPAND_SZ")
        self.assertEqual(val.split(";")[0].lower().rstrip("\\"),
                         self.wbin.lower())
        for p in (self.ps7, self.ps5):
            self.check_block(p)

        r = self.pyshim("uninstall")
        self.assertOK(r)
        self.assertIsNone(reg_get(ENV_KEY, "Path"),
                          "install made the Path value; uninstall keeps it")
        self.assertFalse(os.path.exists(self.ps7))
        self.assertFalse(os.path.exists(self.ps5))
        self.assertFalse(os.path.exists(self.bin))

    def test_existing_path_and_profiles_restored_exactly(self):
        user_path = "%USERPROFILE%\\tools;C:\\Program Files\\x;;C:\\last\\"
        reg_set(ENV_KEY, "Path", "REG_EXPAND_SZ", user_path)
        ps7 = ("\ufeff# my profile \u00e9\u4e2d\U0001F40D\r\n"
               "Set-Alias ll Get-ChildItem\r\n").encode("utf-16-le")
        ps5 = b"# plain UTF-8, no newline at the end: caf\xc3\xa9"
        write(self.ps7, ps7, "wb")
        write(self.ps5, ps5, "wb")

        r = self.pyshim("install", "--no-default-env")
        self.assertOK(r)
        self.check_installed()
        typ, val = reg_get(ENV_KEY, "Path") or (None, None)
        self.assertEqual(typ, "REG_EXPAND_SZ", "the value's type changed")
        first, _, rest = val.partition(";")
        self.assertEqual(first.lower().rstrip("\\"), self.wbin.lower())
        self.assertEqual(rest, user_path)
        raw7 = read_bytes(self.ps7)
        self.assertEqual(raw7[:2], b"\xff\xfe", "the UTF-16 profile lost its BOM")
        t7 = self.check_block(self.ps7)
        self.assertTrue(t7.startswith(ps7[2:].decode("utf-16-le")),
                        "the user's lines changed")
        t5 = self.check_block(self.ps5)
        self.assertTrue(t5.startswith(ps5.decode("utf-8")))

        # Installing twice changes nothing.
        r = self.pyshim("install", "--no-default-env")
        self.assertOK(r)
        self.assertEqual(reg_get(ENV_KEY, "Path"), (typ, val))
        self.assertEqual(read_bytes(self.ps7), raw7)

        r = self.pyshim("uninstall")
        self.assertOK(r)
        self.assertEqual(reg_get(ENV_KEY, "Path"), ("REG_EXPAND_SZ", user_path))
        self.assertEqual(read_bytes(self.ps7), ps7, "UTF-16 profile not restored")
        self.assertEqual(read_bytes(self.ps5), ps5, "UTF-8 profile not restored")
        self.assertFalse(os.path.exists(self.bin))

    def test_reg_sz_path_keeps_its_type(self):
        reg_set(ENV_KEY, "Path", "REG_SZ", "C:\\only")
        self.assertOK(self.pyshim("install", "--no-default-env"))
        typ, val = reg_get(ENV_KEY, "Path") or (None, None)
        self.assertEqual(typ, "REG_SZ")
        self.assertTrue(val.lower().endswith(";c:\\only"), val)
        self.assertOK(self.pyshim("uninstall"))
        self.assertEqual(reg_get(ENV_KEY, "Path"), ("REG_SZ", "C:\\only"))

    def test_install_before_any_python(self):
        # A new machine: pyshim first, Python later. The shim goes in; the
        # default environment is left for a later install, and said so.
        r = self.pyshim("install")
        self.assertOK(r)
        self.assertIn("no Python is installed yet", r.stdout)
        self.assertIn("pyshim install", r.stdout)
        self.check_installed()
        self.assertFalse(os.path.exists(os.path.join(self.data, "default")))
        self.assertOK(self.pyshim("uninstall"))
        self.assertIsNone(reg_get(ENV_KEY, "Path"))

    def test_installed_python_runs_the_fake(self):
        # The installed python.exe is the shim: first on PATH it passes
        # through to the next python.exe (the fake).
        fake = self.w.install_fake("py312", "3.12.4")
        self.assertOK(self.pyshim("install", "--no-default-env"))
        try:
            path = ";".join([self.wbin, winpath(fake)] + wintest.SYSTEM_PATH)
            r = self.w.run("-c", "pass", exe=os.path.join(self.bin,
                                                          "python.exe"),
                           path=path, pyshim_home=False)
            self.assertRan(r)
            self.assertSameWinPath(r.report["exe"],
                                   winpath(os.path.join(fake, "python.exe")))
        finally:
            self.w.fakes.remove(fake)
            self.assertOK(self.pyshim("uninstall"))


if __name__ == "__main__":
    unittest.main()
