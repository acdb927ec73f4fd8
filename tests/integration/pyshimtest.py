"""Shared helpers for pyshim's integration tests.

Every test class gets a sandbox (`Sandbox`): a private temp dir holding
HOME and PYSHIM_HOME, and a bin dir made by the real `pyshim install
--bin-dir`, first on PATH. `run()` starts a link by its name through PATH,
exactly as a user typing `python` would, always with a timeout.

The interpreters under test: Debian's /usr/bin/python3, and each CPython
3.8+ found under $PYENV_ROOT/versions (~/.pyenv). `per_interp()` makes one
test class per interpreter; the ones not installed are skipped.
"""
import csv
import grp
import hashlib
import base64
import io
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
PYSHIM_BIN = os.path.abspath(
    os.environ.get("PYSHIM_BIN") or os.path.join(SRC, "build", "dev", "pyshim"))

# Every subprocess is bounded: a hang is a failure, never a stuck suite.
TIMEOUT = float(os.environ.get("PYSHIM_TEST_TIMEOUT", "120"))
PIP_TIMEOUT = 240

ORIG_ENV = dict(os.environ)
REAL_HOME = os.path.expanduser("~")
PYENV_ROOT = os.environ.get("PYENV_ROOT") or os.path.join(REAL_HOME, ".pyenv")

# Variables that would change what python does, never inherited.
_SCRUB = re.compile(r"^(PYSHIM_|PYTHON(PATH|HOME|STARTUP|SAFEPATH|USERBASE|NOUSERSITE)$"
                    r"|VIRTUAL_ENV|CONDA_PREFIX|PYENV_VERSION$|XDG_|PIP_)")

HELLO_PY = ("import json, os, sys\n"
            "print(json.dumps({'executable': sys.executable, 'prefix': sys.prefix,"
            " 'base_prefix': getattr(sys, 'base_prefix', sys.prefix),"
            " 'version': list(sys.version_info[:3]), 'path': sys.path,"
            " 'cwd': os.getcwd(), 'argv': sys.argv}))\n")


class Interp(object):
    def __init__(self, label, path):
        self.label = label
        self.path = path
        self._ver = None

    @property
    def present(self):
        return bool(self.path) and os.access(self.path, os.X_OK)

    @property
    def version(self):
        """(major, minor, micro) from running it once."""
        if self._ver is None:
            out = subprocess.run(
                [self.path, "-c", "import sys; print(*sys.version_info[:3])"],
                stdout=subprocess.PIPE, check=True, timeout=TIMEOUT,
                env=base_env()).stdout
            self._ver = tuple(int(x) for x in out.split())
        return self._ver

    @property
    def minor(self):
        return "%d.%d" % self.version[:2]

    def __repr__(self):
        return "Interp(%s, %s)" % (self.label, self.path)


def _pyenv_interp(minor):
    """The newest ~/.pyenv/versions/3.MINOR.* CPython, or None."""
    vdir = os.path.join(PYENV_ROOT, "versions")
    best = None
    try:
        names = os.listdir(vdir)
    except OSError:
        return None
    for name in names:
        m = re.match(r"^3\.(\d+)\.(\d+)$", name)
        if not m or int(m.group(1)) != minor:
            continue
        exe = os.path.join(vdir, name, "bin", "python3.%d" % minor)
        if os.access(exe, os.X_OK) and (best is None or int(m.group(2)) > best[0]):
            best = (int(m.group(2)), exe)
    return best[1] if best else None


SYSTEM = Interp("system", "/usr/bin/python3")
PYENV_MINORS = list(range(8, 14))
PYENV = [Interp("pyenv3%d" % m, _pyenv_interp(m)) for m in PYENV_MINORS]
ALL_INTERPS = [SYSTEM] + PYENV


def present_interps():
    return [i for i in ALL_INTERPS if i.present]


