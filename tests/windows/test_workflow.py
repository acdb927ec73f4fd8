"""User workflows on Windows, end to end: the real pyshim.exe, fake pythons.

What the user's notes do by hand in PowerShell, done by pyshim: a shared
env seen through the _pyshim.pth hook (written once, UTF-8 without BOM,
removed with the config entry; another minor version refused), an overlay
env for a project without a venv (a copy of the install's venv launcher),
pip and the python3.N names, trust for a config that names a program,
silence on stdout/stderr, the loop guard with a byte-for-byte copy of the
shim on PATH, and a Jupyter kernel that runs the project through the shim.
"""
import glob
import json
import os
import shutil
import time
import unittest

import wintest
from wintest import read_bytes, winpath, write, write_json

HOOK = "_pyshim.pth"


def make_venv(d, home, version="3.12.4"):
    """A Windows venv at d made from the install at home: pyvenv.cfg,
    Scripts\\python.exe (a copy of the fake, as `python -m venv` copies a
    program there), Lib\\site-packages. Returns the site-packages dir."""
    base_exe = winpath(os.path.join(home, "python.exe"))
    write(os.path.join(d, "pyvenv.cfg"),
          "home = %s\ninclude-system-site-packages = false\n"
          "version = %s\nexecutable = %s\n" %
          (winpath(home), version, base_exe))
    write(os.path.join(d, "Scripts", "fake_version.txt"), version + "\n")
    shutil.copyfile(wintest.FAKE_PYTHON,
                    os.path.join(d, "Scripts", "python.exe"))
    site = os.path.join(d, "Lib", "site-packages")
    os.makedirs(site, exist_ok=True)
    return site


def hook_data_dirs(lines):
    """The dirs of the hook's data line (hook_render: "# pyshim-dirs:" and
    the hex of each UTF-8 path)."""
    data = [ln for ln in lines if ln.startswith("# pyshim-dirs:")]
    assert len(data) == 1, lines
    return [bytes.fromhex(h).decode("utf-8") for h in data[0].split()[2:]]


class HookChecks(object):
    def assertHookNames(self, hook, site):
        """hook (a file) is UTF-8 without BOM and names the Windows path
        site in a plain line and in the import line."""
        raw = read_bytes(hook)
        self.assertFalse(raw.startswith(b"\xef\xbb\xbf"), "BOM in %s" % hook)
        self.assertFalse(raw.startswith(b"\xff\xfe"), "UTF-16 %s" % hook)
        text = raw.decode("utf-8")  # raises if not UTF-8
        lines = text.splitlines()
        wsite = winpath(site).lower()
        self.assertIn(wsite, [ln.lower().rstrip("\\") for ln in lines],
                      "no plain line for the shared dir:\n" + text)
        imports = [ln for ln in lines if ln.startswith("import ")]
        self.assertEqual(imports,
                         ["import _pyshim_hook; _pyshim_hook.activate()"],
                         text)
        self.assertIn(winpath(site).lower(),
                      [d.lower() for d in hook_data_dirs(lines)], text)
        # its PEP 829 companions beside it
        here = os.path.dirname(hook)
        self.assertEqual(read_bytes(os.path.join(here, "_pyshim.start")),
                         b"_pyshim_hook:activate\n")
        self.assertTrue(os.path.isfile(os.path.join(here, "_pyshim_hook.py")))
        return raw


