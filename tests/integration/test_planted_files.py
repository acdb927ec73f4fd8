"""Planted files and pyshim's own directories (issue 10, items 1 and 5).

Item 1: every file pyshim reads on the way to `python` (.pyshim.json,
.python-version, the global config, pyvenv.cfg, the hook, facts cache and
trust records) is opened once without blocking and read only if that
descriptor is a regular file; markers are judged (owner, mode) from it. A
FIFO, a directory, a link to /dev/zero or to /proc/self/fd/0 planted by
another user never hangs, breaks or steers the user's `python`: it is
ignored with `pyshim: warning: ignored ...`.

Item 5: PYSHIM_HOME, the data, cache and config dirs must be the user's own
and writable by no one else (every directory above them too, unless
sticky): otherwise pyshim refuses, with the chmod to run. A facts record
someone else planted is never dlopen'ed as libpython.

Everything runs as the real user pyshim-alice; the planted files belong to
pyshim-mallory (both made with useradd; the classes are skipped when the
suite is not root). A hang is a failure: every run has a timeout.
"""
import hashlib
import json
import os
import shutil
import subprocess
import unittest

from pyshimtest import (SYSTEM, TIMEOUT, SandboxTest, as_user_argv,
                        chown_tree, facts_key, facts_read, facts_record, fnv1a64,
                        make_venv, site_packages, test_user, write,
                        write_json)

# a run that reads a FIFO blocks forever: this is "forever"
HANG = 20


class _Planted(SandboxTest):
    sandbox_user = "pyshim-alice"

    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no system python")
        super().setUpClass()
        cls.mallory = test_user("pyshim-mallory")
        # where markers land: anyone may write there
        cls.marks = cls.sb.mkdtemp("marks")
        os.chmod(cls.marks, 0o1777)

    def run_bounded(self, *args, **kw):
        """sb.run, where a hang fails the test instead of the suite."""
        kw.setdefault("timeout", HANG)
        try:
            return self.sb.run(*args, **kw)
        except subprocess.TimeoutExpired:
            self.fail("pyshim hung (%s): it waited on a planted file" % (args,))

    def tmplike(self):
        """A directory like /tmp (world-writable, sticky) holding the
        user's work dir 'mine'."""
        shared = self.sb.mkdtemp("tmplike")
        os.chmod(shared, 0o1777)
        work = os.path.join(shared, "mine")
        os.makedirs(work)
        self.sb.give(work)
        return shared, work

    def theirs(self, path):
        """Give path (a tree, links not followed) to mallory."""
        chown_tree(path, self.mallory)
        return path

    def marker(self, name):
        m = os.path.join(self.marks, name)
        if os.path.exists(m):
            os.unlink(m)
        return m

    def evil_venv(self, path, marker):
        """A venv of mallory's whose .pth leaves marker when it runs."""
        make_venv(SYSTEM, path)
        write(os.path.join(site_packages(path), "evil.pth"),
              "import os; open(%r, 'a').write('ran\\n')\n" % marker)
        return self.theirs(path)

    def assertIgnored(self, r, path, out="ok\n"):
        self.assertEqual((r.returncode, r.stdout), (0, out), r.stderr)
        warn = [l for l in r.stderr.splitlines()
                if l.startswith("pyshim: warning: ignored")]
        self.assertTrue(warn, r.stderr)
        self.assertIn(path, warn[0])


