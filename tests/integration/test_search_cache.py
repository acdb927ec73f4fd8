"""The interpreter search cache (issue 14 item 3, launcher/icache.h).

A project without a venv (here: a .python-version asking for "3.91", a
minor no real interpreter has) needs the interpreter search on every run;
its answer is kept in CACHE/interp/search-XX and believed while every
directory and candidate file the search read is unchanged.

- an interpreter added to a PATH directory, re-pointed or removed is seen
  on the next run (guards: the search without a cache saw them too);
- a warm run answers from the record (its trace says so), and lists no
  directory and opens no candidate (strace): the same system calls but
  one stat per directory and per candidate, with 1 or 40 PATH
  directories (fails before the cache: each directory was listed, each
  candidate opened and read);
- a damaged record is a miss (re-searched, then replaced), and a record
  that is not the user's own and closed is never believed: one of another
  user, or writable by others, naming a "#!" script as the interpreter
  (a real search never lists one) is ignored, while the same record of
  the user's own is believed (the control).

The record is kept only when nothing it read changed in the last 50 ms
(2 s on a file system without sub-second times): the tests wait 0.3 s
after changing a directory before the run that should keep a record.
"""
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import unittest

from pyshimtest import SYSTEM, TIMEOUT, SandboxTest, write

STRACE = shutil.which("strace")
SETTLE = 0.3


def read(path):
    with open(path, "rb") as f:
        return f.read()


def settle():
    """Let the last change age past the cache's freshness window."""
    time.sleep(SETTLE)


class _Search(SandboxTest):
    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no %s" % SYSTEM.path)
        super().setUpClass()

    def setUp(self):
        sb = self.sb
        self.proj = sb.mkdtemp("proj")
        write(os.path.join(self.proj, ".python-version"), "3.91\n")
        self.pdir = sb.mkdtemp("pathdir")
        sb.give(self.proj)
        self.path = self.pdir + os.pathsep + sb.env["PATH"]
        self.interp_dir = os.path.join(sb.pyshim_home, "cache", "interp")

    def records(self):
        return sorted(glob.glob(os.path.join(self.interp_dir, "search-*")))

    def plan(self, extra_path=""):
        """The dry run's plan (PYSHIM_DRYRUN=1: resolve() only), or the
        CompletedProcess when it fails."""
        path = (extra_path + os.pathsep if extra_path else "") + self.path
        r = self.sb.run("python", "-c", "pass", cwd=self.proj,
                        env={"PATH": path, "PYSHIM_DRYRUN": "1"})
        if r.returncode:
            return r
        return json.loads(r.stdout)

    def assertPicks(self, plan, path):
        self.assertIsInstance(plan, dict, getattr(plan, "stderr", plan))
        self.assertEqual(plan["interpreter"], path)

    def assertNoMatch(self, r):
        self.assertNotIsInstance(r, dict, "a plan: %r" % (r,))
        self.assertEqual(r.returncode, 69, r.stderr)
        self.assertIn("no installed interpreter matches '3.91'", r.stderr)

    def from_cache(self, plan):
        return any("the search's answer from" in w for w in plan["why"])

    def link(self, name, target):
        p = os.path.join(self.pdir, name)
        os.symlink(target, p)
        return p


