"""Security: what a cloned repository, a planted file or a planted symlink
can make pyshim do (DESIGN.md "Trust").

- a `.pyshim.json` that names an interpreter by path, sets `env`, or points
  outside its tree runs nothing until `pyshim trust`; an edit (or a copy at
  another path) revokes that trust;
- a program shipped inside the tree (`.venv/bin/python` as a script or a
  link to one, `"python": "./evil/python"`) is never executed untrusted,
  by `python`, `pip`, `pyshim which/doctor/exec/kernel install`;
- a marker file in a directory writable by others, or owned by another
  user, is ignored and reported on stderr;
- generated files are written through exclusive temp names and renamed:
  a symlink planted at the hook, a cache record, a kernel.json or an
  overlay dir is never written through, and nothing is written outside
  the project, its venv and PYSHIM_HOME (trees snapshotted before/after).

Every "evil" program here is a shell script that creates a marker file:
the marker's absence proves it never ran.
"""
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import unittest

from pyshimtest import (SYSTEM, TIMEOUT, SandboxTest, fnv1a64, make_venv,
                        site_packages, write, write_json)

FIGURES = {"untrusted_runs_refused": 0, "evil_programs_not_run": 0,
           "symlinks_planted": 0}


def tearDownModule():
    import sys
    sys.stderr.write("\nsecurity figures: %s\n" % FIGURES)


def evil_program(path, marker, then=None):
    """A 'python' that leaves marker behind (then execs `then`, if any)."""
    body = "#!/bin/sh\necho ran >> %s\n" % marker
    if then:
        body += 'exec %s "$@"\n' % then
    write(path, body)
    os.chmod(path, 0o755)
    return path


def snapshot(*roots):
    """path -> (kind, content digest or link target), for every entry."""
    snap = {}
    for root in roots:
        for dirpath, dirnames, files in os.walk(root):
            for n in dirnames + files:
                p = os.path.join(dirpath, n)
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    snap[p] = ("link", os.readlink(p))
                elif stat.S_ISDIR(st.st_mode):
                    snap[p] = ("dir", stat.S_IMODE(st.st_mode))
                else:
                    with open(p, "rb") as f:
                        snap[p] = ("file", hashlib.sha256(f.read()).hexdigest(),
                                   stat.S_IMODE(st.st_mode))
    return snap


def changed(before, after):
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k))


class _Base(SandboxTest):
    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no system python")
        super().setUpClass()
        cls.outside = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-sec-"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.outside, ignore_errors=True)
        super().tearDownClass()

    def marker(self, name):
        m = os.path.join(self.outside, "marker-" + name)
        if os.path.exists(m):
            os.unlink(m)
        self.addCleanup(self.assertNoMarkerLeft, m)
        return m

    def assertNoMarkerLeft(self, m):
        pass

    def assertNotRun(self, marker, what=""):
        self.assertFalse(os.path.exists(marker),
                         "the untrusted program ran %s" % what)
        FIGURES["evil_programs_not_run"] += 1

    def assertRefused(self, r, *needles):
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("not trusted", r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)
        self.assertEqual(r.stdout, "")
        FIGURES["untrusted_runs_refused"] += 1

    def entry_points(self, proj, marker_code):
        """Every way a user reaches a project's python: results."""
        sb = self.sb
        script = write(os.path.join(proj, "tool.py"), marker_code)
        minor = "python" + SYSTEM.minor
        return {
            "python": sb.run("python", "-c", marker_code, cwd=proj),
            "python3": sb.run("python3", "-c", marker_code, cwd=proj),
            minor: sb.run(minor, "-c", marker_code, cwd=proj),
            "script from elsewhere": sb.run("python", script, cwd=sb.work),
            "PYSHIM_PROJECT": sb.run("python", "-c", marker_code,
                                     cwd=sb.work,
                                     env={"PYSHIM_PROJECT": proj}),
            "pip": sb.run("pip", "--version", cwd=proj),
        }


