"""The pyshim CLI: install, which, and the PYSHIM_DRYRUN / PYSHIM_DEBUG
switches of the shim."""
import json
import os
import shutil
import unittest

from pyshimtest import (SandboxTest, SYSTEM, present_interps, make_venv,
                        site_packages, write, write_json, PYSHIM_BIN)


def assert_pyshim_name(tc, d, name):
    """d/name is a hard link to d/pyshim (not a symlink: its real path is
    its own name, so it still runs python, issue 13)."""
    p = os.path.join(d, name)
    tc.assertFalse(os.path.islink(p), p)
    tc.assertTrue(os.path.samefile(p, os.path.join(d, "pyshim")), p)


def snapshot(d):
    """name -> (kind, link target or size, inode, mtime) for a bin dir."""
    out = {}
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        st = os.lstat(p)
        what = os.readlink(p) if os.path.islink(p) else st.st_size
        out[n] = (os.path.islink(p), what, st.st_ino, st.st_mtime_ns)
    return out


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class Install(SandboxTest, unittest.TestCase):

    def test_links_made(self):
        names = set(os.listdir(self.sb.bin))
        for n in ("pyshim", "python", "python3", "pip", "pip3"):
            self.assertIn(n, names)
        for it in present_interps():
            self.assertIn("python" + it.minor, names)
            self.assertIn("pip" + it.minor, names)
        self.assertFalse(os.path.islink(os.path.join(self.sb.bin, "pyshim")))
        with open(os.path.join(self.sb.bin, "pyshim"), "rb") as a, \
                open(PYSHIM_BIN, "rb") as b:
            self.assertEqual(a.read(), b.read())
        assert_pyshim_name(self, self.sb.bin, "python")

    def test_install_twice_is_idempotent(self):
        before = snapshot(self.sb.bin)
        r = self.sb.pyshim("install", "--bin-dir", self.sb.bin)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("up to date", r.stdout)
        self.assertEqual(snapshot(self.sb.bin), before)
        r2 = self.sb.pyshim("install", "--bin-dir", self.sb.bin)
        self.assertEqual((r2.returncode, r2.stdout), (0, r.stdout))

    def test_install_repairs_a_missing_link(self):
        os.unlink(os.path.join(self.sb.bin, "pip3"))
        r = self.sb.pyshim("install", "--bin-dir", self.sb.bin)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("up to date", r.stdout)
        assert_pyshim_name(self, self.sb.bin, "pip3")

    def test_install_never_replaces_a_foreign_file(self):
        other = os.path.join(self.sb.root, "otherbin")
        mine = write(os.path.join(other, "python3"), "#!/bin/sh\necho mine\n")
        r = self.sb.pyshim("install", "--bin-dir", other)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)
        with open(mine) as f:
            self.assertEqual(f.read(), "#!/bin/sh\necho mine\n")

    def test_another_pyshim_versions_copy_is_pyshims(self):
        # A copy of another pyshim version (other bytes, the same mark)
        # is replaced by install and removed by uninstall; a program
        # without the mark stays.
        other = os.path.join(self.sb.root, "upgradebin")
        with open(PYSHIM_BIN, "rb") as f:
            older = f.read() + b"\0"
        write(os.path.join(other, "python3"), older, "wb")
        with open("/bin/true", "rb") as f:
            write(os.path.join(other, "tool"), f.read(), "wb")
        r = self.sb.pyshim("install", "--bin-dir", other, "--no-shell",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        assert_pyshim_name(self, other, "python3")
        write(os.path.join(other, "python3"), older, "wb")
        r = self.sb.pyshim("uninstall", "--bin-dir", other)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(other), ["tool"])

    def test_install_into_dir_with_spaces(self):
        d = os.path.join(self.sb.root, "bin dir ü")
        r = self.sb.pyshim("install", "--bin-dir", d)
        self.assertEqual(r.returncode, 0, r.stderr)
        assert_pyshim_name(self, d, "python3")

    def _reinstall(self):
        """The class's sandbox bin dir, installed again (another test may
        have uninstalled it); its names."""
        r = self.sb.pyshim("install", "--bin-dir", self.sb.bin, "--no-shell",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        return [n for n in os.listdir(self.sb.bin) if n != "pyshim"]

    def _tree(self, d):
        """name -> (is a link, bytes, mode) of every entry of d."""
        out = {}
        for n in sorted(os.listdir(d)):
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[n] = (os.path.islink(p), f.read(), os.lstat(p).st_mode)
        return out

    def test_realpath_of_each_name_still_runs_python(self):
        # Issue 13: a tool that copies os.path.realpath(sys.executable)
        # (findpython, CPython's test_subprocess) ran the CLI through a
        # symlink to "pyshim": "unknown command '-c'", exit 64.
        self._reinstall()
        minor = present_interps()[-1].minor if present_interps() else None
        names = ["python", "python3"] + (["python" + minor] if minor else [])
        for n in names:
            real = os.path.realpath(shutil.which(n, path=self.sb.bin))
            self.assertEqual(os.path.dirname(real), self.sb.bin, n)
            r = self.sb.call([real, "-c", "import sys; print(sys.version)"])
            self.assertEqual(r.returncode, 0, (n, r.stdout, r.stderr))
            self.assertRegex(r.stdout, r"^\d+\.\d+\.\d+", n)
        real = os.path.realpath(shutil.which("pip", path=self.sb.bin))
        r = self.sb.call([real, "--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("pip "), r.stdout)

    def test_install_converts_the_old_symlink_layout(self):
        # An install made before issue 13: symlinks to "pyshim". Install
        # over it replaces each with a hard link; uninstall leaves the
        # directory exactly as it was before the first install.
        d = os.path.join(self.sb.root, "oldbin")
        write(os.path.join(d, "tool"), "#!/bin/sh\necho mine\n")
        os.chmod(os.path.join(d, "tool"), 0o755)
        before = self._tree(d)
        shutil.copy(PYSHIM_BIN, os.path.join(d, "pyshim"))
        names = self._reinstall()
        for n in names:
            os.symlink("pyshim", os.path.join(d, n))
        r = self.sb.pyshim("install", "--bin-dir", d, "--no-shell",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("up to date", r.stdout)
        for n in names:
            assert_pyshim_name(self, d, n)
        r = self.sb.call([os.path.join(d, "python3"), "-c", "print(6 * 7)"])
        self.assertEqual((r.returncode, r.stdout), (0, "42\n"), r.stderr)
        r = self.sb.pyshim("uninstall", "--bin-dir", d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self._tree(d), before)

    def test_upgrade_replaces_every_name(self):
        # The names are hard links to an older pyshim (other bytes, the
        # same mark): install makes each a link to the new one.
        d = os.path.join(self.sb.root, "upgbin")
        with open(PYSHIM_BIN, "rb") as f:
            new = f.read()
        write(os.path.join(d, "pyshim"), new + b"\0", "wb")
        os.chmod(os.path.join(d, "pyshim"), 0o755)
        names = self._reinstall()
        for n in names:
            os.link(os.path.join(d, "pyshim"), os.path.join(d, n))
        r = self.sb.pyshim("install", "--bin-dir", d, "--no-shell",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        for n in names + ["pyshim"]:
            assert_pyshim_name(self, d, n)
            with open(os.path.join(d, n), "rb") as f:
                self.assertEqual(f.read(), new, n)
        r = self.sb.pyshim("uninstall", "--bin-dir", d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(d))

    def test_shell_rc_block_once(self):
        h = self.sb.pyshim("install", "--help").stdout
        if "--shell" not in h:
            self.skipTest("this build edits no shell start-up file")
        rc = os.path.join(self.sb.home, ".bashrc")
        write(rc, "# mine\n")
        for _ in range(2):
            r = self.sb.pyshim("install", "--bin-dir", self.sb.bin, "--shell", "bash",
                               "--no-default-env")
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(rc) as f:
            text = f.read()
        self.assertTrue(text.startswith("# mine\n"), text)
        self.assertEqual(text.count(">>> pyshim >>>"), 1, text)
        self.assertEqual(text.count(self.sb.bin), 1, text)

    def _rc_round_trip(self, before):
        """Install then uninstall with .bashrc holding `before` (bytes);
        returns the file's bytes after install. Uninstall must give
        `before` back exactly."""
        rc = os.path.join(self.sb.home, ".bashrc")
        with open(rc, "wb") as f:
            f.write(before)
        r = self.sb.pyshim("install", "--bin-dir", self.sb.bin, "--shell", "bash",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(rc, "rb") as f:
            during = f.read()
        r = self.sb.pyshim("uninstall", "--bin-dir", self.sb.bin)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(rc, "rb") as f:
            self.assertEqual(f.read(), before)
        return during

    def test_rc_utf16le_bom_stays_utf16(self):
        # what Windows PowerShell 5.1's `>` writes: UTF-16LE with a BOM
        before = "\ufeff# caf\u00e9 \U0001F600\r\nalias ll='ls -l'\r\n".encode(
            "utf-16-le")
        during = self._rc_round_trip(before)
        self.assertEqual(during[:2], b"\xff\xfe")
        text = during.decode("utf-16-le")  # all of it, no UTF-8 inside
        self.assertTrue(text.startswith(before.decode("utf-16-le")), text)
        self.assertIn("\r\n# >>> pyshim >>>\r\n", text)
        self.assertIn(self.sb.bin, text)

    def test_rc_utf16be_bom_stays_utf16(self):
        before = "\ufeff# one line, no newline".encode("utf-16-be")
        during = self._rc_round_trip(before)
        self.assertEqual(during[:2], b"\xfe\xff")
        self.assertIn(self.sb.bin, during.decode("utf-16-be"))

    def test_rc_utf8_bom_kept(self):
        before = b"\xef\xbb\xbf# caf\xc3\xa9\n"
        during = self._rc_round_trip(before)
        self.assertTrue(during.startswith(before + b"# >>> pyshim >>>\n"), during)
        self.assertEqual(during.count(b"\xef\xbb\xbf"), 1)

    def test_rc_utf16_without_bom_refused(self):
        rc = os.path.join(self.sb.home, ".bashrc")
        before = "# no BOM here\n".encode("utf-16-le")
        with open(rc, "wb") as f:
            f.write(before)
        r = self.sb.pyshim("install", "--bin-dir", self.sb.bin, "--shell", "bash",
                           "--no-default-env")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)
        self.assertIn("UTF-16 without a byte order mark", r.stderr)
        with open(rc, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_rc_broken_utf16_refused(self):
        rc = os.path.join(self.sb.home, ".bashrc")
        before = b"\xff\xfe" + "# x".encode("utf-16-le") + b"\x00\xdc"  # lone low surrogate
        with open(rc, "wb") as f:
            f.write(before)
        r = self.sb.pyshim("install", "--bin-dir", self.sb.bin, "--shell", "bash",
                           "--no-default-env")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)
        self.assertIn("not valid UTF-16", r.stderr)
        with open(rc, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_help_version_unknown(self):
        r = self.sb.pyshim("help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("install", r.stdout)
        r = self.sb.pyshim("version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("pyshim "), r.stdout)
        r = self.sb.pyshim("frobnicate")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        self.assertShimError(r, "frobnicate")


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class Which(SandboxTest, unittest.TestCase):
    interp = SYSTEM

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.shared = sb.make_shared("ai", cls.interp)
        cls.shared_sp = site_packages(cls.shared)
        cls.proj = os.path.join(sb.work, "proj")
        cls.venv = make_venv(cls.interp, os.path.join(cls.proj, ".venv"))
        write_json(os.path.join(cls.proj, ".pyshim.json"), {"shared": ["ai"]})
        cls.bare = os.path.join(sb.work, "bare")
        write_json(os.path.join(cls.bare, ".pyshim.json"),
                   {"python": cls.interp.minor, "shared": ["ai"]})
        cls.script = write(os.path.join(cls.proj, "tools", "s.py"), "print('RAN')\n")

    def overlays_dir(self):
        return os.path.join(self.sb.pyshim_home, "overlays")

    def which_json(self, *args, cwd=None, env=None):
        r = self.sb.pyshim("which", "--json", *args, cwd=cwd, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_which_json_venv(self):
        for args, cwd in (([], self.proj), ([self.proj], self.sb.work),
                          ([self.script], self.sb.work)):
            with self.subTest(args=args, cwd=cwd):
                j = self.which_json(*args, cwd=cwd)
                self.assertEqual(j["environment_kind"], "venv")
                self.assertEqual(j["environment"], self.venv)
                self.assertEqual(j["project"], self.proj)
                self.assertEqual(j["shared"], [self.shared_sp])
                self.assertEqual(j["executable"], os.path.join(self.venv, "bin", "python"))

    def test_which_json_python_is_recordable(self):
        """Issue 13 item 8: "python" is the environment's own python (not
        the shim, not the name typed): recorded and run later from any
        directory, it runs this environment; the shim's path recorded the
        same way resolves again from the directory it is run in."""
        prefix = "import sys; print(sys.prefix)"
        j = self.which_json("--name", "python" + self.interp.minor, self.proj)
        py = os.path.join(self.venv, "bin", "python")
        self.assertEqual(j["python"], py)
        other = self.sb.mkdtemp()
        write_json(os.path.join(other, ".pyshim.json"),
                   {"python": self.interp.minor})
        r = self.sb.call([j["python"], "-c", prefix], cwd=other)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), self.venv)
        # the shim recorded instead: the other directory's environment
        r = self.sb.call([os.path.join(self.sb.bin, "python"), "-c", prefix],
                         cwd=other)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(r.stdout.strip(), self.venv)
        # the base interpreter and an overlay: their own python too
        j = self.which_json(other)
        self.assertEqual(j["environment_kind"], "base")
        self.assertEqual(j["python"], j["interpreter"])
        j = self.which_json(self.bare)
        self.assertEqual(j["python"],
                         os.path.join(j["environment"], "bin", "python"))

    def test_shared_list_json(self):
        """Issue 12 item 7: `shared list --json` is JSON (it was ignored),
        with the text table's facts; a stray argument is a usage error."""
        r = self.sb.run("python", "-c", "pass", cwd=self.proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sb.pyshim("shared", "list", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        envs = {e["name"]: e for e in json.loads(r.stdout)}
        ai = envs["ai"]
        self.assertEqual(ai["kind"], "user")
        self.assertEqual(ai["path"], self.shared)
        self.assertEqual(ai["python"], "%d.%d.%d" % self.interp.version)
        self.assertGreater(ai["size"], 0)
        self.assertTrue(any(self.proj in u for u in ai["used_by"]), ai)
        text = self.sb.pyshim("shared", "list")
        self.assertIn(self.proj, text.stdout)
        for bad in (["--jsn"], ["extra"]):
            r = self.sb.pyshim("shared", "list", *bad)
            self.assertEqual(r.returncode, 64, r)
            self.assertEqual(r.stdout, "")

    def test_which_text(self):
        r = self.sb.pyshim("which", cwd=os.path.join(self.proj, "tools"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.venv, r.stdout)
        self.assertIn(self.shared_sp, r.stdout)
        self.assertIn(self.proj, r.stdout)

    def test_which_overlay_creates_nothing(self):
        before = os.listdir(self.overlays_dir()) if os.path.isdir(self.overlays_dir()) else []
        j = self.which_json(self.bare)
        self.assertEqual(j["environment_kind"], "overlay")
        self.assertTrue(j["environment"].startswith(self.overlays_dir()))
        self.assertEqual(j["shared"], [self.shared_sp])
        after = os.listdir(self.overlays_dir()) if os.path.isdir(self.overlays_dir()) else []
        self.assertEqual(before, after)
        r = self.sb.pyshim("which", self.bare)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("overlay", r.stdout)

    def test_which_pip_name(self):
        j = self.which_json("--name", "pip", self.proj)
        self.assertEqual(j["argv"][:3], [os.path.join(self.venv, "bin", "python"), "-m", "pip"])

    def test_which_missing_path(self):
        r = self.sb.pyshim("which", os.path.join(self.sb.work, "nope"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)

    def test_which_reports_config_errors(self):
        d = self.sb.mkdtemp()
        write(os.path.join(d, ".pyshim.json"), "{")
        r = self.sb.pyshim("which", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        self.assertIn("pyshim: error: %s:" % os.path.join(d, ".pyshim.json"), r.stderr)

    def test_dryrun_prints_plan_and_runs_nothing(self):
        marker = os.path.join(self.sb.root, "dry-marker")
        code = "open(%r, 'w').close()" % marker
        r = self.sb.run("python", "-c", code, cwd=self.proj, env={"PYSHIM_DRYRUN": "1"})
        self.assertOK(r)
        j = json.loads(r.stdout)
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(j["environment_kind"], "venv")
        self.assertEqual(j["argv"], [os.path.join(self.venv, "bin", "python"), "-c", code])

    def test_dryrun_does_not_create_the_overlay(self):
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": self.interp.minor, "shared": ["ai"]})
        # A distinct overlay: another shared list.
        self.sb.make_shared("dry", self.interp) if not os.path.isdir(
            self.sb.shared_dir("dry")) else None
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": self.interp.minor, "shared": ["dry", "ai"]})
        r = self.sb.run("python", "-c", "pass", cwd=d, env={"PYSHIM_DRYRUN": "1"})
        self.assertOK(r)
        j = json.loads(r.stdout)
        self.assertEqual(j["environment_kind"], "overlay")
        self.assertFalse(os.path.exists(j["environment"]))
        # and the real run builds exactly that one
        r = self.sb.run("python", "-c", "import sys; print(sys.prefix)", cwd=d)
        self.assertOK(r)
        self.assertEqual(r.stdout.strip(), j["environment"])

    def test_dryrun_does_not_write_the_hook(self):
        d = self.sb.mkdtemp()
        venv = make_venv(self.interp, os.path.join(d, ".venv"))
        write_json(os.path.join(d, ".pyshim.json"), {"shared": ["ai"]})
        r = self.sb.run("python", cwd=d, env={"PYSHIM_DRYRUN": "1"})
        self.assertOK(r)
        j = json.loads(r.stdout)
        self.assertEqual(j["hook_path"], os.path.join(site_packages(venv), "_pyshim.pth"))
        self.assertFalse(os.path.exists(j["hook_path"]))

    def test_debug_logs_to_stderr_only(self):
        r = self.sb.run("python", "-c", "print('out')", cwd=self.proj,
                        env={"PYSHIM_DEBUG": "1"})
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "out\n")
        lines = r.stderr.splitlines()
        self.assertTrue(lines)
        self.assertTrue(all(l.startswith("pyshim: debug: ") for l in lines), r.stderr)
        self.assertIn(self.venv, r.stderr)

    def test_global_config_outside_projects(self):
        g = self.sb.global_config
        self.addCleanup(self.sb.set_global_config(
            {"python": self.interp.minor, "shared": ["ai"]}))
        if True:
            out = self.sb.run("python", "-c", "import sys, ai_mod_extra; print(sys.prefix)",
                              cwd=self.sb.work)
            self.assertOK(out)
            self.assertTrue(out.stdout.startswith(self.overlays_dir()), out.stdout)
            j = self.which_json(cwd=self.sb.work)
            self.assertEqual(j["project_kind"], "global")
            self.assertEqual(j["config"], g)
            # A project still wins over the global config.
            self.assertEqual(self.which_json(cwd=self.proj)["environment"], self.venv)


if __name__ == "__main__":
    unittest.main()
