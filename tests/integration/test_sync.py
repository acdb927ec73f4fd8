"""Issue 12, item 2 (and 9): the seed workflow for a year, as a user runs
it. A shared env and two projects, packages installed in both (through
the shim's `pip` and through `pyshim shared pip`), the freeze record equal
to `pip freeze` after every install; then the shared env is upgraded from
one Python minor to another, both projects are synced, and every package
is still there and importable.

Real interpreters (two pyenv minors: skipped without them), real venvs,
real pip with local wheels (build_wheel), no network: PIP_NO_INDEX=1
everywhere, the wheels come from --find-links or PIP_FIND_LINKS.

Kernels: project A's kernelspec (`pyshim kernel install`) is checked to
run the rebuilt venv on the new Python with every package, by running its
argv[0] and options as Jupyter would, with `-c` in place of
`-m ipykernel_launcher`: ipykernel itself cannot be installed offline
into a pyenv interpreter's env (Debian's is for /usr/bin/python3 only)."""
import json
import os
import shutil
import unittest

from pyshimtest import (SandboxTest, PYENV, PIP_TIMEOUT, SRC, build_wheel,
                        make_venv, pyshim_mark, write, write_json)

RECORD = "pyshim-requirements.txt"
ASIDE = ".pyshim-old-"
KEPT = ".pyshim-kept-"


def two_minors():
    present = [i for i in PYENV if i.present]
    return present[-2:] if len(present) >= 2 else None


def body(path):
    with open(path) as f:
        return [l for l in f.read().splitlines() if not l.startswith("#")]


def head(path):
    with open(path) as f:
        return f.read().splitlines()[:2]