class UntrustedConfig(_Base, unittest.TestCase):
    """Configs that decide what runs need `pyshim trust`, by content."""

    def setUp(self):
        self.proj = self.sb.mkdtemp("clone")

    def check_gated(self, cfg, code_marker, needle):
        """cfg is refused on every entry point until trusted; after trust
        it runs; an edit revokes; a copy elsewhere is not trusted."""
        sb = self.sb
        write_json(os.path.join(self.proj, ".pyshim.json"), cfg)
        code = "open(%r, 'a').close()" % code_marker
        for how, r in self.entry_points(self.proj, code).items():
            self.assertRefused(r, needle)
            self.assertFalse(os.path.exists(code_marker), how)
        for cmd in (("which",), ("exec", "python", "-c", code)):
            r = sb.pyshim(*cmd, cwd=self.proj)
            self.assertNotEqual(r.returncode, 0, (cmd, r.stdout))
            self.assertIn("not trusted", r.stdout + r.stderr)
        self.assertFalse(os.path.exists(code_marker))
        t = sb.pyshim("trust", self.proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = sb.run("python", "-c", code, cwd=self.proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(code_marker))
        os.unlink(code_marker)
        # one byte more: trust is gone
        with open(os.path.join(self.proj, ".pyshim.json"), "a") as f:
            f.write(" ")
        self.assertRefused(sb.run("python", "-c", code, cwd=self.proj))
        # the same bytes at another path are another config
        with open(os.path.join(self.proj, ".pyshim.json"), "rb") as f:
            data = f.read()
        sb.pyshim("trust", self.proj)
        self.assertEqual(sb.run("python", "-c", "pass",
                                cwd=self.proj).returncode, 0)
        copy = sb.mkdtemp("copy")
        write(os.path.join(copy, ".pyshim.json"), data, "wb")
        for rel in ("evil",):
            if os.path.isdir(os.path.join(self.proj, rel)):
                shutil.copytree(os.path.join(self.proj, rel),
                                os.path.join(copy, rel), symlinks=True)
        self.assertRefused(sb.run("python", "-c", code, cwd=copy))
        self.assertFalse(os.path.exists(code_marker))

    def test_python_by_path_outside(self):
        m = self.marker("outside-interp")
        evil = evil_program(os.path.join(self.outside, "bin", "python3"), m,
                            then=SYSTEM.path)
        self.check_gated({"python": evil}, self.marker("code1"), "by path")
        # it ran only after trust (the probe and the runs)
        self.assertTrue(os.path.exists(m))

    def test_env(self):
        m = self.marker("startup")
        startup = write(os.path.join(self.proj, "startup.py"),
                        "open(%r, 'a').close()\n" % m)
        self.check_gated({"env": {"PYTHONSTARTUP": startup,
                                  "LD_PRELOAD": "/nonexistent.so"}},
                         self.marker("code2"), "environment")

    def test_venv_outside_tree(self):
        other = make_venv(SYSTEM, os.path.join(self.outside, "ovenv"))
        self.check_gated({"venv": other}, self.marker("code3"), "outside")

    def test_shared_path_outside_tree(self):
        sp = os.path.join(self.outside, "oshared")
        write(os.path.join(sp, "x.pth"), "import os\n")
        self.check_gated({"shared": [sp]}, self.marker("code4"), "outside")

    def test_venv_path_escaping_by_dots_or_symlink(self):
        """"venv": "sub/../../x" and an in-tree symlink to an outside venv
        are outside the tree too."""
        other = make_venv(SYSTEM, os.path.join(self.outside, "ovenv2"))
        rel = os.path.relpath(other, self.proj)
        write_json(os.path.join(self.proj, ".pyshim.json"),
                   {"venv": "sub/../" + rel})
        self.assertRefused(self.sb.run("python", "-c", "pass", cwd=self.proj))
        os.symlink(other, os.path.join(self.proj, "lnk"))
        write_json(os.path.join(self.proj, ".pyshim.json"), {"venv": "lnk"})
        r = self.sb.run("python", "-c", "import sys; print(sys.prefix)",
                        cwd=self.proj)
        self.assertRefused(r)


    def check_init_refuses(self, cfg, needle, marker):
        """`pyshim init` in a clone whose config is not trusted runs
        nothing it names and trusts nothing: the shim's error, what would
        be trusted, and python still refuses afterwards."""
        sb = self.sb
        cfgfile = write_json(os.path.join(self.proj, ".pyshim.json"), cfg)
        with open(cfgfile, "rb") as f:
            before = f.read()
        r = sb.pyshim("init", self.proj)
        self.assertNotRun(marker, "through `pyshim init`: %r" % (r,))
        self.assertEqual(r.returncode, 77, r.stdout + r.stderr)
        self.assertIn("not trusted", r.stderr)
        self.assertIn(needle, r.stderr)
        self.assertIn("pyshim trust", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.proj, ".venv")))
        with open(cfgfile, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertRefused(sb.run("python", "-c", "pass", cwd=self.proj),
                           needle)
        self.assertNotRun(marker, "after `pyshim init`")

    def test_init_does_not_run_an_untrusted_python(self):
        m = self.marker("init-python")
        evil_program(os.path.join(self.proj, "evil", "python"), m,
                     then=SYSTEM.path)
        self.check_init_refuses({"python": "./evil/python"}, "by path", m)

    def test_init_does_not_trust_untrusted_env(self):
        m = self.marker("init-env")
        startup = write(os.path.join(self.proj, "startup.py"),
                        "open(%r, 'a').close()\n" % m)
        self.check_init_refuses({"python": SYSTEM.minor,
                                 "env": {"PYTHONSTARTUP": startup}},
                                "environment", m)
        # with nothing to change (the venv exists), init trusted it silently
        make_venv(SYSTEM, os.path.join(self.proj, ".venv"))
        r = self.sb.pyshim("init", self.proj)
        self.assertEqual(r.returncode, 77, r.stdout + r.stderr)
        self.assertRefused(self.sb.run("python", "-i", cwd=self.proj,
                                       input=""), "environment")
        self.assertNotRun(m, "after `pyshim init` in a ready project")

    def test_init_trusts_what_it_wrote(self):
        """After `pyshim trust`, init works and trusts its own edit."""
        sb = self.sb
        m = self.marker("init-ok")
        startup = write(os.path.join(self.proj, "startup.py"),
                        "open(%r, 'a').close()\n" % m)
        write_json(os.path.join(self.proj, ".pyshim.json"),
                   {"python": SYSTEM.minor,
                    "env": {"PYTHONSTARTUP": startup}})
        self.assertEqual(sb.pyshim("trust", self.proj).returncode, 0)
        r = sb.pyshim("init", self.proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = sb.run("python", "-i", cwd=self.proj, input="")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(m))


class ShippedPrograms(_Base, unittest.TestCase):
    """A python inside the project tree is somebody's program."""

    def fake_venv(self, proj, python_target_abs=None, link_to=None):
        """proj/.venv as a clone would have it: pyvenv.cfg (home: the
        system python's dir) and bin/python a script, or a link."""
        venv = os.path.join(proj, ".venv")
        os.makedirs(os.path.join(venv, "bin"))
        os.makedirs(os.path.join(venv, "lib", "python" + SYSTEM.minor,
                                 "site-packages"))
        write(os.path.join(venv, "pyvenv.cfg"),
              "home = %s\ninclude-system-site-packages = false\n"
              "version = %d.%d.%d\n" % ((os.path.dirname(SYSTEM.path),) +
                                        SYSTEM.version))
        py = os.path.join(venv, "bin", "python")
        if link_to:
            os.symlink(link_to, py)
        else:
            evil_program(py, python_target_abs)
        for n in ("python3", "python" + SYSTEM.minor):
            os.symlink("python", os.path.join(venv, "bin", n))
        return venv

    def all_paths(self, proj, marker):
        sb = self.sb
        res = self.entry_points(proj, "pass")
        res["which"] = sb.pyshim("which", cwd=proj)
        res["explain"] = sb.pyshim("explain", cwd=proj)
        res["doctor"] = sb.pyshim("doctor", cwd=proj)
        res["doctor --fix"] = sb.pyshim("doctor", "--fix", cwd=proj)
        res["exec"] = sb.pyshim("exec", "python", "-c", "pass", cwd=proj)
        res["kernel install"] = sb.pyshim("kernel", "install", "--name",
                                          "evilk", "--project", proj,
                                          env={"JUPYTER_DATA_DIR": os.path.join(
                                              sb.root, "jupyter")})
        res["dry run"] = sb.run("python", "-c", "pass", cwd=proj,
                                env={"PYSHIM_DRYRUN": "1"})
        for how, r in res.items():
            self.assertNotIn("AddressSanitizer", r.stderr, how)
            self.assertFalse(os.path.exists(marker),
                             "the shipped program ran through %s" % how)
        FIGURES["evil_programs_not_run"] += len(res)
        return res

    def test_venv_python_is_a_script(self):
        proj = self.sb.mkdtemp("shipped")
        m = self.marker("venvscript")
        self.fake_venv(proj, m)
        res = self.all_paths(proj, m)
        self.assertRefused(res["python"], "inside the project tree")

    def test_venv_python_links_to_a_script_in_tree(self):
        proj = self.sb.mkdtemp("shippedlink")
        m = self.marker("venvlink")
        evil_program(os.path.join(proj, "evil", "python3"), m)
        self.fake_venv(proj, link_to="../../evil/python3")
        self.all_paths(proj, m)

    def test_venv_python_links_to_a_script_elsewhere_in_the_repo(self):
        """A monorepo: repo/app/.venv/bin/python -> repo/tools/python3, a
        script of the same clone, outside app/ but not an interpreter."""
        repo = self.sb.mkdtemp("monorepo")
        m = self.marker("monorepo")
        evil_program(os.path.join(repo, "tools", "python3"), m,
                     then=SYSTEM.path)
        app = os.path.join(repo, "app")
        self.fake_venv(app, link_to="../../../tools/python3")
        r = self.sb.run("python", "-c", "pass", cwd=app)
        self.assertNotRun(m, "from a link to a script of the repo: %r" % (r,))
        self.assertIn("pyshim: error:", r.stderr)
        self.all_paths(app, m)

    def test_project_reached_through_a_symlinked_path(self):
        """PYSHIM_PROJECT and `kernel install --project` naming a link to
        the project: its in-tree program is still in the tree."""
        sb = self.sb
        proj = sb.mkdtemp("linked")
        m = self.marker("linked")
        evil_program(os.path.join(proj, "evil", "python3"), m,
                     then=SYSTEM.path)
        self.fake_venv(proj, link_to="../../evil/python3")
        link = os.path.join(sb.work, "link-to-linked")
        os.symlink(proj, link)
        r = sb.run("python", "-c", "pass", cwd=sb.work,
                   env={"PYSHIM_PROJECT": link})
        self.assertNotRun(m, "through PYSHIM_PROJECT=link: %r" % (r,))
        self.assertRefused(r, "inside the project tree")
        jup = os.path.join(sb.root, "jupyter")
        r = sb.pyshim("kernel", "install", "--name", "linkk", "--project",
                      link, env={"JUPYTER_DATA_DIR": jup})
        self.assertNotRun(m, "through kernel install --project link: %r"
                          % (r,))
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("not trusted", r.stderr)
        r = sb.run("python", "-c", "pass", cwd=link)
        self.assertNotRun(m, "from inside the link: %r" % (r,))

    def venv_with_pth(self, proj, marker):
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        write(os.path.join(site_packages(venv), "zz-evil.pth"),
              "import os; open(%r, 'a').close()\n" % marker)
        return venv

    def assertVenvRefused(self, r, what):
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("was not made by pyshim and runs code at start-up",
                      r.stderr)
        self.assertIn(what, r.stderr)
        self.assertIn("pyshim trust", r.stderr)
        FIGURES["untrusted_runs_refused"] += 1

    def test_committed_venv_with_pth_code(self):
        """A venv that came with the tree runs its .pth code only once
        trusted; a re-created venv (another clone) asks again."""
        sb = self.sb
        proj = sb.mkdtemp("pthvenv")
        m = self.marker("pth")
        venv = self.venv_with_pth(proj, m)
        for how, r in self.entry_points(proj, "pass").items():
            self.assertNotRun(m, "through %s: %r" % (how, r))
            self.assertVenvRefused(r, "zz-evil.pth")
        t = sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        self.assertIn("zz-evil.pth", t.stdout)
        r = sb.run("python", "-c", "print(7)", cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, "7\n"), r.stderr)
        self.assertTrue(os.path.exists(m))
        os.unlink(m)
        # later pip installs into the trusted venv do not ask again
        write(os.path.join(site_packages(venv), "other.pth"),
              "import sys\n")
        self.assertEqual(sb.run("python", "-c", "pass",
                                cwd=proj).returncode, 0)
        os.unlink(m)
        # a re-clone at the same path is another venv
        shutil.rmtree(venv)
        self.venv_with_pth(proj, m)
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotRun(m, "from a re-created venv: %r" % (r,))
        self.assertVenvRefused(r, "zz-evil.pth")

    def test_committed_venv_with_sitecustomize(self):
        sb = self.sb
        proj = sb.mkdtemp("sitecust")
        m = self.marker("sitecust")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        write(os.path.join(site_packages(venv), "sitecustomize.py"),
              "open(%r, 'a').close()\n" % m)
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotRun(m, "(sitecustomize): %r" % (r,))
        self.assertVenvRefused(r, "sitecustomize.py")

    def test_plain_venv_needs_no_trust(self):
        """`python -m venv --without-pip .venv` stays zero-config, also
        with a .pth that only adds paths."""
        sb = self.sb
        proj = sb.mkdtemp("plainvenv")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        write(os.path.join(site_packages(venv), "paths.pth"),
              "# a comment\n../somewhere\n")
        r = sb.run("python", "-c", "import sys; print(sys.prefix)", cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, venv + "\n"),
                         r.stderr)

    def test_venv_home_in_the_repo(self):
        """pyvenv.cfg's home inside the tree: the standard library (here
        encodings) would be loaded from the repository."""
        sb = self.sb
        proj = sb.mkdtemp("homeinrepo")
        m = self.marker("homeinrepo")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        stdlib = "/usr/lib/python" + SYSTEM.minor
        fake = os.path.join(proj, "toolchain")
        lib = os.path.join(fake, "lib", "python" + SYSTEM.minor)
        os.makedirs(lib)
        os.makedirs(os.path.join(fake, "bin"))
        # site and os are frozen in 3.11; encodings is read from the disk
        for n in os.listdir(stdlib):
            if n != "encodings":
                os.symlink(os.path.join(stdlib, n), os.path.join(lib, n))
        enc = os.path.join(stdlib, "encodings")
        os.makedirs(os.path.join(lib, "encodings"))
        for n in os.listdir(enc):
            if n != "__init__.py":
                os.symlink(os.path.join(enc, n),
                           os.path.join(lib, "encodings", n))
        with open(os.path.join(enc, "__init__.py")) as f:
            write(os.path.join(lib, "encodings", "__init__.py"),
                  "import posix\nposix.close(posix.open(%r, posix.O_CREAT"
                  " | posix.O_WRONLY, 0o644))\n" % m + f.read())
        cfg = os.path.join(venv, "pyvenv.cfg")
        with open(cfg) as f:
            lines = [l for l in f if not l.startswith("home")]
        write(cfg, "home = %s\n" % os.path.join(fake, "bin") + "".join(lines))
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotRun(m, "(stdlib from the repo): %r" % (r,))
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("home", r.stderr)
        self.assertIn("pyshim trust", r.stderr)

    def test_exec_runs_a_committed_venv_command_only_once_trusted(self):
        sb = self.sb
        proj = sb.mkdtemp("execvenv")
        m = self.marker("execvenv")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        evil_program(os.path.join(venv, "bin", "tool"), m)
        r = sb.pyshim("exec", "tool", cwd=proj)
        self.assertNotRun(m, "through `pyshim exec tool`: %r" % (r,))
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("pyshim trust", r.stderr)
        # python itself still runs: the venv holds no start-up code
        self.assertEqual(sb.run("python", "-c", "pass",
                                cwd=proj).returncode, 0)
        t = sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = sb.pyshim("exec", "tool", cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(m))

    def test_shared_path_in_tree_with_pth_code(self):
        """"shared": ["./vendor/env"] needs no trust as a path, but the hook
        runs its .pth files, and `pyshim exec` its commands: tree code."""
        sb = self.sb
        proj = sb.mkdtemp("sharedtree")
        m = self.marker("sharedtree")
        mx = self.marker("sharedtree-exec")
        make_venv(SYSTEM, os.path.join(proj, ".venv"))
        env = make_venv(SYSTEM, os.path.join(proj, "vendor", "env"))
        evil_program(os.path.join(env, "bin", "tool"), mx)
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"shared": ["./vendor/env"]})
        # no start-up code: python runs, the shared env's command does not
        self.assertEqual(sb.run("python", "-c", "pass",
                                cwd=proj).returncode, 0)
        r = sb.pyshim("exec", "tool", cwd=proj)
        self.assertNotRun(mx, "(exec of an in-tree shared path): %r" % (r,))
        self.assertEqual(r.returncode, 77, r.stderr)
        write(os.path.join(site_packages(env), "zz-evil.pth"),
              "import os; open(%r, 'a').close()\n" % m)
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotRun(m, "(.pth of an in-tree shared path): %r" % (r,))
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertIn("zz-evil.pth", r.stderr)
        self.assertIn("pyshim trust", r.stderr)
        t = sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(m))
        r = sb.pyshim("exec", "tool", cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(mx))

    def test_shared_env_linked_into_the_tree(self):
        """The in-tree rule compares real paths, the tree's found once per
        run: a shared env by name (no trust needed) whose directory is a
        link into the project tree, listed after one that is not, in a
        project reached through a symlinked path, is the tree's code: its
        .pth runs only once the config is trusted."""
        sb = self.sb
        base = sb.mkdtemp("linkedtree")
        proj = os.path.join(base, "real")
        os.makedirs(proj)
        m = self.marker("linkedtree")
        make_venv(SYSTEM, os.path.join(proj, ".venv"))
        env = make_venv(SYSTEM, os.path.join(proj, "vendor", "env"))
        shared = os.path.join(sb.pyshim_home, "shared")
        os.makedirs(shared, exist_ok=True)
        make_venv(SYSTEM, os.path.join(shared, "plain-lt"))
        os.symlink(env, os.path.join(shared, "into-tree-lt"))
        linked = os.path.join(base, "linked")
        os.symlink(proj, linked)
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"shared": ["plain-lt", "into-tree-lt"]})
        r = sb.run("python", "-c", "pass", cwd=linked)
        self.assertEqual(r.returncode, 0, r.stderr)
        sb.run("python", "-c", "pass", cwd=linked)  # warm
        write(os.path.join(site_packages(env), "zz-evil.pth"),
              "import os; open(%r, 'a').close()\n" % m)
        for cwd in (linked, proj):
            r = sb.run("python", "-c", "pass", cwd=cwd)
            self.assertNotRun(m, "(.pth of a shared env linked into the "
                              "tree, cwd %s): %r" % (cwd, r))
            self.assertEqual(r.returncode, 77, r.stderr)
            self.assertIn("zz-evil.pth", r.stderr)
        t = sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = sb.run("python", "-c", "pass", cwd=linked)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(m))

    def test_venv_pyshim_made_needs_no_trust(self):
        """init records the venv it makes: pip's own .pth files in it
        (setuptools' distutils-precedence.pth) ask nothing."""
        sb = self.sb
        proj = sb.mkdtemp("initvenv")
        r = sb.pyshim("init", "--python", SYSTEM.minor, proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        venv = os.path.join(proj, ".venv")
        write(os.path.join(site_packages(venv), "x.pth"), "import sys\n")
        r = sb.run("python", "-c", "pass", cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_venv_python_links_to_a_non_python_outside(self):
        """A committed link `.venv/bin/python -> /bin/sh`: `python x.py`
        must not hand the project's file to a shell."""
        proj = self.sb.mkdtemp("shippedsh")
        m = self.marker("venvsh")
        self.fake_venv(proj, link_to="/bin/sh")
        script = write(os.path.join(proj, "setup.py"),
                       "echo ran >> %s\n" % m)
        r = self.sb.run("python", script, cwd=proj)
        self.assertFalse(os.path.exists(m),
                         "a shell ran the project's file: %r" % (r,))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)

    def test_config_python_in_tree(self):
        proj = self.sb.mkdtemp("cfgevil")
        m = self.marker("cfgevil")
        evil_program(os.path.join(proj, "evil", "python"), m,
                     then=SYSTEM.path)
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": "./evil/python"})
        res = self.all_paths(proj, m)
        self.assertRefused(res["python"])
        t = self.sb.pyshim("trust", proj)
        self.assertEqual(t.returncode, 0, t.stderr)
        r = self.sb.run("python", "-c", "print(7)", cwd=proj)
        self.assertEqual((r.returncode, r.stdout), (0, "7\n"), r.stderr)
        self.assertTrue(os.path.exists(m))

    def test_python_version_file_naming_a_path(self):
        proj = self.sb.mkdtemp("pvevil")
        m = self.marker("pvevil")
        evil = evil_program(os.path.join(proj, "evil", "python"), m,
                            then=SYSTEM.path)
        write(os.path.join(proj, ".python-version"), evil + "\n")
        r = self.sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotRun(m, "from .python-version: %r" % (r,))
        write(os.path.join(proj, ".python-version"), "./evil/python\n")
        r = self.sb.run("python", "-c", "pass", cwd=proj)
        self.assertNotRun(m, "from .python-version: %r" % (r,))


class PlantedMarkers(_Base, unittest.TestCase):
    """Markers others could have written are ignored, loudly."""

    def check_ignored(self, work, cfg_path):
        r = self.sb.run("python", "-c", "print('ok')", cwd=work)
        self.assertEqual((r.returncode, r.stdout), (0, "ok\n"), r.stderr)
        warn = [l for l in r.stderr.splitlines()
                if l.startswith("pyshim: warning: ignored")]
        # (twice when the pass-through python is pyenv's shim, which finds
        # pyshim's link on PATH again: still one distinct warning)
        self.assertEqual(len(set(warn)), 1, r.stderr)
        self.assertIn(cfg_path, warn[0])
        d = self.sb.pyshim("doctor", cwd=work)
        self.assertIn(cfg_path, d.stdout + d.stderr)

    def test_world_writable_sticky_parent(self):
        shared = self.sb.mkdtemp("tmplike")
        os.chmod(shared, 0o1777)
        cfg = write_json(os.path.join(shared, ".pyshim.json"),
                         {"python": "9.9"})
        work = os.path.join(shared, "mine")
        os.makedirs(work, mode=0o755)
        self.check_ignored(work, cfg)
        # a planted venv there too
        make_venv(SYSTEM, os.path.join(shared, ".venv"))
        os.unlink(cfg)
        r = self.sb.run("python", "-c", "import sys; print(sys.prefix)",
                        cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(r.stdout.strip(), os.path.join(shared, ".venv"))
        self.assertIn("pyshim: warning: ignored", r.stderr)

    def test_world_writable_file(self):
        d = self.sb.mkdtemp("wwfile")
        cfg = write_json(os.path.join(d, ".pyshim.json"), {"python": "9.9"})
        os.chmod(cfg, 0o666)
        self.check_ignored(d, cfg)

    def test_owned_by_another_user(self):
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            self.skipTest("no user 'nobody'")
        if os.geteuid() == nobody.pw_uid:
            self.skipTest("running as nobody")
        d = self.sb.mkdtemp("theirs")
        cfg = write_json(os.path.join(d, ".pyshim.json"), {"python": "9.9"})
        try:
            os.chown(cfg, nobody.pw_uid, nobody.pw_gid)
        except PermissionError:
            self.skipTest("cannot chown (not root)")
        work = os.path.join(d, "sub")
        os.makedirs(work)
        self.check_ignored(work, cfg)
        # .python-version and .venv owned by them as well
        os.unlink(cfg)
        pv = write(os.path.join(d, ".python-version"), "9.9\n")
        os.chown(pv, nobody.pw_uid, nobody.pw_gid)
        self.check_ignored(work, pv)


class PlantedSymlinks(_Base, unittest.TestCase):
    """Generated files never write through a planted symlink, and nothing
    lands outside the project, its venv and PYSHIM_HOME."""

    def setUp(self):
        sb = self.sb
        self.victims = os.path.join(self.outside, "victims")
        os.makedirs(self.victims, exist_ok=True)
        if not os.path.exists(sb.shared_dir("s1")):
            sb.make_shared("s1", SYSTEM)

    def victim(self, name, text="precious\n"):
        return write(os.path.join(self.victims, name), text)

    def plant(self, link, target):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)
        FIGURES["symlinks_planted"] += 1

    def guarded(self, allowed, fn):
        """Run fn; everything that changed must lie under allowed."""
        roots = [self.sb.root, self.outside]
        before = snapshot(*roots)
        fn()
        after = snapshot(*roots)
        bad = [p for p in changed(before, after)
               if not any(p == a or p.startswith(a + os.sep)
                          for a in allowed)]
        self.assertEqual(bad, [], "written outside the allowed places")

    def test_hook_and_temp_names(self):
        sb = self.sb
        proj = sb.mkdtemp("symhook")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        site = site_packages(venv)
        hook = os.path.join(site, "_pyshim.pth")
        v = self.victim("hook-victim")
        self.plant(hook, v)
        # likely temp names: a fixed suffix, pid-like ones
        for suffix in (".tmp", ".tmp-0", ".tmp-1-0", ".tmp-%d-0" % os.getpid()):
            self.plant(hook + suffix, self.victim("tmp-victim" + suffix))
        write_json(os.path.join(proj, ".pyshim.json"), {"shared": ["s1"]})

        def go():
            out = self.runpy("import s1_mod; print(s1_mod.NAME)", cwd=proj)
            self.assertEqual(out, "s1\n")
        self.guarded([proj, sb.pyshim_home], go)
        self.assertFalse(os.path.islink(hook), "the hook is still a link")
        with open(v) as f:
            self.assertEqual(f.read(), "precious\n")

    def test_site_packages_is_a_link_outside(self):
        """A committed venv whose site-packages is a link out of the tree:
        the hook must not be written into that other directory."""
        sb = self.sb
        proj = sb.mkdtemp("symsite")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        site = site_packages(venv)
        target = os.path.join(self.victims, "someones-site-packages")
        os.makedirs(target, exist_ok=True)
        shutil.rmtree(site)
        self.plant(site, target)
        write_json(os.path.join(proj, ".pyshim.json"), {"shared": ["s1"]})

        def go():
            r = sb.run("python", "-c", "pass", cwd=proj)
            self.assertNotIn("AddressSanitizer", r.stderr)
        self.guarded([proj, sb.pyshim_home], go)
        self.assertEqual(os.listdir(target), [])

    def test_cache_record_and_overlay_dir(self):
        sb = self.sb
        real = os.path.realpath(SYSTEM.path)
        rec = os.path.join(sb.pyshim_home, "cache", "interp",
                           "%016x.json" % fnv1a64(real))
        v = self.victim("cache-victim")
        self.plant(rec, v)
        proj = sb.mkdtemp("symovl")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": SYSTEM.minor, "shared": ["s1"]})
        # the overlay's final name, from a dry run
        dry = sb.run("python", "-c", "pass", cwd=proj,
                     env={"PYSHIM_DRYRUN": "1"})
        self.assertEqual(dry.returncode, 0, dry.stderr)
        plan = json.loads(dry.stdout)
        ovl = plan.get("environment")
        self.assertTrue(ovl and "/overlays/" in ovl, plan)
        vdir = os.path.join(self.victims, "overlay-victim")
        os.makedirs(vdir, exist_ok=True)
        if os.path.lexists(ovl):
            shutil.rmtree(ovl)
        self.plant(ovl, vdir)

        def go():
            r = sb.run("python", "-c", "pass", cwd=proj)
            self.assertNotIn("AddressSanitizer", r.stderr)
        self.guarded([proj, sb.pyshim_home], go)
        with open(v) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertEqual(os.listdir(vdir), [])

    def test_kernel_json(self):
        sb = self.sb
        jup = os.path.join(sb.root, "jupyter")
        proj = sb.mkdtemp("symkern")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": SYSTEM.minor})
        spec = os.path.join(jup, "kernels", "symk", "kernel.json")
        v = self.victim("kernel-victim", '{"argv": ["x"]}\n')
        self.plant(spec, v)
        env = {"JUPYTER_DATA_DIR": jup}

        def go():
            for force in ((), ("--force",)):
                sb.pyshim("kernel", "install", "--name", "symk",
                          "--project", proj, *force, env=env)
        self.guarded([proj, sb.pyshim_home, jup], go)
        with open(v) as f:
            self.assertEqual(f.read(), '{"argv": ["x"]}\n')


if __name__ == "__main__":
    unittest.main()
