"""pyshim.exe doctor on Windows: .pth encodings and the Store alias.

PowerShell 5's `echo ... > x.pth` writes UTF-16 LE with a BOM, Notepad
and `Out-File -Encoding utf8BOM` a UTF-8 BOM: site.py cannot use either
(the user's notes: UnicodeDecodeError: 'gbk'). doctor reports them in the
venv's Lib\\site-packages, --fix rewrites them as UTF-8 without BOM with
the same text, and a second doctor is clean. The Microsoft Store's
python.exe alias in %LOCALAPPDATA%\\Microsoft\\WindowsApps is warned about
only when it comes before pyshim's bin dir on PATH.
"""
import json
import os
import shutil
import unittest

import wintest
from wintest import read_bytes, winpath, write

# Text the user meant, with a non-ASCII path (the notes' GBK case) and
# CRLF, as PowerShell writes it.
PS16_TEXT = "D:\\\u7b14\u8bb0\\shared-libs\\Lib\\site-packages\r\n"
BOM8_TEXT = "D:\\notes \u00e9t\u00e9\\lib\nimport os\n"
GOOD = b"D:\\plain\\site-packages\n"


def make_venv(d, home, version="3.12.4"):
    write(os.path.join(d, "pyvenv.cfg"),
          "home = %s\ninclude-system-site-packages = false\n"
          "version = %s\n" % (winpath(home), version))
    os.makedirs(os.path.join(d, "Scripts"))
    shutil.copyfile(wintest.FAKE_PYTHON,
                    os.path.join(d, "Scripts", "python.exe"))
    site = os.path.join(d, "Lib", "site-packages")
    os.makedirs(site)
    return site


class DoctorTest(wintest.WorldTest):
    def doctor(self, *args, cwd=None, path=None):
        return self.w.pyshim("doctor", *args, cwd=cwd, path=path)

    def doctor_json(self, *args, **kw):
        r = self.doctor("--json", *args, **kw)
        try:
            checks = json.loads(r.stdout)
        except ValueError:
            raise AssertionError("doctor --json printed no JSON: %r" % (r,))
        return r, checks

    def of(self, checks, name):
        return [c for c in checks if c["check"] == name]

    def describe(self, checks):
        return "\n".join("%-5s %-15s %s" % (c["status"], c["check"],
                                            c["detail"]) for c in checks)