class SharedHook(HookChecks, wintest.WorldTest, unittest.TestCase):
    """PYSHIM_HOME\\shared\\ai and a project .venv with {"shared": ["ai"]}."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.fake = w.install_fake("py312", "3.12.4")
        cls.fake311 = w.install_fake("py311", "3.11.9", on_path=False)
        cls.ai = os.path.join(w.pyshim_home, "shared", "ai")
        cls.ai_site = make_venv(cls.ai, cls.fake)
        cls.old = os.path.join(w.pyshim_home, "shared", "old")
        make_venv(cls.old, cls.fake311, "3.11.9")

    def project(self, shared):
        d = self.w.mkdtemp("proj")
        site = make_venv(os.path.join(d, ".venv"), self.fake)
        write_json(os.path.join(d, ".pyshim.json"), {"shared": shared})
        return d, site

    def test_hook_written_once_kept_then_removed(self):
        d, site = self.project(["ai"])
        hook = os.path.join(site, HOOK)
        r = self.w.run("-c", "pass", cwd=d)
        self.assertRan(r)
        self.assertTrue(os.path.isfile(hook), "no %s; stderr: %s" %
                        (hook, r.stderr))
        raw = self.assertHookNames(hook, self.ai_site)
        st = os.stat(hook)

        time.sleep(0.05)
        r = self.w.run("-c", "pass", cwd=d)
        self.assertRan(r)
        st2 = os.stat(hook)
        self.assertEqual(read_bytes(hook), raw)
        self.assertEqual(st2.st_mtime_ns, st.st_mtime_ns,
                         "an unchanged hook was rewritten")
        self.assertEqual(st2.st_ino, st.st_ino,
                         "an unchanged hook was replaced")

        write_json(os.path.join(d, ".pyshim.json"), {"shared": []})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertRan(r)
        self.assertFalse(os.path.exists(hook),
                         "the hook outlived its shared entry")

    def test_shared_env_of_another_minor_refused(self):
        d, site = self.project(["old"])
        r = self.w.run("-c", "pass", cwd=d)
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        # docs/config.md: 65, "a venv or shared env of the wrong version".
        self.assertEqual(r.returncode, 65, r)
        self.assertIn("pyshim: error: ", r.stderr)
        self.assertIn("3.11", r.stderr)
        self.assertIn("3.12", r.stderr)
        self.assertIn("'old'", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(site, HOOK)))


class Overlay(HookChecks, wintest.WorldTest, unittest.TestCase):
    """A project with shared envs and no venv: pyshim builds an overlay env
    in PYSHIM_HOME\\overlays from the install's venv launcher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.fake = w.install_fake("py312", "3.12.4")
        cls.fake_exe = winpath(os.path.join(cls.fake, "python.exe"))
        nt = os.path.join(cls.fake, "Lib", "venv", "scripts", "nt")
        os.makedirs(nt)
        shutil.copyfile(wintest.FAKE_PYTHON, os.path.join(nt, "python.exe"))
        # Same minor, no venv launcher in its Lib\venv\scripts\nt.
        cls.bare = w.install_fake("py3121", "3.12.1")
        cls.ai_site = make_venv(os.path.join(w.pyshim_home, "shared", "ai"),
                                cls.fake)

    def test_overlay_from_the_venv_launcher(self):
        d = self.w.mkdtemp("ovl")
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": "3.12", "shared": ["ai"]})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertRan(r)
        rep = r.report
        self.assertSameWinPath(rep["exe"], self.fake_exe, r.stderr)
        found = glob.glob(os.path.join(self.w.pyshim_home, "overlays",
                                       "3.12-*", "Scripts", "python.exe"))
        self.assertEqual(len(found), 1, "overlays: %r; stderr: %s" %
                         (found, r.stderr))
        launcher = found[0]
        self.assertSameWinPath(rep["argv"][0], winpath(launcher))
        self.assertSameWinPath(rep["pyvenv_launcher"], winpath(launcher))
        self.assertEqual(rep["argv"][1:], ["-c", "pass"])
        ovl = os.path.dirname(os.path.dirname(launcher))
        self.assertTrue(os.path.isfile(os.path.join(ovl, "pyvenv.cfg")))
        self.assertHookNames(os.path.join(ovl, "Lib", "site-packages", HOOK),
                             self.ai_site)

    def test_no_venv_launcher_is_a_clear_error(self):
        d = self.w.mkdtemp("ovlbare")
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": "3.12.1", "shared": ["ai"]})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        self.assertEqual(r.returncode, 66, r)
        self.assertIn("pyshim: error: ", r.stderr)
        self.assertIn("pyshim: hint: ", r.stderr)
        nt = winpath(os.path.join(self.bare, "Lib", "venv", "scripts", "nt"))
        self.assertIn(nt.lower(), r.stderr.lower())


