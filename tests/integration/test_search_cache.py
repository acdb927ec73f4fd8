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
            # past 64 bits (the fast reader leaves numbers over 19 digits
            # to the strict one, which refuses this)
            ("a number too long", lambda b: re.sub(
                rb"\nd \d+", b"\nd 123456789012345678901", b, 1)),
            ("a negative device", lambda b: re.sub(
                rb"\nd (\d+)", rb"\nd -\1", b, 1)),
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


    def test_lines_the_fast_reader_leaves_to_the_strict_one(self):
        """Lines icache_store never writes but the record format allows
        (a 20-digit number, a zero-padded one) and escaped paths (a PATH
        directory with a space) are read by the strict reader, between
        lines the fast one reads: still a hit, still the right pick (the
        dev build's ASan checks the mixed entries are freed right)."""
        real = os.path.realpath(SYSTEM.path)
        spaced = self.sb.mkdtemp("with space")
        p = os.path.join(spaced, "python3.91")
        os.symlink(real, p)
        other = self.sb.mkdtemp("plain")
        # another file (a link to real would be listed once, as 3.91)
        shutil.copy(shutil.which("true"), os.path.join(other, "python3.90"))
        extra = spaced + os.pathsep + other
        settle()
        self.plan(extra)
        plan = self.plan(extra)
        self.assertPicks(plan, p)
        self.assertTrue(self.from_cache(plan), plan["why"])
        recs = [r for r in self.records() if b"with\\x20space" in read(r)]
        self.assertEqual(len(recs), 1)
        text = read(recs[0])
        self.assertIn(b"\ni ", text)
        # the first d line's device, 20 digits with leading zeros; the
        # first f line's size zero-padded to 20 digits
        padded = re.sub(rb"\nd (\d+)",
                        lambda m: b"\nd " + m.group(1).rjust(20, b"0"),
                        text, 1)
        padded = re.sub(rb"\nf (\d+) (\d+) (\d+)",
                        lambda m: b"\nf %s %s %s" % (
                            m.group(1), m.group(2), m.group(3).rjust(20, b"0")),
                        padded, 1)
        self.assertNotEqual(padded, text)
        with open(recs[0], "wb") as f:
            f.write(padded)
        plan = self.plan(extra)
        self.assertPicks(plan, p)
        self.assertTrue(self.from_cache(plan), plan["why"])
        # and the record still names the directory with the space: the
        # pick of python3.90 from the same answer
        write(os.path.join(self.proj, ".python-version"), "3.90\n")
        plan = self.plan(extra)
        self.assertPicks(plan, os.path.join(other, "python3.90"))
        self.assertTrue(self.from_cache(plan), plan["why"])

    def test_what_a_hit_learns_is_kept_with_the_record_it_read(self):
        """A run answered from the record that learns more of its entries
        (here: two python3.91 tie, so both are asked for their micro
        version: one a program that is no Python, one a Python of
        another version) stores the record again, its "d" and "f" lines
        as it read them: the next run is a hit that asks nothing again."""
        fake = os.path.join(self.pdir, "python3.91")
        shutil.copy(shutil.which("true"), fake)
        second = self.sb.mkdtemp("second")
        os.symlink(os.path.realpath(SYSTEM.path),
                   os.path.join(second, "python3.91"))
        write(os.path.join(self.proj, ".python-version"), "3.92\n")
        settle()
        r = self.plan(second)              # no 3.92: nothing asked
        self.assertIn("no installed interpreter matches '3.92'", r.stderr)
        recs = [f for f in self.records() if second.encode() in read(f)]
        self.assertEqual(len(recs), 1)
        rec = recs[0]
        before = read(rec)
        self.assertNotRegex(before, rb"\ni [^ ]+ 3 91 -1 0 0 1 ")

        def dfs(text):
            return [l for l in text.split(b"\n") if l[:2] in (b"d ", b"f ")]

        write(os.path.join(self.proj, ".python-version"), "3.91\n")
        plan = self.plan(second)
        first = os.path.join(second, "python3.91")  # first on PATH
        self.assertPicks(plan, first)
        self.assertTrue(self.from_cache(plan), plan["why"])
        after = read(rec)
        self.assertNotEqual(after, before, "the record was not stored again")
        self.assertEqual(dfs(after), dfs(before))
        self.assertTrue(dfs(after))
        # both asked (probed 1), neither told a micro of 3.91
        self.assertEqual(len(re.findall(rb"\ni [^ ]+ 3 91 -1 0 0 1 ", after)),
                         2, after)
        plan = self.plan(second)
        self.assertPicks(plan, first)
        self.assertTrue(self.from_cache(plan), plan["why"])
        self.assertEqual(read(rec), after)


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
