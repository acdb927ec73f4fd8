"""Issue 16: the site-wide layer (the system config an administrator owns)
and read-only site shared envs (docs/site.md).

The system config must be root's (and every directory above it), so these
tests run as root (CI does) and are skipped otherwise; the cross-user
cases run as the real users pyshim-alice and pyshim-mallory.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from pyshimtest import (SandboxTest, TIMEOUT, PYSHIM_BIN, make_venv, site_packages,
                        build_wheel,
                        test_user, users_unavailable, write, write_json,
                        as_user_argv)

SYSTEM_PY = "/usr/bin/python3"
# a version request the system python answers (a path would need trust)
SYS_VER = subprocess.run(
    [SYSTEM_PY, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
    stdout=subprocess.PIPE, universal_newlines=True,
    timeout=TIMEOUT).stdout.strip()


def not_root():
    return os.geteuid() != 0


def tree_state(root):
    """{relative path: (mtime_ns, size, mode)} of everything under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_mtime_ns, st.st_size,
                                             st.st_mode)
    st = os.lstat(root)
    out["."] = (st.st_mtime_ns, st.st_size, st.st_mode)
    return out


class SiteFixture(object):
    """A root-owned system dir (outside the sandbox): etc/config.json and
    stacks/ml, a site env made by the system python holding ml_mod."""

    sysroot = None

    @classmethod
    def make_site(cls):
        cls.sysroot = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-sys-"))
        os.chmod(cls.sysroot, 0o755)
        cls.etc = os.path.join(cls.sysroot, "etc")
        os.makedirs(cls.etc)
        os.chmod(cls.etc, 0o755)
        cls.sysconf = os.path.join(cls.etc, "config.json")
        cls.ml = os.path.join(cls.sysroot, "stacks", "ml")
        make_venv(SYSTEM_PY, cls.ml)
        write(os.path.join(site_packages(cls.ml), "ml_mod.py"),
              "WHERE = __file__\n")
        for dirpath, dirnames, filenames in os.walk(cls.sysroot):
            for n in dirnames + [dirpath]:
                os.chmod(os.path.join(dirpath, n), 0o755)
            for n in filenames:
                p = os.path.join(dirpath, n)
                if not os.path.islink(p):
                    os.chmod(p, os.stat(p).st_mode & 0o755 | 0o444)

    @classmethod
    def drop_site(cls):
        if cls.sysroot:
            shutil.rmtree(cls.sysroot, ignore_errors=True)

    def set_system(self, obj, mode=0o644):
        write_json(self.sysconf, obj)
        os.chown(self.sysconf, 0, 0)
        os.chmod(self.sysconf, mode)
        self.addCleanup(lambda: os.path.exists(self.sysconf)
                        and os.unlink(self.sysconf))

    def sysenv(self, extra=None):
        env = {"PYSHIM_SYSTEM_CONFIG": self.sysconf}
        env.update(extra or {})
        return env

    def default_site(self, **more):
        obj = {"site_shared": {"ml": self.ml}, "python": SYSTEM_PY,
               "shared": ["ml"]}
        obj.update(more)
        return obj