class PipAndPins(wintest.WorldTest, unittest.TestCase):
    """pip.exe and python3.N.exe in a world with only 3.12 installed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        for n in ("python3.12.exe", "python3.11.exe"):
            wintest.link_or_copy(wintest.PYSHIM_EXE, os.path.join(w.bin, n))
        cls.fake = w.install_fake("py312", "3.12.4")
        cls.fake_exe = winpath(os.path.join(cls.fake, "python.exe"))
        cls.proj = w.mkdtemp("proj")
        cls.venv = os.path.join(cls.proj, ".venv")
        make_venv(cls.venv, cls.fake)
        cls.venv_exe = winpath(os.path.join(cls.venv, "Scripts",
                                            "python.exe"))
        cls.plain = w.mkdtemp("plain")  # no project: pass-through

    def test_pip_install_runs_the_venvs_pip(self):
        r = self.w.run("install", "x", name="pip.exe", cwd=self.proj)
        self.assertRan(r)
        rep = r.report
        self.assertSameWinPath(rep["exe"], self.fake_exe, r.stderr)
        self.assertSameWinPath(rep["argv"][0], self.venv_exe)
        self.assertEqual(rep["argv"][1:], ["-m", "pip", "install", "x"])
        self.assertSameWinPath(rep["pyvenv_launcher"], self.venv_exe)

    def test_python312_pin_matches_the_project(self):
        r = self.w.run("-c", "pass", name="python3.12.exe", cwd=self.proj)
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], self.fake_exe, r.stderr)
        self.assertSameWinPath(r.report["pyvenv_launcher"], self.venv_exe)

    def test_python312_pin_outside_projects(self):
        r = self.w.run("-c", "pass", name="python3.12.exe", cwd=self.plain)
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], self.fake_exe, r.stderr)
        self.assertIsNone(r.report["pyvenv_launcher"])

    def test_python311_pin_not_installed(self):
        for cwd in (self.proj, self.plain):
            with self.subTest(cwd=cwd):
                r = self.w.run("-c", "pass", name="python3.11.exe", cwd=cwd)
                self.assertIsNone(r.report, "a python ran: %r" % (r,))
                self.assertEqual(r.returncode, 69, r)
                self.assertIn("pyshim: error: ", r.stderr)
                self.assertIn("3.11", r.stderr)
                self.assertIn("3.12.4", r.stderr,
                              "the error does not name what is installed")


class Trust(wintest.WorldTest, unittest.TestCase):
    """A config naming an interpreter by path runs only once trusted; an
    edit revokes the trust."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = cls.w.install_fake("py312", "3.12.4", on_path=False)
        cls.fake_exe = winpath(os.path.join(cls.fake, "python.exe"))

    def test_trust_then_edit_revokes(self):
        d = self.w.mkdtemp("trusted")
        cfg = os.path.join(d, ".pyshim.json")
        write_json(cfg, {"python": self.fake_exe})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertIsNone(r.report, "an untrusted config ran: %r" % (r,))
        self.assertEqual(r.returncode, 77, r)
        self.assertIn("pyshim: error: ", r.stderr)
        self.assertIn("trust", r.stderr)

        t = self.w.pyshim("trust", winpath(d), cwd=d)
        self.assertEqual(t.returncode, 0, t)
        r = self.w.run("-c", "pass", cwd=d)
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], self.fake_exe, r.stderr)

        write(cfg, json.dumps({"python": self.fake_exe}) + "\n\n")
        r = self.w.run("-c", "pass", cwd=d)
        self.assertIsNone(r.report, "an edited config kept its trust: %r" %
                          (r,))
        self.assertEqual(r.returncode, 77, r)


