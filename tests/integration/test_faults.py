"""Fault injection: what pyshim does when the world breaks under it.

- the environment's site-packages is read-only (a read-only bind mount:
  root ignores file modes) or full (a tiny tmpfs) when the hook must be
  rewritten: a current hook still runs; a stale one is a clear
  `pyshim: error:` naming the file, never a half-written hook or a
  leftover temp file; `pyshim doctor` reports it;
- `kill -9` at many points of `pyshim install`, `init`, `kernel install`
  and `shared create`: every user file is the old or the new version, and
  running the command again finishes the job;
- the interpreter under a venv, an overlay or a facts-cache entry is
  replaced or removed, and cache files are truncated or corrupted: a clear
  error or a correct rebuild, never a stale plan.

The mounts need root (or CAP_SYS_ADMIN); without it those tests skip.
PYSHIM_FAULT_SEED fixes the random kill points (printed on failure).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unittest

from pyshimtest import (PYENV, PYSHIM_BIN, SYSTEM, TIMEOUT, Sandbox,
                        SandboxTest, facts_read, make_venv, site_packages,
                        write, write_json)

SEED = int(os.environ.get("PYSHIM_FAULT_SEED") or random.randrange(1 << 30))
RNG = random.Random(SEED)

# Figures for the report (printed at the end of the run).
FIGURES = {"kills": 0, "kill_reruns": 0, "leftover_tmp_after_kill": 0,
           "mount_faults": 0, "interp_faults": 0}


def tearDownModule():
    sys.stderr.write("\nfault figures (seed %d): %s\n" % (SEED, FIGURES))


def _mount(*args):
    return subprocess.run(["mount"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=TIMEOUT)


def umount(path):
    subprocess.run(["umount", "-l", path], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, timeout=TIMEOUT)


def mount_or_skip(test, *args):
    """mount ARGS; skip the test if mounting is not permitted here."""
    if not shutil.which("mount"):
        test.skipTest("no mount(8)")
    r = _mount(*args)
    if r.returncode != 0:
        test.skipTest("mount not permitted: %s" % r.stderr.strip())
    test.addCleanup(umount, args[-1])


def tmp_leftovers(*roots):
    """Files named like plat_write_atomic's temp files (X.tmp-PID-HEX)."""
    found = []
    for root in roots:
        for dirpath, dirnames, files in os.walk(root):
            for n in files + dirnames:
                if ".tmp-" in n:
                    found.append(os.path.join(dirpath, n))
    return found


def fill_disk(path):
    """Write zeros to path until the file system is full."""
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    return path


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def newest_pyenv():
    present = [i for i in PYENV if i.present]
    return present[-1] if present else None


def fake_pip(env_dir):
    """Make a shared env look as if it had pip, so `pyshim init` makes a
    light venv --without-pip (fast)."""
    write(os.path.join(site_packages(env_dir), "pip", "__init__.py"),
          "__version__ = '0'\n")


