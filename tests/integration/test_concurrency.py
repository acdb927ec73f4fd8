"""Load and concurrency: many shims at once never fail and never leave a
half-built or duplicated file behind.

1. N (200) concurrent first invocations in a fresh PYSHIM_HOME, in a project
   with "shared": ["lib"] and no venv: the overlay env, its _pyshim.pth hook
   and the interpreter facts cache are all missing, so every invocation races
   to build them. All must succeed with the right output; afterwards there is
   exactly one overlay, one hook, one facts record per interpreter, each
   complete, and no temporary file (`*.tmp-*`) or directory (`.tmp-*`).
2. The same while another thread rewrites .pyshim.json all the time,
   alternating two valid configs by atomic rename: every run must see one of
   the two (its matching output), never an error.
3. The same alternation in a project with a venv (the hook in the venv is
   rewritten by the runs themselves): never an error, never a torn hook
   (a run may see both configs' shared envs: see the test).
4. A parallel burst of short pythons through the shim in a project venv
   (like pytest -n): no failure.

The runs are released together through a FIFO gate (each `sh` blocks on
one line of it, then execs `python`), and every wait has a deadline.
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyshimtest as pt  # noqa: E402

N = int(os.environ.get("PYSHIM_TEST_CONCURRENCY", "200"))
BURST_WORKERS = 8
BURST_RUNS = 40          # per worker
DEADLINE = 300           # seconds, for a whole batch

SEE = ("import importlib.util as u, sys\n"
       "print(bool(u.find_spec('lib_mod')), bool(u.find_spec('lib2_mod')),"
       " sys.prefix)\n")
TMP_NAME = re.compile(r"(\.tmp-|\.tmp$)")
# The hook (launcher/hook.h): the .pth, its module, its PEP 829 .start.
HOOK_FILES = ["_pyshim.pth", "_pyshim.start", "_pyshim_hook.py"]
HOOK_IMPORT = "\nimport _pyshim_hook; _pyshim_hook.activate()\n"


def hook_files(site):
    """The files in site, but the __pycache__ Python makes importing the
    hook's module."""
    return sorted(n for n in os.listdir(site) if n != "__pycache__")


def _interp():
    """The newest pyenv CPython (embed, mode auto) else Debian's python."""
    for it in reversed(pt.PYENV):
        if it.present:
            return it
    return pt.SYSTEM if pt.SYSTEM.present else None


INTERP = _interp()


