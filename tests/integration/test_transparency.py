"""Transparency: running a program through the shim is indistinguishable
from running the environment's python directly.

A table-driven differential test. Each case in transparency_cases.json runs
once with the project venv's python started directly, by its absolute path
(`<proj>/.venv/bin/python`: that is what the shim names as argv[0], so
sys.orig_argv and the "usage:"/"can't open file" messages agree), and once
through the shim (`python` found on PATH) in mode exec and, where the
interpreter loads a shared libpython, in mode embed. stdout, stderr (bytes),
the exit status (a negative one is death by that signal) and what the
program saw (probe.py: argv, orig_argv, environ in full, cwd, parent pid,
open fds, blocked/ignored signals, sys.path, flags, loaded modules) must be
identical, and the program's parent must be the caller itself.

Every case runs on Debian's /usr/bin/python3 (exec; it has no shared
libpython) and on the newest pyenv CPython (both modes); the "core" cases
also run on every other pyenv CPython 3.8+ present. Absent ones are skipped.
"""
import binascii
import json
import os
import pty
import resource
import select
import signal
import subprocess
import sys
import time
import unittest
import zipapp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyshimtest as pt  # noqa: E402

CASES_FILE = os.path.join(pt.HERE, "transparency_cases.json")
with open(CASES_FILE) as _f:
    CASES = json.load(_f)["cases"]

PROBE = r'''
import sys, os, json

def hx(s):
    return (os.fsencode(s) if isinstance(s, str) else s).hex()

sig = {}
try:
    with open('/proc/self/status') as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('SigBlk', 'SigIgn'):
                sig[k] = v.strip()
except OSError:
    pass
if '--fd3' in sys.argv:
    os.write(3, b'hello through fd 3')
fds = sorted(int(x) for x in os.listdir('/proc/self/fd'))
stdin = None
if '--stdin-bin' in sys.argv:
    stdin = sys.stdin.buffer.read().hex()
elif '--stdin-text' in sys.argv:
    stdin = sys.stdin.read()
um = os.umask(0o22)
os.umask(um)
def stream(s):
    if s is None:
        return None
    return [s.encoding, s.errors, s.line_buffering, getattr(s, 'write_through', None)]
print(json.dumps(dict(
    argv=[hx(a) for a in sys.argv],
    orig_argv=[hx(a) for a in getattr(sys, 'orig_argv', [])],
    executable=sys.executable, prefix=sys.prefix, exec_prefix=sys.exec_prefix,
    base_prefix=sys.base_prefix, base_exec_prefix=sys.base_exec_prefix,
    base_executable=getattr(sys, '_base_executable', None),
    path=sys.path, flags=repr(sys.flags), warnoptions=sys.warnoptions,
    xoptions=sys._xoptions, dont_write_bytecode=sys.dont_write_bytecode,
    environ=sorted([k.hex(), v.hex()] for k, v in os.environb.items()),
    cwd=os.getcwd(), ppid=os.getppid(), pgrp=os.getpgrp() == os.getpgid(os.getppid()),
    sid=os.getsid(0) == os.getsid(os.getppid()), umask=um, fds=fds, signals=sig,
    rlimit_nofile=__import__('resource').getrlimit(__import__('resource').RLIMIT_NOFILE),
    stdio=[stream(sys.stdin), stream(sys.stdout), stream(sys.stderr)],
    fsencoding=[sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()],
    modules=sorted(sys.modules), stdin=stdin,
    main=[__name__, __file__ if '__file__' in globals() else None,
          __spec__.name if __spec__ else None],
), sort_keys=True))
'''

MP_SPAWN = r'''
import multiprocessing as mp, os, sys

def f(x):
    return (x * x, sys.executable, sys.prefix)

if __name__ == '__main__':
    with mp.get_context('spawn').Pool(1) as p:
        print(p.map(f, [1, 2, 3]))
'''


def _b(v):
    """A case value: str (UTF-8/fs-encoded) or {"hex": raw bytes}."""
    if isinstance(v, dict):
        return binascii.unhexlify(v["hex"])
    return os.fsencode(v)