class PlantedMarkers(_Planted, unittest.TestCase):
    """Item 1: non-regular markers planted above the user's work dir."""

    def test_fifo_config_never_hangs(self):
        shared, work = self.tmplike()
        fifo = os.path.join(shared, ".pyshim.json")
        os.mkfifo(fifo)
        self.theirs(fifo)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=work)
        self.assertIgnored(r, fifo)

    def test_fifo_fed_by_a_writer_does_not_pick_the_venv(self):
        shared, work = self.tmplike()
        mark = self.marker("fifo-venv")
        venv = self.evil_venv(os.path.join(shared, "v"), mark)
        fifo = os.path.join(shared, ".pyshim.json")
        os.mkfifo(fifo)
        self.theirs(fifo)
        # mallory keeps feeding the FIFO a config naming their venv
        feeder = ("import time\n"
                  "while True:\n"
                  "    with open(%r, 'w') as f:\n"
                  "        f.write('{\"venv\": \"v\"}')\n"
                  "    time.sleep(0.05)\n" % fifo)
        w = subprocess.Popen(as_user_argv(self.mallory) +
                             [SYSTEM.path, "-c", feeder],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.addCleanup(w.wait, TIMEOUT)
        self.addCleanup(w.kill)
        r = self.run_bounded("python", "-c",
                             "import sys; print(sys.prefix)", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(r.stdout.strip(), venv, "mallory's venv ran")
        self.assertFalse(os.path.exists(mark), "mallory's .pth ran as alice")
        self.assertIn("pyshim: warning: ignored '%s" % fifo, r.stderr)

    def test_directory_config(self):
        shared, work = self.tmplike()
        d = os.path.join(shared, ".pyshim.json")
        os.mkdir(d)
        self.theirs(d)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=work)
        self.assertIgnored(r, d)

    def test_link_to_dev_zero(self):
        shared, work = self.tmplike()
        link = os.path.join(shared, ".pyshim.json")
        os.symlink("/dev/zero", link)
        self.theirs(link)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=work)
        self.assertIgnored(r, link)

    def test_link_to_stdin_is_not_read_as_config(self):
        shared, work = self.tmplike()
        mark = self.marker("stdin-venv")
        venv = self.evil_venv(os.path.join(shared, "v"), mark)
        link = os.path.join(shared, ".pyshim.json")
        os.symlink("/proc/self/fd/0", link)
        self.theirs(link)
        feed = '{"venv": "v"}'
        r = self.run_bounded(
            "python", "-c",
            "import sys; print(sys.prefix); print(sys.stdin.read())",
            cwd=work, input=feed)
        self.assertEqual(r.returncode, 0, r.stderr)
        prefix, got = r.stdout.split("\n", 1)
        self.assertNotEqual(prefix, venv)
        # python, not pyshim, read the user's stdin: all of it
        self.assertEqual(got, feed + "\n")
        self.assertFalse(os.path.exists(mark))
        self.assertIn("pyshim: warning: ignored '%s" % link, r.stderr)

    def test_fifo_python_version(self):
        shared, work = self.tmplike()
        fifo = os.path.join(shared, ".python-version")
        os.mkfifo(fifo)
        self.theirs(fifo)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=work)
        self.assertIgnored(r, fifo)

    def test_venv_planted_by_another_user(self):
        shared, work = self.tmplike()
        mark = self.marker("planted-venv")
        venv = self.evil_venv(os.path.join(shared, ".venv"), mark)
        r = self.run_bounded("python", "-c",
                             "import sys; print(sys.prefix)", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(r.stdout.strip(), venv)
        self.assertFalse(os.path.exists(mark))
        self.assertIn("pyshim: warning: ignored '%s" % venv, r.stderr)


class OwnFilesNeverHang(_Planted, unittest.TestCase):
    """Item 1: a FIFO at any file pyshim reads on the way (in the user's
    own tree or PYSHIM_HOME) never hangs the shim or the CLI."""

    def project(self, cfg, venv=True):
        proj = self.sb.mkdtemp("own")
        if venv:
            make_venv(SYSTEM, os.path.join(proj, ".venv"))
        if cfg is not None:
            write_json(os.path.join(proj, ".pyshim.json"), cfg)
        self.sb.give(proj)
        return proj

    def fifo(self, path):
        if os.path.lexists(path):
            os.unlink(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.mkfifo(path)
        self.sb.give(path)
        return path

    def test_pyvenv_cfg_fifo(self):
        proj = self.project({"venv": ".venv"})
        cfg = self.fifo(os.path.join(proj, ".venv", "pyvenv.cfg"))
        r = self.run_bounded("python", "-c", "print('ok')", cwd=proj)
        self.assertShimError(r, cfg, "not a regular file")
        # a bare .venv is no marker then: python passes through, and
        # says which marker it ignored (never silently)
        os.unlink(os.path.join(proj, ".pyshim.json"))
        r = self.run_bounded("python", "-c", "print('ok')", cwd=proj)
        self.assertIgnored(r, cfg)
        self.assertIn("not a regular file", r.stderr)

    def test_pyvenv_cfg_fifo_in_a_venv_planted_by_another_user(self):
        """A .venv of mallory's in a shared dir above the user's work,
        its pyvenv.cfg a FIFO: never read, skipped with a warning."""
        shared, work = self.tmplike()
        venv = os.path.join(shared, ".venv")
        os.makedirs(os.path.join(venv, "bin"))
        cfg = os.path.join(venv, "pyvenv.cfg")
        os.mkfifo(cfg)
        self.theirs(venv)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=work)
        self.assertIgnored(r, cfg)

    def test_hook_fifo(self):
        sb = self.sb
        if not os.path.exists(sb.shared_dir("s1")):
            sb.make_shared("s1", SYSTEM)
            sb.give(sb.pyshim_home)
        proj = self.project({"shared": ["s1"]})
        hook = self.fifo(os.path.join(site_packages(
            os.path.join(proj, ".venv")), "_pyshim.pth"))
        r = self.run_bounded("python", "-c",
                             "import s1_mod; print(s1_mod.NAME)", cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, "s1\n"), r.stderr)
        self.assertTrue(os.path.isfile(hook) and not os.path.islink(hook))
        # doctor compares the hook with what it should be: it reads it too
        self.fifo(hook)
        try:
            sb.call([os.path.join(sb.bin, "pyshim"), "doctor"], cwd=proj,
                    timeout=HANG)
        except subprocess.TimeoutExpired:
            self.fail("pyshim doctor hung on a FIFO hook")

    def test_facts_record_fifo(self):
        real = os.path.realpath(SYSTEM.path)
        rec = self.fifo(os.path.join(self.sb.pyshim_home, "cache", "interp",
                                     "%016x.json" % fnv1a64(real)))
        self.sb.give(os.path.join(self.sb.pyshim_home, "cache"))
        proj = self.project({"python": SYSTEM.minor}, venv=False)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=proj)
        self.assertOK(r)
        # probed again and the record replaced by a file
        self.assertTrue(os.path.isfile(rec))

    def test_trust_record_fifo(self):
        proj = self.project({"env": {"PLANTED_X": "1"}}, venv=False)
        cfg = os.path.join(proj, ".pyshim.json")
        with open(cfg, "rb") as f:
            content = f.read()
        key = hashlib.sha256(cfg.encode() + b"\0" + content).hexdigest()
        self.fifo(os.path.join(self.sb.pyshim_home, "trust", key))
        r = self.run_bounded("python", "-c", "print('ok')", cwd=proj)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("not trusted", r.stderr)
        try:
            u = self.sb.call([os.path.join(self.sb.bin, "pyshim"), "untrust",
                              proj], timeout=HANG)
        except subprocess.TimeoutExpired:
            self.fail("pyshim untrust hung on a FIFO trust record")
        self.assertEqual(u.returncode, 0, u.stderr)

    def test_global_config_fifo(self):
        g = self.fifo(self.sb.global_config)
        self.addCleanup(os.unlink, g)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.sb.work)
        self.assertIgnored(r, g)