@unittest.skipUnless(two_minors(), "needs two pyenv Python minors")
class TestSyncYear(SandboxTest, unittest.TestCase):
    """One scenario in order: the tests are its steps (test_1 ...)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old, cls.new = two_minors()
        cls.wheels = cls.sb.mkdtemp("wheels")
        for name, ver in (("alpha", "1.0"), ("beta", "2.0"),
                          ("gamma", "3.0")):
            build_wheel(cls.wheels, name, ver)
        build_wheel(cls.wheels, "delta", "4.0",
                    code="VERSION = '4.0'\n\ndef main():\n"
                         "    print('delta says hi')\n",
                    scripts={"delta-hi": "delta:main"})
        cls.offline = {"PIP_NO_INDEX": "1"}
        cls.links = dict(cls.offline, PIP_FIND_LINKS=cls.wheels)
        cls.ai = cls.sb.shared_dir("ai")

    # -- helpers --------------------------------------------------------

    def pyshim(self, *args, cwd=None, env=None):
        return self.sb.run("pyshim", *args, cwd=cwd, env=env,
                           timeout=PIP_TIMEOUT)

    def ok(self, r):
        self.assertEqual(r.returncode, 0,
                         "exit %s\nstdout: %s\nstderr: %s" %
                         (r.returncode, r.stdout, r.stderr))
        return r

    def pip_freeze(self, env_dir, *extra):
        r = self.sb.call([os.path.join(env_dir, "bin", "python"), "-m", "pip",
                          "freeze"] + list(extra), timeout=PIP_TIMEOUT)
        self.ok(r)
        return r.stdout.splitlines()

    def project_freeze_matches(self, proj):
        """`pyshim freeze` and the record equal the venv's own
        `pip freeze --local`; returns that list."""
        venv = os.path.join(proj, ".venv")
        want = self.pip_freeze(venv, "--local")
        r = self.ok(self.pyshim("freeze", cwd=proj))
        self.assertEqual(r.stdout.splitlines(), want)
        self.assertEqual(body(os.path.join(venv, RECORD)), want)
        return want

    def shared_freeze_matches(self):
        want = self.pip_freeze(self.ai)
        self.assertEqual(body(os.path.join(self.ai, RECORD)), want)
        return want

    def imports(self, proj, mods):
        code = ("import json, sys\n" +
                "".join("import %s\n" % m for m in mods) +
                "print(json.dumps({'v': list(sys.version_info[:2]), 'm': {%s}}))"
                % ", ".join("%r: %s.VERSION" % (m, m) for m in mods))
        r = self.sb.run("python", "-c", code, cwd=proj)
        self.ok(r)
        return json.loads(r.stdout)

    # -- the year -------------------------------------------------------

    def test_1_day_one(self):
        sb = self.sb
        self.ok(self.pyshim("shared", "create", "ai", "--python",
                            self.old.minor))
        r = self.ok(self.pyshim("shared", "pip", "ai", "install",
                                "--find-links", self.wheels, "alpha",
                                env=self.offline))
        self.assertIn("recorded the packages of 'ai'", r.stdout)
        self.assertIn("alpha==1.0", self.shared_freeze_matches())
        self.__class__.a = sb.mkdtemp("proj-a")
        self.__class__.b = sb.mkdtemp("proj-b")
        for proj in (self.a, self.b):
            self.ok(self.pyshim("init", "--shared", "ai", cwd=proj))
        # the shim's pip, in each project
        self.ok(sb.run("pip", "install", "beta", cwd=self.a, env=self.links,
                       timeout=PIP_TIMEOUT))
        self.assertEqual(self.project_freeze_matches(self.a), ["beta==2.0"])
        self.ok(sb.run("pip", "install", "gamma", cwd=self.b, env=self.links,
                       timeout=PIP_TIMEOUT))
        self.assertEqual(self.project_freeze_matches(self.b), ["gamma==3.0"])
        self.ok(sb.run("pip", "install", "delta", cwd=self.b, env=self.links,
                       timeout=PIP_TIMEOUT))
        self.assertEqual(self.project_freeze_matches(self.b),
                         ["delta==4.0", "gamma==3.0"])
        # and the shared env once more, through pyshim shared pip
        self.ok(self.pyshim("shared", "pip", "ai", "install", "gamma",
                            env=self.links))
        self.assertEqual(self.shared_freeze_matches(),
                         ["alpha==1.0", "gamma==3.0"])
        got = self.imports(self.a, ["alpha", "beta"])
        self.assertEqual(got["v"], list(self.old.version[:2]))
        # a kernel for project A (ipykernel itself cannot come offline)
        r = self.pyshim("kernel", "install", "--name", "year-a", cwd=self.a)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.kernel_run("year-a")["v"],
                         list(self.old.version[:2]))

    def kernel_run(self, name):
        """Run kernel NAME's argv as Jupyter would, from outside the
        project, with -c (alpha and beta imported) for ipykernel_launcher."""
        spec = os.path.join(self.sb.home, ".local", "share", "jupyter",
                            "kernels", name, "kernel.json")
        with open(spec) as f:
            k = json.load(f)
        argv = k["argv"][:k["argv"].index("-m")]
        code = ("import json, sys, alpha, beta\n"
                "print(json.dumps({'v': list(sys.version_info[:2]),"
                " 'exe': sys.executable}))")
        r = self.sb.call(argv + ["-c", code], cwd=self.sb.home,
                         env=k.get("env") or None)
        self.ok(r)
        return json.loads(r.stdout)

    def test_2_shared_remove_in_use_refused(self):
        r = self.pyshim("shared", "remove", "ai", "--yes")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("is used by", r.stderr)
        self.assertIn(self.a, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.ai, "pyvenv.cfg")))

    def test_3_failed_sync_changes_nothing(self):
        """No wheel anywhere for beta: sync names it and the project is
        left as it was."""
        venv = os.path.join(self.a, ".venv")
        cfg = os.path.join(venv, "pyvenv.cfg")
        with open(cfg) as f:
            before = f.read()
        r = self.pyshim("sync", "--force", cwd=self.a, env=self.offline)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("could not be reinstalled", r.stderr)
        self.assertIn("beta==2.0", r.stderr)
        self.assertIn("nothing was changed", r.stderr)
        self.assertIn(os.path.join(self.a, ASIDE + ".venv"), r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.a, ASIDE + ".venv")))
        with open(cfg) as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(self.imports(self.a, ["alpha", "beta"])["m"],
                         {"alpha": "1.0", "beta": "2.0"})

    def test_4_upgrade_shared_env(self):
        r = self.ok(self.pyshim("shared", "upgrade", "ai", "--python",
                                self.new.minor, "--find-links", self.wheels,
                                env=self.offline))
        self.assertIn("upgraded shared env 'ai' to Python %d.%d" %
                      self.new.version[:2], r.stdout)
        # both projects named, with the command that fixes them
        for proj in (self.a, self.b):
            self.assertIn("pyshim sync --python %s %s" % (self.new.minor, proj),
                          r.stdout)
        self.assertEqual(head(os.path.join(self.ai, RECORD))[1],
                         "# python %d.%d.%d" % self.new.version)
        self.assertEqual(self.shared_freeze_matches(),
                         ["alpha==1.0", "gamma==3.0"])
        self.assertFalse(os.path.exists(self.sb.shared_dir(ASIDE + "ai")))
        r = self.ok(self.pyshim("shared", "list"))
        self.assertNotIn(ASIDE, r.stdout)
        # still in use: still refused
        r = self.pyshim("shared", "remove", "ai", "--yes")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("is used by", r.stderr)

    def test_5_broken_project_says_sync(self):
        """Until synced, python in the project fails with a hint that
        works there, and doctor says the same."""
        r = self.sb.run("python", "-c", "import beta", cwd=self.a)
        self.assertNotEqual(r.returncode, 0)
        hint = [l for l in r.stderr.splitlines()
                if l.startswith("pyshim: hint:")]
        self.assertEqual(len(hint), 1, r.stderr)
        self.assertIn("pyshim sync --python %s" % self.new.minor, hint[0])
        self.assertNotIn("-m venv", hint[0])
        r = self.pyshim("doctor", cwd=self.a)
        self.assertIn("needs `pyshim sync`", r.stdout)
        self.assertIn("pyshim sync --python %s" % self.new.minor, r.stdout)

    def test_6_sync_both_projects(self):
        # A: --find-links; B: PIP_FIND_LINKS
        r = self.ok(self.pyshim("sync", "--python", self.new.minor,
                                "--find-links", self.wheels, cwd=self.a,
                                env=self.offline))
        self.assertIn("1 package reinstalled", r.stdout)
        r = self.ok(self.pyshim("sync", "--python", self.new.minor, self.b,
                                env=self.links))
        self.assertIn("2 packages reinstalled", r.stdout)
        want = list(self.new.version[:2])
        got = self.imports(self.a, ["alpha", "beta", "gamma"])
        self.assertEqual(got["v"], want)
        self.assertEqual(got["m"], {"alpha": "1.0", "beta": "2.0",
                                    "gamma": "3.0"})
        got = self.imports(self.b, ["alpha", "gamma", "delta"])
        self.assertEqual(got["v"], want)
        self.assertEqual(got["m"], {"alpha": "1.0", "gamma": "3.0",
                                    "delta": "4.0"})
        # the console script works (its shebang names the venv's python)
        r = self.sb.call([os.path.join(self.b, ".venv", "bin", "delta-hi")])
        self.ok(r)
        self.assertEqual(r.stdout, "delta says hi\n")
        self.assertEqual(self.project_freeze_matches(self.a), ["beta==2.0"])
        self.assertEqual(self.project_freeze_matches(self.b),
                         ["delta==4.0", "gamma==3.0"])
        for proj in (self.a, self.b):
            rec = os.path.join(proj, ".venv", RECORD)
            self.assertEqual(head(rec)[1], "# python %d.%d.%d" %
                             self.new.version)
            self.assertFalse(os.path.exists(os.path.join(proj,
                                                         ASIDE + ".venv")))
            with open(os.path.join(proj, ".pyshim.json")) as f:
                self.assertEqual(json.load(f)["python"], self.new.minor)
            r = self.pyshim("doctor", cwd=proj)
            self.assertNotIn("needs `pyshim sync`", r.stdout)
        # A's kernel runs the rebuilt venv, on the new Python, with its
        # packages and the shared env's
        got = self.kernel_run("year-a")
        self.assertEqual(got["v"], want)
        self.assertEqual(got["exe"], os.path.join(self.a, ".venv", "bin",
                                                  "python"))
        # nothing left to do
        r = self.ok(self.pyshim("sync", cwd=self.a, env=self.offline))
        self.assertIn("nothing to rebuild", r.stdout)


@unittest.skipUnless(two_minors(), "needs two pyenv Python minors")
class TestSyncAlone(SandboxTest, unittest.TestCase):
    """A project with no shared env whose config moved to another Python,
    and a sync a kill interrupted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old, cls.new = two_minors()
        cls.wheels = cls.sb.mkdtemp("wheels")
        build_wheel(cls.wheels, "beta", "2.0")
        cls.links = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": cls.wheels}

    def pyshim(self, *args, cwd=None, env=None):
        return self.sb.run("pyshim", *args, cwd=cwd, env=env,
                           timeout=PIP_TIMEOUT)

    def project(self):
        proj = self.sb.mkdtemp("alone")
        r = self.pyshim("init", "--python", self.old.minor, cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sb.run("pip", "install", "beta", cwd=proj, env=self.links,
                        timeout=PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        return proj

    def test_version_change_hint_is_pyshim_sync(self):
        proj = self.project()
        cfg = os.path.join(proj, ".pyshim.json")
        with open(cfg) as f:
            c = json.load(f)
        c["python"] = self.new.minor
        write_json(cfg, c)
        r = self.sb.run("python", "-c", "import beta", cwd=proj)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: hint: run `pyshim sync` in the project",
                      r.stderr)
        self.assertNotIn("-m venv", r.stderr)
        # the hint, typed where it was printed
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.sb.run("python", "-c",
                        "import sys, beta; print(*sys.version_info[:2])",
                        cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), [str(x) for x in
                                            self.new.version[:2]])

    def test_interrupted_sync_is_put_back(self):
        proj = self.project()
        venv = os.path.join(proj, ".venv")
        aside = os.path.join(proj, ASIDE + ".venv")
        # killed after the old venv was moved aside, the new half made
        os.rename(venv, aside)
        os.makedirs(venv)
        pyshim_mark(venv)
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("put back", r.stdout)
        self.assertFalse(os.path.exists(aside))
        r = self.sb.run("python", "-c", "import beta", cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_venv_without_pip_nor_record_keeps_its_packages(self):
        """pip gone from the venv and no record: the list comes from its
        *.dist-info dirs, and beta is still there after the rebuild."""
        proj = self.project()
        venv = os.path.join(proj, ".venv")
        self.assertFalse(os.path.exists(os.path.join(venv, RECORD)))
        site = [os.path.join(venv, "lib", n, "site-packages")
                for n in os.listdir(os.path.join(venv, "lib"))][0]
        shutil.rmtree(os.path.join(site, "pip"))
        r = self.pyshim("sync", "--force", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("dist-info", r.stdout)
        self.assertIn("1 package reinstalled", r.stdout)
        r = self.sb.run("python", "-c", "import beta; print(beta.VERSION)",
                        cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "2.0\n")

    def test_venv_made_by_hand_is_kept_aside(self):
        """A venv pyshim did not make may hold more than packages: after
        the rebuild it stays at the aside path, and sync says so."""
        proj = self.sb.mkdtemp("byhand")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.old.minor})
        make_venv(self.old, os.path.join(proj, ".venv"))
        write(os.path.join(proj, ".venv", "notes.txt"), "mine\n")
        r = self.pyshim("sync", "--force", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        kept = os.path.join(proj, KEPT + ".venv-1")
        self.assertIn("it is kept at %s" % kept, r.stdout)
        with open(os.path.join(kept, "notes.txt")) as f:
            self.assertEqual(f.read(), "mine\n")
        self.assertTrue(os.path.isfile(os.path.join(proj, ".venv",
                                                    "pyvenv.cfg")))
        # kept on purpose, not left by an interrupted rebuild: the next
        # sync does not take it for one
        self.assertFalse(os.path.exists(os.path.join(proj, ASIDE + ".venv")))
        r = self.pyshim("sync", "--force", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("interrupted", r.stdout + r.stderr)

    def test_trusted_venv_made_by_hand_is_kept_aside(self):
        """`pyshim trust` records a venv made by hand: that is no proof
        pyshim made it, so its old copy is kept after the rebuild."""
        proj = self.sb.mkdtemp("trusted")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.old.minor})
        make_venv(self.old, os.path.join(proj, ".venv"))
        write(os.path.join(proj, ".venv", "NOTES.txt"), "notes\n")
        r = self.pyshim("trust", proj, cwd=proj)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.pyshim("sync", "--force", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        kept = os.path.join(proj, KEPT + ".venv-1")
        self.assertIn("it is kept at %s" % kept, r.stdout)
        with open(os.path.join(kept, "NOTES.txt")) as f:
            self.assertEqual(f.read(), "notes\n")

    def test_committed_venv_code_never_runs(self):
        """Issue 10 item 4: a venv that came with the tree (not made by
        pyshim, not trusted) is code. `sync` rebuilds it without running
        its python (its .pth would run as the user): the list comes from
        its *.dist-info dirs, and the old venv is kept aside."""
        mark = os.path.join(self.sb.work, "committed-pth-ran")
        for args in (("--force",), ("--python", self.new.minor)):
            proj = self.sb.mkdtemp("committed")
            write_json(os.path.join(proj, ".pyshim.json"),
                       {"python": self.old.minor})
            venv = make_venv(self.old, os.path.join(proj, ".venv"))
            site = [os.path.join(venv, "lib", n, "site-packages")
                    for n in os.listdir(os.path.join(venv, "lib"))][0]
            write(os.path.join(site, "evil.pth"),
                  "import os; open(%r, 'a').write('ran\\n')\n" % mark)
            self.sb.give(proj)
            r = self.pyshim("sync", *args, cwd=proj, env=self.links)
            self.assertFalse(os.path.exists(mark),
                             "the committed venv's .pth ran: %s" % r.stdout)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("its python is not run", r.stdout)
            self.assertIn("dist-info", r.stdout)
            self.assertTrue(os.path.isfile(os.path.join(
                proj, KEPT + ".venv-1", "lib", os.path.basename(
                    os.path.dirname(site)), "site-packages", "evil.pth")))
            r = self.sb.run("python", "-c", "print('ok')", cwd=proj)
            self.assertEqual((r.returncode, r.stdout), (0, "ok\n"), r.stderr)
            self.assertFalse(os.path.exists(mark))

    def test_recover_keeps_a_dir_pyshim_did_not_make(self):
        """An old env aside and, at the venv's path, a dir without
        pyshim's half-made mark (the user's): refused, nothing removed."""
        proj = self.sb.mkdtemp("notours")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.old.minor})
        write(os.path.join(proj, ".venv", "keep", "data.txt"), "important\n")
        aside = os.path.join(proj, ASIDE + ".venv")
        write(os.path.join(aside, "pyvenv.cfg"), "")
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("pyshim did not make: nothing was changed", r.stderr)
        self.assertIn(aside, r.stderr)
        with open(os.path.join(proj, ".venv", "keep", "data.txt")) as f:
            self.assertEqual(f.read(), "important\n")
        self.assertTrue(os.path.isfile(os.path.join(aside, "pyvenv.cfg")))

    def hand_venv(self, name, interp):
        """A project holding only a .venv made by hand on interp (no
        config: the zero-config case), with beta installed by its pip."""
        proj = self.sb.mkdtemp(name)
        venv = make_venv(interp, os.path.join(proj, ".venv"), pip=True)
        r = self.sb.run(os.path.join(venv, "bin", "python"), "-m", "pip",
                        "install", "-q", "beta", env=self.links,
                        timeout=PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        return proj

    def runs(self, proj):
        r = self.sb.run("python", "-c",
                        "import sys, beta; print(*sys.version_info[:2])",
                        cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [int(x) for x in r.stdout.split()]

    def test_zero_config_venv_keeps_its_python_or_moves(self):
        """Only a .venv (no config): sync keeps its Python, and --python
        moves it (the venv's Python replaced, e.g. by a Homebrew
        upgrade) with every package, writing no config."""
        proj = self.hand_venv("zero", self.old)
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("nothing to rebuild", r.stdout)
        r = self.pyshim("sync", "--python", self.new.minor, cwd=proj,
                        env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.runs(proj), list(self.new.version[:2]))
        self.assertEqual(sorted(n for n in os.listdir(proj)
                                if not n.startswith(KEPT)), [".venv"])

    def test_zero_config_venv_of_a_python_gone(self):
        """The Python a config-less venv was made with is gone: the error
        says so and names the command that moves it."""
        proj = self.hand_venv("gone", self.old)
        cfg = os.path.join(proj, ".venv", "pyvenv.cfg")
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write("\n".join("version = 3.99.1" if l.startswith("version")
                              else l for l in text.splitlines()) + "\n")
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("3.99", r.stderr)
        self.assertIn("was made with it", r.stderr)
        self.assertIn("pyshim sync --python", r.stderr)

    def test_pyproject_requires_python(self):
        """requires-python picks the Python of a project configured only
        in pyproject.toml; a --python it excludes is refused."""
        proj = self.hand_venv("pp", self.old)
        write(os.path.join(proj, "pyproject.toml"),
              '[project]\nname = "pp"\nrequires-python = "==%s.*"\n'
              % self.new.minor)
        r = self.pyshim("sync", "--python", self.old.minor, cwd=proj,
                        env=self.links)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("does not satisfy requires-python", r.stderr)
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.runs(proj), list(self.new.version[:2]))

    def test_python_version_pin_moves_with_python(self):
        """A project pinned by .python-version: --python rewrites the pin,
        so python there keeps running the rebuilt venv."""
        proj = self.hand_venv("pin", self.old)
        pin = os.path.join(proj, ".python-version")
        write(pin, self.old.minor + "\n")
        r = self.pyshim("sync", "--python", self.new.minor, cwd=proj,
                        env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(pin) as f:
            self.assertEqual(f.read(), self.new.minor + "\n")
        self.assertEqual(self.runs(proj), list(self.new.version[:2]))

    def test_tool_pyshim_python_moves_with_python(self):
        """[tool.pyshim] python = OLD in pyproject.toml: --python NEW
        rewrites that key and keeps every other byte of the file."""
        proj = self.hand_venv("toolpy", self.old)
        pp = os.path.join(proj, "pyproject.toml")
        head_text = '[project]\nname = "toolpy"  # mine\n\n'
        write(pp, head_text + '[tool.pyshim]\npython = "%s"\n'
              % self.old.minor)
        os.chmod(pp, 0o600)
        r = self.pyshim("sync", "--python", self.new.minor, cwd=proj,
                        env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(pp) as f:
            text = f.read()
        self.assertTrue(text.startswith(head_text), text)
        self.assertIn('python = "%s"' % self.new.minor, text)
        self.assertNotIn('python = "%s"' % self.old.minor, text)
        self.assertEqual(os.stat(pp).st_mode & 0o777, 0o600)
        self.assertEqual(self.runs(proj), list(self.new.version[:2]))

    def test_planted_config_is_not_obeyed(self):
        """A .pyshim.json anyone could have written (mode 0666) is passed
        over by python there, and so by sync: the project's
        .python-version decides, nothing is rebuilt (review of session 5:
        sync read the file discovery had refused)."""
        proj = self.hand_venv("planted", self.old)
        write(os.path.join(proj, ".python-version"), self.old.minor + "\n")
        cfg = os.path.join(proj, ".pyshim.json")
        write_json(cfg, {"python": self.new.minor})
        os.chmod(cfg, 0o666)
        r = self.pyshim("sync", cwd=proj, env=self.links)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("nothing to rebuild", r.stdout)
        self.assertEqual(self.runs(proj), list(self.old.version[:2]))

    def test_pin_never_gets_a_path_nor_replaces_a_link(self):
        """--python goes into .python-version only as a version, and a
        .python-version that is a link (shared by the user) is not
        replaced: refused, the pin and the venv as they were."""
        proj = self.hand_venv("pinpath", self.old)
        pin = os.path.join(proj, ".python-version")
        write(pin, self.old.minor + "\n")
        r = self.pyshim("sync", "--python", self.new.path, cwd=proj,
                        env=self.links)
        self.assertEqual(r.returncode, 64, r.stdout + r.stderr)
        self.assertIn("is not a version", r.stderr)
        with open(pin) as f:
            self.assertEqual(f.read(), self.old.minor + "\n")
        shared = os.path.join(proj, "pv-shared")
        os.rename(pin, shared)
        os.symlink("pv-shared", pin)
        r = self.pyshim("sync", "--python", self.new.minor, cwd=proj,
                        env=self.links)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("is a link", r.stderr)
        self.assertTrue(os.path.islink(pin))
        with open(shared) as f:
            self.assertEqual(f.read(), self.old.minor + "\n")
        self.assertEqual(self.runs(proj), list(self.old.version[:2]))

    def test_help_is_in_the_docs(self):
        with open(os.path.join(SRC, "docs", "cli.md")) as f:
            doc = f.read()
        for cmd in ("sync", "shared"):
            r = self.sb.pyshim(cmd, "--help")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(r.stdout, doc, "docs/cli.md is stale for " + cmd)
        self.assertIn("upgrade NAME --python V", self.sb.pyshim(
            "shared", "--help").stdout)

    def test_shared_create_system_site_packages_refused(self):
        r = self.pyshim("shared", "create", "sys", "--system-site-packages")
        self.assertEqual(r.returncode, 64, r.stdout + r.stderr)
        self.assertIn("--system-site-packages is refused", r.stderr)
        self.assertIn("pyshim shared pip sys install", r.stderr)
        self.assertFalse(os.path.exists(self.sb.shared_dir("sys")))


if __name__ == "__main__":
    unittest.main()