class PthEncoding(DoctorTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.fake = w.install_fake("py312", "3.12.4")
        cls.proj = w.mkdtemp("proj")
        cls.site = make_venv(os.path.join(cls.proj, ".venv"), cls.fake)
        # bom8.pth below has an `import` line: a venv pyshim did not make
        # runs it only once trusted (docs/trust.md); later .pth files in a
        # trusted venv ask nothing.
        r = w.pyshim("trust", cls.proj)
        if r.returncode != 0:
            raise RuntimeError("pyshim trust failed: %r" % (r,))

    def test_report_fix_then_clean(self):
        ps16 = os.path.join(self.site, "ps16.pth")
        bom8 = os.path.join(self.site, "bom8.pth")
        good = os.path.join(self.site, "good.pth")
        write(ps16, b"\xff\xfe" + PS16_TEXT.encode("utf-16-le"), "wb")
        write(bom8, b"\xef\xbb\xbf" + BOM8_TEXT.encode("utf-8"), "wb")
        write(good, GOOD, "wb")

        # Text output: a fail line naming each file, with the hint.
        r = self.doctor(cwd=self.proj)
        self.assertEqual(r.returncode, 1, r)
        fails = [ln for ln in r.stdout.splitlines()
                 if ln.startswith("fail") and "pth-encoding" in ln]
        for path, enc in ((ps16, "UTF-16LE"), (bom8, "BOM")):
            hits = [ln for ln in fails if winpath(path).lower() in ln.lower()]
            self.assertEqual(len(hits), 1, "%s not reported:\n%s" %
                             (path, r.stdout))
            self.assertIn(enc, hits[0])
        self.assertNotIn("good.pth", r.stdout)
        self.assertIn("doctor --fix", r.stdout)
        # Without --fix, doctor writes nothing.
        self.assertEqual(read_bytes(ps16)[:2], b"\xff\xfe")
        self.assertEqual(read_bytes(bom8)[:3], b"\xef\xbb\xbf")

        r, checks = self.doctor_json("--fix", cwd=self.proj)
        pth = self.of(checks, "pth-encoding")
        self.assertEqual(len(pth), 2, self.describe(checks))
        for c in pth:
            self.assertEqual(c["status"], "fail")
            self.assertIs(c["fixed"], True, c)
            self.assertIn("UTF-8 without a BOM", c["action"] or "")
        self.assertEqual(read_bytes(ps16), PS16_TEXT.encode("utf-8"))
        self.assertEqual(read_bytes(bom8), BOM8_TEXT.encode("utf-8"))
        self.assertEqual(read_bytes(good), GOOD)
        # Nothing else is wrong here: everything that failed was fixed.
        unfixed = [c for c in checks if c["status"] == "fail" and
                   not c["fixed"]]
        self.assertEqual(unfixed, [], self.describe(checks))
        self.assertEqual(r.returncode, 0, r)

        r, checks = self.doctor_json(cwd=self.proj)
        pth = self.of(checks, "pth-encoding")
        self.assertEqual([c["status"] for c in pth], ["ok"],
                         self.describe(checks))
        self.assertIn("3 .pth files", pth[0]["detail"])
        self.assertEqual(r.returncode, 0, "%s\n%s" % (r, self.describe(
            checks)))


class StoreAlias(DoctorTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.fake = w.install_fake("py312", "3.12.4")
        cls.wa = os.path.join(w.localappdata, "Microsoft", "WindowsApps")
        # The Store's aliases: zero-byte python.exe / python3.exe.
        write(os.path.join(cls.wa, "python.exe"), b"", "wb")
        write(os.path.join(cls.wa, "python3.exe"), b"", "wb")
        cls.dir = w.mkdtemp("plain")

    def pathof(self, dirs):
        return ";".join([winpath(d) for d in dirs] + wintest.SYSTEM_PATH)

    def test_alias_before_the_shim_warns(self):
        path = self.pathof([self.wa, self.w.bin, self.fake])
        r, checks = self.doctor_json(cwd=self.dir, path=path)
        sa = self.of(checks, "store-alias")
        self.assertEqual([c["status"] for c in sa], ["warn"],
                         self.describe(checks))
        self.assertIn(winpath(self.wa).lower(), sa[0]["detail"].lower())
        self.assertIn("comes before", sa[0]["detail"])
        self.assertIn("App execution aliases", sa[0]["hint"] or "")
        self.assertIn(winpath(self.w.bin).lower(), sa[0]["hint"].lower())
        # path-order names the alias as what shadows pyshim's python.
        po = [c for c in self.of(checks, "path-order")
              if c["status"] == "fail" and "`python`" in c["detail"]]
        self.assertEqual(len(po), 1, self.describe(checks))
        self.assertIn("Windows Store alias", po[0]["detail"])
        self.assertNotEqual(r.returncode, 0)
        # The text output says the same.
        r = self.doctor(cwd=self.dir, path=path)
        self.assertRegex(r.stdout, r"(?m)^warn +store-alias +.*WindowsApps")

    def test_alias_after_the_shim_is_fine(self):
        path = self.pathof([self.w.bin, self.wa, self.fake])
        r, checks = self.doctor_json(cwd=self.dir, path=path)
        sa = self.of(checks, "store-alias")
        self.assertEqual([c["status"] for c in sa], ["ok"],
                         self.describe(checks))
        self.assertNotIn("Store", "\n".join(
            c["detail"] for c in checks if c["status"] != "ok"))
        self.assertEqual(r.returncode, 0, "%s\n%s" % (r, self.describe(
            checks)))


if __name__ == "__main__":
    unittest.main()