class _HookFaults(SandboxTest):
    """A project venv with shared env 'one'; the hook is written once,
    then the site-packages dir becomes read-only or full."""

    interp = SYSTEM

    @classmethod
    def setUpClass(cls):
        if not cls.interp.present:
            raise unittest.SkipTest("no %s" % cls.interp.path)
        super().setUpClass()

    def setUp(self):
        sb = self.sb
        self.proj = sb.mkdtemp("hook")
        for name in ("one", "two"):
            if not os.path.exists(sb.shared_dir(name)):
                sb.make_shared(name, self.interp)
        self.venv = make_venv(self.interp, os.path.join(self.proj, ".venv"))
        self.site = site_packages(self.venv)
        self.hook = os.path.join(self.site, "_pyshim.pth")
        self.cfg = os.path.join(self.proj, ".pyshim.json")
        write_json(self.cfg, {"shared": ["one"]})
        self.runpy("import one_mod", cwd=self.proj)
        self.assertTrue(os.path.isfile(self.hook))
        self.old_hook = read_bytes(self.hook)

    def doctor(self):
        r = self.sb.pyshim("doctor", cwd=self.proj)
        self.assertNotIn("AddressSanitizer", r.stderr)
        return r, r.stdout + r.stderr

    def make_stale_and_check(self, reason):
        """Config now names two shared envs; the hook cannot be rewritten."""
        write_json(self.cfg, {"shared": ["one", "two"]})
        r = self.sb.run("python", "-c", "import two_mod", cwd=self.proj)
        err, hint = self.assertShimError(r, self.hook)
        self.assertIn(reason, err)
        self.assertEqual(read_bytes(self.hook), self.old_hook,
                         "the hook changed although it could not be written")
        self.assertEqual(tmp_leftovers(self.site), [])
        d, text = self.doctor()
        self.assertNotEqual(d.returncode, 0, text)
        self.assertIn(self.hook, text)
        self.assertIn("stale", text)
        # doctor --fix cannot fix it either, and says so
        f = self.sb.pyshim("doctor", "--fix", cwd=self.proj)
        self.assertNotEqual(f.returncode, 0, f.stdout + f.stderr)
        self.assertEqual(read_bytes(self.hook), self.old_hook)
        self.assertEqual(tmp_leftovers(self.site), [])

    def test_read_only_site_packages(self):
        mount_or_skip(self, "--bind", self.site, self.site)
        r = _mount("-o", "remount,ro,bind", self.site)
        if r.returncode:
            self.skipTest("read-only remount not permitted: %s" % r.stderr)
        FIGURES["mount_faults"] += 1
        # the hook is current: python runs, doctor is content
        out = self.runpy("import one_mod; print(one_mod.NAME)", cwd=self.proj)
        self.assertEqual(out, "one\n")
        d, text = self.doctor()
        self.assertIn("is current", text)
        # stale and unwritable: a clear error
        self.make_stale_and_check("Read-only file system")
        # writable again: the next run repairs it
        umount(self.site)
        out = self.runpy("import two_mod; print(two_mod.NAME)", cwd=self.proj)
        self.assertEqual(out, "two\n")

    def test_full_disk(self):
        # a 64 KiB tmpfs as site-packages, holding the current hook
        mount_or_skip(self, "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                      self.site)
        FIGURES["mount_faults"] += 1
        write(self.hook, self.old_hook, "wb")
        out = self.runpy("import one_mod; print(one_mod.NAME)", cwd=self.proj)
        self.assertEqual(out, "one\n")
        filler = fill_disk(os.path.join(self.site, "filler.bin"))
        # the hook is current: a full disk does not matter
        out = self.runpy("import one_mod; print(one_mod.NAME)", cwd=self.proj)
        self.assertEqual(out, "one\n")
        self.make_stale_and_check("No space left on device")
        os.unlink(filler)
        out = self.runpy("import two_mod; print(two_mod.NAME)", cwd=self.proj)
        self.assertEqual(out, "two\n")
        self.assertEqual(tmp_leftovers(self.site), [])

    def test_full_data_dir_for_overlay(self):
        """No venv, shared envs: the overlay cannot be built on a full
        disk. A clear error, and no half-built overlay or temp dir."""
        proj = self.sb.mkdtemp("ovl")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.interp.minor, "shared": ["one"]})
        ovl = os.path.join(self.sb.pyshim_home, "overlays")
        os.makedirs(ovl, exist_ok=True)
        if os.listdir(ovl):
            self.skipTest("overlays already built")
        mount_or_skip(self, "-t", "tmpfs", "-o", "size=64k", "tmpfs", ovl)
        FIGURES["mount_faults"] += 1
        filler = fill_disk(os.path.join(ovl, ".filler"))
        r = self.sb.run("python", "-c", "import one_mod", cwd=proj)
        err, _ = self.assertShimError(r, "overlay")
        self.assertIn("No space left on device", err)
        self.assertEqual(sorted(os.listdir(ovl)), [".filler"],
                         "a half-built overlay was left behind")
        os.unlink(filler)
        out = self.runpy("import one_mod; print(one_mod.NAME)", cwd=proj)
        self.assertEqual(out, "one\n")


class HookFaults(_HookFaults, unittest.TestCase):
    pass


