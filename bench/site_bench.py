#!/usr/bin/env python3
"""Issue 16 item 5: what a site env costs, in file-system operations.

On NFS and Lustre a start-up is paid in metadata round trips (stat, open,
read), not instructions. This counts them with strace on a warm run:

  shim      the shim's own calls, from its start to the execve of Python
            (exec mode), through `python` in a project naming the site env
  python    Python's start-up after that execve, in the same run
  base      the same Python start-up with no shared env (a project asking
            only for the interpreter): what a site env adds is python - base
  import    `-c "import ml_mod"` instead of `-c pass` (one module from the
            site env)

plus the median wall time of N runs of each. Run as root (the system config
must be root's), with the release build for times (the dev build has
sanitizers; its syscall counts are the same but for ASan's own reads of
/proc). Standard library only:

  /usr/bin/python3 bench/site_bench.py [--pyshim build/release/pyshim]
                                       [--runs 50] [--json]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PY = "/usr/bin/python3"
CLASSES = {
    "open": {"open", "openat", "openat2", "creat"},
    "stat": {"stat", "lstat", "fstat", "newfstatat", "statx", "access",
             "faccessat", "faccessat2", "readlink", "readlinkat", "fstatat64",
             "stat64", "lstat64", "fstat64"},
    "read": {"read", "pread64", "readv"},
}


def run(cmd, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("universal_newlines", True)
    kw.setdefault("timeout", 300)
    r = subprocess.run(cmd, **kw)
    if r.returncode:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r


def classify(lines):
    """Counts per class of the strace lines (one call a line)."""
    out = {"open": 0, "stat": 0, "read": 0, "other": 0}
    for l in lines:
        m = re.match(r"^(?:\d+\s+)?([a-z0-9_]+)\(", l)
        if not m:
            continue
        name = m.group(1)
        for k, names in CLASSES.items():
            if name in names:
                out[k] += 1
                break
        else:
            out["other"] += 1
    return out


def strace_split(argv, env, cwd, tmp):
    """(shim counts, python counts) of one run: split at the execve that
    starts Python (the first execve after the shim's own)."""
    log = os.path.join(tmp, "strace.log")
    run(["strace", "-qq", "-o", log, "-e", "trace=%file,%stat,read"] + argv,
        env=env, cwd=cwd)
    with open(log) as f:
        lines = [l for l in f.read().splitlines() if "(" in l]
    execs = [i for i, l in enumerate(lines) if l.startswith("execve(")]
    cut = execs[1] if len(execs) > 1 else len(lines)
    return classify(lines[1:cut]), classify(lines[cut + 1:])


def median_wall(argv, env, cwd, runs):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyshim", default=os.path.join(
        os.path.dirname(HERE), "build", "release", "pyshim"))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the system config must be root's")
    if not shutil.which("strace"):
        sys.exit("needs strace (apt-get install strace)")
    if not os.access(a.pyshim, os.X_OK):
        sys.exit("no pyshim at %s (--pyshim)" % a.pyshim)
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-sitebench-"))
    os.chmod(tmp, 0o755)
    try:
        ml = os.path.join(tmp, "stacks", "ml")
        run([SYSTEM_PY, "-m", "venv", "--without-pip", ml])
        sp = [os.path.join(dp, "site-packages") for dp, dn, _ in
              os.walk(os.path.join(ml, "lib")) if "site-packages" in dn][0]
        with open(os.path.join(sp, "ml_mod.py"), "w") as f:
            f.write("X = 1\n")
        conf = os.path.join(tmp, "etc", "config.json")
        os.makedirs(os.path.dirname(conf))
        with open(conf, "w") as f:
            json.dump({"site_shared": {"ml": ml}}, f)
        ver = run([SYSTEM_PY, "-c", "import sys; print('%d.%d' % "
                   "sys.version_info[:2])"]).stdout.strip()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYSHIM_", "PYTHON", "VIRTUAL_ENV"))}
        env.update(HOME=os.path.join(tmp, "home"),
                   PYSHIM_HOME=os.path.join(tmp, "ph"),
                   PYSHIM_SYSTEM_CONFIG=conf, PYSHIM_MODE="exec",
                   PATH=os.path.join(tmp, "bin") + ":" + os.environ["PATH"])
        os.makedirs(env["HOME"])
        run([a.pyshim, "install", "--bin-dir", os.path.join(tmp, "bin"),
             "--no-shell", "--no-default-env"], env=env)
        projs = {}
        for name, cfg in (("site", {"python": ver, "shared": ["ml"]}),
                          ("base", {"python": ver})):
            d = os.path.join(tmp, name)
            os.makedirs(d)
            with open(os.path.join(d, ".pyshim.json"), "w") as f:
                json.dump(cfg, f)
            projs[name] = d
        py = os.path.join(tmp, "bin", "python")
        report = {"pyshim": a.pyshim, "python": ver, "runs": a.runs}
        for name, code in (("site", "pass"), ("base", "pass"),
                           ("import", "import ml_mod")):
            d = projs["base" if name == "base" else "site"]
            argv = [py, "-c", code]
            for _ in range(3):  # warm: overlay built, hook and facts current
                run(argv, env=env, cwd=d)
            shim, python = strace_split(argv, env, d, tmp)
            report[name] = {"shim": shim, "python": python,
                            "wall_ms": round(median_wall(argv, env, d,
                                                         a.runs), 2)}
        report["site_adds_to_python"] = {
            k: report["site"]["python"][k] - report["base"]["python"][k]
            for k in ("open", "stat", "read", "other")}
        if a.json:
            json.dump(report, sys.stdout, indent=2)
            print()
            return
        print("pyshim %s, Python %s, warm runs, exec mode" % (a.pyshim, ver))
        print("%-28s %6s %6s %6s %6s %9s" % ("", "open", "stat", "read",
                                             "other", "wall ms"))
        for name, label in (("site", "site env, -c pass"),
                            ("base", "no shared env, -c pass"),
                            ("import", "site env, import ml_mod")):
            r = report[name]
            for part in ("shim", "python"):
                c = r[part]
                print("%-28s %6d %6d %6d %6d %9s" % (
                    "%s: %s" % (label, part), c["open"], c["stat"], c["read"],
                    c["other"], "%.2f" % r["wall_ms"] if part == "python"
                    else ""))
        d = report["site_adds_to_python"]
        print("a site env adds to Python's start-up: %+d open, %+d stat, "
              "%+d read, %+d other" % (d["open"], d["stat"], d["read"],
                                       d["other"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
