"""Shared helpers for pyshim's Windows tests (run under Wine).

Every test class gets a `World`: a private temp dir holding the user's
profile (USERPROFILE, LOCALAPPDATA, APPDATA), PYSHIM_HOME, a bin dir with
pyshim.exe hard-linked as python.exe (the shim dispatches on its own name)
and any number of fake Python installs (`install_fake`: the fake
python.exe, its fake_version.txt and optionally the fake python312.dll).

`World.run()` starts the shim the way Windows would: through jobctl.exe,
which sets the Windows-side variables Wine would otherwise replace with
the prefix's own (PATH, USERPROFILE, LOCALAPPDATA, APPDATA, TEMP), then
CreateProcessW's the shim. The fake python writes its report (argv, raw
command line, environment, inherited handle, exe, ...) to a file the
result carries as `.report`.

Paths: Wine shows the Unix root as drive Z:, so /tmp/x is Z:\\tmp\\x
(`winpath`). All of a test's dirs live in its own temp dir, so the tests
may share one Wine prefix (made once by wineboot.py, the ctest fixture).

Run by a Windows Python on Windows (NATIVE: the CI job, `ctest --preset
windows-native`), the same suite starts the programs directly: no Wine,
no prefix, paths are already Windows paths, and exit codes are seen whole.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
_BUILD = os.path.join(SRC, "build", "windows")


def _exe(var, default):
    return os.path.abspath(os.environ.get(var) or os.path.join(_BUILD, default))


# PYSHIM_WINTEST_EXE names another pyshim.exe to test than the build's own
# (which ctest passes as PYSHIM_EXE): a release zip's, say
# (docs/release.md). A missing file fails every test class.
PYSHIM_EXE = _exe("PYSHIM_WINTEST_EXE", "") if os.environ.get(
    "PYSHIM_WINTEST_EXE") else _exe("PYSHIM_EXE", "pyshim.exe")
FAKE_PYTHON = _exe("FAKE_PYTHON", "tests/windows/fake_python.exe")
FAKE_DLL = _exe("FAKE_DLL", "tests/windows/python312.dll")
JOBCTL = _exe("JOBCTL", "tests/windows/jobctl.exe")
# Windows itself, not Wine: the programs run directly.
NATIVE = os.name == "nt"
WINE = os.environ.get("PYSHIM_WINE") or "/usr/lib/wine/wine64"
WINEPREFIX = os.environ.get("WINEPREFIX") or os.path.join(
    os.path.dirname(FAKE_PYTHON), "wineprefix")

# Every Wine run is bounded: a hang is a failure, never a stuck suite.
TIMEOUT = float(os.environ.get("PYSHIM_TEST_TIMEOUT", "60"))
# jobctl ends a hung child first (JOBCTL_TIMEOUT_MS), so nothing is left
# running in the shared prefix.

# The Windows directories every PATH ends with (what Wine's own PATH has).
SYSTEM_PATH = ["C:\\windows\\system32", "C:\\windows"]

# Unix variables that would reach the Windows side and change what pyshim
# or a Python does there: never inherited.
_SCRUB = re.compile(r"^(PYSHIM_|PYTHON|VIRTUAL_ENV|CONDA_|PYENV|UV_|XDG_|PIP_"
                    r"|FAKEPY_|JPY_|WINEPATH$|__PYVENV)")


def winpath(path):
    """The Windows spelling of an absolute Unix path (Wine's Z: drive)."""
    path = os.path.abspath(path)
    if NATIVE:
        return path
    return "Z:" + path.replace("/", "\\")


def unixpath(wpath):
    """The Unix path of a Z:\\ Windows path (None for other drives)."""
    if NATIVE:
        return wpath[4:] if wpath.startswith("\\\\?\\") else wpath
    m = re.match(r"^(?:\\\\\?\\)?[zZ]:(\\.*)?$", wpath)
    if not m:
        return None
    return (m.group(1) or "\\").replace("\\", "/")


def wine_env(extra=None):
    """The Unix environment for a Wine process: scrubbed, UTF-8 (Wine
    converts arguments and variables with the Unix locale's charset)."""
    env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
    env["WINEPREFIX"] = WINEPREFIX
    env["WINEDEBUG"] = "-all"
    env["LC_ALL"] = "C.UTF-8"
    env["LANG"] = "C.UTF-8"
    env["JOBCTL_TIMEOUT_MS"] = str(int(TIMEOUT * 1000 * 3 // 4))
    env.update(extra or {})
    return env


def wine(*args, env=None, cwd=None, timeout=None):
    """Run a Windows program (or builtin such as reg) under Wine; bytes
    out, never raising on a non-zero exit.

    Output goes to temp files, not pipes: the wineserver that the first
    Wine process starts inherits its stdout and stderr and keeps them open
    for seconds after the program ended, so reading a pipe to EOF would
    wait for the server instead of the program (3 s a run instead of
    0.1 s)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        prefix = [] if NATIVE else [WINE]
        p = subprocess.run(prefix + list(args), env=wine_env(env), cwd=cwd,
                           stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                           timeout=timeout or TIMEOUT)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(p.args, p.returncode, out.read(),
                                           err.read())


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, mode) as f:
        f.write(data)
    return path


def write_json(path, obj):
    return write(path, json.dumps(obj, indent=2) + "\n")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class Result(object):
    def __init__(self, proc, report):
        self.returncode = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "replace")
        self.stderr = proc.stderr.decode("utf-8", "replace")
        self.report = report

    def __repr__(self):
        return ("Result(rc=%r, stdout=%r, stderr=%r, report=%s)" %
                (self.returncode, self.stdout[-2000:], self.stderr[-2000:],
                 "yes" if self.report else "none"))


class World(object):
    """A private Windows user: profile dirs, PYSHIM_HOME, a bin dir holding
    the shim as python.exe (and pip.exe, pyshim.exe), fake installs."""

    def __init__(self):
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-wt-"))
        self.profile = os.path.join(self.root, "Users", "tester")
        self.localappdata = os.path.join(self.profile, "AppData", "Local")
        self.appdata = os.path.join(self.profile, "AppData", "Roaming")
        self.temp = os.path.join(self.localappdata, "Temp")
        self.pyshim_home = os.path.join(self.root, "pyshim-home")
        self.bin = os.path.join(self.root, "shimbin")
        self.work = os.path.join(self.root, "work")
        self.reports = os.path.join(self.root, "reports")
        for d in (self.profile, self.localappdata, self.appdata, self.temp,
                  self.pyshim_home, self.bin, self.work, self.reports):
            os.makedirs(d, exist_ok=True)
        if os.path.isfile(PYSHIM_EXE):
            for name in ("python.exe", "python3.exe", "pip.exe",
                         "pyshim.exe"):
                link_or_copy(PYSHIM_EXE, os.path.join(self.bin, name))
        self.fakes = []  # install dirs first on PATH after the shim's
        self._counter = 0
        self._nreport = 0

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def mkdtemp(self, prefix="p"):
        """A fresh directory under work/."""
        self._counter += 1
        d = os.path.join(self.work, "%s%d" % (prefix, self._counter))
        os.makedirs(d)
        return d

    def install_fake(self, name, version="3.12.4", dll=False, on_path=True):
        """A fake Python install dir ROOT/installs/NAME: python.exe (a copy
        of the fake), fake_version.txt, and python3XY.dll when dll. On
        PATH (after the shim dir) unless on_path is false."""
        d = os.path.join(self.root, "installs", name)
        os.makedirs(d)
        shutil.copyfile(FAKE_PYTHON, os.path.join(d, "python.exe"))
        write(os.path.join(d, "fake_version.txt"), version + "\n")
        if dll:
            major, minor = version.split(".")[:2]
            shutil.copyfile(FAKE_DLL, os.path.join(
                d, "python%s%s.dll" % (major, minor)))
        if on_path:
            self.fakes.append(d)
        return d

    def path(self, extra_first=()):
        """The Windows PATH: extra dirs, the shim dir, the fakes, system."""
        dirs = list(extra_first) + [self.bin] + self.fakes
        return ";".join([winpath(d) for d in dirs] + SYSTEM_PATH)

    def win_env(self, path=None):
        """Variables jobctl sets on the Windows side (Wine would replace
        them): the profile, the temp dir and PATH."""
        return {
            "USERPROFILE": winpath(self.profile),
            "LOCALAPPDATA": winpath(self.localappdata),
            "APPDATA": winpath(self.appdata),
            "TEMP": winpath(self.temp),
            "TMP": winpath(self.temp),
            "PATH": path if path is not None else self.path(),
        }

    def run(self, *args, name="python.exe", exe=None, cwd=None, env=None,
            winenv=None, unset=(), path=None, mode="run", jobargs=(),
            pyshim_home=True, timeout=None):
        """Run the shim (bin/NAME, or the program exe) with args through
        jobctl MODE. env: extra Unix variables (Wine passes them through);
        winenv: extra Windows-side variables jobctl sets (after the
        profile and PATH); unset: Windows-side variables jobctl removes.
        The fake's report is read back into the result (None if none)."""
        self._nreport += 1
        report = os.path.join(self.reports, "r%d.json" % self._nreport)
        uenv = {"FAKEPY_REPORT": winpath(report)}
        if pyshim_home:
            uenv["PYSHIM_HOME"] = winpath(self.pyshim_home)
        uenv.update(env or {})
        wenv = self.win_env(path)
        wenv.update(winenv or {})
        cmd = [JOBCTL]
        for k, v in wenv.items():
            cmd += ["-e", "%s=%s" % (k, v)]
        for k in unset:
            cmd += ["-u", k]
        prog = exe or os.path.join(self.bin, name)
        cmd += [mode, winpath(prog)] + list(jobargs) + list(args)
        proc = wine(*cmd, env=uenv, cwd=cwd or self.work, timeout=timeout)
        rep = None
        if os.path.exists(report):
            with open(report, encoding="ascii") as f:
                rep = json.load(f)
        return Result(proc, rep)

    def pyshim(self, *args, **kw):
        """Run the pyshim CLI (bin/pyshim.exe).

        The CLI never fails without a word (cli_report prints every
        error), so an exit code with no output at all is Wine failing to
        run it (exec and run pass on their program's code, so they are
        left alone): seen once in CI on a loaded 2-core machine (rc 1, empty
        stdout and stderr), never reproduced here. That run is reported on
        stderr and retried once; a second silent failure is the result."""
        kw.setdefault("name", "pyshim.exe")
        r = self.run(*args, **kw)
        if (r.returncode != 0 and not r.stdout and not r.stderr and
                args[:1] not in (("exec",), ("run",))):
            sys.stderr.write("wintest: pyshim.exe %r exited %r with no output "
                             "(Wine did not run it?): retried once\n" %
                             (args, r.returncode))
            r = self.run(*args, **kw)
        return r

    def dryrun(self, *args, **kw):
        """The shim's PYSHIM_DRYRUN plan (decoded JSON) for args."""
        env = dict(kw.pop("env", None) or {})
        env["PYSHIM_DRYRUN"] = "1"
        r = self.run(*args, env=env, **kw)
        if r.returncode != 0:
            raise AssertionError("dry run failed: %r" % (r,))
        if r.report is not None:
            raise AssertionError("dry run started a python: %r" % (r,))
        return json.loads(r.stdout)


# Arguments whose quoting goes wrong in naive launchers: each must come out
# of CreateProcessW + CommandLineToArgvW (and the CRT's parse) unchanged.
TRICKY_ARGS = [
    "",
    "plain",
    "two words",
    "tab\there",
    " leading and trailing ",
    "C:\\dir\\",                # trailing backslash
    "C:\\dir with space\\",     # ... inside quotes: must be doubled
    "a\\\\\"b",                # a\\"b: backslashes before a quote
    "\"",                          # a lone quote
    "\"\"",                       # two quotes
    "\\",                         # a lone backslash
    "\\\\",                     # two
    "\\\"",                      # backslash quote
    "--x=\"a b\"",
    "a\"b c\"d",
    "line\nbreak",
    "%PATH%",                       # never expanded
    "^&|<>()!",                     # cmd.exe's specials mean nothing here
    "\u4f60\u597d",                     # CJK
    "\u00e9t\u00e9 \u00fc",            # Latin-1 range, with a space
    "\U0001f40d",                  # outside the BMP (a surrogate pair)
    "x" * 2000,
    "y" * 1000 + " " + "\\" * 50,  # long, spaced, trailing backslashes
]


# Exit codes a shim must hand back unchanged: small ones, the 8-bit edge,
# STILL_ACTIVE (259, which naive waits mistake for "running") and an NTSTATUS
# crash code (0xC0000005, access violation).
EXIT_CODES = (0, 1, 2, 3, 127, 255, 256, 259, 3221225477)


def unix_status(code):
    """The status a Unix parent sees when a Windows process run by wine64
    exits with code: the low 8 bits, except that Wine turns a non-zero
    code whose low byte is 0 (256, 512, ...) into 1 (measured with Wine 8;
    test_baseline checks it), so a failure never reads as success.
    Natively, the whole code."""
    if NATIVE:
        return code
    return code & 0xff if code & 0xff or not code else 1


# -- the prefix's registry (one per prefix: tests that write it hold the
# ctest RESOURCE_LOCK wine.registry and put back what they change) -----

ENV_KEY = "HKCU\\Environment"
SHELL_FOLDERS = ("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\"
                 "Explorer\\User Shell Folders")


def reg_get(key, name):
    """(type, data) of a registry value, or None when it is missing."""
    r = wine("reg", "query", key, "/v", name)
    if r.returncode != 0:
        return None
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        m = re.match(r"^\s+(.+?)\s+(REG_\w+)(?:\s+(.*))?$", line)
        if m and m.group(1).lower() == name.lower():
            return m.group(2), m.group(3) or ""
    return None


def reg_set(key, name, typ, data):
    r = wine("reg", "add", key, "/v", name, "/t", typ, "/d", data, "/f")
    if r.returncode != 0:
        raise RuntimeError("reg add %s /v %s failed: %r" % (key, name, r))


def reg_del(key, name):
    """Delete a value; missing is fine."""
    wine("reg", "delete", key, "/v", name, "/f")


def reg_restore(key, name, saved):
    """Put back what reg_get returned earlier (None: delete)."""
    if saved is None:
        reg_del(key, name)
    else:
        reg_set(key, name, saved[0], saved[1])


def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


class WorldTest(object):
    """Mixin: one World per test class, as self.w."""

    w = None
    needs = (PYSHIM_EXE, FAKE_PYTHON, FAKE_DLL, JOBCTL)

    @classmethod
    def setUpClass(cls):
        # A missing binary is a failure, never a silent skip.
        for exe in cls.needs:
            if not os.path.isfile(exe):
                raise RuntimeError("missing %s (build the windows preset)" %
                                   exe)
        if not NATIVE and not os.path.isdir(WINEPREFIX):
            raise RuntimeError("no Wine prefix at %s (run wineboot.py)" %
                               WINEPREFIX)
        cls.w = World()
        # A class cleanup also runs when the rest of a setUpClass fails.
        cls.addClassCleanup(cls._close_world)

    @classmethod
    def _close_world(cls):
        if cls.w:
            cls.w.close()
            cls.w = None

    def assertRan(self, r, code=0):
        """The fake python ran (exec) and the run exited with code."""
        self.assertIsNotNone(r.report, "no python ran: %r" % (r,))
        self.assertEqual(r.returncode, code, r)

    def assertSameWinPath(self, a, b, msg=None):
        """Windows paths equal up to case (the file system ignores it)."""
        self.assertIsNotNone(a, msg)
        self.assertEqual(a.lower(), b.lower(), msg)
