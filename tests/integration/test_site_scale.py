"""Issue 16 item 5: many real users, one site env, in parallel.

PYSHIM_SCALE_USERS real local users (default 50, made once with useradd
and kept: pyshim-s00, pyshim-s01, ...), each with 3 projects that name the
site env "ml" of a root-owned system config. Every (user, project) runs
`python` cold (no overlay, no facts cache) and then warm, 8 at a time, all
as their own users. Then: every run got its own overlay and the site env's
module; nothing was written outside each user's own dirs (the site env, the
system config and the bin dir are unchanged; everything in a user's home is
that user's); and a file one user plants where another works is not obeyed.
Skipped when not root.
"""
import concurrent.futures
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import unittest

from pyshimtest import (PYSHIM_BIN, TIMEOUT, as_user_argv, base_env,
                        install_quiet_flags, make_venv, site_packages,
                        users_unavailable, write, write_json)

N_USERS = int(os.environ.get("PYSHIM_SCALE_USERS", "50"))
N_PROJECTS = 3
WORKERS = 8
SYSTEM_PY = "/usr/bin/python3"
CODE = ("import os, sys, ml_mod; print(sys.prefix); print(ml_mod.WHERE); "
        "print(os.getcwd())")


def scale_user(i):
    """pwd entry of pyshim-sNN, made on first use (kept for later runs)."""
    name = "pyshim-s%02d" % i
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd", path=os.environ.get("PATH", "") +
                           ":/usr/sbin:/sbin")
    r = subprocess.run([useradd, "--system", "--no-create-home",
                        "--user-group", "--shell", "/usr/sbin/nologin", name],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=TIMEOUT)
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError("useradd %s failed: %s" % (name, r.stdout))


def tree_state(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames + ["."]:
            p = os.path.normpath(os.path.join(dirpath, n))
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_mtime_ns, st.st_size,
                                             st.st_mode, st.st_uid)
    return out