def base_env():
    env = {k: v for k, v in ORIG_ENV.items() if not _SCRUB.match(k)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def per_interp(base, namespace, interps=None):
    """One subclass of base per interpreter, named Base_label, put into
    namespace (a module's globals()); absent ones are skipped."""
    for it in interps or ALL_INTERPS:
        name = "%s_%s" % (base.__name__.lstrip("_"), it.label)
        reason = "%s is not installed" % (it.label,)
        cls = type(name, (base, unittest.TestCase), {"interp": it,
                                                     "__module__": namespace["__name__"]})
        if not it.present:
            cls = unittest.skip(reason)(cls)
        namespace[name] = cls


def fnv1a64(s):
    """FNV-1a 64 of s's UTF-8 bytes: how the facts cache names the record
    of an interpreter (cache/interp/%016x.json of its real path; a line
    record since issue 14, the name kept so older JSON records are
    replaced)."""
    h = 1469598103934665603
    for b in s.encode():
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def _line_esc(v):
    """common/linerec.h's escape: bytes <= 0x20, 0x7f and '\\' as \\xHH."""
    if isinstance(v, str):
        v = os.fsencode(v)
    return b"".join(b"\\x%02x" % c if c <= 0x20 or c in (0x7f, 0x5c)
                    else bytes([c]) for c in v)


def _line_unesc(v):
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  v)


FACTS_FIELDS = ("key", "version", "impl", "abiflags", "libpython", "prefix",
                "ext_managed")


def facts_key(real):
    """The facts cache key of the interpreter whose real path is real
    (launcher/facts.c: facts_key)."""
    st = os.stat(real)
    return "%d:%d:%d:%d:%s" % (st.st_size, st.st_dev, st.st_ino,
                               st.st_mtime_ns, real)


def facts_record(facts):
    """The bytes of a facts cache record (launcher/facts.h's line format)
    of facts, a dict with every FACTS_FIELDS member (ext_managed a bool)."""
    out = b"pyshim-facts 1\n"
    for k in FACTS_FIELDS:
        v = facts[k]
        if k == "ext_managed":
            v = "1" if v else "0"
        out += k.encode() + b" " + _line_esc(v) + b"\n"
    return out


def facts_read(path):
    """The facts cache record at path as a dict of str (surrogateescape'd),
    or None when it is not one."""
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError:
        return None
    if lines[:1] != [b"pyshim-facts 1"] or lines[-1] != b"" or \
            len(lines) != len(FACTS_FIELDS) + 2:
        return None
    res = {}
    for k, line in zip(FACTS_FIELDS, lines[1:]):
        name, sep, v = line.partition(b" ")
        if name != k.encode() or not sep:
            return None
        res[k] = os.fsdecode(_line_unesc(v))
    return res


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, mode) as f:
        f.write(text)
    return path


def write_json(path, obj):
    return write(path, json.dumps(obj, indent=2) + "\n")


def site_packages(env_dir):
    """env_dir/lib/pythonX.Y/site-packages (the only one)."""
    lib = os.path.join(env_dir, "lib")
    names = [n for n in os.listdir(lib) if re.match(r"^python3\.\d+t?$", n)]
    assert len(names) == 1, names
    return os.path.join(lib, names[0], "site-packages")


def make_venv(interp, path, pip=False, extra=()):
    """A venv at path made by interp (Interp or path); no pip unless asked."""
    exe = interp.path if isinstance(interp, Interp) else interp
    cmd = [exe, "-m", "venv"]
    if not pip:
        cmd.append("--without-pip")
    cmd += list(extra) + [path]
    subprocess.run(cmd, check=True, env=base_env(), stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE,
                   timeout=PIP_TIMEOUT if pip else TIMEOUT)
    return path