class OwnDirectories(_Planted, unittest.TestCase):
    """Item 5: pyshim's own directories must be the user's and closed to
    others; a planted facts record is never dlopen'ed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            raise unittest.SkipTest("no C compiler for the fake libpython")
        # a "libpython" that leaves a marker the moment it is loaded
        cls.lib_mark = os.path.join(cls.marks, "dlopened")
        src = write(os.path.join(cls.marks, "fake.c"),
                    "#include <stdio.h>\n"
                    "__attribute__((constructor)) static void planted(void)\n"
                    "{ FILE *f = fopen(\"%s\", \"a\");\n"
                    "  if (f) { fputs(\"dlopened\\n\", f); fclose(f); } }\n"
                    % cls.lib_mark)
        cls.fake_lib = os.path.join(cls.marks, "libpython-fake.so")
        subprocess.run([cc, "-shared", "-fPIC", "-o", cls.fake_lib, src],
                       check=True, timeout=TIMEOUT)
        os.chmod(cls.fake_lib, 0o755)
        cls.real = os.path.realpath(SYSTEM.path)
        cls.key = facts_key(cls.real)

    def setUp(self):
        if os.path.exists(self.lib_mark):
            os.unlink(self.lib_mark)
        self.proj = self.sb.mkdtemp("emb")
        write_json(os.path.join(self.proj, ".pyshim.json"),
                   {"python": SYSTEM.minor})
        self.sb.give(self.proj)

    def plant_record(self, cache):
        """A facts record in cache naming the fake libpython."""
        v = "%d.%d.%d" % SYSTEM.version
        rec = write(
            os.path.join(cache, "interp", "%016x.json" % fnv1a64(self.real)),
            facts_record(
            {"version": v, "impl": "cpython", "abiflags": "",
             "libpython": self.fake_lib, "prefix": "/usr",
             "ext_managed": False, "key": self.key}), "wb")
        return rec

    def assertNotLoaded(self):
        self.assertFalse(os.path.exists(self.lib_mark),
                         "the planted libpython was dlopen'ed")

    def assertRefusedDir(self, r, path, *needles):
        err, hint = self.assertShimError(r, path)
        self.assertEqual(r.returncode, 77)
        for n in needles:
            self.assertIn(n, err + hint)
        self.assertNotLoaded()

    def test_pyshim_home_of_another_user(self):
        shared, _ = self.tmplike()
        home = os.path.join(shared, "ph")
        self.plant_record(os.path.join(home, "cache"))
        self.theirs(home)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, "another user", "PYSHIM_HOME")
        c = self.sb.call([os.path.join(self.sb.bin, "pyshim"), "which"],
                         cwd=self.proj, env={"PYSHIM_HOME": home})
        self.assertEqual(c.returncode, 77, c.stderr)
        self.assertIn("another user", c.stderr)

    def test_pyshim_home_world_writable(self):
        home = os.path.join(self.sb.mkdtemp("wwhome"), "ph")
        self.plant_record(os.path.join(home, "cache"))
        self.sb.give(home)
        os.chmod(home, 0o777)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, "chmod go-w '%s'" % home)

    def test_group_writable(self):
        """umask 002 systems make 0775 dirs: fine when the group is the
        user's own private group, refused when it is anyone else's."""
        import grp
        home = os.path.join(self.sb.mkdtemp("gwhome"), "ph")
        os.makedirs(os.path.join(home, "cache"))
        self.sb.give(home)
        os.chmod(home, 0o775)
        mine = grp.getgrnam(self.sb.user.pw_name)
        self.assertEqual(mine.gr_gid, self.sb.user.pw_gid)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertOK(r)
        self.assertEqual(r.stdout, "ok\n")
        # the same mode, but the group is another user's
        os.chown(home, self.sb.user.pw_uid, self.mallory.pw_gid)
        self.plant_record(os.path.join(home, "cache"))
        self.sb.give(os.path.join(home, "cache"))
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, "chmod go-w '%s'" % home)

    def test_parent_writable_by_others(self):
        parent = self.sb.mkdtemp("wwparent")
        os.chmod(parent, 0o777)
        home = os.path.join(parent, "ph")
        self.plant_record(os.path.join(home, "cache"))
        self.sb.give(home)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, parent, "chmod go-w '%s'" % parent)

    def test_home_through_a_link_to_an_open_dir(self):
        """PYSHIM_HOME spelled through a link: the walk up judges the
        real path's parents, not the spelled ones (issue 14 resolves a
        home without links from its lstats alone; with a link in it the
        real path is asked). Guard."""
        parent = self.sb.mkdtemp("wwparent3")
        os.chmod(parent, 0o777)
        real = os.path.join(parent, "ph")
        self.plant_record(os.path.join(real, "cache"))
        self.sb.give(real)
        via = os.path.join(self.sb.mkdtemp("lnhome"), "via")
        os.symlink(parent, via)
        home = os.path.join(via, "ph")
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, parent, "chmod go-w '%s'" % parent)

    def test_home_through_a_link_of_another_user(self):
        """PYSHIM_HOME spelled through a link another user made in a
        sticky dir: the link points at the user's own closed dir now, but
        its owner could point it elsewhere after the check. Refused; the
        same link made by the user is fine (audit of 2026-12-01)."""
        shared, _ = self.tmplike()
        real = os.path.join(self.sb.mkdtemp("ownhome"), "ph")
        os.makedirs(os.path.join(real, "cache"))
        self.sb.give(real)
        home = os.path.join(shared, "ph-link")
        os.symlink(real, home)
        os.lchown(home, self.mallory.pw_uid, self.mallory.pw_gid)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, "link of another user", home)
        os.lchown(home, self.sb.user.pw_uid, self.sb.user.pw_gid)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertOK(r)
        self.assertEqual(r.stdout, "ok\n")

    def test_home_through_a_chain_of_links(self):
        """The user's own link to another user's link to the user's dir:
        the second link is in the path too (review of session 5)."""
        shared, _ = self.tmplike()
        real = os.path.join(self.sb.mkdtemp("ownhome2"), "ph")
        os.makedirs(os.path.join(real, "cache"))
        self.sb.give(real)
        theirs = os.path.join(shared, "m")
        os.makedirs(theirs)
        x = os.path.join(theirs, "x")
        os.symlink(os.path.dirname(real), x)
        self.theirs(theirs)
        mine = os.path.join(self.sb.mkdtemp("mylinks"), "a")
        os.symlink(x, mine)
        self.sb.give(mine)
        home = os.path.join(mine, "ph")
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, home, "link of another user", x)

    def test_cache_inside_home_world_writable(self):
        """The cache dir inside PYSHIM_HOME is still judged itself when
        its walk up stops at PYSHIM_HOME, judged just before (issue 14)."""
        home = os.path.join(self.sb.mkdtemp("wwcache"), "ph")
        cache = os.path.join(home, "cache")
        self.plant_record(cache)
        self.sb.give(home)
        os.chmod(cache, 0o777)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, cache, "chmod go-w '%s'" % cache)

    def test_cache_inside_home_links_below_open_dir(self):
        """A cache dir that links out of PYSHIM_HOME is walked up from its
        real path to the root: the walk stops early only inside
        PYSHIM_HOME (issue 14)."""
        home = os.path.join(self.sb.mkdtemp("lncache"), "ph")
        parent = self.sb.mkdtemp("wwparent2")
        os.chmod(parent, 0o777)
        real = os.path.join(parent, "c")
        self.plant_record(real)
        os.makedirs(home)
        os.symlink(real, os.path.join(home, "cache"))
        self.sb.give(home)
        self.sb.give(real)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"PYSHIM_HOME": home})
        self.assertRefusedDir(r, os.path.join(home, "cache"), parent,
                              "chmod go-w '%s'" % parent)

    def test_xdg_cache_of_another_user(self):
        shared, _ = self.tmplike()
        cache = os.path.join(shared, "pyshim")
        self.plant_record(cache)
        self.theirs(cache)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj,
                             env={"XDG_CACHE_HOME": shared},
                             drop=("PYSHIM_HOME",))
        self.assertRefusedDir(r, cache, "cache directory", "another user")

    def test_record_of_another_user_in_own_cache(self):
        rec = self.plant_record(os.path.join(self.sb.pyshim_home, "cache"))
        self.sb.give(os.path.join(self.sb.pyshim_home, "cache"))
        self.theirs(rec)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj)
        self.assertOK(r)
        self.assertNotLoaded()
        # a writable-by-all record of the user's own: the same
        rec = self.plant_record(os.path.join(self.sb.pyshim_home, "cache"))
        self.sb.give(rec)
        os.chmod(rec, 0o666)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj)
        self.assertOK(r)
        self.assertNotLoaded()

    def test_older_json_record_is_replaced(self):
        """A JSON record as pyshim wrote them before the line format
        (issue 14), valid, under its old key, the user's own and closed:
        a miss, probed again and replaced by a line record."""
        st = os.stat(self.real)
        old_key = hashlib.sha256(("%d:%d:%d:%s" % (
            st.st_size, st.st_ino, st.st_mtime_ns, self.real)).encode()
        ).hexdigest()
        rec = write_json(
            os.path.join(self.sb.pyshim_home, "cache", "interp",
                         "%016x.json" % fnv1a64(self.real)),
            {"version": "%d.%d.%d" % SYSTEM.version, "impl": "cpython",
             "abiflags": "", "libpython": self.fake_lib, "prefix": "/usr",
             "ext_managed": False, "key": old_key})
        self.sb.give(os.path.join(self.sb.pyshim_home, "cache"))
        os.chmod(rec, 0o644)
        r = self.run_bounded("python", "-c", "print('ok')", cwd=self.proj)
        self.assertOK(r)
        self.assertNotLoaded()
        new = facts_read(rec)
        self.assertTrue(new, "the JSON record was not replaced")
        self.assertEqual(new["key"], self.key)
        self.assertNotEqual(new["libpython"], self.fake_lib)

    def test_own_safe_record_is_used(self):
        """The control: the same record, the user's own and closed, is
        believed (so the refusals above are what kept it out)."""
        rec = self.plant_record(os.path.join(self.sb.pyshim_home, "cache"))
        self.sb.give(os.path.join(self.sb.pyshim_home, "cache"))
        os.chmod(rec, 0o644)
        self.run_bounded("python", "-c", "print('ok')", cwd=self.proj)
        self.assertTrue(os.path.exists(self.lib_mark))
        os.unlink(rec)


if __name__ == "__main__":
    unittest.main()