@unittest.skipIf(users_unavailable(), users_unavailable() or "")
class ManyUsersOneSiteEnv(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-scale-"))
        os.chmod(cls.root, 0o755)
        sysdir = os.path.join(cls.root, "sys")
        cls.ml = os.path.join(sysdir, "stacks", "ml")
        make_venv(SYSTEM_PY, cls.ml)
        write(os.path.join(site_packages(cls.ml), "ml_mod.py"),
              "WHERE = __file__\n")
        cls.sysconf = write_json(os.path.join(sysdir, "etc", "config.json"), {
            "site_shared": {"ml": cls.ml}, "python": SYSTEM_PY,
            "shared": ["ml"]})
        for dirpath, dirnames, filenames in os.walk(sysdir):
            os.chmod(dirpath, 0o755)
            for n in filenames:
                p = os.path.join(dirpath, n)
                if not os.path.islink(p):
                    os.chmod(p, 0o644 | (os.stat(p).st_mode & 0o111))
        cls.sysdir = sysdir
        # one pyshim install for every user, as an administrator would
        cls.bin = os.path.join(cls.root, "bin")
        renv = base_env()
        renv.update(HOME=cls.root, PYSHIM_HOME=os.path.join(cls.root, "adm"),
                    PYSHIM_SYSTEM_CONFIG=cls.sysconf)
        r = subprocess.run([PYSHIM_BIN, "install", "--bin-dir", cls.bin] +
                           install_quiet_flags(), env=renv,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=TIMEOUT)
        assert r.returncode == 0, r.stdout
        os.chmod(cls.bin, 0o755)
        cls.homes = os.path.join(cls.root, "home")
        os.makedirs(cls.homes)
        os.chmod(cls.homes, 0o755)
        # a world-writable sticky dir every user may write into
        cls.pub = os.path.join(cls.root, "pub")
        os.makedirs(cls.pub)
        os.chmod(cls.pub, 0o1777)
        cls.users = []
        for i in range(N_USERS):
            pw = scale_user(i)
            home = os.path.join(cls.homes, pw.pw_name)
            projects = []
            for k in range(N_PROJECTS):
                d = os.path.join(home, "work", "p%d" % k)
                write_json(os.path.join(d, ".pyshim.json"),
                           {"python": "%d.%d" % cls.sys_ver(),
                            "shared": ["ml"]})
                projects.append(d)
            for dirpath, dirnames, filenames in os.walk(home):
                for n in dirnames + filenames + ["."]:
                    os.lchown(os.path.join(dirpath, n), pw.pw_uid, pw.pw_gid)
            os.chmod(home, 0o700)
            cls.users.append((pw, home, projects))
        cls.sys_before = tree_state(cls.sysdir)
        cls.bin_before = tree_state(cls.bin)

    _ver = None

    @classmethod
    def sys_ver(cls):
        if cls._ver is None:
            out = subprocess.run(
                [SYSTEM_PY, "-c", "import sys; print(*sys.version_info[:2])"],
                stdout=subprocess.PIPE, universal_newlines=True,
                timeout=TIMEOUT).stdout.split()
            cls._ver = (int(out[0]), int(out[1]))
        return cls._ver

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    @staticmethod
    def env_of(home):
        env = base_env()
        env.update(HOME=home, PYSHIM_HOME=os.path.join(home, ".pyshim"),
                   PATH="%s:%s" % (ManyUsersOneSiteEnv.bin,
                                   env.get("PATH", "")))
        env["PYSHIM_SYSTEM_CONFIG"] = ManyUsersOneSiteEnv.sysconf
        return env

    def run_as(self, pw, home, argv, cwd):
        return subprocess.run(as_user_argv(pw) + argv, cwd=cwd,
                              env=self.env_of(home), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=TIMEOUT * 4)

    def all_runs(self):
        jobs = [(pw, home, d) for pw, home, projects in self.users
                for d in projects]
        py = os.path.join(self.bin, "python")
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            futs = {ex.submit(self.run_as, pw, home, [py, "-c", CODE], d):
                    (pw, home, d) for pw, home, d in jobs}
            out = []
            for f in concurrent.futures.as_completed(futs):
                out.append((futs[f], f.result()))
        return out

    def check_runs(self, results):
        self.assertEqual(len(results), N_USERS * N_PROJECTS)
        overlays = {}
        for (pw, home, d), r in results:
            self.assertEqual((r.returncode, r.stderr), (0, ""),
                             (pw.pw_name, d, r))
            prefix, where, cwd = r.stdout.split("\n")[:3]
            own = os.path.join(home, ".pyshim", "overlays") + os.sep
            self.assertTrue(prefix.startswith(own), (pw.pw_name, prefix))
            self.assertTrue(where.startswith(self.ml + os.sep), where)
            self.assertEqual(cwd, d)
            overlays.setdefault(pw.pw_name, set()).add(prefix)
        # one overlay per user, shared by that user's projects
        self.assertEqual(len(overlays), N_USERS)
        for name, s in overlays.items():
            self.assertEqual(len(s), 1, (name, s))

    def test_many_users_cold_then_warm(self):
        self.check_runs(self.all_runs())   # cold: nothing built yet
        self.check_runs(self.all_runs())   # warm
        # nothing written outside each user's own dirs and projects
        self.assertEqual(self.sys_before, tree_state(self.sysdir))
        self.assertEqual(self.bin_before, tree_state(self.bin))
        self.assertEqual(os.listdir(self.pub), [])
        for pw, home, projects in self.users:
            for dirpath, dirnames, filenames in os.walk(home):
                for n in dirnames + filenames:
                    p = os.path.join(dirpath, n)
                    self.assertEqual(os.lstat(p).st_uid, pw.pw_uid, p)
        # one user cannot steer another's resolution: a config planted
        # in the shared sticky dir, above where another user works, is
        # skipped, and that user still gets the site's defaults
        (a, ahome, _), (b, bhome, _) = self.users[0], self.users[1 % N_USERS]
        evil = os.path.join(self.pub, ".pyshim.json")
        r = self.run_as(a, ahome, [SYSTEM_PY, "-c",
                                   "import json; json.dump({'python': '/bin/sh'}, open(%r, 'w'))"
                                   % evil], self.pub)
        self.assertEqual(r.returncode, 0, r)
        bdir = os.path.join(self.pub, "b-work")
        os.makedirs(bdir)
        os.chown(bdir, b.pw_uid, b.pw_gid)
        if a.pw_uid != b.pw_uid:
            r = self.run_as(b, bhome, [os.path.join(self.bin, "python"), "-c",
                                       CODE], bdir)
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("ignored '%s" % evil, r.stderr)
            self.assertTrue(r.stdout.startswith(
                os.path.join(bhome, ".pyshim", "overlays")), r.stdout)
        r = self.run_as(b, bhome, [os.path.join(self.bin, "pyshim"), "which",
                                   "--json"], self.users[1 % N_USERS][2][0])
        plan = json.loads(r.stdout)
        self.assertEqual(plan["project"], self.users[1 % N_USERS][2][0])


if __name__ == "__main__":
    unittest.main()