class Concurrency(pt.SandboxTest, unittest.TestCase):
    interp = INTERP

    @classmethod
    def setUpClass(cls):
        if cls.interp is None:
            raise unittest.SkipTest("no interpreter")
        super().setUpClass()
        cls.env = dict(cls.sb.env, ASAN_OPTIONS="detect_leaks=0")

    # -- helpers ----------------------------------------------------------

    def fresh_home(self, tag, interp=None):
        """A new PYSHIM_HOME holding only the shared envs lib and lib2."""
        home = os.path.join(self.sb.root, "ph-" + tag)
        for name, mod in (("lib", "lib_mod"), ("lib2", "lib2_mod")):
            d = pt.make_venv(interp or self.interp, os.path.join(home, "shared", name))
            pt.write(os.path.join(pt.site_packages(d), mod + ".py"), "X = 1\n")
        self.assertEqual(sorted(os.listdir(home)), ["shared"])
        return home

    def project(self, tag, config, venv=False, interp=None):
        proj = self.sb.mkdtemp(tag)
        pt.write_json(os.path.join(proj, ".pyshim.json"), config)
        if venv:
            pt.make_venv(interp or self.interp, os.path.join(proj, ".venv"))
        return proj

    def gated_batch(self, n, cwd, env, code=SEE):
        """Start n shims blocked on a FIFO gate, release them together, and
        return [(rc, stdout, stderr)]."""
        gate = os.path.join(self.sb.root, "gate-%d" % time.monotonic_ns())
        os.mkfifo(gate)
        # O_RDWR: opening never blocks, and the gate exists as a writer, so
        # each reader's open succeeds at once and its read waits for a line.
        wfd = os.open(gate, os.O_RDWR)
        procs = []
        try:
            for _ in range(n):
                procs.append(subprocess.Popen(
                    ["sh", "-c", 'read _ <"$0"; exec python -c "$1"', gate, code],
                    cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE))
            # Wait (bounded) until every shell holds the gate open.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                waiting = 0
                for p in procs:
                    try:
                        if os.readlink("/proc/%d/fd/0" % p.pid) == gate:
                            waiting += 1
                    except OSError:
                        pass
                if waiting == n:
                    break
                time.sleep(0.02)
            os.write(wfd, b"\n" * n)   # one line each: all go at once
            results = self.collect(procs)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            os.close(wfd)
            os.unlink(gate)
        return results

    def collect(self, procs):
        deadline = time.monotonic() + DEADLINE
        out = [None] * len(procs)

        def one(i):
            p = procs[i]
            try:
                o, e = p.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                o, e = p.communicate()
                e += b"\n[test: killed after the deadline]"
            out[i] = (p.returncode, o.decode(errors="replace"),
                      e.decode(errors="replace"))

        with concurrent.futures.ThreadPoolExecutor(32) as ex:
            list(ex.map(one, range(len(procs))))
        return out

    def temp_leftovers(self, root):
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            for n in dirnames + filenames:
                if TMP_NAME.search(n):
                    found.append(os.path.join(dirpath, n))
        return found

    def assert_all_ok(self, results, valid):
        bad = [r for r in results if r[0] != 0 or r[2] or r[1] not in valid]
        self.assertEqual(bad[:5], [], "%d of %d runs failed (first 5 shown); "
                         "valid outputs: %r" % (len(bad), len(results), valid))

    def check_home(self, home, overlays):
        """Exactly the expected overlays, each complete with one hook; one
        complete facts record per interpreter; no temporary leftovers."""
        self.assertEqual(self.temp_leftovers(home), [])
        odir = os.path.join(home, "overlays")
        names = sorted(os.listdir(odir))
        self.assertEqual(len(names), overlays, names)
        for n in names:
            d = os.path.join(odir, n)
            with open(os.path.join(d, "pyvenv.cfg")) as f:
                cfg = f.read()
            self.assertIn("pyshim = overlay\n", cfg)
            self.assertTrue(cfg.endswith("\n"))
            self.assertTrue(os.access(os.path.join(d, "bin", "python"), os.X_OK))
            sp = pt.site_packages(d)
            self.assertEqual(hook_files(sp), HOOK_FILES, sp)
            with open(os.path.join(sp, "_pyshim.pth")) as f:
                hook = f.read()
            self.assertTrue(hook.startswith("# Written by pyshim"), hook)
            self.assertTrue(hook.endswith(HOOK_IMPORT), hook)
        self.check_facts(home)

    def check_facts(self, home):
        idir = os.path.join(home, "cache", "interp")
        # facts records (the search cache's search-XX records beside them
        # are written atomically as well, and checked by test_search_cache)
        files = sorted(n for n in os.listdir(idir)
                       if not n.startswith("search-"))
        self.assertGreaterEqual(len(files), 1)
        keys = []
        for n in files:
            self.assertTrue(n.endswith(".json"), n)
            rec = pt.facts_read(os.path.join(idir, n))
            self.assertTrue(rec, n)     # complete: parses
            self.assertIn("version", rec)
            keys.append(rec["key"].split(":", 4)[-1])
        self.assertEqual(len(keys), len(set(keys)), "two records for one interpreter")

    # -- the scenarios -----------------------------------------------------

    def first_invocations(self, interp, tag):
        home = self.fresh_home(tag, interp)
        proj = self.project(tag, {"python": interp.minor, "shared": ["lib"]})
        env = dict(self.env, PYSHIM_HOME=home)
        results = self.gated_batch(N, proj, env)
        overlay = [d for d in os.listdir(os.path.join(home, "overlays"))]
        self.assertEqual(len(overlay), 1, overlay)
        want = "True False %s\n" % os.path.join(home, "overlays", overlay[0])
        self.assert_all_ok(results, {want})
        self.check_home(home, overlays=1)

    def test_1_first_invocations(self):
        self.first_invocations(self.interp, "first")

    def test_1_first_invocations_system(self):
        """The same with Debian's python (static: mode exec)."""
        if not pt.SYSTEM.present or self.interp is pt.SYSTEM:
            self.skipTest("no second interpreter")
        self.first_invocations(pt.SYSTEM, "first-sys")

    def test_1_first_invocations_venv(self):
        """The same in a project venv whose hook is missing: every run
        races to write it."""
        home = self.fresh_home("first-venv")
        proj = self.project("first-venv", {"python": self.interp.minor,
                                           "shared": ["lib"]}, venv=True)
        env = dict(self.env, PYSHIM_HOME=home)
        results = self.gated_batch(N, proj, env)
        venv = os.path.join(proj, ".venv")
        self.assert_all_ok(results, {"True False %s\n" % venv})
        self.assertEqual(self.temp_leftovers(home), [])
        self.assertEqual(self.temp_leftovers(proj), [])
        self.assertEqual(hook_files(pt.site_packages(venv)), HOOK_FILES)
        self.assertFalse(os.path.exists(os.path.join(home, "overlays")))
        self.check_facts(home)

    def alternate(self, path, configs, stop, counter):
        """Rewrite path over and over, alternating configs, atomically."""
        i = 0
        tmp = path + ".writer"
        while not stop.is_set():
            with open(tmp, "w") as f:
                json.dump(configs[i % 2], f)
            os.replace(tmp, path)
            i += 1
            counter[0] = i
            time.sleep(0.001)

    def with_rewrites(self, tag, venv):
        home = self.fresh_home(tag)
        py = self.interp.minor
        configs = [{"python": py, "shared": ["lib"]},
                   {"python": py, "shared": ["lib2"], "mode": "exec"}]
        proj = self.project(tag, configs[0], venv=venv)
        env = dict(self.env, PYSHIM_HOME=home)
        stop = threading.Event()
        counter = [0]
        writer = threading.Thread(target=self.alternate,
                                  args=(os.path.join(proj, ".pyshim.json"),
                                        configs, stop, counter))
        writer.start()
        try:
            results = self.gated_batch(N, proj, env)
        finally:
            stop.set()
            writer.join(30)
        self.assertFalse(writer.is_alive())
        self.assertGreater(counter[0], 10, "the config was hardly rewritten")
        return home, proj, results

    def test_2_config_rewritten_concurrently(self):
        home, proj, results = self.with_rewrites("rewrite", venv=False)
        odir = os.path.join(home, "overlays")
        valid = set()
        for n in os.listdir(odir):
            pth = os.path.join(pt.site_packages(os.path.join(odir, n)), "_pyshim.pth")
            with open(pth) as f:
                lib2 = "/shared/lib2/" in f.read()
            valid.add("%s %s %s\n" % (not lib2, lib2, os.path.join(odir, n)))
        self.assert_all_ok(results, valid)
        seen = {r[1] for r in results}
        self.assertLessEqual(len(os.listdir(odir)), 2)
        self.check_home(home, overlays=len(os.listdir(odir)))
        type(self).figures_2 = (N, len(seen))

    def test_3_config_rewritten_venv(self):
        home, proj, results = self.with_rewrites("rewrite-venv", venv=True)
        venv = os.path.join(proj, ".venv")
        # CPython's site reads a venv's .pth files twice at start-up (once
        # from venv(), once from addsitepackages(); `python -v` shows it): a
        # run that starts while a concurrent run rewrites the hook may see
        # the union of the old and the new hook. Never neither, never an error.
        valid = {"True False %s\n" % venv, "False True %s\n" % venv,
                 "True True %s\n" % venv}
        self.assert_all_ok(results, valid)
        self.assertEqual(self.temp_leftovers(home), [])
        self.assertEqual(self.temp_leftovers(proj), [])
        self.assertFalse(os.path.exists(os.path.join(home, "overlays")))
        sp = pt.site_packages(venv)
        with open(os.path.join(sp, "_pyshim.pth")) as f:
            hook = f.read()
        self.assertTrue(hook.startswith("# Written by pyshim") and
                        hook.endswith(HOOK_IMPORT), hook)
        self.check_facts(home)

    def test_4_parallel_burst_in_venv(self):
        home = self.fresh_home("burst")
        proj = self.project("burst", {"python": self.interp.minor, "shared": ["lib"]},
                            venv=True)
        env = dict(self.env, PYSHIM_HOME=home)
        venv = os.path.join(proj, ".venv")
        want = "True False %s\n" % venv
        deadline = time.monotonic() + DEADLINE

        def worker(w):
            bad = []
            for i in range(BURST_RUNS):
                left = deadline - time.monotonic()
                if left <= 0:
                    bad.append((w, i, "deadline"))
                    break
                try:
                    r = subprocess.run(["python", "-c", SEE], cwd=proj, env=env,
                                       stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       universal_newlines=True, timeout=min(left, 120))
                except subprocess.TimeoutExpired:
                    bad.append((w, i, "timeout"))
                    continue
                if r.returncode or r.stderr or r.stdout != want:
                    bad.append((w, i, r.returncode, r.stdout, r.stderr))
            return bad

        with concurrent.futures.ThreadPoolExecutor(BURST_WORKERS) as ex:
            bad = sum(ex.map(worker, range(BURST_WORKERS)), [])
        self.assertEqual(bad[:5], [], "%d of %d runs failed" %
                         (len(bad), BURST_WORKERS * BURST_RUNS))
        self.assertEqual(self.temp_leftovers(home), [])
        self.assertEqual(self.temp_leftovers(proj), [])
        self.check_facts(home)