def _no_core_dumps():
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass


class Result(object):
    def __init__(self, rc, stdout, stderr=b"", extra=None):
        self.rc, self.stdout, self.stderr, self.extra = rc, stdout, stderr, extra

    def __repr__(self):
        return "rc=%r\nstdout=%r\nstderr=%r\nextra=%r" % (
            self.rc, self.stdout[:3000], self.stderr[:3000], self.extra)


class _Transparency(pt.SandboxTest):
    interp = None
    full = False          # every case, not just the core ones

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _no_core_dumps()
        cls.proj = proj = cls.sb.mkdtemp("proj")
        pt.make_venv(cls.interp, os.path.join(proj, ".venv"))
        cls.venv_python = os.path.join(proj, ".venv", "bin", "python")
        # The ASan build's own crash handlers would turn a segfault of the
        # embedded python into a sanitizer report: leave signals to python.
        cls.env = dict(cls.sb.env, ASAN_OPTIONS="detect_leaks=0:handle_segv=0:"
                       "handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0",
                       TERM="dumb", PYTHON_BASIC_REPL="1")
        w = lambda rel, text: pt.write(os.path.join(proj, rel), text)
        w("probe.py", PROBE)
        w("sub/probe2.py", PROBE)
        w("mod_here.py", "import sys\nprint('module ran', __name__, sys.argv)\n")
        w("pkg/__init__.py", "")
        w("pkg/__main__.py", "import sys\nprint('pkg main', __name__, sys.argv)\n")
        w("app/__main__.py", "import sys\nprint('dir app', sys.argv, sys.path[0])\n")
        w("zsrc/__main__.py", "import sys\nprint('zip app', sys.argv, sys.path[0])\n")
        w("raiser.py", "import sys\n\ndef go(a):\n    raise RuntimeError('raised with %r' % (a,))\n\ngo(sys.argv[1:])\n")
        w("skipfirst.py", "this line is not python\nprint('second line ran')\n")
        w("mp_spawn.py", MP_SPAWN)
        zipapp.create_archive(os.path.join(proj, "zsrc"), os.path.join(proj, "app.pyz"))
        os.symlink("sub", os.path.join(proj, "link"))
        cls.modes = ["exec"]
        if cls.interp.version >= (3, 8) and cls.plan_mode("embed") == "embed":
            cls.modes.append("embed")

    @classmethod
    def set_mode(cls, mode):
        pt.write_json(os.path.join(cls.proj, ".pyshim.json"), {"mode": mode})

    @classmethod
    def plan_mode(cls, mode):
        cls.set_mode(mode)
        r = subprocess.run(["python", "-c", "pass"], cwd=cls.proj,
                           env=dict(cls.env, PYSHIM_DRYRUN="1"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=pt.TIMEOUT)
        if r.returncode != 0:
            raise AssertionError("dry run failed: %r" % (r,))
        return json.loads(r.stdout.decode())["mode"]

    # -- running one case ---------------------------------------------------

    def selected(self):
        out = []
        for case in CASES:
            if not (self.full or case.get("core")):
                continue
            if case.get("min") and self.interp.version[:2] < tuple(
                    int(x) for x in case["min"].split(".")):
                continue
            out.append(case)
        return out

    def argv_env_cwd(self, case, shim):
        argv = [b"python" if shim else os.fsencode(self.venv_python)]
        argv += [_b(a) for a in case["args"]]
        env = {os.fsencode(k): os.fsencode(v) for k, v in self.env.items()}
        for k, v in (case.get("env") or {}).items():
            if isinstance(v, str):
                v = v.replace("{proj}", self.proj)
            env[os.fsencode(k)] = _b(v)
        cwd = os.path.join(self.proj, case.get("cwd", ""))
        return argv, env, cwd

    def run_case(self, case, shim):
        kind = case.get("kind", "run")
        argv, env, cwd = self.argv_env_cwd(case, shim)
        if kind == "pty":
            return self.run_pty(case, argv, env, cwd)
        stdin = case.get("stdin", "")
        close = case.get("close") or []
        r_fd = w_fd = None
        preexec = None
        close_fds = True
        if kind == "fd3":
            r_fd, w_fd = os.pipe()

            def preexec():
                if w_fd == 3:
                    os.set_inheritable(3, True)
                else:
                    os.dup2(w_fd, 3)
            close_fds = False
        elif close:
            def preexec():
                for fd in close:
                    os.close(fd)
        try:
            p = subprocess.Popen(
                argv, cwd=cwd, env=env, close_fds=close_fds, preexec_fn=preexec,
                stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT if case.get("merge") else subprocess.PIPE)
        finally:
            if w_fd is not None:
                os.close(w_fd)
        extra = {"pid": p.pid}
        try:
            if kind == "signal":
                out, err = self.deliver(case, p)
            elif kind == "pipe_close":
                p.stdin.close()
                first = self.readline(p)
                p.stdout.close()
                err = p.stderr.read()
                p.stderr.close()
                p.wait(timeout=pt.TIMEOUT)
                out = first
            else:
                data = b"" if stdin is None else _b(stdin)
                out, err = p.communicate(data, timeout=pt.TIMEOUT)
        except BaseException:
            p.kill()
            p.wait()
            raise
        finally:
            if r_fd is not None:
                extra["fd3"] = os.read(r_fd, 4096)
                os.close(r_fd)
        return Result(p.returncode, out, err or b"", extra)

    def readline(self, p):
        """One line of the child's stdout, waited for with a deadline."""
        fd = p.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + pt.TIMEOUT
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no line from the child in time: %r" % buf)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                c = os.read(fd, 1)
                if not c:
                    break
                buf += c
        return buf

    def deliver(self, case, p):
        """Wait for 'ready', then send the case's signal from outside."""
        first = self.readline(p)
        if first != b"ready\n":
            p.kill()
            out, err = p.communicate(timeout=pt.TIMEOUT)
            raise AssertionError("expected ready, got %r %r %r" % (first, out, err))
        # Deliver it once the program is blocked in its wait (state S a few
        # times running), not while it still finishes the print: where the
        # traceback points must not depend on timing.
        deadline = time.monotonic() + pt.TIMEOUT
        asleep = 0
        while asleep < 3 and time.monotonic() < deadline:
            with open("/proc/%d/stat" % p.pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            asleep = asleep + 1 if state == "S" else 0
            time.sleep(0.01)
        p.send_signal(getattr(signal, case["signal"]))
        # stdin stays open until it is over (input() must not see EOF)
        p.wait(timeout=pt.TIMEOUT)
        out, err = p.communicate(timeout=pt.TIMEOUT)
        return first + out, err

    def run_pty(self, case, argv, env, cwd):
        """Drive the program through a pseudo-terminal: each input line is
        typed after the next prompt; then EOF (^D) at the last prompt."""
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        out = b""
        lines = list(case.get("input") or [])
        eof_sent = False
        deadline = time.monotonic() + pt.TIMEOUT
        prompts = lambda b: b.count(b">>> ") + b.count(b"... ")
        seen = 0
        status = None
        try:
            while time.monotonic() < deadline:
                r, _, _ = select.select([fd], [], [], 0.05)
                if r:
                    try:
                        chunk = os.read(fd, 65536)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        break
                    out += chunk
                    continue
                # Quiet: the program waits for input at a new prompt.
                if prompts(out) > seen and out.endswith((b">>> ", b"... ")):
                    seen = prompts(out)
                    if lines:
                        os.write(fd, lines.pop(0).encode() + b"\n")
                    elif not eof_sent:
                        os.write(fd, b"\x04")
                        eof_sent = True
            else:
                raise AssertionError("pty session did not end: %r" % out)
        finally:
            for _ in range(int(pt.TIMEOUT * 10)):
                wpid, st = os.waitpid(pid, os.WNOHANG)
                if wpid:
                    status = st
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(fd)
        if status is None:
            raise AssertionError("pty child did not exit")
        rc = (-os.WTERMSIG(status) if os.WIFSIGNALED(status)
              else os.WEXITSTATUS(status))
        return Result(rc, out, b"", {"pid": pid})

    # -- comparing --------------------------------------------------------

    def compare(self, case, mode, direct, shim):
        msg = "case %s, mode %s\n-- direct:\n%r\n-- shim:\n%r" % (
            case["name"], mode, direct, shim)
        self.assertEqual(direct.rc, shim.rc, "exit status differs; " + msg)
        if direct.stdout != shim.stdout:
            try:
                d, s = json.loads(direct.stdout), json.loads(shim.stdout)
            except ValueError:
                d = s = None
            if isinstance(d, dict) and isinstance(s, dict):
                diff = {k: (d.get(k), s.get(k)) for k in set(d) | set(s)
                        if d.get(k) != s.get(k)}
                self.fail("the program saw something else (direct, shim): %r\n%s"
                          % (diff, msg))
            self.fail("stdout differs; " + msg)
        self.assertEqual(direct.stderr, shim.stderr, "stderr differs; " + msg)
        self.assertEqual(direct.extra.get("fd3"), shim.extra.get("fd3"), msg)
        if case.get("kind") == "fd3":
            self.assertEqual(shim.extra["fd3"], b"hello through fd 3", msg)
        try:
            seen = json.loads(shim.stdout)
        except ValueError:
            seen = None
        if isinstance(seen, dict) and "ppid" in seen:
            # no process in between: the parent is the caller
            self.assertEqual(seen["ppid"], os.getpid(), msg)
            self.assertEqual(seen["executable"], self.venv_python, msg)
            self.probed.append(case["name"])

    def test_transparency(self):
        cases = self.selected()
        self.assertGreater(len(cases), 0)
        direct = {}
        self.probed = []
        for case in cases:
            with self.subTest(case=case["name"], run="direct"):
                direct[case["name"]] = self.run_case(case, shim=False)
        for mode in self.modes:
            self.set_mode(mode)
            if mode == "embed":
                # really in-process: the running binary is pyshim itself
                # (its python name is a hard link to bin/pyshim)
                r = subprocess.run(["python", "-c", "import os; print(os.stat('/proc/self/exe').st_ino)"],
                                   cwd=self.proj, env=self.env, stdout=subprocess.PIPE,
                                   timeout=pt.TIMEOUT)
                self.assertEqual(int(r.stdout.decode()),
                                 os.stat(os.path.join(self.sb.bin, "pyshim")).st_ino)
            for case in cases:
                if case["name"] not in direct:
                    continue
                with self.subTest(case=case["name"], mode=mode):
                    got = self.run_case(case, shim=True)
                    self.compare(case, mode, direct[case["name"]], got)
        self.assertTrue(self.probed, "no case reached the probe")


    # Issue 13: the name typed reaches the environment's program of that
    # name, so sys.orig_argv[0] and sys.executable are what running
    # .venv/bin/python3.N directly gives, in each mode.
    TYPED = ("import sys; print(getattr(sys, 'orig_argv', ['-'])[0], "
             "sys.executable)")

    def test_typed_name_reaches_the_same_named_program(self):
        names = ["python3", "python" + self.interp.minor]
        direct = {}
        for n in names:
            exe = os.path.join(self.proj, ".venv", "bin", n)
            r = subprocess.run([exe, "-c", self.TYPED], cwd=self.proj,
                               env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=pt.TIMEOUT)
            self.assertEqual(r.returncode, 0, r)
            self.assertIn(exe.encode(), r.stdout)
            direct[n] = (r.returncode, r.stdout, r.stderr)
        for mode in self.modes:
            self.set_mode(mode)
            for n in names:
                with self.subTest(name=n, mode=mode):
                    r = subprocess.run([n, "-c", self.TYPED], cwd=self.proj,
                                       env=self.env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE,
                                       timeout=pt.TIMEOUT)
                    self.assertEqual((r.returncode, r.stdout, r.stderr),
                                     direct[n])


class _TransparencyFull(_Transparency):
    full = True


def _newest_pyenv():
    present = [i for i in pt.PYENV if i.present]
    return present[-1] if present else None


_NEWEST = _newest_pyenv()
pt.per_interp(_TransparencyFull, globals(),
              [pt.SYSTEM] + ([_NEWEST] if _NEWEST else []))
pt.per_interp(_Transparency, globals(),
              [i for i in pt.PYENV if i is not _NEWEST])


class _PipShebang(pt.SandboxTest):
    """Issue 13: `python3.N -m pip install` through the shim writes the
    console script's shebang a direct `.venv/bin/python3.N -m pip install`
    writes (#!.../.venv/bin/python3.N), in each mode."""
    interp = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.proj = cls.sb.mkdtemp("pipproj")
        cls.venv = os.path.join(cls.proj, ".venv")
        pt.make_venv(cls.interp, cls.venv, pip=True)
        cls.whl = pt.build_wheel(os.path.join(cls.sb.root, "wheels"),
                                 "shebangtool",
                                 code="def main():\n    print('tool ran')\n",
                                 scripts={"shebangtool": "shebangtool:main"})
        cls.env = dict(cls.sb.env, ASAN_OPTIONS="detect_leaks=0",
                       PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")

    def set_mode(self, mode):
        """The project's mode; the project trusted again: a venv made by
        hand with pip carries start-up code (setuptools'
        distutils-precedence.pth), run only once trusted (docs/trust.md)."""
        pt.write_json(os.path.join(self.proj, ".pyshim.json"), {"mode": mode})
        t = self.sb.pyshim("trust", self.proj)
        self.assertEqual(t.returncode, 0, t)

    def pip_install(self, python):
        """Install the wheel with `python -m pip`; the script's first line.
        Uninstalled again after."""
        env = self.env
        script = os.path.join(self.venv, "bin", "shebangtool")
        cmd = [python, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
               self.whl]
        r = subprocess.run(cmd, cwd=self.proj, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=pt.PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, r)
        with open(script) as f:
            first = f.readline()
        r = subprocess.run([os.path.join(self.venv, "bin", "python"), "-m",
                            "pip", "uninstall", "-q", "-y", "shebangtool"],
                           cwd=self.proj, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=pt.PIP_TIMEOUT)
        self.assertEqual(r.returncode, 0, r)
        self.assertFalse(os.path.exists(script))
        return first

    def test_console_script_shebang(self):
        name = "python" + self.interp.minor
        direct = self.pip_install(os.path.join(self.venv, "bin", name))
        self.assertEqual(direct, "#!%s\n" % os.path.join(self.venv, "bin", name))
        modes = ["exec"]
        self.set_mode("embed")
        r = subprocess.run([name, "-c", "pass"], cwd=self.proj,
                           env=dict(self.env, PYSHIM_DRYRUN="1"),
                           stdout=subprocess.PIPE, timeout=pt.TIMEOUT)
        if json.loads(r.stdout.decode())["mode"] == "embed":
            modes.append("embed")
        for mode in modes:
            with self.subTest(mode=mode):
                self.set_mode(mode)
                self.assertEqual(self.pip_install(name), direct)


pt.per_interp(_PipShebang, globals(),
              [pt.SYSTEM] + ([_NEWEST] if _NEWEST else []))


class CaseTable(unittest.TestCase):
    def test_table(self):
        names = [c["name"] for c in CASES]
        self.assertEqual(len(names), len(set(names)), "duplicate case names")
        self.assertGreaterEqual(len(CASES), 60)
        known = {"name", "args", "core", "kind", "stdin", "env", "cwd", "merge",
                 "close", "signal", "input", "min"}
        for c in CASES:
            self.assertLessEqual(set(c), known, c["name"])
            self.assertIn(c.get("kind", "run"),
                          ("run", "signal", "fd3", "pipe_close", "pty"), c["name"])
        with open(CASES_FILE) as f:
            lines = [l for l in f if l.lstrip().startswith('{"name"')]
        self.assertEqual(len(lines), len(CASES), "one case a line")


if __name__ == "__main__":
    unittest.main()