class Silence(wintest.WorldTest, unittest.TestCase):
    """pyshim says nothing on success, debug goes to stderr only, and an
    error leaves stdout empty (a script reading python's output must never
    see pyshim's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.w.install_fake("py312", "3.12.4")
        cls.proj = cls.w.mkdtemp("proj")
        write_json(os.path.join(cls.proj, ".pyshim.json"), {"python": "3.12"})

    def test_success_is_silent(self):
        for cwd in (self.proj, self.w.mkdtemp("plain")):
            with self.subTest(cwd=cwd):
                r = self.w.run("-c", "pass", cwd=cwd)
                self.assertRan(r)
                # The fake writes its report to a file: all output here
                # would be pyshim's.
                self.assertEqual(r.stderr, "")
                self.assertEqual(r.stdout, "")

    def test_debug_goes_to_stderr_only(self):
        r = self.w.run("-c", "pass", cwd=self.proj,
                       env={"PYSHIM_DEBUG": "1"})
        self.assertRan(r)
        self.assertEqual(r.stdout, "")
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        self.assertTrue(any(ln.startswith("pyshim: debug:") for ln in lines),
                        r.stderr)
        for ln in lines:
            self.assertTrue(ln.startswith("pyshim: "), ln)

    def test_error_writes_stderr_only(self):
        d = self.w.mkdtemp("want399")
        write_json(os.path.join(d, ".pyshim.json"), {"python": "3.99"})
        r = self.w.run("-c", "pass", cwd=d)
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        self.assertEqual(r.returncode, 69, r)
        self.assertIn("pyshim: error: ", r.stderr)
        self.assertIn("pyshim: hint: ", r.stderr)
        self.assertEqual(r.stdout, "")


class LoopGuard(wintest.WorldTest, unittest.TestCase):
    """A byte-for-byte copy of pyshim.exe named python.exe in another PATH
    dir (as a second install, or a `copy` by hand, leaves): pass-through
    must skip it as the shim itself, before or after the shim's dir."""

    LIMIT = 10.0  # seconds; a copy ping-ponging runs until jobctl ends it

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.copydir = os.path.join(w.root, "copybin")
        os.makedirs(cls.copydir)
        shutil.copyfile(wintest.PYSHIM_EXE,
                        os.path.join(cls.copydir, "python.exe"))
        cls.fake = w.install_fake("py312", "3.12.4", on_path=False)
        cls.fake_exe = winpath(os.path.join(cls.fake, "python.exe"))
        cls.plain = w.mkdtemp("plain")

    def pathof(self, dirs):
        return ";".join([winpath(d) for d in dirs] + wintest.SYSTEM_PATH)

    def timed(self, prog, dirs):
        t0 = time.monotonic()
        # A loop ends at jobctl's limit: keep that short (it is 45 s).
        r = self.w.run("-c", "pass", exe=prog, cwd=self.plain,
                       path=self.pathof(dirs),
                       env={"JOBCTL_TIMEOUT_MS": str(int(self.LIMIT * 1000))})
        dt = time.monotonic() - t0
        self.assertLess(dt, self.LIMIT, "took %.1f s: %r" % (dt, r))
        return r

    def test_copy_before_and_after_the_shim(self):
        shim = os.path.join(self.w.bin, "python.exe")
        copy = os.path.join(self.copydir, "python.exe")
        for label, dirs, prog in (
                ("copy first", [self.copydir, self.w.bin, self.fake], copy),
                ("copy first, shim run", [self.copydir, self.w.bin,
                                          self.fake], shim),
                ("copy after", [self.w.bin, self.copydir, self.fake], shim)):
            with self.subTest(label):
                r = self.timed(prog, dirs)
                self.assertRan(r)
                self.assertSameWinPath(r.report["exe"], self.fake_exe,
                                       r.stderr)
                self.assertEqual(r.report["argv"][1:], ["-c", "pass"])

    def test_no_python_after_the_copies_is_an_error(self):
        for dirs in ([self.copydir, self.w.bin], [self.w.bin, self.copydir]):
            with self.subTest(dirs=dirs):
                r = self.timed(os.path.join(dirs[0], "python.exe"), dirs)
                self.assertIsNone(r.report, "a python ran: %r" % (r,))
                self.assertEqual(r.returncode, 69, r)
                self.assertIn("pyshim: error: ", r.stderr)
                self.assertIn("besides pyshim's own", r.stderr)