def build_wheel(dest_dir, name, version="1.0", code=None, scripts=None,
                extra=None):
    """A pure-Python wheel NAME-VERSION-py3-none-any.whl holding module
    NAME (NAME.py), written by hand: no network, no build backend.
    scripts: {script name: "module:function"}, its console_scripts entry
    points (pip writes a script for each, with a shebang). extra: more
    {path in the wheel: text} (other modules)."""
    os.makedirs(dest_dir, exist_ok=True)
    dist = name.replace("-", "_")
    info = "%s-%s.dist-info" % (dist, version)
    files = {
        "%s.py" % dist: code if code is not None else
        "VERSION = %r\nWHERE = __file__\n" % version,
        info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
                            "Summary: pyshim test wheel\n" % (name, version),
        info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: pyshimtest\n"
                         "Root-Is-Purelib: true\nTag: py3-none-any\n",
        info + "/top_level.txt": dist + "\n",
    }
    files.update(extra or {})
    if scripts:
        files[info + "/entry_points.txt"] = "[console_scripts]\n" + "".join(
            "%s = %s\n" % kv for kv in sorted(scripts.items()))
    rows = []
    for arc, text in files.items():
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(
            hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append((arc, "sha256=" + digest, str(len(data))))
    rows.append((info + "/RECORD", "", ""))
    record = io.StringIO()
    csv.writer(record, lineterminator="\n").writerows(rows)
    files[info + "/RECORD"] = record.getvalue()
    whl = os.path.join(dest_dir, "%s-%s-py3-none-any.whl" % (dist, version))
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, text in files.items():
            z.writestr(arc, text)
    return whl


# -- other users --------------------------------------------------------
# Trust is about who wrote a file, so the cross-user cases run as real
# users: made with useradd when the suite runs as root (CI does), skipped
# otherwise. setpriv switches uid/gid without PAM or a login shell.
TEST_USERS = ("pyshim-alice", "pyshim-mallory", "pyshim-eve")


def users_unavailable():
    """None when other users can be used, else why not (a skip reason)."""
    if os.geteuid() != 0:
        return "not root: cannot create or switch to other users"
    for tool in ("useradd", "setpriv"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") +
                            ":/usr/sbin:/sbin"):
            return "no %s on this machine" % tool
    return None


def test_user(name):
    """The pwd entry of test user NAME (one of TEST_USERS), made with
    useradd (no home directory, no login shell) on first use."""
    assert name in TEST_USERS, name
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd", path=os.environ.get("PATH", "") +
                           ":/usr/sbin:/sbin")
    r = subprocess.run([useradd, "--system", "--no-create-home", "--user-group",
                        "--shell", "/usr/sbin/nologin", name],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=TIMEOUT)
    # two suites may race to create the same user: either one wins
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError("useradd %s failed: %s" % (name, r.stdout))


def as_user_argv(pw):
    """argv prefix that runs the rest as user pw (a pwd entry)."""
    return [shutil.which("setpriv", path=os.environ.get("PATH", "") + ":/usr/bin"),
            "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
            "--clear-groups", "--"]


def chown_tree(path, pw):
    """Give path (and everything under it, links not followed) to pw."""
    os.lchown(path, pw.pw_uid, pw.pw_gid)
    if os.path.isdir(path) and not os.path.islink(path):
        for dirpath, dirnames, filenames in os.walk(path):
            for n in dirnames + filenames:
                os.lchown(os.path.join(dirpath, n), pw.pw_uid, pw.pw_gid)


_QUIET = None


