"""Bad input: every mistake gives one `pyshim: error:` line and one
`pyshim: hint:` line, a non-zero exit, and no Python run. Odd but valid
input (spaces, non-ASCII, links to the shim on PATH) works."""
import json
import os
import re
import shutil
import subprocess
import time
import unittest

from pyshimtest import (SandboxTest, SYSTEM, present_interps, make_venv,
                        site_packages, write, write_json, TIMEOUT, Sandbox)

RAN = "print('RAN')"


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class BadInput(SandboxTest, unittest.TestCase):
    interp = SYSTEM

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sb.make_shared("ai", cls.interp)

    def project(self, cfg=None, raw=None, venv=False):
        d = self.sb.mkdtemp()
        if venv:
            make_venv(self.interp, os.path.join(d, ".venv"))
        if raw is not None:
            write(os.path.join(d, ".pyshim.json"), raw, "wb" if isinstance(raw, bytes) else "w")
        elif cfg is not None:
            write_json(os.path.join(d, ".pyshim.json"), cfg)
        return d

    def shim_error(self, cwd, *needles, name="python", env=None, args=None,
                   code=None):
        """The run fails as pyshim's error; code: the sysexits code
        docs/config.md promises."""
        r = self.sb.run(name, *(args or ["-c", RAN]), cwd=cwd, env=env)
        out = self.assertShimError(r, *needles)
        if code is not None:
            self.assertEqual(r.returncode, code, r.stderr)
        return out

    # -- the config file ---------------------------------------------------

    def test_malformed_json_names_line_and_column(self):
        d = self.project(raw='{\n  "python": "3.11"\n  "shared": ["ai"]\n}\n')
        cfg = os.path.join(d, ".pyshim.json")
        err, _ = self.shim_error(d, cfg, code=65)
        m = re.search(re.escape(cfg) + r":(\d+):(\d+): ", err)
        self.assertTrue(m, err)
        self.assertEqual(int(m.group(1)), 3, err)
        self.assertIn("JSON", err)

    def test_malformed_json_from_subdirectory(self):
        d = self.project(raw='{"python": }')
        sub = os.path.join(d, "a", "b")
        os.makedirs(sub)
        self.shim_error(sub, os.path.join(d, ".pyshim.json") + ":1:")

    def test_truncated_and_empty_config(self):
        for raw in ('{"python": "3.11"', "", "[]", '"3.11"', '{"python": "3.11"} {}'):
            with self.subTest(raw=raw):
                d = self.project(raw=raw)
                self.shim_error(d, os.path.join(d, ".pyshim.json"))

    def test_wrong_types(self):
        cases = [({"python": 3.11}, "python", "string"),
                 ({"shared": 5}, "shared", "array"),
                 ({"shared": [1]}, "shared", "string"),
                 ({"venv": True}, "venv", "string"),
                 ({"env": ["A=1"]}, "env", "object"),
                 ({"mode": "fast"}, "mode", "fast")]
        for cfg, key, word in cases:
            with self.subTest(cfg=cfg):
                d = self.project(cfg)
                err, _ = self.shim_error(d, os.path.join(d, ".pyshim.json") + ":", key, word,
                                         code=65)
                self.assertRegex(err, r"\.pyshim\.json:\d+:\d+: ")

    def test_unknown_key_suggests_nearest(self):
        d = self.project(raw='{\n  "shard": ["ai"]\n}\n')
        err, hint = self.shim_error(d, "shard", os.path.join(d, ".pyshim.json") + ":2:",
                                    code=65)
        self.assertIn('"shared"', err + hint)

    def test_utf16_config(self):
        d = self.project(raw='{"python": "3.11"}'.encode("utf-16"))
        self.shim_error(d, "UTF-16")

    def test_config_is_a_directory(self):
        d = self.project()
        os.mkdir(os.path.join(d, ".pyshim.json"))
        self.shim_error(d, os.path.join(d, ".pyshim.json"), code=65)

    def test_config_is_a_symlink_loop(self):
        d = self.project()
        os.symlink(".pyshim.json", os.path.join(d, ".pyshim.json"))
        self.shim_error(d, os.path.join(d, ".pyshim.json"), code=65)

    def test_global_config_malformed(self):
        g = self.sb.global_config
        self.addCleanup(self.sb.set_global_config('{"python": "3.11",,}'))
        self.shim_error(self.sb.work, g + ":1:", code=65)

    def test_python_version_file_garbage(self):
        d = self.project()
        write(os.path.join(d, ".python-version"), "\n\n")
        self.shim_error(d, ".python-version")

    def test_bad_mode_variable(self):
        d = self.project({"python": self.interp.minor})
        self.shim_error(d, "PYSHIM_MODE", env={"PYSHIM_MODE": "turbo"}, code=64)

    # -- interpreters and environments ---------------------------------------

    def test_version_nobody_installed(self):
        d = self.project({"python": "3.99"})
        err, hint = self.shim_error(d, "3.99", os.path.join(d, ".pyshim.json"),
                                    code=69)
        self.assertIn("installed", err)
        for it in present_interps():
            self.assertIn(it.minor, err)

    def test_version_nobody_installed_python_version_file(self):
        d = self.project()
        write(os.path.join(d, ".python-version"), "3.99.1\n")
        err, _ = self.shim_error(d, "3.99")
        self.assertIn(self.interp.minor, err)

    def test_not_a_version(self):
        d = self.project({"python": "latest-and-greatest"})
        self.shim_error(d, "latest-and-greatest")

    def test_missing_shared_env(self):
        d = self.project({"python": self.interp.minor, "shared": ["nope"]})
        self.shim_error(d, "nope", "does not exist", code=66)

    def test_missing_shared_env_with_venv(self):
        d = self.project({"shared": ["ai", "nope"]}, venv=True)
        self.shim_error(d, "nope")

    def test_broken_shared_env_no_python(self):
        broken = self.sb.shared_dir("nopy")
        make_venv(self.interp, broken)
        shutil.rmtree(os.path.join(broken, "bin"))
        d = self.project({"python": self.interp.minor, "shared": ["nopy"]})
        self.shim_error(d, "nopy", "broken")

    def test_broken_shared_env_no_site_packages(self):
        broken = self.sb.shared_dir("nolib")
        make_venv(self.interp, broken)
        shutil.rmtree(os.path.join(broken, "lib"))
        d = self.project({"python": self.interp.minor, "shared": ["nolib"]})
        self.shim_error(d, "nolib", "broken")

    def test_shared_env_of_another_version(self):
        others = [i for i in present_interps() if i.minor != self.interp.minor]
        if not others:
            self.skipTest("no second Python minor installed")
        other = others[-1]
        name = "other" + other.minor.replace(".", "")
        if not os.path.isdir(self.sb.shared_dir(name)):
            self.sb.make_shared(name, other)
        for venv in (False, True):
            with self.subTest(venv=venv):
                cfg = {"shared": [name]} if venv else \
                    {"python": self.interp.minor, "shared": [name]}
                d = self.project(cfg, venv=venv)
                err, _ = self.shim_error(d, name, other.minor, self.interp.minor,
                                         code=65)

    def test_venv_version_differs_from_request(self):
        others = [i for i in present_interps() if i.minor != self.interp.minor]
        if not others:
            self.skipTest("no second Python minor installed")
        d = self.project({"python": others[0].minor}, venv=True)
        self.shim_error(d, others[0].minor, self.interp.minor)

    def test_venv_base_interpreter_removed(self):
        # A venv made through a symlink to the interpreter; the link goes.
        tb = self.sb.mkdtemp("tb")
        os.symlink(os.path.realpath(self.interp.path), os.path.join(tb, "python3"))
        d = self.sb.mkdtemp()
        make_venv(os.path.join(tb, "python3"), os.path.join(d, ".venv"))
        write_json(os.path.join(d, ".pyshim.json"), {"shared": ["ai"]})
        shutil.rmtree(tb)
        err, _ = self.shim_error(d, os.path.join(d, ".venv"), "no longer exists",
                                 code=66)
        # It names what is gone, not the interpreter that still exists.
        self.assertIn(os.path.join(tb, "python3"), err)
        self.shim_error(d, name="pip", args=["--version"])

    def test_venv_named_in_config_missing(self):
        d = self.project({"venv": "env"})
        self.shim_error(d, "env", "does not exist")

    def test_venv_without_python(self):
        d = self.project({}, venv=True)
        shutil.rmtree(os.path.join(d, ".venv", "bin"))
        self.shim_error(d, ".venv")

    def test_untrusted_config_pointing_outside(self):
        outside = self.sb.mkdtemp("outside")
        make_venv(self.interp, os.path.join(outside, "v"))
        d = self.project({"shared": [os.path.join(outside, "v")]}, venv=True)
        err, hint = self.shim_error(d, "trust", code=77)
        self.assertIn("pyshim trust", hint)

    def test_trust_flow(self):
        outside = self.sb.mkdtemp("outside")
        v = make_venv(self.interp, os.path.join(outside, "v"))
        write(os.path.join(site_packages(v), "outside_mod.py"), "")
        d = self.project({"shared": [v]}, venv=True)
        self.shim_error(d, "not trusted", code=77)
        r = self.sb.pyshim("trust", d)
        if "unknown command" in r.stderr:
            self.skipTest("no `pyshim trust` in this build")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sb.run("python", "-c", "import outside_mod; print('ok')", cwd=d)
        self.assertOK(r)
        self.assertEqual(r.stdout, "ok\n")
        # An edit asks again.
        write_json(os.path.join(d, ".pyshim.json"), {"shared": [v, "ai"]})
        self.shim_error(d, "not trusted", code=77)

    def test_env_needs_trust(self):
        d = self.project({"python": self.interp.minor, "env": {"PYSHIM_T": "x"}})
        self.shim_error(d, "not trusted", code=77)

    # -- the process's surroundings ----------------------------------------

    def test_deleted_current_directory(self):
        d = self.project({"python": self.interp.minor})
        gone = os.path.join(d, "gone")
        os.mkdir(gone)
        r = subprocess.run(["/bin/sh", "-c", 'cd "$1" && rmdir "$1" && exec python -c "$2"',
                            "sh", gone, RAN], env=self.sb.env, cwd=d,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertShimError(r, "current directory")
        self.assertEqual(r.returncode, 71)

    def test_no_python_besides_the_shim(self):
        # PATH holds only pyshim's bin dir: an error, quickly, not a loop.
        self.addCleanup(self.sb.set_global_config(None))
        t = time.monotonic()
        r = self.sb.run("python", "-c", RAN, env={"PATH": self.sb.bin},
                        timeout=20)
        self.assertShimError(r, "PATH")
        self.assertEqual(r.returncode, 69)
        self.assertLess(time.monotonic() - t, 15)

    def test_venv_python_is_a_link_to_the_shim(self):
        d = self.project({}, venv=True)
        py = os.path.join(d, ".venv", "bin", "python")
        target = os.path.realpath(py)
        for n in ("python", "python3", os.path.basename(target)):
            p = os.path.join(d, ".venv", "bin", n)
            if os.path.lexists(p):
                os.unlink(p)
            os.symlink(os.path.join(self.sb.bin, "pyshim"), p)
        self.shim_error(d, "loop", code=125)

    def test_global_config_names_the_shim(self):
        self.addCleanup(self.sb.set_global_config(
            {"python": os.path.join(self.sb.bin, "python3")}))
        self.shim_error(self.sb.work, "loop", code=125)


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class OddButValid(SandboxTest, unittest.TestCase):
    """Spaces and non-ASCII in every path; other links to the shim."""
    interp = SYSTEM

    def test_spaces_and_non_ascii_everywhere(self):
        odd = os.path.join(self.sb.root, "my data ü 日本 $x")
        home = os.path.join(odd, "pyshim home é")
        env = {"PYSHIM_HOME": home}
        shared = make_venv(self.interp, os.path.join(home, "shared", "ai"))
        sp = site_packages(shared)
        write(os.path.join(sp, "odd_mod.py"), "")
        extra = os.path.join(shared, "ex tra ß")
        write(os.path.join(extra, "odd_extra.py"), "")
        write(os.path.join(sp, "nested.pth"), extra + "\n")
        proj = os.path.join(odd, "proj ect 'quoted' \"dq\" ç")
        venv = make_venv(self.interp, os.path.join(proj, ".venv"))
        lib = os.path.join(proj, "lib s ñ")
        write(os.path.join(lib, "local_mod.py"), "")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"shared": ["ai", "lib s ñ"]})
        sub = os.path.join(proj, "sub dir ø")
        os.makedirs(sub)
        code = ("import sys, odd_mod, odd_extra, local_mod; print(sys.prefix);"
                " print(odd_extra.__file__)")
        r = self.sb.run("python", "-I", "-c", code, cwd=sub, env=env)
        self.assertOK(r)
        self.assertEqual(r.stdout.splitlines(),
                         [venv, os.path.join(extra, "odd_extra.py")])
        # A script with such a path, from elsewhere; and the overlay.
        script = write(os.path.join(proj, "scr ipt é.py"),
                       "import sys, odd_mod; print(sys.prefix)\n")
        r = self.sb.run("python", script, cwd=self.sb.work, env=env)
        self.assertOK(r)
        self.assertEqual(r.stdout, venv + "\n")
        bare = os.path.join(odd, "bare ü")
        write_json(os.path.join(bare, ".pyshim.json"),
                   {"python": self.interp.minor, "shared": ["ai"]})
        r = self.sb.run("python", "-c", "import sys, odd_extra; print(sys.prefix)",
                        cwd=bare, env=env)
        self.assertOK(r)
        self.assertTrue(r.stdout.startswith(os.path.join(home, "overlays")), r.stdout)

    def test_python_on_path_linking_to_the_shim(self):
        # Another dir on PATH whose python is a link to pyshim: no loop,
        # the real python runs (pass-through: no global config).
        self.addCleanup(self.sb.set_global_config(None))
        lp = os.path.join(self.sb.root, "loopdir")
        os.makedirs(lp, exist_ok=True)
        for n in ("python", "python3"):
            if not os.path.lexists(os.path.join(lp, n)):
                os.symlink(os.path.join(self.sb.bin, "pyshim"), os.path.join(lp, n))
        path = os.pathsep.join([self.sb.bin, lp, "/usr/bin", "/bin"])
        for first in ([self.sb.bin, lp], [lp, self.sb.bin]):
            path = os.pathsep.join(first + ["/usr/bin", "/bin"])
            with self.subTest(path=path):
                r = self.sb.run("python", "-c", "import sys; print(sys.executable)",
                                env={"PATH": path}, timeout=20)
                self.assertOK(r)
                exe = r.stdout.strip()
                self.assertNotIn(os.path.dirname(exe), (self.sb.bin, lp))
                self.assertTrue(os.path.isfile(exe))
        self.addCleanup(self.sb.set_global_config(None))
        r = self.sb.run("python", "-c", RAN, env={"PATH": self.sb.bin + os.pathsep + lp},
                        timeout=20)
        self.assertShimError(r)

    def test_exec_takes_a_command_name_not_a_path(self):
        # `pyshim exec` looks a console script up in the env; an absolute
        # path is not one and is refused, never run with the project's env.
        marker = os.path.join(self.sb.root, "exec-ran")
        prog = write(os.path.join(self.sb.root, "prog"),
                     "#!/bin/sh\necho ran > %s\n" % marker)
        os.chmod(prog, 0o755)
        proj = self.sb.mkdtemp("execabs")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.interp.minor})
        r = self.sb.pyshim("exec", prog, cwd=proj)
        self.assertEqual(r.returncode, 69, r)
        self.assertIn("is not in the environment", r.stderr)
        self.assertFalse(os.path.exists(marker))

    def test_python_on_path_that_is_a_copy_of_the_shim(self):
        # A byte-for-byte copy of pyshim named python (what Windows installs
        # are, and what `cp` makes): no identity to compare, so the bytes
        # tell. Without that check each copy passes through to the other.
        self.addCleanup(self.sb.set_global_config(None))
        cp = os.path.join(self.sb.root, "copydir")
        os.makedirs(cp, exist_ok=True)
        real = os.path.realpath(os.path.join(self.sb.bin, "pyshim"))
        for n in ("python", "python3"):
            dst = os.path.join(cp, n)
            if not os.path.lexists(dst):
                shutil.copy2(real, dst)
        for first in ([self.sb.bin, cp], [cp, self.sb.bin]):
            path = os.pathsep.join(first + ["/usr/bin", "/bin"])
            with self.subTest(path=path):
                t = time.monotonic()
                r = self.sb.run("python", "-c", "import sys; print(sys.executable)",
                                env={"PATH": path}, timeout=20)
                self.assertLess(time.monotonic() - t, 15)
                self.assertOK(r)
                exe = r.stdout.strip()
                self.assertNotIn(os.path.dirname(exe), (self.sb.bin, cp))
        r = self.sb.run(os.path.join(cp, "python"), "-c", RAN,
                        env={"PATH": os.pathsep.join([cp, self.sb.bin])}, timeout=20)
        self.assertShimError(r)

    def test_wrapper_that_calls_python_again(self):
        # Another tool's shim on PATH that runs `python` from PATH again:
        # pyshim passes through to it once and must not ping-pong forever.
        wd = os.path.join(self.sb.root, "wrapdir")
        self.addCleanup(self.sb.set_global_config(None))
        w = write(os.path.join(wd, "python"), '#!/bin/sh\nexec python "$@"\n')
        os.chmod(w, 0o755)
        t = time.monotonic()
        r = self.sb.run("python", "-c", RAN,
                        env={"PATH": os.pathsep.join([self.sb.bin, wd, "/usr/bin", "/bin"])},
                        timeout=30)
        self.assertLess(time.monotonic() - t, 25)
        if r.returncode == 0:
            self.assertEqual(r.stdout, "RAN\n")
        else:
            self.assertShimError(r, "loop")


if __name__ == "__main__":
    unittest.main()
