"""Projects beside pyproject.toml (issue 12 item 6): requires-python
chooses the interpreter when nothing more specific asks, never lets a
Python outside it run the project, and [tool.pyshim] holds the keys of a
.pyshim.json. Real interpreters through the sandbox's `python` link."""
import json
import os
import stat
import unittest

from pyshimtest import (SandboxTest, make_venv, present_interps, test_user,
                        users_unavailable, write, write_json)


def newest(pred):
    """The newest (major, minor, micro) among the interpreters the tests
    know that satisfies pred, or None."""
    vers = [i.version for i in present_interps() if pred(i.version)]
    return max(vers) if vers else None


def minors():
    return sorted({i.version[:2] for i in present_interps()})


class PyprojectTest(SandboxTest, unittest.TestCase):

    def proj(self, toml, **files):
        d = self.sb.mkdtemp("pp")
        if toml is not None:
            write(os.path.join(d, "pyproject.toml"), toml)
        for name, text in files.items():
            write(os.path.join(d, name.replace("_", ".", 1) if name.startswith("_") else name), text)
        return d

    def version(self, d, name="python"):
        return tuple(self.hello(name, cwd=d)["version"])

    def test_requires_python_picks_the_newest_that_satisfies(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        lo = ms[-2]
        spec = ">=%d.%d" % lo
        d = self.proj('[project]\nname = "x"\nrequires-python = "%s"\n' % spec)
        want = newest(lambda v: v[:2] >= lo)
        self.assertEqual(self.version(d)[:2], want[:2])
        # an upper bound: the newest below it, not the newest installed
        d2 = self.proj('[project]\nrequires-python = ">=3.8, <%d.%d"\n' % ms[-1])
        want = newest(lambda v: (3, 8) <= v[:2] < ms[-1])
        self.assertEqual(self.version(d2)[:2], want[:2])
        # the wildcard and ~=
        d3 = self.proj('[project]\nrequires-python = "==%d.%d.*"\n' % lo)
        self.assertEqual(self.version(d3)[:2], lo)
        d4 = self.proj("[project]\nrequires-python = '~=%d.%d'\n" % lo)
        self.assertEqual(self.version(d4)[:2], newest(lambda v: v[:2] >= lo)[:2])

    def test_requires_python_outranks_the_global_python(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        restore = self.sb.set_global_config({"python": "%d.%d" % ms[0]})
        self.addCleanup(restore)
        d = self.proj('[project]\nrequires-python = ">=%d.%d"\n' % ms[-1])
        self.assertEqual(self.version(d)[:2], ms[-1])
        # a project that asks nothing still gets the global default
        d2 = self.proj('[project]\nname = "x"\n')
        r = self.sb.run("python", "-c", "import sys; print(*sys.version_info[:2])",
                        cwd=d2)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(tuple(int(x) for x in r.stdout.split()), ms[0])

    def test_python_version_file_wins_when_it_satisfies(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        lo = ms[-2]
        d = self.proj('[project]\nrequires-python = ">=%d.%d"\n' % lo)
        write(os.path.join(d, ".python-version"), "%d.%d\n" % lo)
        self.assertEqual(self.version(d)[:2], lo)

    def test_python_outside_the_specifier_is_refused(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        old, new = ms[0], ms[-1]
        toml = '[project]\nrequires-python = ">=%d.%d"\n' % new
        d = self.proj(toml)
        write(os.path.join(d, ".python-version"), "%d.%d\n" % old)
        r = self.sb.run("python", "-c", "print('ran')", cwd=d)
        err, hint = self.assertShimError(r, "requires-python", "pyproject.toml",
                                         ">=%d.%d" % new, "%d.%d" % old)
        self.assertIn("pyshim pin", hint)
        # the same from a .pyshim.json's "python"
        d2 = self.proj(toml)
        write_json(os.path.join(d2, ".pyshim.json"), {"python": "%d.%d" % old})
        r = self.sb.run("python", "-c", "print('ran')", cwd=d2)
        self.assertShimError(r, "requires-python", ".pyshim.json")
        # and from a python3.N name asking for an old one
        d3 = self.proj(toml)
        r = self.sb.run("python%d.%d" % old, "-c", "print('ran')", cwd=d3)
        self.assertShimError(r, "requires-python")

    def test_venv_of_another_python_is_refused(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        old, new = ms[0], ms[-1]
        interp = [i for i in present_interps() if i.version[:2] == old][0]
        d = self.proj('[project]\nrequires-python = ">=%d.%d"\n' % new)
        make_venv(interp, os.path.join(d, ".venv"))
        self.assertOK(self.sb.pyshim("trust", d), stderr_empty=False)
        r = self.sb.run("python", "-c", "print('ran')", cwd=d)
        self.assertShimError(r, "the venv", "requires-python", "pyproject.toml")

    def test_nothing_satisfies(self):
        d = self.proj('[project]\nrequires-python = ">=3.99"\n')
        r = self.sb.run("python", "-c", "print('ran')", cwd=d)
        self.assertShimError(r, "no installed Python satisfies", ">=3.99",
                             "pyproject.toml")

    def test_bad_specifier_and_bad_toml_name_the_line(self):
        d = self.proj('[project]\nname = "x"\nrequires-python = ">=3.12 <3.13"\n')
        r = self.sb.run("python", "-c", "pass", cwd=d)
        self.assertShimError(r, "pyproject.toml:3:", "requires-python")
        d = self.proj('[project]\nname = "x"\nname = "y"\n')
        r = self.sb.run("python", "-c", "pass", cwd=d)
        self.assertShimError(r, "pyproject.toml:3:1: key 'name' is defined twice")

    def test_pyproject_that_asks_nothing_is_no_marker(self):
        d = self.proj('[build-system]\nrequires = ["setuptools"]\n')
        r = self.sb.run("python", "-c", "pass", cwd=d,
                        env={"PYSHIM_DRYRUN": "1"})
        self.assertOK(r, stderr_empty=False)
        self.assertEqual(json.loads(r.stdout)["environment_kind"], "passthrough")

    def test_tool_pyshim_keys(self):
        ms = minors()
        lo = ms[0]
        d = self.proj('[project]\nname = "x"\n\n[tool.pyshim]\npython = "%d.%d"\n'
                      'mode = "exec"\n' % lo)
        self.assertEqual(self.version(d)[:2], lo)
        r = self.sb.run("python", "-c", "pass", cwd=d, env={"PYSHIM_DRYRUN": "1"})
        plan = json.loads(r.stdout)
        self.assertEqual(plan["config"], os.path.join(d, "pyproject.toml"))
        self.assertEqual(plan["project_kind"], "config")
        # a typo names the line and suggests the key
        d = self.proj('[tool.pyshim]\n\npyhton = "3.12"\n')
        r = self.sb.run("python", "-c", "pass", cwd=d)
        err, hint = self.assertShimError(r, "pyproject.toml:3:1:", "unknown key 'pyhton'")
        self.assertIn('did you mean "python"', hint)

    def test_tool_pyshim_may_not_run_things(self):
        d = self.proj('[tool.pyshim]\nenv = { A = "1" }\n')
        r = self.sb.run("python", "-c", "pass", cwd=d)
        err, hint = self.assertShimError(r, "[tool.pyshim]", "environment variables")
        self.assertIn(".pyshim.json", hint)
        d = self.proj('[tool.pyshim]\npython = "/usr/bin/python3"\n')
        r = self.sb.run("python", "-c", "pass", cwd=d)
        self.assertShimError(r, "[tool.pyshim]", "by path")

    def test_pyshim_json_wins_with_a_warning(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        d = self.proj('[tool.pyshim]\npython = "%d.%d"\n' % ms[0])
        write_json(os.path.join(d, ".pyshim.json"), {"python": "%d.%d" % ms[-1]})
        r = self.sb.run("python", "-c", "import sys; print(*sys.version_info[:2])", cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(tuple(int(x) for x in r.stdout.split()), ms[-1])
        self.assertIn("pyshim: warning: ignored", r.stderr)
        self.assertIn("[tool.pyshim]", r.stderr)

    def test_fifo_pyproject_never_blocks(self):
        d = self.proj(None)
        write(os.path.join(d, ".python-version"), "%d.%d\n" % minors()[0])
        os.mkfifo(os.path.join(d, "pyproject.toml"))
        r = self.sb.run("python", "-c", "print('ran')", cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "ran\n")
        self.assertIn("not a regular file", r.stderr)


class InitPyprojectTest(SandboxTest, unittest.TestCase):
    """pyshim init honours requires-python, and --pyproject writes the keys
    into [tool.pyshim] keeping every other byte."""

    TOML = ('# my project\n[project]\nname = "lesson"  # the name\n'
            'requires-python = ">=%d.%d"\ndependencies = [\n  "a",\n]\n\n'
            '[tool.black]\nline-length = 88\n')

    def test_init_pyproject_writes_tool_table_and_keeps_bytes(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        lo = ms[-2]
        d = self.sb.mkdtemp("ip")
        f = os.path.join(d, "pyproject.toml")
        before = self.TOML % lo
        write(f, before)
        os.chmod(f, 0o640)
        r = self.sb.pyshim("init", "--pyproject", d)
        self.assertOK(r, stderr_empty=False)
        want = newest(lambda v: v[:2] >= lo)[:2]
        with open(f) as fh:
            after = fh.read()
        self.assertTrue(after.startswith(before), after)
        self.assertEqual(after[len(before):],
                         '\n[tool.pyshim]\npython = "%d.%d"\n' % want)
        self.assertEqual(stat.S_IMODE(os.stat(f).st_mode), 0o640)
        self.assertFalse(os.path.exists(os.path.join(d, ".pyshim.json")))
        self.assertIn("[tool.pyshim]", r.stdout)
        got = self.hello("python", cwd=d)
        self.assertEqual(tuple(got["version"][:2]), want)
        self.assertEqual(got["prefix"], os.path.join(d, ".venv"))
        # again: nothing to change, the file untouched
        r = self.sb.pyshim("init", d)
        self.assertOK(r, stderr_empty=False)
        self.assertIn("nothing to change", r.stdout)
        with open(f) as fh:
            self.assertEqual(fh.read(), after)
        self.assertFalse(os.path.exists(os.path.join(d, ".pyshim.json")))

    def test_init_takes_requires_python(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        lo = ms[-2]
        d = self.sb.mkdtemp("ir")
        write(os.path.join(d, "pyproject.toml"), self.TOML % lo)
        r = self.sb.pyshim("init", "--no-venv", d)
        self.assertOK(r, stderr_empty=False)
        with open(os.path.join(d, ".pyshim.json")) as fh:
            cfg = json.load(fh)
        self.assertEqual(cfg["python"], "%d.%d" % newest(lambda v: v[:2] >= lo)[:2])

    def test_init_refuses_a_python_outside_requires_python(self):
        ms = minors()
        if len(ms) < 2:
            self.skipTest("needs two Python minors")
        d = self.sb.mkdtemp("ix")
        f = os.path.join(d, "pyproject.toml")
        write(f, self.TOML % ms[-1])
        r = self.sb.pyshim("init", "--pyproject", "--python", "%d.%d" % ms[0], d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("does not satisfy requires-python", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(d, ".venv")))
        with open(f) as fh:
            self.assertEqual(fh.read(), self.TOML % ms[-1])

    def test_init_pyproject_refusals(self):
        d = self.sb.mkdtemp("iy")
        r = self.sb.pyshim("init", "--pyproject", "--no-venv", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no '%s'" % os.path.join(d, "pyproject.toml"), r.stderr)
        write(os.path.join(d, "pyproject.toml"), '[project]\nname = "x"\n')
        write_json(os.path.join(d, ".pyshim.json"), {})
        r = self.sb.pyshim("init", "--pyproject", "--no-venv", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("wins over [tool.pyshim]", r.stderr)
        os.unlink(os.path.join(d, ".pyshim.json"))
        r = self.sb.pyshim("init", "--pyproject", "--no-venv", "--python",
                           "/usr/bin/python3", d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("would need trust", r.stderr)
        with open(os.path.join(d, "pyproject.toml")) as fh:
            self.assertEqual(fh.read(), '[project]\nname = "x"\n')


class PlantedPyprojectTest(SandboxTest, unittest.TestCase):
    """A pyproject.toml another user put there is not obeyed."""

    def test_foreign_pyproject_is_skipped(self):
        why = users_unavailable()
        if why:
            self.skipTest(why)
        mallory = test_user("pyshim-mallory")
        d = self.sb.mkdtemp("planted")
        f = os.path.join(d, "pyproject.toml")
        write(f, '[project]\nrequires-python = ">=3.99"\n')
        os.chown(f, mallory.pw_uid, mallory.pw_gid)
        write(os.path.join(d, ".python-version"), "%d.%d\n" % minors()[0])
        r = self.sb.run("python", "-c", "print('ran')", cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "ran\n")
        self.assertIn("owned by another user", r.stderr)


if __name__ == "__main__":
    unittest.main()