@unittest.skipIf(not_root(), "the system config must be root's: run as root")
class SystemConfigTrust(SiteFixture, SandboxTest, unittest.TestCase):
    """Believed only when root's and closed to others, file and every
    directory above; otherwise a warning and never parsed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_site()

    @classmethod
    def tearDownClass(cls):
        cls.drop_site()
        super().tearDownClass()

    def run_ml(self):
        d = self.sb.mkdtemp()
        return self.sb.run("python", "-c", "import ml_mod; print(ml_mod.WHERE)",
                           cwd=d, env=self.sysenv())

    def test_root_owned_is_used(self):
        self.set_system(self.default_site())
        r = self.run_ml()
        self.assertOK(r)
        self.assertTrue(r.stdout.strip().startswith(self.ml), r.stdout)

    def assertRefused(self, r, *needles):
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("No module named 'ml_mod'", r.stderr)
        self.assertIn("pyshim: warning: ignored '%s: " % self.sysconf, r.stderr)
        for n in needles:
            self.assertIn(n, r.stderr)

    def test_group_writable_is_refused(self):
        self.set_system(self.default_site(), mode=0o664)
        self.assertRefused(self.run_ml(), "writable by its group",
                           "chmod go-w")

    def test_world_writable_is_refused(self):
        self.set_system(self.default_site(), mode=0o646)
        self.assertRefused(self.run_ml(), "writable by every user")

    def test_owned_by_a_user_is_refused(self):
        why = users_unavailable()
        if why:
            self.skipTest(why)
        mallory = test_user("pyshim-mallory")
        self.set_system(self.default_site())
        os.chown(self.sysconf, mallory.pw_uid, mallory.pw_gid)
        self.assertRefused(self.run_ml(), "owned by uid %d, not root"
                           % mallory.pw_uid, "chown root:root")

    def test_directory_group_writable_is_refused(self):
        self.set_system(self.default_site())
        os.chmod(self.etc, 0o775)
        self.addCleanup(os.chmod, self.etc, 0o755)
        self.assertRefused(self.run_ml(), "its directory '%s' is writable by its group" % self.etc)

    def test_directory_owned_by_a_user_is_refused(self):
        why = users_unavailable()
        if why:
            self.skipTest(why)
        mallory = test_user("pyshim-mallory")
        self.set_system(self.default_site())
        os.chown(self.etc, mallory.pw_uid, mallory.pw_gid)
        self.addCleanup(os.chown, self.etc, 0, 0)
        self.assertRefused(self.run_ml(), "its directory '%s' is owned by uid" % self.etc)

    def test_a_refused_config_is_never_parsed(self):
        write(self.sysconf, "{ not json")
        os.chmod(self.sysconf, 0o664)
        self.addCleanup(os.unlink, self.sysconf)
        r = self.sb.run("python", "-c", "print(1)", cwd=self.sb.mkdtemp(),
                        env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("malformed", r.stderr)
        self.assertIn("writable by its group", r.stderr)

    def test_a_malformed_trusted_config_is_an_error(self):
        self.set_system({"site_shared": {"ml": 3}})
        r = self.sb.run("python", "-c", "print(1)", cwd=self.sb.mkdtemp(),
                        env=self.sysenv())
        self.assertShimError(r, self.sysconf, "site_shared")

    def test_a_link_to_a_file_in_a_users_dir_is_refused(self):
        # a root-owned link in a root dir, to a root-owned file in a dir
        # another user owns: the real path's dirs are judged
        why = users_unavailable()
        if why:
            self.skipTest(why)
        mallory = test_user("pyshim-mallory")
        theirs = tempfile.mkdtemp(prefix="pyshim-theirs-")
        self.addCleanup(shutil.rmtree, theirs, True)
        real = write_json(os.path.join(theirs, "config.json"), self.default_site())
        os.chmod(real, 0o644)
        os.chown(theirs, mallory.pw_uid, mallory.pw_gid)
        os.chmod(theirs, 0o755)
        os.symlink(real, self.sysconf)
        self.addCleanup(os.unlink, self.sysconf)
        self.assertRefused(self.run_ml(), "its directory '%s' is owned by uid" % theirs)


@unittest.skipIf(not_root(), "the system config must be root's: run as root")
class SiteLayers(SiteFixture, SandboxTest, unittest.TestCase):
    """project > user global > system; site envs by name; the policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_site()

    @classmethod
    def tearDownClass(cls):
        cls.drop_site()
        super().tearDownClass()

    def test_a_project_lists_a_site_env_by_name(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": SYS_VER, "shared": ["ml"]})
        r = self.sb.run("python", "-c", "import ml_mod; print(ml_mod.WHERE)",
                        cwd=d, env=self.sysenv())
        self.assertOK(r)
        self.assertTrue(r.stdout.startswith(self.ml), r.stdout)

    def test_init_shared_names_a_site_env(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        d = self.sb.mkdtemp()
        r = self.sb.pyshim("init", "--shared", "ml", "--python", SYS_VER,
                           "--no-venv", cwd=d, env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        r = self.sb.run("python", "-c", "import ml_mod", cwd=d,
                        env=self.sysenv())
        self.assertOK(r)

    def test_the_users_global_python_comes_before_the_systems(self):
        self.set_system({"python": "/nonexistent/python3"})
        restore = self.sb.set_global_config({"python": SYSTEM_PY})
        self.addCleanup(restore)
        r = self.sb.run("python", "-c", "import sys; print(sys.version_info[:2])",
                        cwd=self.sb.mkdtemp(), env=self.sysenv())
        self.assertOK(r)

    def test_the_systems_python_when_the_user_names_none(self):
        self.set_system({"python": SYSTEM_PY})
        r = self.sb.pyshim("which", "--json", cwd=self.sb.mkdtemp(),
                           env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        plan = json.loads(r.stdout)
        self.assertEqual(plan["python_request"], SYSTEM_PY)
        self.assertEqual(plan["python_request_from"], self.sysconf)
        # and `which` says where the defaults come from
        r = self.sb.pyshim("which", cwd=self.sb.mkdtemp(), env=self.sysenv())
        self.assertIn("none; the system config's defaults apply", r.stdout)
        restore = self.sb.set_global_config({"python": SYSTEM_PY})
        self.addCleanup(restore)
        r = self.sb.pyshim("which", cwd=self.sb.mkdtemp(), env=self.sysenv())
        self.assertIn("none; the global config applies", r.stdout)

    def test_the_users_own_env_of_a_name_comes_first(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        own = self.sb.make_shared("ml", SYSTEM_PY, module="own_mod")
        self.addCleanup(shutil.rmtree, own, True)
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": SYS_VER, "shared": ["ml"]})
        self.assertOK(self.sb.run("python", "-c", "import own_mod", cwd=d,
                                  env=self.sysenv()))

    def test_policy_only_site_envs(self):
        self.set_system({"site_shared": {"ml": self.ml},
                         "allow_user_shared": False})
        own = self.sb.make_shared("mine", SYSTEM_PY)
        self.addCleanup(shutil.rmtree, own, True)
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": SYS_VER, "shared": ["mine"]})
        r = self.sb.run("python", "-c", "print(1)", cwd=d, env=self.sysenv())
        self.assertShimError(r, "'mine' is not a site env",
                             "allow_user_shared")
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": SYS_VER, "shared": ["ml"]})
        self.assertOK(self.sb.run("python", "-c", "import ml_mod", cwd=d,
                                  env=self.sysenv()))

    def test_policy_allowed_pythons(self):
        self.set_system({"pythons": ["3.5"]})
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"), {"python": SYS_VER})
        r = self.sb.run("python", "-c", "print(1)", cwd=d, env=self.sysenv())
        self.assertShimError(r, "is not one this machine's system config",
                             "3.5")


@unittest.skipIf(not_root(), "the system config must be root's: run as root")
class SiteEnvReadOnly(SiteFixture, SandboxTest, unittest.TestCase):
    """pyshim never writes into a site env; pip into one is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_site()

    @classmethod
    def tearDownClass(cls):
        cls.drop_site()
        super().tearDownClass()

    def test_shared_list_shows_site_envs(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        r = self.sb.pyshim("shared", "list", env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        line = [l for l in r.stdout.splitlines() if l.startswith("ml ")]
        self.assertEqual(len(line), 1, r.stdout)
        self.assertIn("site env, read-only", line[0])
        self.assertIn(self.ml, line[0])
        r = self.sb.pyshim("shared", "list", "--json", env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        site = [e for e in json.loads(r.stdout) if e["name"] == "ml"]
        self.assertEqual(len(site), 1, r.stdout)
        self.assertEqual(site[0]["kind"], "site")
        self.assertEqual(site[0]["path"], self.ml)
        self.assertIsNone(site[0]["size"])

    def test_pip_into_a_site_env_is_refused(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        restore = self.sb.set_global_config({"venv": self.ml})
        self.addCleanup(restore)
        before = tree_state(self.ml)
        r = self.sb.run("pip", "install", "anything", cwd=self.sb.mkdtemp(),
                        env=self.sysenv())
        self.assertShimError(r, "would change the site env 'ml'", "read-only")
        self.assertIn("ask the administrator", r.stderr)
        r = self.sb.run("pip", "uninstall", "-y", "anything",
                        cwd=self.sb.mkdtemp(), env=self.sysenv())
        self.assertShimError(r, "would change the site env 'ml'")
        self.assertEqual(before, tree_state(self.ml))

    def test_shared_pip_on_a_site_env_is_refused(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        r = self.sb.pyshim("shared", "pip", "ml", "install", "anything",
                           env=self.sysenv())
        self.assertShimError(r, "'ml' is a site env", "read-only")

    def test_nothing_is_written_into_a_site_env(self):
        self.set_system(self.default_site())
        before = tree_state(self.ml)
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": SYS_VER, "shared": ["ml"]})
        for cwd in (d, self.sb.mkdtemp()):
            self.assertOK(self.sb.run("python", "-c", "import ml_mod",
                                      cwd=cwd, env=self.sysenv()))
        r = self.sb.pyshim("doctor", cwd=d, env=self.sysenv())
        self.assertIn("shared-version", r.stdout)
        self.assertEqual(before, tree_state(self.ml))


@unittest.skipIf(not_root(), "site commands run as root")
class SiteCommands(SiteFixture, SandboxTest, unittest.TestCase):
    """pyshim site create/list/remove and site kernel install, as root."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_site()
        cls.wheels = os.path.join(cls.sysroot, "wheels")
        build_wheel(cls.wheels, "sitepkg", "1.0")
        cls.reqs = write(os.path.join(cls.sysroot, "reqs.txt"),
                         "--no-index\n--find-links %s\nsitepkg==1.0\n"
                         % cls.wheels)
        cls.prefix = os.path.join(cls.sysroot, "site")

    @classmethod
    def tearDownClass(cls):
        cls.drop_site()
        super().tearDownClass()

    def site(self, *args):
        return self.sb.pyshim("site", *args, env=self.sysenv())

    def test_create_list_use_remove(self):
        self.set_system({"python": SYSTEM_PY})
        r = self.sb.pyshim("site", "create", "ai", "-r", self.reqs, "--python",
                           SYSTEM_PY, "--prefix", self.prefix,
                           env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        env = os.path.join(self.prefix, "ai")
        with open(self.sysconf) as f:
            conf = json.load(f)
        self.assertEqual(conf["site_shared"], {"ai": env})
        self.assertEqual(conf["python"], SYSTEM_PY)  # other keys kept
        with open(os.path.join(env, "pyshim-requirements.txt")) as f:
            self.assertIn("sitepkg==1.0", f.read())
        r = self.site("list")
        self.assertEqual(r.returncode, 0, r)
        row = [l.split() for l in r.stdout.splitlines() if l.startswith("ai ")]
        self.assertEqual(row[0][2:], ["1", env], r.stdout)
        # a user's project names it like its own
        d = self.sb.mkdtemp()
        r = self.sb.pyshim("init", "--shared", "ai", "--no-venv", cwd=d,
                           env=self.sysenv())
        self.assertEqual(r.returncode, 0, r)
        r = self.sb.run("python", "-c", "import sitepkg; print(sitepkg.WHERE)",
                        cwd=d, env=self.sysenv())
        self.assertOK(r)
        self.assertTrue(r.stdout.startswith(env), r.stdout)
        r = self.site("remove", "ai", "--yes")
        self.assertEqual(r.returncode, 0, r)
        self.assertFalse(os.path.exists(env))
        with open(self.sysconf) as f:
            self.assertEqual(json.load(f)["site_shared"], {})

    def test_create_never_takes_an_existing_dir(self):
        self.set_system({})
        d = os.path.join(self.prefix, "taken")
        write(os.path.join(d, "keep.txt"), "mine\n")
        r = self.site("create", "taken", "-r", self.reqs, "--prefix",
                      self.prefix)
        self.assertShimError(r, "exists already")
        self.assertTrue(os.path.exists(os.path.join(d, "keep.txt")))

    def test_a_failed_create_leaves_nothing(self):
        self.set_system({})
        bad = write(os.path.join(self.sysroot, "bad.txt"),
                    "--no-index\n--find-links %s\nnot-there==9\n" % self.wheels)
        r = self.site("create", "bad", "-r", bad, "--python", SYSTEM_PY,
                      "--prefix", self.prefix)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("pip install -r", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.prefix, "bad")))
        with open(self.sysconf) as f:
            self.assertNotIn("bad", f.read())

    def test_remove_keeps_a_dir_site_create_did_not_make(self):
        self.set_system({"site_shared": {"ml": self.ml}})
        r = self.site("remove", "ml", "--yes")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("its directory is kept", r.stdout)
        self.assertTrue(os.path.isdir(self.ml))
        with open(self.sysconf) as f:
            self.assertEqual(json.load(f)["site_shared"], {})

    @unittest.skipIf(users_unavailable(), "needs other users")
    def test_remove_keeps_a_tree_whose_owner_wrote_the_mark(self):
        # issue 16: root listed mallory's dir; she writes the mark that
        # `site create` leaves: root's remove must not delete her tree
        mallory = test_user("pyshim-mallory")
        home = tempfile.mkdtemp(prefix="pyshim-mhome-")
        self.addCleanup(shutil.rmtree, home, True)
        os.chmod(home, 0o755)
        os.chown(home, mallory.pw_uid, mallory.pw_gid)
        env = os.path.join(home, "teamenv")
        r = subprocess.run(as_user_argv(mallory) + [SYSTEM_PY, "-c", (
            "import os; os.mkdir(%r); open(%r, 'w').write('team');"
            "open(%r, 'w').write('hers')") % (
                env, os.path.join(env, ".pyshim-site"),
                os.path.join(env, "keep.txt"))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r)
        self.set_system({"site_shared": {"team": env}})
        r = self.site("remove", "team", "--yes")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("is not root's alone", r.stdout)
        self.assertIn("its directory is kept", r.stdout)
        self.assertTrue(os.path.exists(os.path.join(env, "keep.txt")))
        with open(self.sysconf) as f:
            self.assertEqual(json.load(f)["site_shared"], {})

    def test_kernel_install_is_system_wide(self):
        jdir = os.path.join(self.sysroot, "jupyter")
        r = self.site("kernel", "install", "--dir", jdir)
        self.assertEqual(r.returncode, 0, r)
        spec = os.path.join(jdir, "kernels", "pyshim-auto", "kernel.json")
        self.assertEqual(os.stat(spec).st_mode & 0o777, 0o644)
        with open(spec) as f:
            k = json.load(f)
        self.assertEqual(k["argv"][0], os.path.join(self.sb.bin, "python"))
        self.assertEqual(k["env"], {"PYSHIM_PROJECT": ""})
        # jupyter_client finds it where it looks for every user's kernels
        code = ("from jupyter_client.kernelspec import KernelSpecManager as K;"
                "print(K().find_kernel_specs()['pyshim-auto'])")
        r = subprocess.run([SYSTEM_PY, "-c", code], env=dict(
            self.sb.envwith(), JUPYTER_PATH=jdir, JUPYTER_DATA_DIR=self.sb.home),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=TIMEOUT)
        if "No module named 'jupyter_client'" in r.stderr:
            self.skipTest("no jupyter_client")
        self.assertEqual(r.stdout.strip(), os.path.dirname(spec), r.stderr)


class SiteCommandsNeedRoot(SandboxTest, unittest.TestCase):
    """Run as a user, every site command but list is refused."""

    sandbox_user = "pyshim-alice"

    def test_refused_with_a_hint(self):
        for args in (("create", "x", "-r", "reqs.txt"), ("remove", "x"),
                     ("kernel", "install")):
            r = self.sb.pyshim("site", *args)
            self.assertShimError(r, "must run as root")
            self.assertIn("sudo pyshim site", r.stderr)
        r = self.sb.pyshim("site", "list")
        self.assertEqual(r.returncode, 0, r)


class GrantedProjectUsers(SiteFixture, SandboxTest, unittest.TestCase):
    """Item 4: a project owned by alice, run by mallory (a service
    account, sudo -u, a spawner): only a grant root wrote in the system
    config makes mallory take alice's files there as her own."""

    sandbox_user = "pyshim-alice"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_site()
        cls.mallory = test_user("pyshim-mallory")
        cls.mhome = tempfile.mkdtemp(prefix="pyshim-m-")
        os.chown(cls.mhome, cls.mallory.pw_uid, cls.mallory.pw_gid)
        # alice's project: a config that needs trust (env) and a venv
        cls.proj = cls.sb.mkdtemp()
        write_json(os.path.join(cls.proj, ".pyshim.json"),
                   {"python": SYS_VER, "env": {"FROM_PROJECT": "1"}})
        cls.sb.give(cls.proj)
        for cmd in ("trust", "init", "trust"):
            r = cls.sb.pyshim(cmd, cls.proj)
            assert r.returncode == 0, r

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.mhome, ignore_errors=True)
        cls.drop_site()
        super().tearDownClass()

    def as_mallory(self, *argv, cwd=None):
        env = self.sb.envwith(self.sysenv({
            "HOME": self.mhome, "PYSHIM_HOME": os.path.join(self.mhome, "p")}))
        return subprocess.run(as_user_argv(self.mallory) + list(argv),
                              cwd=cwd or self.proj, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT)

    CODE = "import os, sys; print(sys.prefix, os.environ.get('FROM_PROJECT'))"

    def mallory_python(self):
        return self.as_mallory(os.path.join(self.sb.bin, "python"), "-c",
                               self.CODE)

    def grant(self, user, d=None):
        return subprocess.run(
            [PYSHIM_BIN, "trust", "--for", user, d or self.proj],
            env=self.sb.envwith(self.sysenv()), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)

    def test_alice_runs_it(self):
        r = self.sb.run("python", "-c", self.CODE, cwd=self.proj,
                        env=self.sysenv())
        self.assertOK(r)
        self.assertEqual(r.stdout.split(),
                         [os.path.join(self.proj, ".venv"), "1"])

    def test_without_a_grant_mallory_ignores_alices_files(self):
        self.set_system({})
        r = self.mallory_python()
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn(self.proj, r.stdout)
        self.assertIn("it is owned by another user", r.stderr)

    def test_a_grant_for_mallory(self):
        self.set_system({})
        r = self.grant("pyshim-mallory")
        self.assertEqual(r.returncode, 0, r)
        with open(self.sysconf) as f:
            self.assertEqual(json.load(f)["project_users"],
                             {os.path.realpath(self.proj): ["pyshim-mallory"]})
        r = self.mallory_python()
        self.assertOK(r)
        self.assertEqual(r.stdout.split(),
                         [os.path.join(self.proj, ".venv"), "1"])
        # a script of the project run from elsewhere, as a service would
        script = write(os.path.join(self.proj, "app.py"),
                       "import sys; print(sys.prefix)\n")
        self.sb.give(script)
        r = self.as_mallory(os.path.join(self.sb.bin, "python"), script,
                            cwd=self.mhome)
        self.assertOK(r)
        self.assertEqual(r.stdout.strip(), os.path.join(self.proj, ".venv"))

    def test_a_grant_for_someone_else_does_not_help(self):
        self.set_system({"project_users": {self.proj: ["pyshim-alice"]}})
        r = self.mallory_python()
        self.assertNotIn(self.proj, r.stdout)
        self.assertIn("it is owned by another user", r.stderr)

    def test_a_dir_others_may_write_is_not_granted(self):
        self.set_system({"project_users": {self.proj: ["pyshim-mallory"]}})
        os.chmod(self.proj, 0o775)
        self.addCleanup(os.chmod, self.proj, 0o755)
        r = self.mallory_python()
        self.assertNotIn(self.proj + "/.venv", r.stdout)
        self.assertIn("writable by others than its owner", r.stderr)

    def test_a_dir_under_someone_elses_dir_is_not_granted(self):
        # mallory owns the dir above: she could swap alice's project for
        # one of her own, so the grant (to anyone) is not honoured
        outer = tempfile.mkdtemp(prefix="pyshim-outer-")
        self.addCleanup(shutil.rmtree, outer, True)
        inner = os.path.join(outer, "app")
        shutil.copytree(self.proj, inner, symlinks=True)
        self.sb.give(inner)
        os.chmod(inner, 0o755)
        os.chown(outer, self.mallory.pw_uid, self.mallory.pw_gid)
        os.chmod(outer, 0o755)
        self.set_system({"project_users": {inner: ["pyshim-mallory"]}})
        r = self.as_mallory(os.path.join(self.sb.bin, "python"), "-c",
                            self.CODE, cwd=inner)
        self.assertNotIn(inner + "/.venv", r.stdout)
        self.assertIn("belongs to or is writable by someone else", r.stderr)

    def test_a_grant_in_a_config_root_does_not_own_is_ignored(self):
        self.set_system({"project_users": {self.proj: ["pyshim-mallory"]}},
                        mode=0o664)
        r = self.mallory_python()
        self.assertNotIn(self.proj + "/.venv", r.stdout)
        self.assertIn("writable by its group", r.stderr)

    def granted_copy(self):
        """A copy of alice's project in a root-owned dir, granted to
        mallory, and eve: a third user, in no way trusted."""
        outer = tempfile.mkdtemp(prefix="pyshim-outer-")
        self.addCleanup(shutil.rmtree, outer, True)
        os.chmod(outer, 0o755)
        inner = os.path.join(outer, "app")
        shutil.copytree(self.proj, inner, symlinks=True)
        self.sb.give(inner)
        os.chmod(inner, 0o755)
        self.set_system({"project_users": {inner: ["pyshim-mallory"]}})
        eve = test_user("pyshim-eve")
        return inner, eve

    def as_eve(self, eve, code):
        r = subprocess.run(as_user_argv(eve) + [SYSTEM_PY, "-c", code],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r)

    def test_a_grant_does_not_vouch_for_a_config_others_can_write(self):
        # issue 16: alice's config is group-writable, eve is in its group;
        # what eve writes there must not run for mallory unasked
        inner, eve = self.granted_copy()
        shutil.rmtree(os.path.join(inner, ".venv"))  # the config decides
        cfg = os.path.join(inner, ".pyshim.json")
        os.chown(cfg, os.stat(inner).st_uid, eve.pw_gid)
        os.chmod(cfg, 0o664)
        evil = tempfile.mkdtemp(prefix="pyshim-evil-")
        self.addCleanup(shutil.rmtree, evil, True)
        prog = write(os.path.join(evil, "python3"),
                     "#!/bin/sh\necho EVIL-RAN\n")
        os.chmod(prog, 0o755)
        os.chmod(evil, 0o755)
        self.as_eve(eve, "import json; json.dump({'python': %r}, open(%r, 'w'))"
                    % (prog, cfg))
        r = self.as_mallory(os.path.join(self.sb.bin, "python"), "-c", "1",
                            cwd=inner)
        self.assertNotIn("EVIL-RAN", r.stdout)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("trust", r.stderr)

    def test_a_grant_does_not_vouch_for_a_venv_others_can_write(self):
        # eve may write the venv's site-packages: a .pth of hers would run
        inner, eve = self.granted_copy()
        sp = site_packages(os.path.join(inner, ".venv"))
        os.chown(sp, os.stat(inner).st_uid, eve.pw_gid)
        os.chmod(sp, 0o775)
        self.as_eve(eve, "open(%r, 'w').write(%r)" % (
            os.path.join(sp, "zz-evil.pth"), "import sys; print('EVIL-RAN')\n"))
        r = self.as_mallory(os.path.join(self.sb.bin, "python"), "-c", "1",
                            cwd=inner)
        self.assertNotIn("EVIL-RAN", r.stdout)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("runs code at start-up", r.stderr)

    def test_only_root_grants(self):
        self.set_system({})
        r = self.as_mallory(os.path.join(self.sb.bin, "pyshim"), "trust",
                            "--for", "pyshim-mallory",
                            self.proj)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("must run as root", r.stderr)


def can_bind_mount():
    if not_root() or not shutil.which("mount"):
        return False
    d = tempfile.mkdtemp(prefix="pyshim-mnt-")
    try:
        r = subprocess.run(["mount", "--bind", d, d], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        if r.returncode == 0:
            subprocess.run(["umount", d], timeout=TIMEOUT)
            return True
        return False
    finally:
        os.rmdir(d)


class SiteEnvOnReadOnlyMount(SiteFixture, SandboxTest, unittest.TestCase):
    """A site env on a read-only bind mount works for every user, and
    doctor run by a user reports it healthy."""

    sandbox_user = "pyshim-alice"

    @classmethod
    def setUpClass(cls):
        if not can_bind_mount():
            raise unittest.SkipTest("bind mounts are not permitted here")
        super().setUpClass()
        cls.make_site()
        r = subprocess.run(["mount", "--bind", cls.ml, cls.ml],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=TIMEOUT)
        if r.returncode:
            raise unittest.SkipTest("mount --bind: %s" % r.stdout)
        r = subprocess.run(["mount", "-o", "remount,bind,ro", cls.ml],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=TIMEOUT)
        if r.returncode:
            subprocess.run(["umount", cls.ml], timeout=TIMEOUT)
            raise unittest.SkipTest("remount,ro: %s" % r.stdout)

    @classmethod
    def tearDownClass(cls):
        if cls.sysroot:
            subprocess.run(["umount", cls.ml], timeout=TIMEOUT)
        cls.drop_site()
        super().tearDownClass()

    def test_the_mount_is_read_only(self):
        with self.assertRaises(OSError):
            open(os.path.join(self.ml, "x"), "w")

    def test_every_user_runs_with_it_and_doctor_is_healthy(self):
        self.set_system(self.default_site())
        mallory = test_user("pyshim-mallory")
        d = self.sb.mkdtemp()
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": SYS_VER, "shared": ["ml"]})
        self.sb.give(d)
        # alice: a project naming the site env, and no project at all
        for cwd in (d, self.sb.mkdtemp()):
            r = self.sb.run("python", "-c",
                            "import ml_mod; print(ml_mod.WHERE)", cwd=cwd,
                            env=self.sysenv())
            self.assertOK(r)
            self.assertTrue(r.stdout.startswith(self.ml), r.stdout)
        r = self.sb.pyshim("doctor", cwd=d, env=self.sysenv())
        self.assertIn("shared-version  1 shared env matches", r.stdout)
        self.assertNotIn("fail  shared", r.stdout)
        self.assertNotIn("fail  hook", r.stdout)
        self.assertNotIn("fail  python", r.stdout)
        # mallory too, with her own home and pyshim dir
        home = tempfile.mkdtemp(prefix="pyshim-m-")
        self.addCleanup(shutil.rmtree, home, True)
        os.chown(home, mallory.pw_uid, mallory.pw_gid)
        env = self.sb.envwith(self.sysenv({"HOME": home,
                                           "PYSHIM_HOME": os.path.join(home, "p")}))
        r = subprocess.run(as_user_argv(mallory) + [
            os.path.join(self.sb.bin, "python"), "-c", "import ml_mod"],
            cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=TIMEOUT)
        self.assertOK(r)


if __name__ == "__main__":
    unittest.main()
