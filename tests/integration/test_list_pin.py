"""pyshim list and pyshim pin (issue 12 item 7): the interpreters pyshim
finds, where each came from and who uses it; .python-version written
atomically and checked against what is installed and requires-python.
The real binary, real interpreters, real venvs."""
import json
import os
import unittest

from pyshimtest import (PYENV, SandboxTest, present_interps, write,
                        write_json)


def two_pyenv():
    its = [i for i in PYENV if i.present]
    return its if len(its) >= 2 else None


class PinTest(SandboxTest, unittest.TestCase):

    def test_pin_writes_python_version_and_python_follows(self):
        its = two_pyenv()
        if not its:
            self.skipTest("needs two pyenv Pythons")
        it = its[0]
        d = self.sb.mkdtemp("pin")
        r = self.sb.pyshim("pin", it.minor, d)
        self.assertOK(r)
        self.assertIn("wrote %s" % os.path.join(d, ".python-version"), r.stdout)
        with open(os.path.join(d, ".python-version")) as f:
            self.assertEqual(f.read(), it.minor + "\n")
        self.assertEqual(tuple(self.hello(cwd=d)["version"]), it.version)
        r = self.sb.pyshim("pin", it.minor, d)
        self.assertOK(r)
        self.assertIn("nothing to change", r.stdout)
        # from inside the directory, no DIR
        r = self.sb.pyshim("pin", its[1].minor, cwd=d)
        self.assertOK(r)
        self.assertEqual(tuple(self.hello(cwd=d)["version"]), its[1].version)

    def test_pin_refuses_what_is_not_installed_unless_forced(self):
        d = self.sb.mkdtemp("pin")
        f = os.path.join(d, ".python-version")
        r = self.sb.pyshim("pin", "3.99", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)
        self.assertIn("--force", r.stderr)
        self.assertFalse(os.path.exists(f))
        r = self.sb.pyshim("pin", "--force", "3.99", d)
        self.assertOK(r)
        self.assertIn("not installed yet", r.stdout)
        with open(f) as fh:
            self.assertEqual(fh.read(), "3.99\n")

    def test_pin_refuses_paths_and_requires_python(self):
        its = two_pyenv()
        if not its:
            self.skipTest("needs two pyenv Pythons")
        d = self.sb.mkdtemp("pin")
        f = os.path.join(d, ".python-version")
        r = self.sb.pyshim("pin", "../bin/python", d)
        self.assertEqual(r.returncode, 64, r.stderr)
        write(os.path.join(d, "pyproject.toml"),
              '[project]\nrequires-python = ">=%s"\n' % its[-1].minor)
        r = self.sb.pyshim("pin", its[0].minor, d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("does not satisfy requires-python", r.stderr)
        self.assertFalse(os.path.exists(f))
        r = self.sb.pyshim("pin", its[-1].minor, d)
        self.assertOK(r)

    def test_pin_says_what_wins_over_it(self):
        its = two_pyenv()
        if not its:
            self.skipTest("needs two pyenv Pythons")
        d = self.sb.mkdtemp("pin")
        write_json(os.path.join(d, ".pyshim.json"), {"python": its[0].minor})
        r = self.sb.pyshim("pin", its[1].minor, d)
        self.assertOK(r)
        self.assertIn("wins over .python-version", r.stdout)


class ListTest(SandboxTest, unittest.TestCase):

    def test_list_shows_origin_and_users(self):
        its = two_pyenv()
        if not its:
            self.skipTest("needs two pyenv Pythons")
        self.sb.make_shared("ai", its[0])
        here = self.sb.mkdtemp("here")
        write(os.path.join(here, ".python-version"), its[1].minor + "\n")
        proj = self.sb.mkdtemp("proj")
        r = self.sb.pyshim("init", "--no-venv", "--python", its[0].minor, proj)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.pyshim("list", "--json", cwd=here)
        self.assertOK(r)
        data = json.loads(r.stdout)
        by_path = {os.path.realpath(i["path"]): i for i in data["interpreters"]}
        first = by_path[os.path.realpath(its[0].path)]
        second = by_path[os.path.realpath(its[1].path)]
        self.assertEqual(first["origin"], "pyenv")
        kinds0 = {(u["kind"], u.get("name") or u.get("project")) for u in first["used_by"]}
        self.assertIn(("shared", "ai"), kinds0)
        self.assertIn(("project", proj), kinds0)
        kinds1 = {(u["kind"], u.get("project")) for u in second["used_by"]}
        self.assertIn(("here", here), kinds1)
        self.assertEqual(data["unlisted"], [])
        r = self.sb.pyshim("list", cwd=here)
        self.assertOK(r)
        self.assertIn("used by: here (%s)" % here, r.stdout)
        self.assertIn("shared env 'ai'", r.stdout)
        self.assertIn(its[0].path, r.stdout)


if __name__ == "__main__":
    unittest.main()
