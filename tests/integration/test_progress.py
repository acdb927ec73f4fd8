"""Issue 12, item 7: progress lines for steps that take a while (a venv
made, a pip install) on a terminal only, honouring NO_COLOR.

The command runs on a real pseudo-terminal (the pty module, as the
confirmation tests do); piped, the same command prints no progress line."""
import os
import unittest

from pyshimtest import SandboxTest, SYSTEM, PYSHIM_BIN
from test_user_files import run_on_pty

LINE = "pyshim: making the venv "
DIM = "\x1b[2m"


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class ProgressLines(SandboxTest, unittest.TestCase):

    def init_on_pty(self, extra):
        proj = self.sb.mkdtemp("prog")
        env = self.sb.envwith(extra, drop=("NO_COLOR",))
        status, out = run_on_pty([PYSHIM_BIN, "init", "--python", SYSTEM.path],
                                 env, "", cwd=proj)
        self.assertEqual(status, 0, out)
        self.assertTrue(os.path.isdir(os.path.join(proj, ".venv")), out)
        return out

    def test_on_a_terminal_dimmed(self):
        out = self.init_on_pty({"TERM": "xterm"})
        self.assertIn(DIM + LINE + os.path.join(self.sb.work, ""), out)
        self.assertIn("...\x1b[0m", out)

    def test_no_color_and_dumb_terminal_plain(self):
        for extra in ({"TERM": "xterm", "NO_COLOR": "1"}, {"TERM": "dumb"}):
            out = self.init_on_pty(extra)
            self.assertIn(LINE, out, extra)
            self.assertNotIn("\x1b[", out, extra)

    def test_empty_no_color_is_not_set(self):
        # no-color.org: NO_COLOR counts when it is present and not empty
        out = self.init_on_pty({"TERM": "xterm", "NO_COLOR": ""})
        self.assertIn(DIM + LINE, out)

    def test_piped_no_progress(self):
        proj = self.sb.mkdtemp("piped")
        r = self.sb.pyshim("init", "--python", SYSTEM.path, cwd=proj)
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("making the venv", r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()
