"""The plan cache (launcher/plancache.h): a warm run replays the recorded
decision only while every answer it was made from still holds.

How a replay is seen: after a run recorded its decision, the test rewrites
the record's program to another real interpreter (the record is the
user's own file). The next run then starts that interpreter: proof the
record was replayed. After one change of an input, the next run must
decide again and start the right interpreter."""

import glob
import grp
import json
import os
import shutil
import subprocess
import time
import unittest

from pyshimtest import SYSTEM, TIMEOUT, SandboxTest, make_venv, test_user

# a python that is not the project's: what a tampered record runs
OTHER = "/usr/bin/python3"
EXE_PY = "import sys; print(sys.executable)"


def settle():
    """Let every file a test just wrote age past the cache's 50 ms
    timestamp window (launcher/plancache.h), so the next run records."""
    time.sleep(0.15)


class _Records(object):
    """The plan records of the sandbox's cache dir."""

    def records(self):
        return glob.glob(os.path.join(self.sb.pyshim_home, "cache", "plan", "*"))

    def record_for(self, cwd):
        found = [f for f in self.records()
                 if ("cwd 1 %s\n" % cwd) in open(f, encoding="utf-8",
                                                  errors="replace").read()]
        self.assertEqual(len(found), 1, found)
        return found[0]

    def tamper(self, cwd):
        """Point cwd's record at OTHER; returns what it ran before."""
        f = self.record_for(cwd)
        with open(f, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        old = None
        for i, l in enumerate(lines):
            if l.startswith("exe "):
                old = l[4:]
                lines[i] = "exe " + OTHER
            elif l.startswith("arg ") and old and l[4:] == old:
                lines[i] = "arg " + OTHER
        self.assertIsNotNone(old)
        mode = os.stat(f).st_mode
        with open(f, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        os.chmod(f, mode & 0o777)
        return old


class PlanCacheTest(_Records, SandboxTest, unittest.TestCase):

    def exe(self, cwd, env=None, name="python"):
        r = self.sb.run(name, "-c", EXE_PY, cwd=cwd, env=env)
        self.assertOK(r)
        return r.stdout.strip()

    def venv_project(self):
        d = self.sb.mkdtemp("plan")
        make_venv(SYSTEM, os.path.join(d, ".venv"))
        settle()
        return d

    def replayed(self, d, env=None):
        """Record d's decision, tamper with it, and check it is replayed."""
        want = os.path.join(d, ".venv", "bin", "python")
        # the first run may write the facts cache: the next one records
        # once that file is older than the window too
        self.assertEqual(self.exe(d, env), want)
        settle()
        self.assertEqual(self.exe(d, env), want)
        self.tamper(d)
        self.assertEqual(self.exe(d, env), OTHER, "the record was not replayed")
        return want

    def test_a_warm_run_replays_the_record(self):
        d = self.venv_project()
        self.replayed(d)
        # the user's own file, nobody else's to write
        st = os.stat(self.record_for(d))
        self.assertEqual(st.st_mode & 0o077, 0)

    def test_each_input_change_decides_again(self):
        """One change of what the decision read: the record no longer
        holds, and the right interpreter runs."""

        def pin(d):
            with open(os.path.join(d, ".python-version"), "w") as f:
                f.write("3\n")

        def edit_cfg(d):
            cfg = os.path.join(d, ".venv", "pyvenv.cfg")
            with open(cfg, "a") as f:
                f.write("# a comment\n")

        def copies(d):
            # the venv's python a copy of its interpreter (venv --copies):
            # another file, though the same real path's name is gone
            py = os.path.join(d, ".venv", "bin", "python")
            real = os.path.realpath(py)
            os.unlink(py)
            shutil.copy2(real, py)

        def chmod_site(d):
            site = glob.glob(os.path.join(d, ".venv", "lib", "python3*",
                                          "site-packages"))[0]
            with open(os.path.join(site, "extra.pth"), "w") as f:
                f.write("# nothing\n")

        def half_made(d):
            # a venv another pyshim is making (its incomplete mark): the
            # record knows the mark's absence from the venv dir's times
            with open(os.path.join(d, ".venv", ".pyshim-incomplete"), "w") as f:
                f.write("dir 0 0\n")

        def global_config(d):
            f = self.sb.global_config
            text = open(f).read() if os.path.exists(f) else "{}"
            with open(f, "w") as fh:
                fh.write(text.rstrip() + "\n\n")

        for change in (pin, edit_cfg, copies, chmod_site, half_made,
                       global_config):
            with self.subTest(change=change.__name__):
                d = self.venv_project()
                self.replayed(d)
                change(d)
                self.assertSameAsDeciding(d)

    def assertSameAsDeciding(self, d, env=None):
        """The run gives what a run that decides gives (exit, output,
        messages), and not the tampered record's program."""
        got = self.sb.run("python", "-c", EXE_PY, cwd=d, env=env)
        fresh = self.sb.run("python", "-c", EXE_PY, cwd=d,
                            env=dict(env or {}, PYSHIM_NO_PLAN_CACHE="1"))
        self.assertEqual((got.returncode, got.stdout, got.stderr),
                         (fresh.returncode, fresh.stdout, fresh.stderr))
        self.assertNotEqual(got.stdout.strip(), OTHER)

    def test_a_variable_of_the_key(self):
        d = self.venv_project()
        want = self.replayed(d)
        self.assertEqual(self.exe(d, env={"PYSHIM_MODE": "exec"}), want)

    def test_a_planted_config_warns_every_time(self):
        """A decision that warned is never recorded: each run warns."""
        d = self.venv_project()
        cfg = os.path.join(d, ".pyshim.json")
        with open(cfg, "w") as f:
            json.dump({"python": "3"}, f)
        os.chmod(cfg, 0o666)
        settle()
        for _ in range(3):
            r = self.sb.run("python", "-c", EXE_PY, cwd=d)
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("pyshim: warning: ignored", r.stderr)
        self.assertEqual([f for f in self.records()
                          if ("cwd 1 %s\n" % d) in open(f).read()], [])

    def test_a_pass_through_is_never_recorded(self):
        """A pass-through (here PYSHIM_DISABLE) names no mode, and its
        loop guard can name this process: it decides on every run."""
        d = self.sb.mkdtemp("off")
        settle()
        env = {"PYSHIM_DISABLE": "1"}
        for _ in range(3):
            self.assertNotEqual(self.exe(d, env), "")
            settle()
        self.assertEqual([f for f in self.records()
                          if ("cwd 1 %s\n" % d) in open(f).read()], [])

    def test_a_record_others_may_write_is_not_used(self):
        d = self.venv_project()
        want = self.replayed(d)
        os.chmod(self.record_for(d), 0o622)
        self.assertEqual(self.exe(d), want)

    def test_a_broken_record_is_not_used(self):
        d = self.venv_project()
        want = self.replayed(d)
        f = self.record_for(d)
        with open(f) as fh:
            text = fh.read()
        with open(f, "w") as fh:
            fh.write(text[: len(text) // 2])
        self.assertEqual(self.exe(d), want)

    def test_a_record_damaged_by_zeros_is_not_used(self):
        """A block of NULs across lines (a crash can leave one: records
        are written without fsync) must not swallow the answers it
        covers: the record is refused, the run decides."""
        d = self.venv_project()
        self.replayed(d)
        f = self.record_for(d)
        with open(f, "rb") as fh:
            data = bytearray(fh.read())
        # from inside the path of an absent name's answer (cut short, a
        # path is still absent) to inside pyvenv.cfg's
        a = data.index(b"\ns 1 0 2 ") + 30
        b = data.index(b"/pyvenv.cfg\n") + 4
        self.assertLess(a, b)
        data[a:b] = bytes(b - a)
        with open(f, "wb") as fh:
            fh.write(bytes(data))
        with open(os.path.join(d, ".venv", "pyvenv.cfg"), "a") as fh:
            fh.write("# changed after the record\n")
        self.assertSameAsDeciding(d)

    def test_a_search_sees_a_new_path(self):
        """A project that names a version only: its decision read PATH,
        so a new PATH decides again."""
        d = self.sb.mkdtemp("nopy")
        with open(os.path.join(d, ".python-version"), "w") as f:
            f.write("3\n")
        settle()
        first = self.exe(d)
        settle()
        self.exe(d)
        self.tamper(d)
        self.assertEqual(self.exe(d), OTHER)
        extra = self.sb.mkdtemp("emptybin")
        settle()
        path = extra + os.pathsep + self.sb.env["PATH"]
        self.assertEqual(self.exe(d, env={"PATH": path}), first)

    def test_a_venv_project_ignores_path(self):
        """A venv project's decision never read PATH: another PATH still
        replays (the record is the same one)."""
        d = self.venv_project()
        self.replayed(d)
        extra = self.sb.mkdtemp("emptybin")
        path = extra + os.pathsep + self.sb.env["PATH"]
        self.assertEqual(self.exe(d, env={"PATH": path}), OTHER)


class PlanCacheGroups(_Records, SandboxTest, unittest.TestCase):
    """The groups decide what may be read and run: a record made by a
    process in a group is not replayed for the same user without it (as
    the real user pyshim-alice, the group pyshim-mallory's)."""

    sandbox_user = "pyshim-alice"

    def run_as(self, cwd, groups, extra=None):
        pw = self.sb.user
        env = self.sb.envwith(extra)
        argv = [shutil.which("setpriv", path="/usr/bin:/bin"),
                "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid]
        argv += ["--groups=%s" % ",".join(map(str, groups))] if groups \
            else ["--clear-groups"]
        argv += ["--", shutil.which("python", path=env["PATH"]),
                 "-c", EXE_PY]
        return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=TIMEOUT)

    def test_a_record_made_in_a_group_is_not_replayed_without_it(self):
        gid = grp.getgrnam(test_user("pyshim-mallory").pw_name).gr_gid
        d = self.sb.mkdtemp("grp")
        pin = os.path.join(d, ".python-version")
        with open(pin, "w") as f:
            f.write("3\n")
        os.chown(pin, 0, gid)
        os.chmod(pin, 0o640)  # root's, readable by the group only
        settle()
        for _ in range(3):
            r = self.run_as(d, [gid])
            self.assertEqual(r.returncode, 0, r.stderr)
            settle()
        self.assertEqual(len(self.records()), 1)
        got = self.run_as(d, [])
        fresh = self.run_as(d, [], {"PYSHIM_NO_PLAN_CACHE": "1"})
        self.assertNotEqual(fresh.returncode, 0, fresh)
        self.assertIn("Permission denied", fresh.stderr)
        self.assertEqual((got.returncode, got.stdout, got.stderr),
                         (fresh.returncode, fresh.stdout, fresh.stderr))


    def test_a_record_of_another_user_is_not_used(self):
        """alice's record, given to pyshim-mallory (who could then have
        written it): never believed, the run decides."""
        d = self.sb.mkdtemp("owner")
        with open(os.path.join(d, ".python-version"), "w") as f:
            f.write("3\n")
        self.sb.give(d)
        settle()
        for _ in range(3):
            r = self.run_as(d, [])
            self.assertEqual(r.returncode, 0, r.stderr)
            settle()
        self.tamper(d)
        self.assertEqual(self.run_as(d, []).stdout.strip(), OTHER)
        mallory = test_user("pyshim-mallory")
        rec = self.record_for(d)
        os.chown(rec, mallory.pw_uid, mallory.pw_gid)
        os.chmod(rec, 0o644)  # readable by alice, writable by mallory only
        got = self.run_as(d, [])
        fresh = self.run_as(d, [], {"PYSHIM_NO_PLAN_CACHE": "1"})
        self.assertEqual(fresh.returncode, 0, fresh.stderr)
        self.assertEqual((got.returncode, got.stdout, got.stderr),
                         (fresh.returncode, fresh.stdout, fresh.stderr))


if __name__ == "__main__":
    unittest.main()
