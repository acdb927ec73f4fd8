"""Issue 12 item 4: `pyshim run CMD` runs a console script of the project
venv, else its shared envs, with the project's environment, from any
sub-directory (`pyshim exec` keeps working); and from a folder that is
not a project with --shared NAME or a default shared env in the global
config. Console scripts come from local wheels (no index); Debian's
`jupyter` (next to /usr/bin/python3) answers `jupyter --version`; no
server is started.
"""
import json
import os
import shutil
import unittest

from pyshimtest import SandboxTest, SYSTEM, build_wheel, write_json

DIST = "/usr/lib/python3/dist-packages"
TOOL = ("import json, os, sys\n"
        "def main():\n"
        "    print(json.dumps({'prefix': sys.prefix, 'cwd': os.getcwd(),\n"
        "                      'flag': os.environ.get('RUN_FLAG'),\n"
        "                      'args': sys.argv[1:]}))\n")


@unittest.skipIf(not SYSTEM.present, "no system python")
class RunProjectCommands(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.wheels = os.path.join(sb.root, "wheels")
        build_wheel(cls.wheels, "projtool", code=TOOL,
                    scripts={"projtool": "projtool:main"})
        build_wheel(cls.wheels, "sharedtool", code=TOOL,
                    scripts={"sharedtool": "sharedtool:main"})
        pipargs = ("install", "--no-index", "--find-links", cls.wheels)
        sb.make_shared("tools", SYSTEM, pip=True)
        r = sb.pyshim("shared", "pip", "tools", *pipargs, "sharedtool")
        assert r.returncode == 0, r
        cls.proj = os.path.join(sb.work, "proj")
        os.makedirs(cls.proj)
        r = sb.pyshim("init", "--python", SYSTEM.path, "--shared", "tools",
                      cwd=cls.proj)
        assert r.returncode == 0, r
        cfg = os.path.join(cls.proj, ".pyshim.json")
        with open(cfg) as f:
            conf = json.load(f)
        conf["env"] = {"RUN_FLAG": "from-config"}
        write_json(cfg, conf)
        r = sb.pyshim("trust", cwd=cls.proj)
        assert r.returncode == 0, r
        r = sb.run("pip", *pipargs, "projtool", cwd=cls.proj)
        assert r.returncode == 0, r
        cls.sub = os.path.join(cls.proj, "src", "deep")
        os.makedirs(cls.sub)
        cls.outside = os.path.join(sb.work, "lesson2025")
        os.makedirs(cls.outside)

    def facts(self, r):
        self.assertEqual(r.returncode, 0, r)
        return json.loads(r.stdout)

    def test_project_command_from_a_subdirectory(self):
        venv = os.path.join(self.proj, ".venv")
        for how in ("run", "exec"):
            with self.subTest(how=how):
                f = self.facts(self.sb.pyshim(how, "projtool", "a", "--help",
                                              cwd=self.sub))
                self.assertEqual(f["prefix"], venv)
                self.assertEqual(f["cwd"], self.sub)
                self.assertEqual(f["flag"], "from-config")
                self.assertEqual(f["args"], ["a", "--help"])
        # A shared env's command, run with the project's python.
        f = self.facts(self.sb.pyshim("run", "sharedtool", cwd=self.sub))
        self.assertEqual(f["prefix"], venv)
        self.assertEqual(f["flag"], "from-config")

    def test_named_shared_env_from_a_folder_that_is_not_a_project(self):
        r = self.sb.pyshim("run", "sharedtool", cwd=self.outside)
        self.assertShimError(r, "sharedtool")
        self.assertIn("pyshim: hint: outside a project: name a shared env (`pyshim run --shared NAME CMD`)", r.stderr)
        f = self.facts(self.sb.pyshim("run", "--shared", "tools", "sharedtool",
                                      "x", cwd=self.outside))
        self.assertEqual(f["prefix"], self.sb.shared_dir("tools"))
        self.assertEqual(f["cwd"], self.outside)
        self.assertIsNone(f["flag"])
        f = self.facts(self.sb.pyshim("exec", "--shared", "tools", "sharedtool",
                                      cwd=self.outside))
        self.assertEqual(f["prefix"], self.sb.shared_dir("tools"))
        # Only that env: not the project's command.
        r = self.sb.pyshim("run", "--shared", "tools", "projtool", cwd=self.proj)
        self.assertShimError(r, "projtool")
        r = self.sb.pyshim("run", "--shared", "nope", "sharedtool",
                           cwd=self.outside)
        self.assertShimError(r, "shared env 'nope' does not exist")
        r = self.sb.pyshim("run", "--shared", "../tools", "sharedtool",
                           cwd=self.outside)
        self.assertShimError(r, "not a shared env name")

    def test_global_default_shared_env(self):
        restore = self.sb.set_global_config({"shared": ["tools"]})
        self.addCleanup(restore)
        f = self.facts(self.sb.pyshim("run", "sharedtool", cwd=self.outside))
        # the same python as `python` there: the global config's overlay
        r = self.sb.run("python", "-c", "import sys; print(sys.prefix)",
                        cwd=self.outside)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(f["prefix"], r.stdout.strip())
        self.assertEqual(f["cwd"], self.outside)

    def test_usage(self):
        r = self.sb.pyshim("run")
        self.assertEqual(r.returncode, 64, r)
        r = self.sb.pyshim("run", "--help")
        self.assertEqual(r.returncode, 0, r)
        self.assertTrue(r.stdout.startswith("usage: pyshim run"), r.stdout)


@unittest.skipIf(not SYSTEM.present or not shutil.which("jupyter", path="/usr/bin")
                 or not os.path.isdir(os.path.join(DIST, "jupyter_core")),
                 "Debian's jupyter (jupyter-core) is not installed")
class RunJupyter(SandboxTest, unittest.TestCase):
    """`jupyter` next to the base interpreter (Debian's /usr/bin/jupyter),
    run with the project's python: it imports jupyter_core from the
    project's shared entry."""

    def test_jupyter_version_from_a_subdirectory(self):
        proj = os.path.join(self.sb.work, "nb")
        os.makedirs(os.path.join(proj, "notebooks"))
        r = self.sb.pyshim("init", "--python", SYSTEM.path, "--shared", DIST,
                           cwd=proj)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.pyshim("trust", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        r = self.sb.pyshim("run", "jupyter", "--version",
                           cwd=os.path.join(proj, "notebooks"))
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("jupyter_core", r.stdout)
        # `jupyter --paths` reports the interpreter's prefix: the venv's.
        r = self.sb.pyshim("run", "jupyter", "--paths", "--json",
                           cwd=os.path.join(proj, "notebooks"))
        self.assertEqual(r.returncode, 0, r)
        paths = json.loads(r.stdout)
        self.assertIn(os.path.join(proj, ".venv", "share", "jupyter"),
                      paths["data"])


if __name__ == "__main__":
    unittest.main()
