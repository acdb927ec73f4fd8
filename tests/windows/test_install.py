"""pyshim.exe install / uninstall against the Wine registry and profiles.

install: copies (or hard links) of pyshim.exe as python.exe, python3.exe,
pip.exe, pyshim.exe in %LOCALAPPDATA%\\pyshim\\bin; that dir first in
HKCU\\Environment Path (the value's type kept); a marked block in both
PowerShell profiles (Documents\\PowerShell and Documents\\WindowsPowerShell).
uninstall gives back the Path value and the profile files byte for byte
(a UTF-16 LE profile with BOM included), and removes the profile dirs it
made. A --bin-dir other than the recorded one: a user's files there are
neither replaced nor deleted, and only that dir's own PATH entry goes.
Copies any pyshim version made are pyshim's (the mark every pyshim
binary carries), record or not, so an upgrade replaces and uninstalls
them; a profile block goes only with the dir it names; a record older
than bin= is about its one PATH entry's dir and had the profiles.
A PATH entry install did not add stays (and uninstall says so). The
Windows PowerShell execution-policy note follows PowerShell's precedence
(machine Group Policy, user Group Policy, CurrentUser, LocalMachine).

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

    # -- a bin dir that is not the recorded one -------------------------

    def test_foreign_bin_dir_left_alone(self):
        # After a default install recorded python.exe, a user's own
        # python.exe in another dir is neither replaced by install
        # --bin-dir nor deleted by uninstall --bin-dir, and uninstalling
        # that dir leaves the default install's PATH entry and record.
        self.assertOK(self.pyshim("install", "--no-default-env"))
        record = os.path.join(self.data, "install-record.txt")
        self.assertTrue(os.path.isfile(record))
        # A record written before bin= existed is about the default dir.
        with open(record) as f:
            lines = f.read().splitlines(True)
        self.assertTrue(any(x.startswith("bin=") for x in lines), lines)
        write(record, "".join(x for x in lines if not x.startswith("bin=")))
        real = self.w.mkdtemp("realpy")
        write(os.path.join(real, "python.exe"), "REAL PYTHON")
        write(os.path.join(real, "pip.exe"), "REAL PIP")

        r = self.pyshim("install", "--bin-dir", winpath(real),
                        "--no-default-env")
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("exists and is not pyshim's", r.stderr)
        self.assertEqual(read_bytes(os.path.join(real, "python.exe")),
                         b"REAL PYTHON")
        self.assertEqual(read_bytes(os.path.join(real, "pip.exe")),
                         b"REAL PIP")
        self.assertEqual(sorted(os.listdir(real)), ["pip.exe", "python.exe"],
                         "a refused install left files behind")

        r = self.pyshim("uninstall", "--bin-dir", winpath(real))
        self.assertOK(r)
        self.assertEqual(read_bytes(os.path.join(real, "python.exe")),
                         b"REAL PYTHON")
        self.assertEqual(read_bytes(os.path.join(real, "pip.exe")),
                         b"REAL PIP")
        typ, val = reg_get(ENV_KEY, "Path") or (None, "")
        self.assertEqual(val.split(";")[0].lower(), self.wbin.lower(),
                         "uninstall of another dir took the default's entry")
        self.assertTrue(os.path.isfile(record), "the record went")
        self.check_installed()

        self.assertOK(self.pyshim("uninstall"))
        self.assertIsNone(reg_get(ENV_KEY, "Path"))
        self.assertFalse(os.path.exists(self.bin))
        self.assertFalse(os.path.exists(record))

    def test_second_bin_dir_uninstall_takes_only_its_entry(self):
        # Two installs: uninstalling the second takes out its own PATH
        # entry, names that entry, and leaves the first's.
        self.assertOK(self.pyshim("install", "--no-default-env"))
        other = self.w.mkdtemp("other")
        wother = winpath(other)
        self.assertOK(self.pyshim("install", "--bin-dir", wother,
                                  "--no-default-env"))
        self.assertEqual(reg_get(ENV_KEY, "Path")[1].lower(),
                         (wother + ";" + self.wbin).lower())
        r = self.pyshim("uninstall", "--bin-dir", wother)
        self.assertOK(r)
        self.assertIn("took %s out of your user PATH" % wother, r.stdout)
        self.assertNotIn("took %s out" % self.wbin, r.stdout)
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", self.wbin))
        self.assertFalse(os.path.exists(other))
        self.check_installed()
        for p in (self.ps7, self.ps5):  # the first install's block again
            self.check_block(p)
        r = self.pyshim("uninstall")
        self.assertOK(r)
        self.assertIn("took %s out of your user PATH" % self.wbin, r.stdout)
        self.assertIsNone(reg_get(ENV_KEY, "Path"))
        self.assertFalse(os.path.exists(self.bin))

    def test_sweep_removes_only_pyshims_old_copies(self):
        # install removes NAME.exe.old-PID copies an earlier install moved
        # aside, and nothing else of a user-chosen bin dir.
        bin_ = self.w.mkdtemp("sweep")
        keep = ("notes.exe.old-1", "tool.exe.old-42", "python.exe.old-x1",
                "mypython.exe.old-5", "pip.exe.old-")
        gone = ("python.exe.old-4242", "python3.12.exe.old-7",
                "pip3.exe.old-8", "pyshim.exe.old-99")
        for n in keep + gone:
            write(os.path.join(bin_, n), "x")
        self.assertOK(self.pyshim("install", "--bin-dir", winpath(bin_),
                                  "--no-shell", "--no-default-env"))
        names = os.listdir(bin_)
        for n in keep:
            self.assertIn(n, names)
        for n in gone:
            self.assertNotIn(n, names)
        self.assertOK(self.pyshim("uninstall", "--bin-dir", winpath(bin_)))
        self.assertEqual(sorted(os.listdir(bin_)), sorted(keep))

    # -- copies another pyshim made; other installs' profile blocks -----

    def other_exe(self, tag=b"\0"):
        # Another pyshim version (a newer release): different bytes, the
        # same mark.
        path = os.path.join(self.w.mkdtemp("v3"), "pyshim.exe")
        write(path, read_bytes(wintest.PYSHIM_EXE) + tag, "wb")
        return path

    def run_exe(self, exe, *args):
        return self.w.pyshim(*args, exe=exe, pyshim_home=False)

    def block_bin(self, path):
        # The dir the profile's block names (None: no block, no file).
        if not os.path.exists(path):
            return None
        t = self.profile_text(path)
        if BEGIN not in t:
            return None
        line = [x for x in t[t.index(BEGIN):t.index(END)].splitlines()
                if x.startswith("$pyshimBin = ")]
        self.assertEqual(len(line), 1, t)
        return line[0][len("$pyshimBin = "):].strip("'").lower()

    def strip_record(self, *prefixes):
        # The record as a version from before bin= wrote it.
        record = os.path.join(self.data, "install-record.txt")
        with open(record) as f:
            lines = f.read().splitlines(True)
        write(record, "".join(x for x in lines if not x.startswith(prefixes)))

    def test_upgrade_after_the_record_was_lost(self):
        # Another version's copies are pyshim's without the record: the
        # upgrade replaces them and its uninstall removes them. (The PATH
        # entry was already first when nothing was recorded: it stays, as
        # test_path_entry_already_first_is_left_alone says.)
        self.assertOK(self.pyshim("install", "--no-default-env"))
        os.remove(os.path.join(self.data, "install-record.txt"))
        v3 = self.other_exe()
        r = self.run_exe(v3, "install", "--no-default-env")
        self.assertOK(r)
        for n in PROGRAMS:
            self.assertEqual(read_bytes(os.path.join(self.bin, n)),
                             read_bytes(v3), n)
        self.assertOK(self.run_exe(v3, "uninstall"))
        self.assertFalse(os.path.exists(self.bin),
                         os.listdir(self.bin) if os.path.isdir(self.bin)
                         else None)

    def test_upgrade_of_a_second_bin_dir(self):
        self.assertOK(self.pyshim("install", "--no-default-env"))
        x = self.w.mkdtemp("X")
        wx = winpath(x)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        v3 = self.other_exe()
        self.assertOK(self.run_exe(v3, "install", "--bin-dir", wx,
                                   "--no-default-env"))
        self.assertEqual(read_bytes(os.path.join(x, "python.exe")),
                         read_bytes(v3))
        self.assertOK(self.run_exe(v3, "uninstall", "--bin-dir", wx))
        self.assertFalse(os.path.exists(x))
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", self.wbin))
        self.check_installed()
        for p in (self.ps7, self.ps5):
            self.assertEqual(self.block_bin(p), self.wbin.lower())

    def test_legacy_record_of_a_bin_dir(self):
        # An older pyshim installed into X and wrote its record without
        # bin=: the record is about X (its one PATH entry), so a newer
        # pyshim replaces X's copies and uninstalls X completely.
        x = self.w.mkdtemp("X")
        wx = winpath(x)
        old = self.other_exe(b"OLD")
        self.assertOK(self.run_exe(old, "install", "--bin-dir", wx,
                                   "--no-default-env"))
        self.strip_record("bin=", "profiles=", "dir-created=")
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wx))
        self.assertFalse(os.path.exists(x))
        self.assertIsNone(reg_get(ENV_KEY, "Path"))
        self.assertFalse(os.path.exists(self.ps7))
        self.assertFalse(os.path.exists(self.ps5))

    def test_legacy_record_gets_its_block_back(self):
        # A default install recorded without bin= and profiles=: it had
        # the profiles, so uninstalling a second dir puts its block back.
        self.assertOK(self.pyshim("install", "--no-default-env"))
        self.strip_record("bin=", "profiles=", "dir-created=")
        x = self.w.mkdtemp("X")
        wx = winpath(x)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wx))
        self.check_installed()
        for p in (self.ps7, self.ps5):
            self.assertEqual(self.block_bin(p), self.wbin.lower(), p)
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", self.wbin))

    def test_recorded_uninstall_keeps_another_installs_block(self):
        x = self.w.mkdtemp("X")
        y = self.w.mkdtemp("Y")
        wx, wy = winpath(x), winpath(y)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("install", "--bin-dir", wy,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wx))
        self.assertFalse(os.path.exists(x))
        self.assertIn("python.exe", os.listdir(y))
        self.assertEqual(reg_get(ENV_KEY, "Path"), ("REG_EXPAND_SZ", wy))
        for p in (self.ps7, self.ps5):
            self.assertEqual(self.block_bin(p), wy.lower(), p)
        # Y's own uninstall then takes all the rest.
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wy))
        self.assertFalse(os.path.exists(y))
        self.assertIsNone(reg_get(ENV_KEY, "Path"))
        self.assertFalse(os.path.exists(self.ps7))
        self.assertFalse(os.path.exists(self.ps5))
        self.assertFalse(os.path.exists(os.path.join(
            self.data, "install-record.txt")))

    def test_default_uninstall_keeps_a_second_dirs_block(self):
        self.assertOK(self.pyshim("install", "--no-default-env"))
        x = self.w.mkdtemp("X")
        wx = winpath(x)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("uninstall"))
        self.assertFalse(os.path.exists(self.bin))
        self.assertEqual(reg_get(ENV_KEY, "Path"), ("REG_EXPAND_SZ", wx))
        for p in (self.ps7, self.ps5):
            self.assertEqual(self.block_bin(p), wx.lower(), p)

    def test_bin_dir_spelled_in_another_case(self):
        # Windows file names ignore case: the block of C:\...\Xcase is
        # the block of c:\...\xcase.
        self.assertOK(self.pyshim("install", "--no-default-env"))
        x = self.w.mkdtemp("Xcase")
        wx = winpath(x)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wx.lower()))
        self.assertFalse(os.path.exists(x))
        for p in (self.ps7, self.ps5):
            self.assertEqual(self.block_bin(p), self.wbin.lower(), p)
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", self.wbin))

    def test_non_ascii_bin_dir_block_is_found(self):
        # A non-ASCII dir is written as (-join [char[]](0x..,...)): read
        # back, it names the dir.
        self.assertOK(self.pyshim("install", "--no-default-env"))
        x = self.w.mkdtemp("X\u00e9\u4e2d")
        wx = winpath(x)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertIn("-join [char[]]", self.profile_text(self.ps7))
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wx))
        self.assertFalse(os.path.exists(x))
        for p in (self.ps7, self.ps5):
            self.assertEqual(self.block_bin(p), self.wbin.lower(), p)

    def test_utf16_be_profile_block_is_found(self):
        ps7 = "\ufeff# big-endian profile\r\n".encode("utf-16-be")
        write(self.ps7, ps7, "wb")
        self.assertOK(self.pyshim("install", "--no-default-env"))
        x = self.w.mkdtemp("X")
        wx = winpath(x)
        self.assertOK(self.pyshim("install", "--bin-dir", wx,
                                  "--no-default-env"))
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wx))
        raw = read_bytes(self.ps7)
        self.assertEqual(raw[:2], b"\xfe\xff")
        t = raw[2:].decode("utf-16-be")
        self.assertEqual(t.count(BEGIN), 1, t)
        self.assertIn("$pyshimBin = '%s'" % self.wbin, t)
        self.assertNotIn(wx, t)
        self.assertOK(self.pyshim("uninstall"))
        self.assertEqual(read_bytes(self.ps7), ps7)

    def test_failed_uninstall_rerun_keeps_users_entry(self):
        # uninstall meets a profile whose end line the user deleted: it
        # stops (exit 65) before changing anything (issue 10 item 9: an
        # unmatched marker changes nothing), so PATH keeps install's entry.
        # Once the block is mended, the rerun takes out only install's
        # entry and leaves the user's own entry for the same dir.
        user_path = "C:\\a;" + self.wbin + ";C:\\b"
        reg_set(ENV_KEY, "Path", "REG_EXPAND_SZ", user_path)
        self.assertOK(self.pyshim("install", "--no-default-env"))
        installed = reg_get(ENV_KEY, "Path")
        good = read_bytes(self.ps5)
        write(self.ps5, good.replace((END + "\n").encode(), b""), "wb")
        r = self.pyshim("uninstall")
        self.assertEqual(r.returncode, 65, r)
        self.assertEqual(reg_get(ENV_KEY, "Path"), installed)
        write(self.ps5, good, "wb")  # the user mends the block
        r = self.pyshim("uninstall")
        self.assertOK(r)
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", user_path))
        self.assertFalse(os.path.exists(self.ps5))

    def test_users_pyshim_exe_in_another_dir_stays(self):
        # Outside the recorded dir a file is pyshim's by its content, not
        # its name.
        self.assertOK(self.pyshim("install", "--no-default-env"))
        z = self.w.mkdtemp("Z")
        write(os.path.join(z, "pyshim.exe"), "MZ not pyshim")
        self.assertOK(self.pyshim("uninstall", "--bin-dir", winpath(z)))
        self.assertTrue(os.path.exists(os.path.join(z, "pyshim.exe")),
                        "removed a user's file by its name")
        self.assertEqual(read_bytes(os.path.join(z, "pyshim.exe")),
                         b"MZ not pyshim")
        self.check_installed()

    # -- PATH entries install did not add --------------------------------

    def test_path_entry_already_first_is_left_alone(self):
        # The user (or an install whose record was deleted) already put
        # the bin dir first: install records nothing, and uninstall says
        # it leaves the entry.
        user_path = self.wbin + ";C:\\a"
        reg_set(ENV_KEY, "Path", "REG_EXPAND_SZ", user_path)
        self.assertOK(self.pyshim("install", "--no-default-env"))
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", user_path))
        r = self.pyshim("uninstall")
        self.assertOK(r)
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", user_path))
        self.assertIn("PATH entry %s was not added by this install: left "
                      "alone" % self.wbin, r.stdout)

    def test_users_later_entry_for_the_bin_dir_is_kept(self):
        # The user has the bin dir further down: install puts its own in
        # front and keeps the user's; uninstall takes out only its own.
        user_path = "C:\\a;" + self.wbin + ";C:\\b"
        reg_set(ENV_KEY, "Path", "REG_EXPAND_SZ", user_path)
        self.assertOK(self.pyshim("install", "--no-default-env"))
        self.assertEqual(reg_get(ENV_KEY, "Path")[1],
                         self.wbin + ";" + user_path)
        self.assertOK(self.pyshim("install", "--no-default-env"))
        self.assertEqual(reg_get(ENV_KEY, "Path")[1],
                         self.wbin + ";" + user_path)
        self.assertOK(self.pyshim("uninstall"))
        self.assertEqual(reg_get(ENV_KEY, "Path"),
                         ("REG_EXPAND_SZ", user_path))

    # -- PowerShell ------------------------------------------------------

    def test_path_hints_quote_a_single_quote(self):
        # PowerShell's '...' doubles a quote: O'Brien -> 'O''Brien'.
        bin_ = os.path.join(self.w.root, "Users", "O'Brien", "bin")
        wb = winpath(bin_)
        want = "$env:Path = '%s;' + $env:Path" % wb.replace("'", "''")
        r = self.pyshim("install", "--bin-dir", wb, "--no-shell",
                        "--no-default-env")
        self.assertOK(r)
        self.assertIn(want, r.stdout)
        r = self.w.pyshim("doctor", exe=os.path.join(bin_, "pyshim.exe"),
                          pyshim_home=False)
        self.assertIn("is not on PATH", r.stdout + r.stderr)
        self.assertIn(want, r.stdout + r.stderr)
        self.assertOK(self.pyshim("uninstall", "--bin-dir", wb))

    def test_profile_dirs_install_made_are_removed(self):
        # install made Documents\PowerShell and Documents\WindowsPowerShell
        # for the profiles: uninstall removes them; a dir the user had
        # stays.
        ps7dir = os.path.dirname(self.ps7)
        ps5dir = os.path.dirname(self.ps5)
        self.assertOK(self.pyshim("install", "--no-default-env"))
        self.assertTrue(os.path.isdir(ps7dir) and os.path.isdir(ps5dir))
        self.assertOK(self.pyshim("uninstall"))
        self.assertFalse(os.path.exists(ps7dir), "left the dir it made")
        self.assertFalse(os.path.exists(ps5dir), "left the dir it made")
        self.assertTrue(os.path.isdir(self.docs))

        os.makedirs(ps5dir)  # the user's own (empty) dir
        self.assertOK(self.pyshim("install", "--no-default-env"))
        self.assertOK(self.pyshim("uninstall"))
        self.assertFalse(os.path.exists(ps7dir))
        self.assertTrue(os.path.isdir(ps5dir), "removed the user's dir")

    POLICY = "Software\\Policies\\Microsoft\\Windows\\PowerShell"
    SHELLIDS = ("Software\\Microsoft\\PowerShell\\1\\ShellIds\\"
                "Microsoft.PowerShell")
    NOTE = "Windows PowerShell runs profiles only when scripts are allowed"

    def set_policies(self, **values):
        # values: HKCU_POLICY=..., HKLM_POLICY=..., HKCU_SHELLIDS=...
        for k, v in values.items():
            hive, which = k.split("_")
            key = hive + "\\" + (self.POLICY if which == "POLICY"
                                   else self.SHELLIDS)
            self.addCleanup(wintest.reg_restore, key, "ExecutionPolicy",
                            reg_get(key, "ExecutionPolicy"))
            reg_set(key, "ExecutionPolicy", "REG_SZ", v)

    def test_group_policy_restricted_beats_shellids(self):
        self.set_policies(HKCU_POLICY="Restricted",
                          HKCU_SHELLIDS="RemoteSigned")
        r = self.pyshim("install", "--no-default-env")
        self.assertOK(r)
        self.assertIn(self.NOTE, r.stdout)
        self.assertOK(self.pyshim("uninstall"))

    def test_machine_group_policy_beats_user_group_policy(self):
        self.set_policies(HKCU_POLICY="Restricted",
                          HKLM_POLICY="RemoteSigned")
        r = self.pyshim("install", "--no-default-env")
        self.assertOK(r)
        self.assertNotIn(self.NOTE, r.stdout)
        self.assertOK(self.pyshim("uninstall"))

    def test_shellids_remotesigned_without_policy(self):
        self.set_policies(HKCU_SHELLIDS="RemoteSigned")
        r = self.pyshim("install", "--no-default-env")
        self.assertOK(r)
        self.assertNotIn(self.NOTE, r.stdout)
        self.assertOK(self.pyshim("uninstall"))


if __name__ == "__main__":
    unittest.main()
