"""The child process: job-object cleanup and inherited handles.

Windows has no exec: the shim spawns Python and waits. If the shim is
killed (Task Manager, a parent's TerminateProcess), the child must die with
it (a kill-on-close job object), and handles the caller made inheritable
(Jupyter's JPY_INTERRUPT_EVENT and JPY_PARENT_PID) must reach Python.
"""
import os
import unittest

import wintest
from wintest import winpath, write_json


class _ProcessTests(object):
    def test_killing_the_shim_kills_python(self):
        pidfile = os.path.join(self.w.root, "kill-%s.pid" % self.kind)
        r = self.w.run("-c", "pass", mode="kill-shim", cwd=self.cwd,
                       jobargs=[winpath(pidfile)],
                       env={"FAKEPY_SLEEP_MS": "20000"})
        self.assertEqual(r.returncode, 0, r)
        self.assertIn('"child_ended": true', r.stdout, r)

    def test_inherited_event_reaches_python(self):
        r = self.w.run("-c", "pass", mode="inherit", cwd=self.cwd)
        self.assertRan(r)
        self.assertIs(r.report["handle_ok"], True,
                      "the event jobctl made inheritable is not open in the "
                      "python behind the shim")
        self.assertEqual(r.report["env"]["JPY_INTERRUPT_EVENT"],
                         r.report["env"]["FAKEPY_HANDLE"])


class PassThrough(_ProcessTests, wintest.WorldTest, unittest.TestCase):
    kind = "pass"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.w.install_fake("py312", "3.12.4")
        cls.cwd = cls.w.mkdtemp("plain")


class Project(_ProcessTests, wintest.WorldTest, unittest.TestCase):
    kind = "proj"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.w.install_fake("py312", "3.12.4")
        cls.cwd = cls.w.mkdtemp("proj")
        write_json(os.path.join(cls.cwd, ".pyshim.json"),
                   {"python": "3.12", "mode": "exec"})


if __name__ == "__main__":
    unittest.main()
