"""The shim's own system calls on a warm run (issue 14): counted, not timed.

A warm `python -c pass` in exec mode, in a project deep below the sandbox
with a venv and a shared env, traced with strace from the shim's first
look at PYSHIM_HOME (after the loader and any sanitizer start-up) to its
execve of the venv's python:

- no readlink of a path component: real paths are resolved by the
  kernel in one open(O_PATH) (glibc's realpath made one readlink per
  component of each path and of each link target, so the count grew with
  the depth of the project);
- getuid is asked once, not once per directory judged;
- the directories above PYSHIM_HOME are judged once, not again for the
  cache dir inside it;
- a regular file read whole is read once, without the read that only
  returns 0 at its end.

Linux with strace only (skipped elsewhere).
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

from pyshimtest import SYSTEM, TIMEOUT, SandboxTest

STRACE = shutil.which("strace")


@unittest.skipUnless(sys.platform.startswith("linux") and STRACE,
                     "needs Linux and strace")
class WarmRunSyscalls(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        parts = ["d%d" % i for i in range(12)]
        cls.proj = os.path.join(sb.work, *parts)
        os.makedirs(cls.proj)
        r = sb.pyshim("shared", "create", "ai", "--python", SYSTEM.path)
        if r.returncode:
            raise RuntimeError("shared create failed: %r" % (r,))
        r = sb.pyshim("init", "--python", SYSTEM.path, "--shared", "ai",
                      cwd=cls.proj)
        if r.returncode:
            raise RuntimeError("init failed: %r" % (r,))
        cls.env = sb.envwith({"PYSHIM_MODE": "exec"})
        for _ in range(2):  # warm: hook written, facts cached
            sb.run("python", "-c", "pass", cwd=cls.proj, env=cls.env)
        cls.calls = cls.trace()

    @classmethod
    def trace(cls):
        out = os.path.join(cls.sb.root, "strace.out")
        argv = [STRACE, "-f", "-qq", "-o", out, "-s", "4096",
                os.path.join(cls.sb.bin, "python"), "-c", "pass"]
        r = subprocess.run(argv, cwd=cls.proj, env=cls.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        if r.returncode:
            raise RuntimeError("traced run failed: %r" % (r,))
        with open(out) as f:
            lines = f.read().splitlines()
        # the shim's part: from its first look at PYSHIM_HOME to the
        # execve of python (the loader and ASan's start-up come before)
        home = '"%s"' % cls.sb.pyshim_home
        start = next(i for i, l in enumerate(lines) if home in l)
        end = next(i for i, l in enumerate(lines)
                   if i > start and re.search(r"\bexecve\(", l))
        calls = [re.sub(r"^\d+\s+", "", l) for l in lines[start:end]]
        if not calls:
            raise RuntimeError("no syscalls traced")
        return calls

    def named(self, name):
        return [c for c in self.calls if c.startswith(name + "(")]

    def test_no_readlink_per_path_component(self):
        storm = [c for c in self.named("readlink")
                 if not c.startswith('readlink("/proc/self/')]
        self.assertEqual(storm, [], "\n".join(self.calls))

    def test_uid_asked_once(self):
        self.assertLessEqual(len(self.named("getuid")), 1,
                             "\n".join(self.calls))

    def test_dirs_above_pyshim_home_judged_once(self):
        above = '"%s"' % self.sb.root
        stats = [c for c in self.calls
                 if re.match(r"(newfstatat\(AT_FDCWD, |stat\(|lstat\()"
                             + re.escape(above), c)]
        self.assertEqual(len(stats), 1, "\n".join(self.calls))

    def test_whole_file_read_without_trailing_empty_read(self):
        empty = [c for c in self.named("read") if re.search(r"\)\s+= 0$", c)]
        self.assertEqual(empty, [], "\n".join(self.calls))


if __name__ == "__main__":
    unittest.main()
