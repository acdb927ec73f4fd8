"""Argument round trips: what the user typed is what Python gets.

pyshim.exe rebuilds its argv from GetCommandLineW and quotes it again for
CreateProcessW: every argument in the table must come out of the fake
python's CommandLineToArgvW (and its C runtime's parse) unchanged, on
pass-through and in a project. Embed mode has its own test (test_embed).
"""
import os
import unittest

import wintest
from wintest import TRICKY_ARGS, winpath, write_json


class _ArgvTests(object):
    def check(self, r, args):
        self.assertRan(r)
        self.assertEqual(r.report["argv"][1:], args,
                         "CommandLineToArgvW in the child; raw command line "
                         "%r" % (r.report["cmdline"],))
        self.assertEqual(r.report["crt_argv"][1:], args,
                         "the C runtime's argv in the child")

    def test_table(self):
        r = self.w.run(*TRICKY_ARGS, cwd=self.cwd)
        self.check(r, TRICKY_ARGS)
        self.assertSameWinPath(r.report["exe"],
                               winpath(os.path.join(self.fake, "python.exe")))

    def test_table_reversed(self):
        # Every argument next to other neighbours: an unbalanced quote
        # would swallow what follows it.
        args = list(reversed(TRICKY_ARGS))
        self.check(self.w.run(*args, cwd=self.cwd), args)

    def test_each_alone(self):
        # One at a time, so that one quoting fault cannot hide behind
        # (or be masked by) a neighbour.
        for a in TRICKY_ARGS:
            with self.subTest(arg=a[:40]):
                self.check(self.w.run(a, cwd=self.cwd), [a])

    def test_no_arguments(self):
        self.check(self.w.run(cwd=self.cwd), [])

    def test_trailing_backslash_then_more(self):
        args = ["C:\\dir\\", "next", "a b\\", "\\\\server\\share\\", "end"]
        self.check(self.w.run(*args, cwd=self.cwd), args)


class PassThrough(_ArgvTests, wintest.WorldTest, unittest.TestCase):
    """No project, no global config: the next python.exe on PATH."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = cls.w.install_fake("py312", "3.12.4")
        cls.cwd = cls.w.mkdtemp("plain")


class Project(_ArgvTests, wintest.WorldTest, unittest.TestCase):
    """A project asking for 3.12 (exec mode): the fake found on PATH."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.w.install_fake("py311", "3.11.9")
        cls.fake = cls.w.install_fake("py312", "3.12.4")
        cls.cwd = cls.w.mkdtemp("proj")
        write_json(os.path.join(cls.cwd, ".pyshim.json"),
                   {"python": "3.12", "mode": "exec"})


if __name__ == "__main__":
    unittest.main()