class Kernel(wintest.WorldTest, unittest.TestCase):
    """pyshim kernel install/list/remove in %APPDATA%\\jupyter\\kernels, and
    the kernel's argv run through the shim from another directory."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        cls.fake = w.install_fake("py312", "3.12.4")
        cls.fake_exe = winpath(os.path.join(cls.fake, "python.exe"))
        cls.proj = os.path.join(w.work, "Notes Proj")
        os.makedirs(cls.proj)
        make_venv(os.path.join(cls.proj, ".venv"), cls.fake)
        cls.venv_exe = winpath(os.path.join(cls.proj, ".venv", "Scripts",
                                            "python.exe"))
        cls.kernels = os.path.join(w.appdata, "jupyter", "kernels")

    def test_install_list_run_remove(self):
        w = self.w
        r = w.pyshim("kernel", "install", cwd=self.proj)
        self.assertEqual(r.returncode, 0, r)
        spec_dir = os.path.join(self.kernels, "notes-proj")
        spec = os.path.join(spec_dir, "kernel.json")
        self.assertTrue(os.path.isfile(spec), "no %s: %r; kernels: %r" % (
            spec, r, os.listdir(self.kernels)
            if os.path.isdir(self.kernels) else None))
        with open(spec, encoding="utf-8") as f:
            k = json.load(f)
        # issue 13 item 3: a project kernel names the project's own venv
        # python (what every front end lists), and carries nothing that
        # changes how a python the notebook starts resolves
        self.assertSameWinPath(k["argv"][0], self.venv_exe)
        # -Xfrozen_modules=off on 3.11+, as ipykernel's installer writes
        self.assertEqual(k["argv"][1:], ["-Xfrozen_modules=off", "-m",
                                         "ipykernel_launcher", "-f",
                                         "{connection_file}"])
        self.assertNotIn("PYSHIM_PROJECT", k.get("env", {}))
        self.assertSameWinPath(k["metadata"]["pyshim"]["project"],
                               winpath(self.proj))

        r = w.pyshim("kernel", "list", cwd=w.work)
        self.assertEqual(r.returncode, 0, r)
        rows = [ln.split(None, 2) for ln in r.stdout.splitlines()]
        # listed with its project; kernel list runs the kernel's python to
        # see whether ipykernel imports, and the fake has no ipykernel
        self.assertIn(["notes-proj", "no-ipykernel"], [x[:2] for x in rows],
                      r.stdout)
        self.assertNotIn("(null)", r.stdout)

        # What Jupyter does: argv with the connection file, the spec's env,
        # cwd the notebook's directory (here outside the project).
        conn = winpath(os.path.join(w.temp, "kernel-1234.json"))
        argv = [conn if a == "{connection_file}" else a for a in k["argv"]]
        nb = w.mkdtemp("notebooks")
        r = w.run(*argv[1:], exe=wintest.unixpath(argv[0]), cwd=nb,
                  env=k["env"])
        self.assertRan(r)
        rep = r.report
        # the venv's own python.exe runs (here a copy of the fake; on
        # Windows CPython's venv launcher, which starts the base itself)
        self.assertSameWinPath(rep["exe"], self.venv_exe, r.stderr)
        self.assertEqual(rep["argv"][1:], argv[1:])

        r = w.pyshim("kernel", "remove", "notes-proj", cwd=w.work)
        self.assertEqual(r.returncode, 0, r)
        self.assertFalse(os.path.exists(spec_dir))
        r = w.pyshim("kernel", "list", cwd=w.work)
        self.assertNotIn("notes-proj", r.stdout)


if __name__ == "__main__":
    unittest.main()
