"""Issue 11: one rule for Jupyter's user kernel dir (cli/kspec.c,
kspec_user_dir), used by `pyshim kernel` (which writes and lists there)
and by `pyshim doctor` (which checks, and with --fix removes, there).

Before, doctor had its own rule that disagreed with `kernel`'s: it
ignored a relative XDG_DATA_HOME (so it never saw the kernels `kernel
install` had just written there), and on Linux it also scanned
~/Library/Jupyter/kernels and %APPDATA%/jupyter/kernels, which Jupyter
never reads there, and `doctor --fix` deleted pyshim kernelspecs from
them. Now both name the same directory: what `kernel list` shows is
what doctor checks, nothing else.
"""
import json
import os
import unittest

from pyshimtest import SandboxTest, write_json


def stale_spec(path):
    """A kernelspec pyshim made whose program is gone."""
    write_json(os.path.join(path, "kernel.json"),
               {"argv": ["/nonexistent/bin/python", "-m", "ipykernel_launcher",
                         "-f", "{connection_file}"],
                "env": {"PYSHIM_PROJECT": ""}, "display_name": "ghost",
                "language": "python", "metadata": {"pyshim": {"auto": True}}})


class JupyterDirRule(SandboxTest, unittest.TestCase):

    def run_both(self, cwd, env):
        lst = self.sb.pyshim("kernel", "list", cwd=cwd, env=env)
        doc = self.sb.pyshim("doctor", "--json", cwd=cwd, env=env)
        checks = [c for c in json.loads(doc.stdout)
                  if c["check"] == "kernelspec"]
        return lst, checks

    def test_doctor_leaves_dirs_jupyter_does_not_read(self):
        home = self.sb.mkdtemp("home")
        proj = self.sb.mkdtemp("proj")
        for d in (os.path.join(home, "Library", "Jupyter", "kernels", "ghost"),
                  os.path.join(home, "appdata", "jupyter", "kernels", "ghost")):
            stale_spec(d)
        env = {"HOME": home, "APPDATA": os.path.join(home, "appdata"),
               "JUPYTER_DATA_DIR": "", "XDG_DATA_HOME": ""}
        lst, checks = self.run_both(proj, env)
        self.assertEqual(lst.returncode, 0, lst)
        self.assertNotIn("ghost", lst.stdout)
        self.assertEqual([c["status"] for c in checks], ["ok"], checks)
        r = self.sb.pyshim("doctor", "--fix", cwd=proj, env=env)
        self.assertTrue(os.path.isfile(os.path.join(
            home, "Library", "Jupyter", "kernels", "ghost", "kernel.json")), r)
        self.assertTrue(os.path.isfile(os.path.join(
            home, "appdata", "jupyter", "kernels", "ghost", "kernel.json")), r)

    def test_doctor_checks_where_kernel_lists_relative_xdg(self):
        home = self.sb.mkdtemp("home")
        proj = self.sb.mkdtemp("proj")
        stale_spec(os.path.join(proj, "xdg", "jupyter", "kernels", "ghost"))
        env = {"HOME": home, "JUPYTER_DATA_DIR": "", "XDG_DATA_HOME": "xdg"}
        lst, checks = self.run_both(proj, env)
        self.assertEqual(lst.returncode, 0, lst)
        self.assertIn("ghost", lst.stdout)
        self.assertEqual(len(checks), 1, checks)
        self.assertEqual(checks[0]["status"], "fail", checks)
        self.assertIn("ghost", checks[0]["detail"])


if __name__ == "__main__":
    unittest.main()
