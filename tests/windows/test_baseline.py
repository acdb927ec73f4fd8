"""The control: Wine, jobctl and the fakes without pyshim.

If these fail, the other Windows tests cannot tell pyshim's faults from
the harness's: the argument table must survive Unix -> Wine -> jobctl ->
CreateProcessW -> the fake, exit codes must come back, and the fake DLL
must load and report through its exports.
"""
import os
import unittest

import wintest
from wintest import TRICKY_ARGS, winpath


class Baseline(wintest.WorldTest, unittest.TestCase):
    needs = (wintest.FAKE_PYTHON, wintest.FAKE_DLL, wintest.JOBCTL)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = cls.w.install_fake("base", version="3.12.4", dll=True)
        cls.fake_exe = os.path.join(cls.fake, "python.exe")

    def test_argv_table_round_trips_through_jobctl(self):
        r = self.w.run(*TRICKY_ARGS, exe=self.fake_exe)
        self.assertRan(r)
        self.assertEqual(r.report["argv"][1:], TRICKY_ARGS)
        self.assertEqual(r.report["crt_argv"][1:], TRICKY_ARGS)
        self.assertSameWinPath(r.report["exe"], winpath(self.fake_exe))

    def test_report_fields(self):
        r = self.w.run("x", exe=self.fake_exe, env={"FAKEPY_MARK": "m1"})
        self.assertRan(r)
        rep = r.report
        self.assertEqual(rep["env"].get("FAKEPY_MARK"), "m1")
        self.assertEqual(rep["env"]["PATH"], self.w.path())
        self.assertEqual(rep["env"]["USERPROFILE"], winpath(self.w.profile))
        self.assertSameWinPath(rep["cwd"], winpath(self.w.work))
        self.assertIsNone(rep["pyvenv_launcher"])
        self.assertIsNone(rep["handle_ok"])
        self.assertFalse(rep["embedded"])
        self.assertGreater(rep["pid"], 0)

    def test_probe_answers_like_cpython(self):
        r = self.w.run("-E", "-s", "-S", "-c", "import sysconfig", mode="run",
                       exe=self.fake_exe)
        self.assertEqual(r.returncode, 0, r)
        self.assertIsNone(r.report)
        facts = __import__("json").loads(r.stdout)
        self.assertEqual(facts["version"], "3.12.4")
        self.assertEqual(facts["impl"], "cpython")
        self.assertSameWinPath(facts["prefix"], winpath(self.fake))
        self.assertSameWinPath(facts["libpython"],
                               winpath(os.path.join(self.fake,
                                                    "python312.dll")))
        self.assertIs(facts["ext_managed"], False)

    def test_exit_codes(self):
        for code in wintest.EXIT_CODES + (512,):
            with self.subTest(code=code):
                r = self.w.run(exe=self.fake_exe, mode="runexit",
                               env={"FAKEPY_EXIT": str(code)})
                self.assertEqual(r.returncode, 0, r)
                last = r.stdout.strip().splitlines()[-1]
                self.assertEqual(__import__("json").loads(last),
                                 {"exit": code})
                # What a Unix parent sees (wintest.unix_status).
                r = self.w.run(exe=self.fake_exe,
                               env={"FAKEPY_EXIT": str(code)})
                self.assertEqual(r.returncode, wintest.unix_status(code), r)

    def test_inherited_event_reaches_a_direct_child(self):
        r = self.w.run("x", exe=self.fake_exe, mode="inherit")
        self.assertRan(r)
        self.assertIs(r.report["handle_ok"], True)
        self.assertEqual(r.report["env"]["JPY_INTERRUPT_EVENT"],
                         r.report["env"]["FAKEPY_HANDLE"])

    def test_handle_check_can_fail(self):
        # A made-up handle value is not an inherited event.
        r = self.w.run("x", exe=self.fake_exe, env={"FAKEPY_HANDLE": "4092"})
        self.assertRan(r)
        self.assertIs(r.report["handle_ok"], False)

    def test_kill_shim_sees_a_surviving_child(self):
        # A parent without a job object (a second jobctl in place of the
        # shim) leaves its child running when killed: kill-shim says so.
        pidfile = os.path.join(self.w.root, "base.pid")
        r = self.w.run("run", winpath(self.fake_exe), "x",
                       exe=wintest.JOBCTL, mode="kill-shim",
                       jobargs=[winpath(pidfile)],
                       env={"FAKEPY_SLEEP_MS": "8000"})
        self.assertEqual(r.returncode, 0, r)
        self.assertIn('"child_ended": false', r.stdout, r)


if __name__ == "__main__":
    unittest.main()
