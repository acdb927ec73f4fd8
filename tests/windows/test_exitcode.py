"""Exit codes: the shim hands back the child's code unchanged.

Seen from Windows (jobctl runexit prints GetExitCodeProcess of the shim),
all 32 bits must survive, including STILL_ACTIVE (259) and an NTSTATUS
crash code. Seen from Linux through wine64, only what Wine passes on
(wintest.unix_status). Both for pass-through and for a project.
"""
import json
import os
import unittest

import wintest
from wintest import EXIT_CODES, write_json


class ExitCodes(wintest.WorldTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = cls.w.install_fake("py312", "3.12.4")
        cls.plain = cls.w.mkdtemp("plain")
        cls.proj = cls.w.mkdtemp("proj")
        write_json(os.path.join(cls.proj, ".pyshim.json"),
                   {"python": "3.12", "mode": "exec"})

    def windows_code(self, code, cwd):
        r = self.w.run("-c", "pass", mode="runexit", cwd=cwd,
                       env={"FAKEPY_EXIT": str(code)})
        self.assertEqual(r.returncode, 0, r)
        self.assertIsNotNone(r.report, "no python ran: %r" % (r,))
        lines = r.stdout.strip().splitlines()
        self.assertTrue(lines, r)
        return json.loads(lines[-1])["exit"]

    def test_full_code_seen_from_windows(self):
        for where, cwd in (("pass-through", self.plain),
                           ("project", self.proj)):
            for code in EXIT_CODES:
                with self.subTest(where=where, code=code):
                    self.assertEqual(self.windows_code(code, cwd), code)

    def test_code_seen_from_linux(self):
        for code in (0, 1, 3, 255, 256, 3221225477):
            with self.subTest(code=code):
                r = self.w.run("-c", "pass", cwd=self.proj,
                               env={"FAKEPY_EXIT": str(code)})
                self.assertRan(r, wintest.unix_status(code))


if __name__ == "__main__":
    unittest.main()
