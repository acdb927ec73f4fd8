"""Embed mode is indistinguishable from exec mode (and from running the
environment's python directly), for every CPython 3.8+ with a shared
libpython that is installed here.

Each case runs the same command through the shim once with "mode": "exec"
and once with "mode": "embed" (set in .pyshim.json, so the environment the
program sees is identical) and compares stdout, stderr and the exit status.
"""
import glob
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("PYSHIM_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "dev", "pyshim")
TIMEOUT = 60

PROBE = r'''
import sys, os, json
print(json.dumps(dict(
    executable=sys.executable, prefix=sys.prefix, base=sys.base_prefix,
    path=sys.path, flags=repr(sys.flags), argv=sys.argv,
    orig=getattr(sys, "orig_argv", None),
    environ=sorted(os.environ.items()),
    stdin=sys.stdin.read() if "--stdin" in sys.argv else None,
    ppid_is_caller=os.getppid() == int(os.environ.get("CALLER_PID", "0")),
)))
'''


def shared_cpythons():
    """(version, path) of every CPython 3.8+ with a shared libpython."""
    found = []
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for d in sorted(glob.glob(os.path.join(root, "versions", "3.*"))):
        name = os.path.basename(d)
        parts = name.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            continue
        if int(parts[1]) < 8:
            continue
        exe = os.path.join(d, "bin", "python%s.%s" % tuple(parts[:2]))
        if os.path.exists(exe) and glob.glob(os.path.join(d, "lib",
                                                           "libpython3*.so*")):
            found.append((name, exe))
    return found


class EmbedTransparency(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pyshim-embed-")
        cls.home = os.path.join(cls.tmp, "home")
        cls.bindir = os.path.join(cls.tmp, "bin")
        os.makedirs(cls.home)
        cls.env = {k: v for k, v in os.environ.items()
                   if not k.startswith("PYSHIM_") and not k.startswith("PYTHON")}
        cls.env.update(HOME=cls.home, PYSHIM_HOME=os.path.join(cls.tmp, "ph"),
                       PYENV_ROOT=os.environ.get(
                           "PYENV_ROOT", os.path.expanduser("~/.pyenv")))
        subprocess.run([BIN, "install", "--bin-dir", cls.bindir], env=cls.env,
                       check=True, stdout=subprocess.DEVNULL,
                       timeout=TIMEOUT)
        cls.env["PATH"] = cls.bindir + os.pathsep + cls.env["PATH"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def project(self, version, exe):
        proj = os.path.join(self.tmp, "proj-" + version)
        if not os.path.isdir(proj):
            os.makedirs(proj)
            subprocess.run([exe, "-m", "venv", "--without-pip",
                            os.path.join(proj, ".venv")], check=True,
                           timeout=TIMEOUT)
            with open(os.path.join(proj, "mod_here.py"), "w") as f:
                f.write("print('module ran', __name__)\n")
            os.makedirs(os.path.join(proj, "app"))
            with open(os.path.join(proj, "app", "__main__.py"), "w") as f:
                f.write("import sys; print('dir app', sys.argv)\n")
            with open(os.path.join(proj, "probe.py"), "w") as f:
                f.write(PROBE)
        return proj

    def set_mode(self, proj, mode):
        with open(os.path.join(proj, ".pyshim.json"), "w") as f:
            json.dump({"mode": mode}, f)

    def run_shim(self, proj, mode, args, stdin=b"", env=None):
        self.set_mode(proj, mode)
        e = dict(self.env, CALLER_PID=str(os.getpid()))
        e.update(env or {})
        return subprocess.run(["python"] + args, cwd=proj, env=e,
                              input=stdin, capture_output=True,
                              timeout=TIMEOUT)

    def plan(self, proj):
        e = dict(self.env, PYSHIM_DRYRUN="1")
        out = subprocess.run(["python", "-c", "pass"], cwd=proj, env=e,
                             capture_output=True, timeout=TIMEOUT, check=True)
        return json.loads(out.stdout)

    CASES = [
        ("probe", ["probe.py", "a b", "", "ü"], b""),
        ("stdin", ["probe.py", "--stdin"], b"line1\nline2\x00\xff\n"),
        ("dash-c", ["-c", "import sys; print(sys.argv, sys.flags.optimize)"], b""),
        ("dash-m", ["-m", "mod_here", "x"], b""),
        ("dash-m-json", ["-m", "json.tool"], b'{"a": [1, 2]}'),
        ("directory", ["app", "y"], b""),
        ("stdin-script", ["-", "arg"], b"import sys; print('from stdin', sys.argv)\n"),
        ("exit-3", ["-c", "import sys; sys.exit(3)"], b""),
        ("exit-255", ["-c", "raise SystemExit(255)"], b""),
        ("exit-msg", ["-c", "import sys; sys.exit('bye now')"], b""),
        ("os-exit", ["-c", "import os; print('x', flush=True); os._exit(7)"], b""),
        ("uncaught", ["-c", "def f():\n    raise ValueError('boom')\nf()"], b""),
        ("flags", ["-B", "-O", "-u", "-X", "utf8", "-W", "error::DeprecationWarning",
                   "probe.py"], b""),
        ("isolated", ["-I", "probe.py"], b""),
        ("nosite", ["-S", "-c", "import sys; print(sys.path)"], b""),
        ("E-s", ["-E", "-s", "probe.py"], b""),
        ("xdev", ["-X", "dev", "-c", "import sys; print(sys.flags.dev_mode)"], b""),
        ("version", ["--version"], b""),
        ("c-ext", ["-c", "import _ctypes, _sqlite3, _decimal, _json; print('ok')"], b""),
        ("signal", ["-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], b""),
        ("kbint", ["-c", "raise KeyboardInterrupt"], b""),
        ("subproc", ["-c", "import subprocess, sys; "
                     "print(subprocess.run([sys.executable, '-c', 'import sys; print(sys.prefix)'],"
                     " capture_output=True, text=True).stdout)"], b""),
    ]

    def test_cases_exec_vs_embed(self):
        versions = shared_cpythons()
        if not versions:
            self.skipTest("no CPython 3.8+ with a shared libpython")
        for version, exe in versions:
            proj = self.project(version, exe)
            self.set_mode(proj, "embed")
            plan = self.plan(proj)
            self.assertEqual(plan["mode"], "embed", plan["mode_reason"])
            for name, args, stdin in self.CASES:
                with self.subTest(version=version, case=name):
                    a = self.run_shim(proj, "exec", args, stdin)
                    b = self.run_shim(proj, "embed", args, stdin)
                    self.assertEqual(a.returncode, b.returncode)
                    self.assertEqual(a.stdout, b.stdout)
                    self.assertEqual(a.stderr, b.stderr)
                    if name == "probe":
                        got = json.loads(b.stdout)
                        self.assertEqual(got["executable"],
                                         os.path.join(proj, ".venv", "bin",
                                                      "python"))
                        self.assertEqual(got["prefix"],
                                         os.path.join(proj, ".venv"))
                        self.assertTrue(got["ppid_is_caller"])
                        self.assertNotIn("PYSHIM_PASSTHROUGH",
                                         dict(got["environ"]))
                    if name == "signal":
                        self.assertEqual(b.returncode, -signal.SIGTERM)
                    if name == "kbint":
                        self.assertEqual(b.returncode, -signal.SIGINT)
                    if name == "exit-msg":
                        self.assertEqual(b.stderr, b"bye now\n")

    def test_embed_matches_direct(self):
        for version, exe in shared_cpythons():
            proj = self.project(version, exe)
            direct = subprocess.run(
                [os.path.join(proj, ".venv", "bin", "python"), "probe.py", "q"],
                cwd=proj, env=dict(self.env, CALLER_PID=str(os.getpid())),
                capture_output=True, timeout=TIMEOUT)
            shim = self.run_shim(proj, "embed", ["probe.py", "q"])
            with self.subTest(version=version):
                self.assertEqual(direct.returncode, 0, direct.stderr)
                d, s = json.loads(direct.stdout), json.loads(shim.stdout)
                # orig_argv[0] is how python was named: the shim names the
                # environment's python by its absolute path
                d["orig"] = d["orig"] and d["orig"][1:]
                s["orig"] = s["orig"] and s["orig"][1:]
                self.assertEqual(d, s)

    def test_interactive_via_pty(self):
        for version, exe in shared_cpythons()[-2:]:
            proj = self.project(version, exe)
            outs = {}
            for mode in ("exec", "embed"):
                self.set_mode(proj, mode)
                outs[mode] = self.pty_session(proj, ["python", "-i", "-q", "-c",
                                                     "x = 6"])
            with self.subTest(version=version):
                self.assertIn(b"42", outs["embed"])
                self.assertEqual(outs["exec"].replace(b"\r", b""),
                                 outs["embed"].replace(b"\r", b""))

    def pty_session(self, cwd, argv):
        env = dict(self.env, TERM="dumb", PYTHON_BASIC_REPL="1")
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        out = b""
        deadline = time.time() + 30
        sent = False
        while time.time() < deadline:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if not sent and b">>> " in out:
                os.write(fd, b"print(x * 7)\nexit()\n")
                sent = True
        os.waitpid(pid, 0)
        os.close(fd)
        return out

    def test_numpy_from_debian_under_embed(self):
        dist = "/usr/lib/python3/dist-packages"
        if not os.path.isdir(os.path.join(dist, "numpy")):
            self.skipTest("Debian's python3-numpy is not installed")
        deb = subprocess.run(["/usr/bin/python3", "-c",
                              "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=TIMEOUT)
        match = [(v, e) for v, e in shared_cpythons()
                 if v.startswith(deb.stdout.strip() + ".")]
        if not match:
            self.skipTest("no pyenv CPython of Debian's minor version")
        version, exe = match[0]
        proj = os.path.join(self.tmp, "numpy-" + version)
        os.makedirs(proj)
        subprocess.run([exe, "-m", "venv", "--without-pip",
                        os.path.join(proj, ".venv")], check=True, timeout=TIMEOUT)
        with open(os.path.join(proj, ".pyshim.json"), "w") as f:
            json.dump({"mode": "embed", "shared": [dist]}, f)
        # a shared path outside the project needs the user's trust
        subprocess.run(["pyshim", "trust", proj], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, timeout=TIMEOUT)
        out = subprocess.run(
            ["python", "-c", "import numpy; print(numpy.arange(6).sum(), numpy.__file__)"],
            cwd=proj, env=self.env, capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(out.stdout.startswith("15 " + dist), out.stdout)


if __name__ == "__main__":
    unittest.main()