def install_quiet_flags():
    """Flags that keep `pyshim install` from editing shell start-up files
    and from building the default env (slow; tested on its own), where
    this build has them."""
    global _QUIET
    if _QUIET is None:
        h = subprocess.run([PYSHIM_BIN, "install", "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True,
                           timeout=TIMEOUT).stdout
        _QUIET = [f for f in ("--no-shell", "--no-default-env") if f in h]
    return _QUIET


class Sandbox(object):
    """A private world: HOME, PYSHIM_HOME and the installed links.

    With user=NAME (one of TEST_USERS; the caller checks
    users_unavailable() first), the world belongs to that user and every
    program run()/pyshim()/call() starts runs as them; files a test makes
    as root go to them with give(). The user cannot read ~root, so only
    the system interpreter is theirs."""

    def __init__(self, user=None):
        self.user = test_user(user) if user else None
        self.prefix = as_user_argv(self.user) if self.user else []
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-it-"))
        self.home = os.path.join(self.root, "home")
        self.pyshim_home = os.path.join(self.root, "pyshim-home")
        self.bin = os.path.join(self.root, "bin")
        self.work = os.path.join(self.root, "work")
        for d in (self.home, self.pyshim_home, self.work):
            os.makedirs(d)
        if self.user:
            os.chmod(self.root, 0o755)
        env = base_env()
        env["HOME"] = self.home
        env["PYSHIM_HOME"] = self.pyshim_home
        # no system config (/etc/pyshim) unless a test names one
        env["PYSHIM_SYSTEM_CONFIG"] = ""
        # The real pyenv installs stay discoverable although HOME moved.
        env["PYENV_ROOT"] = PYENV_ROOT
        env["PATH"] = self.bin + os.pathsep + ORIG_ENV.get("PATH", os.defpath)
        # Under the ASan build, an embedded libpython's own allocations at
        # exit are not pyshim's leaks: leave them out of LeakSanitizer's
        # report (pyshim's own leaks are still reported).
        supp = os.path.join(self.root, "lsan.supp")
        with open(supp, "w") as f:
            f.write("leak:libpython\nleak:/lib-dynload/\nleak:site-packages\n")
        if "LSAN_OPTIONS" not in env:
            env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % supp
        self.env = env
        if self.user:
            chown_tree(self.root, self.user)
        self.install_result = self.pyshim("install", "--bin-dir", self.bin,
                                          *install_quiet_flags())
        if self.install_result.returncode != 0:
            raise RuntimeError("pyshim install failed: %r" % (self.install_result,))
        self._counter = 0

    def close(self):
        # Undo chmods a test may have left, then remove everything.
        for dirpath, dirnames, _ in os.walk(self.root):
            for d in dirnames:
                try:
                    os.chmod(os.path.join(dirpath, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    def mkdtemp(self, prefix="p"):
        """A fresh directory under work/."""
        self._counter += 1
        d = os.path.join(self.work, "%s%d" % (prefix, self._counter))
        os.makedirs(d)
        self.give(d)
        return d

    def give(self, path):
        """Make path (a tree) the sandbox user's; a no-op without one."""
        if self.user:
            chown_tree(path, self.user)
        return path

    def call(self, argv, cwd=None, env=None, input=None, timeout=None):
        """Run argv (any program) as the sandbox user, in its environment."""
        return subprocess.run(
            self.prefix + list(argv), cwd=cwd or self.work,
            env=self.envwith(env), input=input, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True,
            timeout=timeout or TIMEOUT)

    def envwith(self, extra=None, drop=()):
        env = dict(self.env)
        for k in drop:
            env.pop(k, None)
        env.update(extra or {})
        return env

    def run(self, name, *args, cwd=None, env=None, input=None, text=True,
            timeout=None, drop=()):
        """Run the link NAME (found through PATH) with args."""
        env = self.envwith(env, drop)
        if self.user:
            # setpriv runs NAME through PATH as well
            name = shutil.which(name, path=env.get("PATH")) or name
        return subprocess.run(
            self.prefix + [name] + list(args), cwd=cwd or self.work,
            env=env, input=input,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=text, timeout=timeout or TIMEOUT)

    # Commands that make venvs or run pip get pip's time on a loaded
    # machine (a venv with its own pip took over 60 s on a busy 2-core one).
    SLOW_COMMANDS = ("shared", "init", "sync", "adopt", "site", "kernel",
                     "freeze", "run", "exec")

    def pyshim(self, *args, cwd=None, env=None, timeout=None):
        exe = os.path.join(self.bin, "pyshim")
        if not os.path.exists(exe):
            exe = PYSHIM_BIN
        if timeout is None:
            timeout = PIP_TIMEOUT if args[:1] and \
                args[0] in self.SLOW_COMMANDS else TIMEOUT
        return subprocess.run(
            self.prefix + [exe] + list(args), cwd=cwd or self.work,
            env=self.envwith(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=timeout)

    @property
    def global_config(self):
        return os.path.join(self.pyshim_home, "config.json")

    def set_global_config(self, obj):
        """Write the global config (None: remove it); returns a function
        that restores what was there."""
        g = self.global_config
        old = None
        if os.path.exists(g):
            with open(g, "rb") as f:
                old = f.read()
        if obj is None:
            if os.path.exists(g):
                os.unlink(g)
        elif isinstance(obj, str):
            write(g, obj)
        else:
            write_json(g, obj)

        def restore():
            if old is None:
                if os.path.lexists(g):
                    os.unlink(g)
            else:
                write(g, old, "wb")
        return restore

    def shared_dir(self, name):
        return os.path.join(self.pyshim_home, "shared", name)

    def make_shared(self, name, interp, module=None, pip=False):
        """Shared env NAME (a venv made by interp) holding module MODULE
        (default NAME + '_mod') and a nested .pth adding an extra dir that
        holds MODULE + '_extra'. Returns the env dir."""
        module = module or name + "_mod"
        d = make_venv(interp, self.shared_dir(name), pip=pip)
        sp = site_packages(d)
        write(os.path.join(sp, module + ".py"),
              "WHERE = __file__\nNAME = %r\n" % name)
        extra = os.path.join(d, "extra")
        write(os.path.join(extra, module + "_extra.py"), "WHERE = __file__\n")
        write(os.path.join(sp, "zz_nested.pth"), extra + "\n")
        return d


class SandboxTest(object):
    """Mixin: one sandbox per test class, as self.sb."""

    sb = None
    # a TEST_USERS name: the sandbox is theirs and runs as them (the class
    # is skipped where other users cannot be used)
    sandbox_user = None

    @classmethod
    def setUpClass(cls):
        # A missing binary is a failure, never a silent skip.
        if not os.access(PYSHIM_BIN, os.X_OK):
            raise RuntimeError("no pyshim binary at %s (set PYSHIM_BIN)" % PYSHIM_BIN)
        if cls.sandbox_user:
            why = users_unavailable()
            if why:
                raise unittest.SkipTest(why)
        cls.sb = Sandbox(user=cls.sandbox_user)

    @classmethod
    def tearDownClass(cls):
        if cls.sb:
            cls.sb.close()
            cls.sb = None

    # -- assertions -----------------------------------------------------

    def assertOK(self, r, stderr_empty=True):
        self.assertEqual(r.returncode, 0,
                         "exit %s\nstdout: %s\nstderr: %s" %
                         (r.returncode, r.stdout, r.stderr))
        if stderr_empty:
            self.assertEqual(r.stderr, "" if isinstance(r.stderr, str) else b"")

    def assertShimError(self, r, *needles):
        """Exactly one `pyshim: error:` line, one hint line, non-zero exit,
        no Python output; each needle appears in the error line."""
        self.assertNotEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout, "", "a Python ran or the shim wrote stdout")
        lines = r.stderr.splitlines()
        errs = [l for l in lines if l.startswith("pyshim: error: ")]
        hints = [l for l in lines if l.startswith("pyshim: hint: ")]
        self.assertEqual(len(errs), 1, r.stderr)
        self.assertEqual(len(hints), 1, r.stderr)
        self.assertEqual(len(lines), 2, r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        for n in needles:
            self.assertIn(n, errs[0])
        return errs[0], hints[0]

    def hello(self, name="python", *args, **kw):
        """Run HELLO_PY through link NAME; the decoded facts."""
        r = self.sb.run(name, *(list(args) + ["-c", HELLO_PY]), **kw)
        self.assertOK(r)
        return json.loads(r.stdout)

    def runpy(self, code, name="python", *args, **kw):
        r = self.sb.run(name, *(list(args) + ["-c", code]), **kw)
        self.assertOK(r)
        return r.stdout
