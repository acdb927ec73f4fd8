"""`python` in a project runs the project's venv with the shared env
visible, for every interpreter installed; the shim is invisible: exit
codes, signals, stdin and stdout pass straight through."""
import json
import os
import signal
import sys
import unittest

from pyshimtest import (SandboxTest, per_interp, present_interps, make_venv,
                        site_packages, write, write_json, HELLO_PY)


class _Basics(SandboxTest):
    interp = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.shared = sb.make_shared("ai", cls.interp)
        cls.shared_sp = site_packages(cls.shared)
        cls.proj = os.path.join(sb.work, "proj")
        cls.venv = make_venv(cls.interp, os.path.join(cls.proj, ".venv"))
        cls.venv_sp = site_packages(cls.venv)
        write_json(os.path.join(cls.proj, ".pyshim.json"),
                   {"python": cls.interp.minor, "shared": ["ai"]})
        cls.deep = os.path.join(cls.proj, "src", "pkg", "deeper")
        os.makedirs(cls.deep)
        cls.script = write(os.path.join(cls.proj, "tools", "hello.py"), HELLO_PY)

    def assertProjectVenv(self, facts, name="python"):
        # the name typed reaches the venv's program of that name (issue 13
        # item 5), as running .venv/bin/NAME directly would
        self.assertEqual(facts["executable"], os.path.join(self.venv, "bin", name))
        self.assertEqual(facts["prefix"], self.venv)
        self.assertEqual(tuple(facts["version"]), self.interp.version)

    # -- which environment ------------------------------------------------

    def test_project_root_runs_venv(self):
        self.assertProjectVenv(self.hello(cwd=self.proj))

    def test_subdirectories_run_venv(self):
        for d in (os.path.join(self.proj, "src"), self.deep):
            with self.subTest(cwd=d):
                self.assertProjectVenv(self.hello(cwd=d))

    def test_python3_link_runs_venv(self):
        self.assertProjectVenv(self.hello("python3", cwd=self.deep), "python3")

    def test_pinned_minor_of_the_project_runs_venv(self):
        name = "python" + self.interp.minor
        self.assertProjectVenv(self.hello(name, cwd=self.deep), name)

    def test_pinned_other_minor_runs_that_version(self):
        others = [i for i in present_interps() if i.minor != self.interp.minor]
        if not others:
            self.skipTest("no second Python minor installed")
        other = others[0]
        facts = self.hello("python" + other.minor, cwd=self.proj)
        self.assertEqual(tuple(facts["version"][:2]), other.version[:2])
        self.assertNotEqual(facts["prefix"], self.venv)

    def test_sys_path_venv_before_shared(self):
        path = self.hello(cwd=self.proj)["path"]
        self.assertIn(self.venv_sp, path)
        self.assertIn(self.shared_sp, path)
        self.assertLess(path.index(self.venv_sp), path.index(self.shared_sp))
        self.assertIn(os.path.join(self.shared, "extra"), path)

    def test_hook_written_in_venv(self):
        self.hello(cwd=self.proj)
        hook = os.path.join(self.venv_sp, "_pyshim.pth")
        with open(hook) as f:
            text = f.read()
        self.assertIn(self.shared_sp, text)

    def test_shared_module_imports(self):
        code = ("import ai_mod, ai_mod_extra; print(ai_mod.WHERE);"
                " print(ai_mod_extra.WHERE)")
        for flags in ([], ["-I"], ["-E"], ["-s"]):
            with self.subTest(flags=flags):
                out = self.runpy(code, "python", *flags, cwd=self.deep).splitlines()
                self.assertEqual(out[0], os.path.join(self.shared_sp, "ai_mod.py"))
                self.assertEqual(out[1], os.path.join(self.shared, "extra",
                                                      "ai_mod_extra.py"))

    def test_no_pth_errors_on_stderr(self):
        # A broken hook line only prints "Error processing line ..." and
        # carries on: stderr must stay empty.
        r = self.sb.run("python", "-c", "import ai_mod_extra", cwd=self.proj)
        self.assertOK(r)

    def test_subprocess_sys_executable_sees_shared(self):
        code = ("import subprocess, sys; r = subprocess.run([sys.executable, '-c',"
                " 'import ai_mod, ai_mod_extra, sys; print(sys.prefix)'], env={},"
                " stdout=subprocess.PIPE, timeout=60); print(r.returncode);"
                " sys.stdout.write(r.stdout.decode())")
        out = self.runpy(code, cwd=self.proj).splitlines()
        self.assertEqual(out, ["0", self.venv])

    def test_venv_python_run_directly_sees_shared(self):
        # As an IDE or a kernel does, after the shim wrote the hook once.
        import subprocess
        self.hello(cwd=self.proj)
        r = subprocess.run([os.path.join(self.venv, "bin", "python"), "-I", "-c",
                            "import ai_mod_extra"], env={}, timeout=60,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual((r.returncode, r.stderr), (0, b""))

    def test_script_elsewhere_uses_its_project(self):
        # From a cwd outside any project, and from inside another one.
        other = self.sb.mkdtemp("other")
        write_json(os.path.join(other, ".pyshim.json"), {"python": self.interp.minor})
        for cwd in (self.sb.work, other):
            with self.subTest(cwd=cwd):
                r = self.sb.run("python", self.script, cwd=cwd)
                self.assertOK(r)
                self.assertProjectVenv(json.loads(r.stdout))
        rel = os.path.relpath(self.script, other)
        r = self.sb.run("python", "-u", rel, "arg1", cwd=other)
        self.assertOK(r)
        facts = json.loads(r.stdout)
        self.assertProjectVenv(facts)
        self.assertEqual(facts["argv"][1:], ["arg1"])
        self.assertEqual(facts["cwd"], other)

    def test_exec_and_auto_modes_agree(self):
        auto = self.hello(cwd=self.proj)
        for mode in ("exec", "auto"):
            with self.subTest(mode=mode):
                facts = self.hello(cwd=self.proj, env={"PYSHIM_MODE": mode})
                self.assertEqual(facts, auto)

    def test_pyshim_project_variable(self):
        facts = self.hello(cwd=self.sb.work, env={"PYSHIM_PROJECT": self.proj})
        self.assertProjectVenv(facts)

    # -- the shim is invisible --------------------------------------------

    def test_exit_codes(self):
        for code in (0, 1, 3, 255):
            with self.subTest(code=code):
                r = self.sb.run("python", "-c", "import sys; sys.exit(%d)" % code,
                                cwd=self.proj)
                self.assertEqual(r.returncode, code)
                self.assertEqual((r.stdout, r.stderr), ("", ""))

    def test_uncaught_exception_exit_1(self):
        r = self.sb.run("python", "-c", "raise SystemExit('boom')", cwd=self.proj)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "boom\n")

    def test_death_by_signal(self):
        r = self.sb.run("python", "-c",
                        "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
                        cwd=self.proj)
        self.assertEqual(r.returncode, -signal.SIGTERM)

    def test_stdin_binary_passthrough(self):
        data = bytes(range(256)) * 64 + b"\r\n\x00end"
        r = self.sb.run("python", "-c",
                        "import sys; d = sys.stdin.buffer.read();"
                        " sys.stdout.buffer.write(d[::-1])",
                        cwd=self.proj, input=data, text=False)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, b"")
        self.assertEqual(r.stdout, data[::-1])

    def test_stdout_is_exactly_the_programs(self):
        r = self.sb.run("python", "-c", "import sys; sys.stdout.write('x')",
                        cwd=self.proj, text=False)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"x", b""))
        r = self.sb.run("python", "-c", "pass", cwd=self.proj, text=False)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"", b""))

    def test_argv_passthrough(self):
        args = ["a b", "", "-c", "--", "ü", "*"]
        r = self.sb.run("python", "-c",
                        "import sys, json; print(json.dumps(sys.argv[1:]))",
                        *args, cwd=self.proj)
        self.assertOK(r)
        self.assertEqual(json.loads(r.stdout), args)


per_interp(_Basics, globals())


if __name__ == "__main__":
    unittest.main()