class SearchCache(_Search, unittest.TestCase):

    def test_added_repointed_and_removed_interpreters_are_seen(self):
        real = os.path.realpath(SYSTEM.path)
        self.assertNoMatch(self.plan())
        settle()
        self.assertNoMatch(self.plan())   # searched again, kept
        self.assertTrue(self.records(), "no search record kept")
        self.assertNoMatch(self.plan())   # from the record
        # installed: the directory changed
        p = self.link("python3.91", real)
        plan = self.plan()
        self.assertPicks(plan, p)
        self.assertFalse(self.from_cache(plan))
        settle()
        self.plan()
        plan = self.plan()
        self.assertPicks(plan, p)
        self.assertTrue(self.from_cache(plan), plan["why"])
        # another interpreter of the same minor in a directory before it
        first = self.sb.mkdtemp("first")
        q = os.path.join(first, "python3.91")
        os.symlink(real, q)
        plan = self.plan(first)
        self.assertPicks(plan, q)
        # removed: the directory changed
        os.unlink(p)
        os.unlink(q)
        self.assertNoMatch(self.plan(first))
        self.assertNoMatch(self.plan())

    def test_a_link_repointed_outside_the_searched_dirs_is_seen(self):
        """python3.91 -> a link elsewhere; the link elsewhere is made to
        point to a program that is not an interpreter: no searched
        directory changed, the candidate's identity did."""
        real = os.path.realpath(SYSTEM.path)
        other = self.sb.mkdtemp("other")
        mid = os.path.join(other, "py")
        os.symlink(real, mid)
        p = self.link("python3.91", mid)
        settle()
        self.plan()
        plan = self.plan()
        self.assertPicks(plan, p)
        self.assertTrue(self.from_cache(plan), plan["why"])
        script = write(os.path.join(other, "script"), "#!/bin/sh\nexit 0\n")
        os.chmod(script, 0o755)
        os.rename(script, mid)            # now a "#!" script: not listed
        self.assertNoMatch(self.plan())

    def test_damaged_records_are_misses(self):
        real = os.path.realpath(SYSTEM.path)
        p = self.link("python3.91", real)
        settle()
        self.plan()
        recs = self.records()
        self.assertTrue(recs)
        rng = random.Random(14)
        damages = [
            ("truncated", lambda b: b[:len(b) // 2]),
            ("no end line", lambda b: b[:-4]),
            ("empty", lambda b: b""),
            ("zeroed", lambda b: b"\0" * len(b)),
            ("garbage", lambda b: b"i " * 10000),
            ("random", lambda b: bytes(rng.randrange(256)
                                       for _ in range(len(b)))),
            ("an older format", lambda b: b.replace(b"pyshim-search 1",
                                                    b"pyshim-search 0", 1)),
            ("a bad number", lambda b: re.sub(rb"\nd \d+", b"\nd x", b, 1)),
        ]
        for name, damage in damages:
            for f in recs:
                with open(f, "rb") as fh:
                    orig = fh.read()
                with open(f, "wb") as fh:
                    fh.write(damage(orig))
            plan = self.plan()
            self.assertPicks(plan, p)
            self.assertFalse(self.from_cache(plan), name)
            # replaced by a good one
            plan = self.plan()
            self.assertPicks(plan, p)
            self.assertTrue(self.from_cache(plan), name)


class PlantedSearchRecord(_Search, unittest.TestCase):
    """As the real user pyshim-alice: a record naming a "#!" script as the
    interpreter (which a real search never lists) counts only when it is
    alice's own and no one else may write it."""

    sandbox_user = "pyshim-alice"

    def plant(self):
        """A genuine record whose entry for python3.91 now names a script
        that leaves a mark when run."""
        real = os.path.realpath(SYSTEM.path)
        self.link("python3.91", real)
        self.sb.give(self.pdir)
        settle()
        self.plan()
        # the record of this test's PATH (earlier tests kept others)
        recs = [r for r in self.records() if self.pdir.encode() in read(r)]
        self.assertEqual(len(recs), 1)
        self.mark = os.path.join(self.sb.root, "ran-" + self.id())
        evil = write(os.path.join(self.sb.root, "evil", "python3.91"),
                     "#!/bin/sh\ntouch '%s'\n" % self.mark)
        os.chmod(evil, 0o755)
        self.evil = evil
        with open(recs[0], "rb") as f:
            text = f.read()
        esc = self.pdir.encode().replace(b" ", b"\\x20")
        new = re.sub(rb"\ni " + re.escape(esc) + rb"/python3\.91 ",
                     b"\ni " + evil.encode() + b" ", text)
        self.assertNotEqual(new, text)
        with open(recs[0], "wb") as f:
            f.write(new)
        return recs[0]

    def assertNotBelieved(self):
        plan = self.plan()
        self.assertPicks(plan, os.path.join(self.pdir, "python3.91"))
        self.assertFalse(self.from_cache(plan))
        self.assertFalse(os.path.exists(self.mark))

    def test_record_of_another_user(self):
        rec = self.plant()
        mallory = __import__("pwd").getpwnam("pyshim-mallory")
        os.chown(rec, mallory.pw_uid, mallory.pw_gid)
        os.chmod(rec, 0o644)
        self.assertNotBelieved()

    def test_record_writable_by_others(self):
        rec = self.plant()
        self.sb.give(rec)
        os.chmod(rec, 0o666)
        self.assertNotBelieved()

    def test_own_closed_record_is_believed(self):
        """The control: the same record, alice's own and closed, is
        believed (so the refusals above are what kept it out)."""
        rec = self.plant()
        self.sb.give(rec)
        os.chmod(rec, 0o644)
        plan = self.plan()
        self.assertPicks(plan, self.evil)
        self.assertTrue(self.from_cache(plan))


@unittest.skipUnless(sys.platform.startswith("linux") and STRACE,
                     "needs Linux and strace")
class WarmSearchSyscalls(_Search, unittest.TestCase):
    """A warm run of a project without a venv lists no directory and
    opens no candidate: its system calls do not grow with PATH but by one
    stat per directory and per candidate."""

    def dirs(self, tag, n):
        """n PATH directories, each with a python3.90: a copy of a small
        native program (a distinct file: the search lists each), found,
        never asked for (no probe)."""
        src = shutil.which("true")
        out = []
        for i in range(n):
            d = os.path.join(self.sb.work, tag, "d%d" % i)
            os.makedirs(d)
            shutil.copy(src, os.path.join(d, "python3.90"))
            out.append(d)
        return os.pathsep.join(out)

    def calls(self, extra):
        # the search cache's own warm run: the plan cache would replay
        # its decision instead (test_plancache.py)
        env = dict(self.sb.envwith({"PATH": extra + os.pathsep + self.path,
                                    "PYSHIM_MODE": "exec",
                                    "PYSHIM_NO_PLAN_CACHE": "1"}))
        shim = os.path.join(self.sb.bin, "python")
        for _ in range(2):  # the second keeps the record
            r = subprocess.run([shim, "-c", "pass"], cwd=self.proj, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(self.sb.root, "strace.out")
        r = subprocess.run([STRACE, "-f", "-qq", "-o", out, shim, "-c", "pass"],
                           cwd=self.proj, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            lines = f.read().splitlines()
        end = next(i for i, l in enumerate(lines)
                   if i > 0 and re.search(r"\bexecve\(", l))
        names = [re.match(r"(?:\d+\s+)?(\w+)\(", l) for l in lines[:end]]
        return [m.group(1) for m in names if m]

    def test_warm_run_does_not_list_or_read(self):
        self.link("python3.91", os.path.realpath(SYSTEM.path))
        one = self.dirs("few", 1)
        many_dirs = self.dirs("many", 40)
        settle()
        few = self.calls(one)
        many = self.calls(many_dirs)
        self.assertEqual(many.count("getdents64"), few.count("getdents64"))
        self.assertEqual(many.count("openat"), few.count("openat"))
        stats = ("stat", "newfstatat", "statx", "lstat", "fstatat64")
        grown = sum(many.count(s) for s in stats) - \
            sum(few.count(s) for s in stats)
        # 39 more directories, each with one candidate: a stat each
        self.assertLessEqual(grown, 2 * 39)
        # and nothing else grows (memory management left out)
        mm = ("mmap", "munmap", "brk", "mprotect", "madvise", "mremap")
        rest = [c for c in set(few + many) if c not in stats + mm]
        self.assertEqual({c: many.count(c) - few.count(c) for c in rest
                          if many.count(c) != few.count(c)}, {})

if __name__ == "__main__":
    unittest.main()