class _Killer(object):
    """Run a command, SIGKILL its whole process group after a delay."""

    def kill_run(self, argv, delay, cwd, env):
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=TIMEOUT)
        FIGURES["kills"] += 1
        # the venv module's children too: wait until the group is gone
        for _ in range(100):
            try:
                os.killpg(p.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        return p.returncode

    @staticmethod
    def delays(n_fixed, hi):
        """Kill points: an even spread over [0, hi] plus random ones."""
        fixed = [hi * i / (n_fixed - 1) for i in range(n_fixed)]
        return fixed + [RNG.uniform(0, hi) for _ in range(n_fixed // 2)]

    def count_tmp(self, *roots):
        n = len(tmp_leftovers(*roots))
        FIGURES["leftover_tmp_after_kill"] += n
        return n


class KillInstall(_Killer, unittest.TestCase):
    """install edits ~/.bashrc and ~/.zshrc (marked blocks), fish's file,
    and makes the links."""

    RC = {".bashrc": b"alias ll='ls -l'\n", ".zshrc": b"setopt autocd\n"}

    def test_kill_install(self):
        sb = Sandbox()
        self.addCleanup(sb.close)
        bin2 = os.path.join(sb.root, "bin2")
        # the copy install made: a rebuild of PYSHIM_BIN meanwhile is harmless
        argv = [os.path.join(sb.bin, "pyshim"), "install", "--bin-dir", bin2,
                "--shell", "all",
                "--no-default-env"]
        fish = os.path.join(".config", "fish", "conf.d", "pyshim.fish")
        names = list(self.RC) + [fish]

        def reset():
            for n in names:
                p = os.path.join(sb.home, n)
                if os.path.lexists(p):
                    os.unlink(p)
            for n, b in self.RC.items():
                write(os.path.join(sb.home, n), b, "wb")
            shutil.rmtree(bin2, ignore_errors=True)

        def state():
            return {n: read_bytes(os.path.join(sb.home, n)) for n in names}

        reset()
        old = state()
        r = subprocess.run(argv, cwd=sb.work, env=sb.env, timeout=TIMEOUT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 0, r.stderr)
        new = state()
        links = sorted(os.listdir(bin2))
        self.assertNotEqual(old, new)
        for d in self.delays(10, 0.25):
            reset()
            self.kill_run(argv, d, sb.work, sb.env)
            got = state()
            for n in names:
                self.assertIn(got[n], (old[n], new[n]),
                              "%s is neither old nor new after kill at %.3fs"
                              " (seed %d)" % (n, d, SEED))
            self.count_tmp(sb.home)
            r = subprocess.run(argv, cwd=sb.work, env=sb.env, timeout=TIMEOUT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            FIGURES["kill_reruns"] += 1
            self.assertEqual(r.returncode, 0,
                             "re-run after kill at %.3fs: %s" % (d, r.stderr))
            self.assertEqual(state(), new)
            self.assertEqual(sorted(n for n in os.listdir(bin2)
                                    if ".tmp-" not in n), links)
            # every link works
            py = subprocess.run([os.path.join(bin2, "python"), "-c",
                                 "print(1)"], cwd=sb.work, env=sb.env,
                                stdout=subprocess.PIPE, timeout=TIMEOUT)
            self.assertEqual(py.stdout, b"1\n")


class KillProjectCommands(_Killer, SandboxTest, unittest.TestCase):
    """init (light venv, config, trust, hook) and kernel install."""

    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no system python")
        super().setUpClass()
        cls.sb.make_shared("ks", SYSTEM)
        fake_pip(cls.sb.shared_dir("ks"))
        cls.jupyter = os.path.join(cls.sb.root, "jupyter")
        cls.sb.env["JUPYTER_DATA_DIR"] = cls.jupyter

    def init_argv(self):
        return [os.path.join(self.sb.bin, "pyshim"), "init", "--python",
                SYSTEM.path, "--shared", "ks"]

    def check_project(self, proj, want_cfg, want_hook):
        cfg = read_bytes(os.path.join(proj, ".pyshim.json"))
        self.assertIn(cfg, (None, want_cfg), "config half-written")
        venv = os.path.join(proj, ".venv")
        if os.path.isdir(venv) and os.path.isdir(os.path.join(venv, "lib")):
            try:
                hook = read_bytes(os.path.join(site_packages(venv),
                                               "_pyshim.pth"))
            except (OSError, AssertionError):
                hook = None
            self.assertIn(hook, (None, want_hook), "hook half-written")

    def test_kill_init(self):
        sb = self.sb
        ref = sb.mkdtemp("ref")
        r = subprocess.run(self.init_argv(), cwd=ref, env=sb.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        want_cfg = read_bytes(os.path.join(ref, ".pyshim.json"))
        want_hook = read_bytes(os.path.join(
            site_packages(os.path.join(ref, ".venv")), "_pyshim.pth"))
        # the hook names absolute shared paths only: the same everywhere
        for d in self.delays(10, 0.4):
            proj = sb.mkdtemp("ki")
            self.kill_run(self.init_argv(), d, proj, sb.env)
            self.check_project(proj, want_cfg, want_hook)
            self.count_tmp(proj)
            r = subprocess.run(self.init_argv(), cwd=proj, env=sb.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=TIMEOUT)
            FIGURES["kill_reruns"] += 1
            self.assertEqual(r.returncode, 0, "re-run after kill at %.3fs "
                             "(seed %d): %s" % (d, SEED, r.stderr))
            self.assertEqual(read_bytes(os.path.join(proj, ".pyshim.json")),
                             want_cfg)
            self.assertEqual(read_bytes(os.path.join(
                site_packages(os.path.join(proj, ".venv")), "_pyshim.pth")),
                want_hook)
            out = self.runpy("import sys, ks_mod; print(sys.prefix)",
                             cwd=proj)
            self.assertEqual(out.strip(), os.path.join(proj, ".venv"))

    def test_kill_init_with_pip(self):
        """Killed while ensurepip installs pip into the new venv: the
        re-run must not take the half venv for a finished one."""
        sb = self.sb
        argv = [os.path.join(sb.bin, "pyshim"), "init", "--python",
                SYSTEM.path]
        for d in (0.6, 1.5):
            proj = sb.mkdtemp("kp")
            self.kill_run(argv, d, proj, sb.env)
            r = subprocess.run(argv, cwd=proj, env=sb.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=120)
            FIGURES["kill_reruns"] += 1
            self.assertEqual(r.returncode, 0, r.stderr)
            out = self.runpy("import pip, sys; print(sys.prefix)", cwd=proj)
            self.assertEqual(out.strip(), os.path.join(proj, ".venv"))

    def test_kill_kernel_install(self):
        sb = self.sb
        proj = sb.mkdtemp("kern")
        r = subprocess.run(self.init_argv(), cwd=proj, env=sb.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        argv = [os.path.join(sb.bin, "pyshim"), "kernel", "install",
                "--name", "kk", "--project", proj]
        r = subprocess.run(argv, cwd=proj, env=sb.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        spec = os.path.join(self.jupyter, "kernels", "kk", "kernel.json")
        want = read_bytes(spec)
        json.loads(want.decode())
        for d in self.delays(8, 0.25):
            shutil.rmtree(os.path.dirname(spec))
            self.kill_run(argv, d, proj, sb.env)
            self.assertIn(read_bytes(spec), (None, want))
            self.count_tmp(self.jupyter)
            r = subprocess.run(argv, cwd=proj, env=sb.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=TIMEOUT)
            FIGURES["kill_reruns"] += 1
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(read_bytes(spec), want)


class KillSharedCreate(_Killer, SandboxTest, unittest.TestCase):
    """`shared create` runs `python -m venv` with pip (seconds): killed at
    any point, running it again gives a complete env."""

    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no system python")
        super().setUpClass()

    def test_kill_shared_create(self):
        sb = self.sb
        argv = [os.path.join(sb.bin, "pyshim"), "shared", "create", "big",
                "--python", SYSTEM.path]
        env_dir = sb.shared_dir("big")
        for d in [0.05, 0.3] + [RNG.uniform(0.5, 3.0) for _ in range(2)]:
            shutil.rmtree(env_dir, ignore_errors=True)
            self.kill_run(argv, d, sb.work, sb.env)
            r = sb.pyshim("shared", "list")
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run(argv, cwd=sb.work, env=sb.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=120)
            FIGURES["kill_reruns"] += 1
            self.assertEqual(r.returncode, 0, "re-run after kill at %.3fs "
                             "(seed %d): %s" % (d, SEED, r.stderr))
            pip = subprocess.run([os.path.join(env_dir, "bin", "python"),
                                  "-m", "pip", "--version"], env=sb.env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 universal_newlines=True, timeout=TIMEOUT)
            self.assertEqual(pip.returncode, 0,
                             "env incomplete after kill at %.3fs + re-run: %s"
                             % (d, pip.stderr))
            self.assertTrue(os.path.exists(os.path.join(env_dir, "bin",
                                                        "activate")))


class InterpreterChanges(SandboxTest, unittest.TestCase):
    """A pyenv CPython "installed" at a temp prefix (its binary copied, its
    stdlib linked), a venv and an overlay made from it, the facts cache
    warm; then the binary is replaced by another version or removed."""

    @classmethod
    def setUpClass(cls):
        present = [i for i in PYENV if i.present]
        if len(present) < 2:
            raise unittest.SkipTest("needs two pyenv CPythons")
        cls.old, cls.new = present[-2], present[-1]
        super().setUpClass()

    def install_prefix(self, interp, prefix):
        """bin/python3 (a copy of interp's binary) + lib/python3.X (link)."""
        real = os.path.realpath(interp.path)
        src = os.path.dirname(os.path.dirname(real))
        os.makedirs(os.path.join(prefix, "bin"), exist_ok=True)
        os.makedirs(os.path.join(prefix, "lib"), exist_ok=True)
        exe = os.path.join(prefix, "bin", "python3")
        tmp = exe + ".new"
        shutil.copy2(real, tmp)
        os.rename(tmp, exe)
        lib = os.path.join(prefix, "lib", "python" + interp.minor)
        if not os.path.lexists(lib):
            os.symlink(os.path.join(src, "lib", "python" + interp.minor), lib)
        return exe

    def setUp(self):
        sb = self.sb
        self.prefix = os.path.join(sb.mkdtemp("prefix"), "py")
        self.exe = self.install_prefix(self.old, self.prefix)
        if not os.path.exists(sb.shared_dir("olds")):
            sb.make_shared("olds", self.old)
        self.proj = sb.mkdtemp("venvproj")
        make_venv(self.exe, os.path.join(self.proj, ".venv"))
        write_json(os.path.join(self.proj, ".pyshim.json"),
                   {"shared": ["olds"]})
        # A venv made by hand from an interpreter the search does not find
        # (this temp prefix) runs once trusted (docs/trust.md).
        r = sb.pyshim("trust", self.proj, cwd=self.proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.ovl = sb.mkdtemp("ovlproj")
        write_json(os.path.join(self.ovl, ".pyshim.json"),
                   {"python": self.exe, "shared": ["olds"]})
        r = sb.pyshim("trust", self.ovl, cwd=self.ovl)
        self.assertEqual(r.returncode, 0, r.stderr)
        for d in (self.proj, self.ovl):
            f = self.hello(cwd=d)
            self.assertEqual(f["version"][:2], list(self.old.version[:2]))

    def check_after_change(self, d, want_version):
        """A correct run of want_version, or one clear error."""
        r = self.sb.run("python", "-c",
                        "import sys, json; print(json.dumps("
                        "[list(sys.version_info[:2]), sys.prefix]))",
                        cwd=d)
        self.assertNotIn("AddressSanitizer", r.stderr)
        self.assertNotIn("Fatal Python error", r.stderr)
        if r.returncode == 0 and want_version:
            ver, _ = json.loads(r.stdout)
            self.assertEqual(ver, list(want_version[:2]))
            return "ran"
        self.assertShimError(r)
        return "error"

    def test_binary_replaced_by_another_version(self):
        FIGURES["interp_faults"] += 1
        os.unlink(self.exe)
        os.unlink(os.path.join(self.prefix, "lib", "python" + self.old.minor))
        self.install_prefix(self.new, self.prefix)
        # the venv (pyvenv.cfg says old) and the overlay: never the old plan
        for mode in ("exec", "embed"):
            for d in (self.proj, self.ovl):
                how = self.check_after_change(d, self.new.version)
                if how == "ran":
                    # the old shared env must not be mixed into it
                    r = self.sb.run("python", "-c", "import olds_mod", cwd=d,
                                    env={"PYSHIM_MODE": mode})
                    self.assertNotEqual(r.returncode, 0, r.stdout)

    def test_binary_removed(self):
        FIGURES["interp_faults"] += 1
        os.unlink(self.exe)
        for mode in ("exec", "embed"):
            for d in (self.proj, self.ovl):
                r = self.sb.run("python", "-c", "print(1)", cwd=d,
                                env={"PYSHIM_MODE": mode})
                self.assertShimError(r)

    def test_binary_rebuilt_same_version(self):
        """Same version, new file (a reinstall): a cache miss, a re-probe,
        and the run goes on."""
        FIGURES["interp_faults"] += 1
        self.install_prefix(self.old, self.prefix)
        for d in (self.proj, self.ovl):
            f = self.hello(cwd=d)
            self.assertEqual(f["version"][:2], list(self.old.version[:2]))

    def test_facts_cache_damaged(self):
        cache = os.path.join(self.sb.pyshim_home, "cache", "interp")
        if not os.path.isdir(cache):
            cands = [os.path.join(dp, "interp") for dp, dn, _ in
                     os.walk(self.sb.pyshim_home) if "interp" in dn]
            self.assertTrue(cands, "no facts cache dir")
            cache = cands[0]
        files = [os.path.join(cache, n) for n in os.listdir(cache)]
        self.assertTrue(files)
        damages = [
            lambda b: b[:len(b) // 2],                       # truncated
            lambda b: b"",                                   # empty
            lambda b: b"\0" * len(b),                        # zeroed
            lambda b: b.replace(b'\nlibpython ', b'\nlibpython /nonexistent/'),
            lambda b: b"{" * 10000,                          # deep garbage
            lambda b: bytes(RNG.randrange(256) for _ in range(len(b))),
        ]
        for i, damage in enumerate(damages):
            FIGURES["interp_faults"] += 1
            for f in files:
                orig = read_bytes(f)
                if orig is not None:
                    write(f, damage(orig), "wb")
            for mode in ("exec", "embed"):
                for d in (self.proj, self.ovl):
                    r = self.sb.run("python", "-c",
                                    "import sys, olds_mod; "
                                    "print(*sys.version_info[:2])", cwd=d,
                                    env={"PYSHIM_MODE": mode})
                    self.assertEqual(
                        (r.returncode, r.stdout, r.stderr),
                        (0, "%d %d\n" % self.old.version[:2], ""),
                        "damage #%d, %s, %s" % (i, mode, d))
            # the record of the interpreter these projects run is rebuilt
            # (records of interpreters not needed here may stay damaged)
            rebuilt = 0
            for f in files:
                rec = facts_read(f)
                rebuilt += bool(rec) and rec["prefix"] == self.prefix
            self.assertEqual(rebuilt, 1, "damage #%d" % i)


def _ignore_sigchld():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)


class IgnoredSIGCHLD(SandboxTest, unittest.TestCase):
    """Issue 10 item 16: a caller that leaves SIGCHLD ignored (SIG_IGN is
    inherited across exec) must not make the commands that wait for a
    child report failure (the kernel reaps it, waitpid gets ECHILD), nor
    `shared create` delete the env it just made; and Python run through
    the shim still sees the SIG_IGN it would see run directly."""

    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no system python")
        super().setUpClass()

    def run_ign(self, argv, cwd):
        return subprocess.run(argv, cwd=cwd, env=self.sb.env,
                              preexec_fn=_ignore_sigchld,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=120)

    def test_shared_create_and_init(self):
        sb = self.sb
        r = self.run_ign([os.path.join(sb.bin, "pyshim"), "shared", "create",
                          "ign", "--python", SYSTEM.path], sb.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        env_dir = sb.shared_dir("ign")
        self.assertTrue(os.path.isfile(os.path.join(env_dir, "pyvenv.cfg")))
        self.assertFalse(os.path.exists(os.path.join(env_dir,
                                                     ".pyshim-incomplete")))
        proj = sb.mkdtemp("ign")
        r = self.run_ign([os.path.join(sb.bin, "pyshim"), "init", "--python",
                          SYSTEM.path, "--shared", "ign"], proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.runpy("import sys; print(sys.prefix)", cwd=proj)
        self.assertEqual(out.strip(), os.path.join(proj, ".venv"))

    def test_python_sees_the_inherited_disposition(self):
        sb = self.sb
        code = ("import signal; "
                "print(signal.getsignal(signal.SIGCHLD) is signal.SIG_IGN)")
        direct = self.run_ign([SYSTEM.path, "-c", code], sb.work)
        self.assertEqual(direct.stdout, "True\n", direct.stderr)
        proj = sb.mkdtemp("sig")
        write(os.path.join(proj, ".python-version"), SYSTEM.minor + "\n")
        for mode in ("exec", "embed"):
            # A cold facts cache: the shim first waits for a probe child.
            shutil.rmtree(os.path.join(sb.pyshim_home, "cache"),
                          ignore_errors=True)
            r = subprocess.run(["python", "-c", code], cwd=proj,
                               env=sb.envwith({"PYSHIM_MODE": mode}),
                               preexec_fn=_ignore_sigchld,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=TIMEOUT)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (0, direct.stdout, ""), mode)


class HalfMadeEnvs(SandboxTest, unittest.TestCase):
    """Issue 10 item 14: what a killed `init` or overlay build leaves.
    A venv still carrying .pyshim-incomplete is refused by `python` (with
    the command that makes it again), never used silently. A .tmp- dir of
    an overlay build whose builder died is removed by the next overlay
    build and by `doctor --fix`; one of a live build is left alone."""

    @classmethod
    def setUpClass(cls):
        if not SYSTEM.present:
            raise unittest.SkipTest("no system python")
        super().setUpClass()
        cls.sb.make_shared("hm", SYSTEM)
        fake_pip(cls.sb.shared_dir("hm"))

    def test_incomplete_venv_is_refused(self):
        sb = self.sb
        proj = sb.mkdtemp("half")
        r = sb.pyshim("init", "--python", SYSTEM.path, "--shared", "hm",
                      cwd=proj)
        self.assertOK(r)
        mark = os.path.join(proj, ".venv", ".pyshim-incomplete")
        write(mark, "pyshim is creating this venv\n")
        r = sb.run("python", "-c", "print(1)", cwd=proj)
        err, hint = self.assertShimError(r, "incomplete",
                                         os.path.join(proj, ".venv"))
        self.assertIn("pyshim init %s" % proj, hint)
        # The command named finishes it.
        r = sb.pyshim("init", cwd=proj)
        self.assertOK(r)
        self.assertFalse(os.path.exists(mark))
        out = self.runpy("import sys, hm_mod; print(sys.prefix)", cwd=proj)
        self.assertEqual(out.strip(), os.path.join(proj, ".venv"))

    def test_incomplete_shared_env_is_refused(self):
        """A shared env whose `shared create` was killed (or still runs)
        is refused by the projects that name it, with the command that
        makes it again; a re-create finishes it."""
        sb = self.sb
        sb.make_shared("halfshared", SYSTEM)
        fake_pip(sb.shared_dir("halfshared"))
        proj = sb.mkdtemp("halfsh")
        r = sb.pyshim("init", "--python", SYSTEM.path, "--shared",
                      "halfshared", cwd=proj)
        self.assertOK(r)
        mark = write(os.path.join(sb.shared_dir("halfshared"),
                                  ".pyshim-incomplete"),
                     "pyshim is creating this venv\n")
        r = sb.run("python", "-c", "print(1)", cwd=proj)
        err, hint = self.assertShimError(r, "incomplete", "halfshared")
        self.assertIn("pyshim shared create halfshared", hint)
        r = sb.pyshim("shared", "create", "halfshared", "--python",
                      SYSTEM.path)
        self.assertEqual(r.returncode, 0, r)
        self.assertFalse(os.path.exists(mark))
        r = sb.run("python", "-c", "print(1)", cwd=proj)
        self.assertOK(r)

    def overlay_project(self, tag):
        """A project with shared envs and no venv: python builds an
        overlay (a new one per project: "shared" differs)."""
        proj = self.sb.mkdtemp(tag)
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": SYSTEM.path, "shared": ["hm", proj]})
        r = self.sb.pyshim("trust", proj)
        self.assertEqual(r.returncode, 0, r)
        return proj

    def builder(self):
        """A stand-in overlay builder, as pyshim's: the build lock held
        shared, a .tmp- dir made. Returns (process, its .tmp- dir)."""
        overlays = os.path.join(self.sb.pyshim_home, "overlays")
        lock = os.path.join(self.sb.pyshim_home, "locks", "overlays.lock")
        code = ("import fcntl, os, sys, tempfile, time\n"
                "os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)\n"
                "os.makedirs(sys.argv[2], exist_ok=True)\n"
                "fd = os.open(sys.argv[1], os.O_RDONLY | os.O_CREAT, 0o644)\n"
                "fcntl.flock(fd, fcntl.LOCK_SH)\n"
                "d = tempfile.mkdtemp(prefix='.tmp-', dir=sys.argv[2])\n"
                "open(os.path.join(d, 'pyvenv.cfg'), 'w').write('home = x')\n"
                "print(d, flush=True)\n"
                "time.sleep(600)\n")
        p = subprocess.Popen([sys.executable, "-c", code, lock, overlays],
                             stdout=subprocess.PIPE, universal_newlines=True)
        self.addCleanup(p.wait, TIMEOUT)
        self.addCleanup(p.kill)
        return p, p.stdout.readline().strip()

    def doctor(self, *args):
        r = self.sb.pyshim("doctor", "--json", *args, cwd=self.sb.work)
        return [c for c in json.loads(r.stdout) if c["check"] == "overlay-tmp"]

    def test_killed_overlay_build_is_cleaned_up(self):
        sb = self.sb
        live, live_tmp = self.builder()
        dead, dead_tmp = self.builder()
        dead.kill()
        dead.wait(TIMEOUT)
        # While a build runs, the next build leaves every .tmp- dir alone
        # (it cannot tell which one is the live build's).
        proj = self.overlay_project("ovl")
        out = self.runpy("import hm_mod, sys; print(sys.prefix)", cwd=proj)
        self.assertIn(os.sep + "overlays" + os.sep, out)
        self.assertTrue(os.path.isdir(live_tmp))
        [c] = self.doctor()
        self.assertEqual(c["status"], "warn")
        self.assertIn("doctor --fix", c["hint"])
        [c] = self.doctor("--fix")
        self.assertFalse(c["fixed"])
        self.assertIn("being built", c["hint"])
        self.assertTrue(os.path.isdir(live_tmp))
        self.assertTrue(os.path.isdir(dead_tmp))
        # The live builder is killed too: the next overlay build cleans up.
        live.kill()
        live.wait(TIMEOUT)
        proj2 = self.overlay_project("ovl")
        out = self.runpy("import hm_mod, sys; print(sys.prefix)", cwd=proj2)
        self.assertIn(os.sep + "overlays" + os.sep, out)
        self.assertEqual(tmp_leftovers(os.path.join(sb.pyshim_home,
                                                    "overlays")), [])
        self.assertEqual(self.doctor(), [])
        # And doctor --fix, once a kill left one again.
        again, tmp = self.builder()
        again.kill()
        again.wait(TIMEOUT)
        [c] = self.doctor("--fix")
        self.assertTrue(c["fixed"], c)
        self.assertIn("removed 1 unfinished overlay build", c["action"])
        self.assertFalse(os.path.exists(tmp))
        self.assertEqual(self.doctor(), [])


if __name__ == "__main__":
    unittest.main()
