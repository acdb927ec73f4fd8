"""pyshim doctor: a broken setup, as the user's notes describe it, is
found check by check; --fix repairs what is safe and says so; a second run
shows it repaired."""
import json
import os
import shutil
import stat
import subprocess
import unittest

from pyshimtest import (SandboxTest, SYSTEM, PYENV, make_venv, site_packages,
                        write, write_json, base_env, TIMEOUT)


def powershell_echo(line):
    """The bytes Windows PowerShell 5 writes for `echo LINE > x.pth`:
    UTF-16LE with a BOM, CRLF."""
    return b"\xff\xfe" + (line + "\r\n").encode("utf-16-le")


def other_minor():
    """A CPython of another minor version than the system one, or None."""
    for it in PYENV:
        if it.present and it.minor != SYSTEM.minor:
            return it
    return None


class DoctorTest(SandboxTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no /usr/bin/python3")
        super().setUpClass()
        sb = cls.sb
        root = sb.root

        # Shared env "ai" with a .pth written by PowerShell's `echo >`.
        cls.ai = sb.make_shared("ai", SYSTEM)
        cls.ai_sp = site_packages(cls.ai)
        cls.ps16_dir = write(os.path.join(root, "ps16", "ps16_mod.py"),
                             "WHERE = __file__\n")
        cls.ps16_dir = os.path.dirname(cls.ps16_dir)
        cls.ps16 = os.path.join(cls.ai_sp, "ps16.pth")
        with open(cls.ps16, "wb") as f:
            f.write(powershell_echo(cls.ps16_dir))

        # A project, under a directory holding a malformed config.
        cls.parent = os.path.join(sb.work, "lesson")
        cls.bad_cfg = write(os.path.join(cls.parent, ".pyshim.json"),
                            '{"python": "3.11",\n  "shraed": ["ai"]\n')
        cls.proj = os.path.join(cls.parent, "proj")
        write_json(os.path.join(cls.proj, ".pyshim.json"),
                   {"python": SYSTEM.minor, "shared": ["ai"]})
        cls.venv = make_venv(SYSTEM, os.path.join(cls.proj, ".venv"))
        cls.venv_sp = site_packages(cls.venv)
        # A UTF-8 .pth with a BOM in the project's own venv.
        cls.bom_dir = os.path.dirname(
            write(os.path.join(root, "bom8", "bom8_mod.py"), "X = 1\n"))
        cls.bom8 = os.path.join(cls.venv_sp, "bom8.pth")
        with open(cls.bom8, "wb") as f:
            f.write(b"\xef\xbb\xbf" + cls.bom_dir.encode() + b"\n")
        # The same package in the project venv and in the shared env.
        for sp in (cls.venv_sp, cls.ai_sp):
            write(os.path.join(sp, "dupe_pkg", "__init__.py"), "")
            write(os.path.join(sp, "dupe_pkg-1.0.dist-info", "METADATA"),
                  "Metadata-Version: 2.1\nName: dupe-pkg\nVersion: 1.0\n")

        # A shared env whose base interpreter was removed.
        base_bin = os.path.join(root, "base", "bin")
        os.makedirs(base_bin)
        os.symlink(SYSTEM.path, os.path.join(base_bin, "python3"))
        cls.orphan = make_venv(os.path.join(base_bin, "python3"),
                               sb.shared_dir("orphan"))
        shutil.rmtree(os.path.join(root, "base"))

        # Jupyter's user kernel dir: one stale kernelspec of pyshim's, one
        # stale foreign one, one good one.
        cls.jupyter = os.path.join(root, "jupyter")
        kernels = os.path.join(cls.jupyter, "kernels")
        gone = os.path.join(root, "gone", "bin", "python")
        cls.stale = os.path.join(kernels, "old-project")
        write_json(os.path.join(cls.stale, "kernel.json"), {
            "argv": [gone, "-m", "ipykernel_launcher", "-f",
                     "{connection_file}"],
            "display_name": "old-project", "language": "python",
            "env": {"PYSHIM_PROJECT": os.path.join(root, "gone")},
            "metadata": {"pyshim": {"project": os.path.join(root, "gone")}}})
        cls.foreign = os.path.join(kernels, "case-langchain-01")
        write_json(os.path.join(cls.foreign, "kernel.json"), {
            "argv": [gone, "-m", "ipykernel_launcher"],
            "display_name": "case-langchain-01", "language": "python"})
        write_json(os.path.join(kernels, "good", "kernel.json"), {
            "argv": [SYSTEM.path, "-m", "ipykernel_launcher"],
            "display_name": "good", "language": "python"})

        # Another python first on PATH.
        cls.other_bin = os.path.join(root, "other-bin")
        for name in ("python", "python3"):
            p = write(os.path.join(cls.other_bin, name), "#!/bin/sh\nexit 0\n")
            os.chmod(p, 0o755)

    def doctor(self, *args, cwd=None, env=None):
        extra = {"JUPYTER_DATA_DIR": self.jupyter}
        extra.update(env or {})
        return self.sb.pyshim("doctor", *args, cwd=cwd or self.proj,
                              env=extra)

    def doctor_json(self, *args, **kw):
        r = self.doctor("--json", *args, **kw)
        self.assertIn(r.returncode, (0, 1), r)
        self.assertEqual(r.stderr, "")
        checks = json.loads(r.stdout)
        for c in checks:
            self.assertEqual(set(c) >= {"check", "status", "detail", "hint",
                                        "fixed"}, True, c)
            self.assertIn(c["status"], ("ok", "warn", "fail"))
        return r, checks

    def find(self, checks, name, status=None, needle=None):
        return [c for c in checks if name in (None, c["check"]) and
                (status is None or c["status"] == status) and
                (needle is None or needle in c["detail"])]

    def assertCheck(self, checks, name, status, needle=None):
        got = self.find(checks, name, status, needle)
        self.assertTrue(got, "no %s %s%s in:\n%s" % (
            status, name, " about %r" % needle if needle else "",
            json.dumps(checks, indent=1)))
        return got[0]

    def python_sees(self, module):
        r = self.sb.run("python", "-c", "import %s" % module, cwd=self.proj,
                        env={"ASAN_OPTIONS": "detect_leaks=0"})
        return r.returncode == 0

    # -----------------------------------------------------------------

    def test_finds_then_fixes(self):
        # 1. Everything is found, with PATH as the user has it.
        path = self.other_bin + os.pathsep + self.sb.env["PATH"]
        r, checks = self.doctor_json(env={"PATH": path})
        self.assertEqual(r.returncode, 1, r)
        c = self.assertCheck(checks, "path-order", "fail",
                             os.path.join(self.other_bin, "python"))
        self.assertTrue(c["hint"])
        self.assertCheck(checks, "config", "fail", self.bad_cfg)
        self.assertCheck(checks, "config", "ok",
                         os.path.join(self.proj, ".pyshim.json"))
        self.assertCheck(checks, "venv", "fail", self.orphan)
        self.assertCheck(checks, "duplicates", "warn", "dupe_pkg")
        for pth in (self.ps16, self.bom8):
            c = self.assertCheck(checks, "pth-encoding", "fail", pth)
            self.assertFalse(c["fixed"])
            self.assertIn("--fix", c["hint"])
        self.assertIn("UTF-16LE", self.find(checks, "pth-encoding",
                                            needle=self.ps16)[0]["detail"])
        self.assertCheck(checks, "hook", "fail", "_pyshim.pth")
        self.assertCheck(checks, "kernelspec", "fail", "old-project")
        c = self.assertCheck(checks, "kernelspec", "warn", "case-langchain-01")
        self.assertIn("jupyter kernelspec remove case-langchain-01", c["hint"])
        self.assertFalse(self.find(checks, "kernelspec", needle="good"))
        # Doctor alone changed nothing.
        with open(self.ps16, "rb") as f:
            self.assertTrue(f.read().startswith(b"\xff\xfe"))
        self.assertTrue(os.path.isdir(self.stale))
        self.assertFalse(os.path.exists(
            os.path.join(self.venv_sp, "_pyshim.pth")))
        # ... and the breakage is real: the BOM hides bom8's path (run the
        # venv's python directly: the shim would write the hook).
        r2 = subprocess.run(
            [os.path.join(self.venv, "bin", "python"), "-c",
             "import bom8_mod"], env=base_env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertNotEqual(r2.returncode, 0, r2)
        self.assertIn("bom8_mod", r2.stderr)

        # 2. --fix repairs the safe ones and says so.
        r = self.doctor("--fix")
        self.assertEqual(r.returncode, 1, r)  # the rest is the user's
        out = r.stdout
        self.assertIn("fixed: rewrote %s as UTF-8 without a BOM" % self.ps16,
                      out)
        self.assertIn("fixed: rewrote %s as UTF-8 without a BOM" % self.bom8,
                      out)
        self.assertIn("fixed: removed %s" % self.stale, out)
        self.assertIn("fixed: rewrote %s" %
                      os.path.join(self.venv_sp, "_pyshim.pth"), out)
        self.assertRegex(out, r"\n\d+ ok, \d+ warn, \d+ fail, 4 fixed\n$")
        with open(self.ps16, "rb") as f:
            self.assertEqual(f.read(), (self.ps16_dir + "\r\n").encode())
        with open(self.bom8, "rb") as f:
            self.assertEqual(f.read(), (self.bom_dir + "\n").encode())
        self.assertFalse(os.path.exists(self.stale))
        self.assertTrue(os.path.isdir(self.foreign))  # not pyshim's
        self.assertTrue(os.path.isdir(self.orphan))   # not safe to touch
        # Python now imports what the .pth files add, through the shim
        # and through the venv's own python (the hook is in place).
        self.assertTrue(self.python_sees("ps16_mod"))
        self.assertTrue(self.python_sees("bom8_mod"))
        r2 = subprocess.run(
            [os.path.join(self.venv, "bin", "python"), "-I", "-c",
             "import ps16_mod, bom8_mod, ai_mod"], env=base_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r2.returncode, 0, r2.stderr)
        self.assertNotIn("Error processing line", r2.stderr)

        # 3. A second run shows them fixed; the rest is still reported.
        r, checks = self.doctor_json()
        self.assertEqual(r.returncode, 1, r)
        self.assertCheck(checks, "pth-encoding", "ok")
        self.assertFalse(self.find(checks, "pth-encoding", "fail"))
        self.assertCheck(checks, "hook", "ok")
        self.assertFalse(self.find(checks, "kernelspec", "fail"))
        self.assertCheck(checks, "kernelspec", "warn", "case-langchain-01")
        self.assertCheck(checks, "path-order", "ok")
        self.assertCheck(checks, "config", "fail", self.bad_cfg)
        self.assertCheck(checks, "venv", "fail", self.orphan)
        self.assertFalse([c for c in checks if c["fixed"]])

        # 4. The hook's PEP 829 pair missing (issue 13 item 1): stale,
        # and --fix writes it back.
        start = os.path.join(self.venv_sp, "_pyshim.start")
        os.unlink(start)
        r, checks = self.doctor_json()
        c = self.assertCheck(checks, "hook", "fail", "_pyshim.pth")
        self.assertIn("_pyshim.start", c["detail"])
        self.doctor("--fix")
        with open(start, "rb") as f:
            self.assertEqual(f.read(), b"_pyshim_hook:activate\n")
        r, checks = self.doctor_json()
        self.assertCheck(checks, "hook", "ok")

        # 4. Once the user fixed the rest, doctor is happy (warnings stay).
        os.rename(self.bad_cfg, self.bad_cfg + ".bak")
        aside = os.path.join(self.sb.root, "orphan-aside")
        os.rename(self.orphan, aside)
        try:
            r, checks = self.doctor_json()
            self.assertEqual(r.returncode, 0, r.stdout)
            self.assertFalse(self.find(checks, None, "fail"),
                             json.dumps(checks, indent=1))
        finally:
            os.rename(self.bad_cfg + ".bak", self.bad_cfg)
            os.rename(aside, self.orphan)

    def test_text_output(self):
        path = self.other_bin + os.pathsep + self.sb.env["PATH"]
        r = self.doctor(env={"PATH": path})
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        self.assertTrue(any(l.startswith("fail  path-order ") and
                            os.path.join(self.other_bin, "python") in l
                            for l in lines), r.stdout)
        self.assertTrue(any(l.startswith("ok    bin-dir ") for l in lines))
        self.assertTrue(any(l.startswith("fail  config ") and
                            self.bad_cfg in l for l in lines), r.stdout)
        # every fail and warn line is followed by its hint
        for i, l in enumerate(lines):
            if l.startswith(("fail ", "warn ")):
                self.assertIn("hint: ", lines[i + 1], l)
        self.assertRegex(r.stdout, r"\n\d+ ok, \d+ warn, [1-9]\d* fail\n$")

    def test_bin_dir_not_on_path(self):
        r, checks = self.doctor_json(env={"PATH": "/usr/bin:/bin"},
                                     cwd=self.sb.work)
        self.assertEqual(r.returncode, 1)
        c = self.assertCheck(checks, "bin-dir", "fail", self.sb.bin)
        self.assertIn("PATH", c["hint"])
        self.assertCheck(checks, "path-order", "fail", "/usr/bin/python3")

    def test_shared_env_of_another_version(self):
        other = other_minor()
        if not other:
            self.skipTest("no second CPython minor version under pyenv")
        if not os.path.isdir(self.sb.shared_dir("old")):
            self.sb.make_shared("old", other)
        proj = self.sb.mkdtemp("mixed")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": SYSTEM.minor, "shared": ["old"]})
        make_venv(SYSTEM, os.path.join(proj, ".venv"))
        r, checks = self.doctor_json(cwd=proj)
        self.assertEqual(r.returncode, 1)
        c = self.assertCheck(checks, "shared-version", "fail", "'old'")
        self.assertIn("Python %s" % other.minor, c["detail"])
        self.assertIn("Python %s" % SYSTEM.minor, c["detail"])
        self.assertTrue(c["hint"])

    def test_untrusted_and_unsafe_configs(self):
        proj = self.sb.mkdtemp("trust")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": SYSTEM.minor, "env": {"X": "1"}})
        r, checks = self.doctor_json(cwd=proj)
        self.assertEqual(r.returncode, 1)
        c = self.assertCheck(checks, "config-trust", "fail", proj)
        self.assertIn("pyshim trust", c["hint"])
        self.assertOK(self.sb.pyshim("trust", proj), stderr_empty=False)
        r, checks = self.doctor_json(cwd=proj)
        self.assertCheck(checks, "config-trust", "ok", proj)

        unsafe = self.sb.mkdtemp("unsafe")
        cfg = write_json(os.path.join(unsafe, ".pyshim.json"),
                         {"python": SYSTEM.minor})
        os.chmod(cfg, 0o666)
        r, checks = self.doctor_json(cwd=unsafe)
        c = self.assertCheck(checks, "config-unsafe", "warn", cfg)
        self.assertIn("chmod", c["hint"])

    def test_usage(self):
        r = self.sb.pyshim("doctor", "--nope")
        self.assertEqual(r.returncode, 64)
        r = self.sb.pyshim("doctor", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--fix", r.stdout)


if __name__ == "__main__":
    unittest.main()