INIT_RUNS = 8      # `pyshim init` at once in one directory
INIT_ROUNDS = 4    # each time in a fresh directory


def run_together(argv, n, cwd, env):
    """Start argv n times at once; [(exit code, stderr)] of each, a run
    past DEADLINE killed (and its stderr saying so)."""
    procs = [subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
             for _ in range(n)]
    results = []
    for p in procs:
        try:
            _, err = p.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            err += "[test: killed after the deadline]"
        results.append((p.returncode, err))
    return results


@unittest.skipIf(not pt.SYSTEM.present, "no system python")
class ConcurrentInit(pt.SandboxTest, unittest.TestCase):
    """Issue 10 item 14: `pyshim init` run several times at once in one
    directory (a user's double click, an IDE and a terminal): they take
    turns (a lock per project directory) instead of removing each other's
    half-made venv. Each one succeeds, or says it is busy; the venv at the
    end works and is complete."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A shared env that has pip: the venvs are made --without-pip (fast).
        d = cls.sb.make_shared("ci", pt.SYSTEM)
        pt.write(os.path.join(pt.site_packages(d), "pip", "__init__.py"),
                 "__version__ = '0'\n")

    def test_parallel_init_in_one_directory(self):
        sb = self.sb
        argv = [os.path.join(sb.bin, "pyshim"), "init", "--python",
                pt.SYSTEM.path, "--shared", "ci"]
        env = dict(sb.env, ASAN_OPTIONS="detect_leaks=0")
        failed = []
        for round_ in range(INIT_ROUNDS):
            proj = sb.mkdtemp("pinit")
            for code, err in run_together(argv, INIT_RUNS, proj, env):
                # Each one succeeds; stderr holds at most the 'busy' line
                # of a run that waited for another.
                lines = [l for l in err.splitlines() if "busy" not in l]
                if code != 0 or lines:
                    failed.append((round_, code, err))
            venv = os.path.join(proj, ".venv")
            self.assertFalse(os.path.exists(os.path.join(venv,
                                                         ".pyshim-incomplete")))
            out = self.runpy("import sys, ci_mod; print(sys.prefix)", cwd=proj)
            self.assertEqual(out.strip(), venv)
        self.assertEqual(failed[:3], [], "%d of %d runs failed" %
                         (len(failed), INIT_ROUNDS * INIT_RUNS))

    def test_parallel_shared_create_of_one_name(self):
        """`pyshim shared create NAME` run several times at once: one
        makes the env, the others wait and find it (same Python: exit
        0); none removes another's half-made env."""
        sb = self.sb
        env = dict(sb.env, ASAN_OPTIONS="detect_leaks=0")
        failed = []
        for round_ in range(2):
            name = "race%d" % round_
            argv = [os.path.join(sb.bin, "pyshim"), "shared", "create", name,
                    "--python", pt.SYSTEM.path]
            for code, err in run_together(argv, 4, sb.work, env):
                lines = [l for l in err.splitlines() if "busy" not in l]
                if code != 0 or lines:
                    failed.append((round_, code, err))
            d = sb.shared_dir(name)
            self.assertFalse(os.path.exists(os.path.join(d,
                                                         ".pyshim-incomplete")))
            self.assertTrue(os.path.exists(os.path.join(d, "pyvenv.cfg")))
        self.assertEqual(failed[:3], [], "%d of 8 runs failed" % len(failed))


if __name__ == "__main__":
    unittest.main()
