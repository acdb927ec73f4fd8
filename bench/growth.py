#!/usr/bin/python3
"""Growth: the shim's instructions and system calls as the user's world grows.

For each dimension and size one warm `python -c pass` in exec mode
(PYSHIM_MODE=exec, PYTHONHASHSEED=0) is counted: callgrind Ir from process
start to the shim's execv (as bench.py counts exec mode) and, with
`strace -f -k`, the shim's own system calls before its execve of Python (a
call is the shim's own when its stack passes through the shim's program;
the dynamic loader's and libc's start-up calls are left out; see
syscall_count: the first count of a run unwinds stacks, the others
subtract the loader's count it found).

Dimensions (issue 14's sizes; --quick takes fewer):
  depth   a zero-config venv project N directories below the sandbox
  path    N extra (empty) directories on PATH, venv project
  interps N interpreters on PATH (copies of a small native program named
          python3.11, each in its own PATH directory), venv project
  nopy    the same N interpreters, a project with no venv (.python-version
          only): the interpreter is found by the search
  shared  a venv project whose .pyshim.json names N shared envs
  trust   N trust records in DATA/trust/, a venv project whose config
          needs trust (it sets `env`) and is trusted

Each row gets a verdict: *flat* (Ir at the largest size within 2% or 2,000
Ir of the smallest, system calls within 2), *linear* (the per-unit cost of
the last step at most 1.5x that of the step before it, +100 Ir of slack) or
*super-linear*; a linear row is *slow* when the largest size costs at most
twice the smallest. Expected (issue 14): path and interps flat (a warm run
of a venv project does not depend on PATH or on the interpreter count),
every other dimension linear and slow (flat is fine).

Standard library only; needs valgrind and strace (with -k) and a release
build. bench.py runs it as part of its report; alone:
  /usr/bin/python3 bench/growth.py [--quick] [--sizes 1,10] [--dims ...]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PYSHIM = os.path.join(HERE, "..", "build", "release", "pyshim")
SYSTEM = "/usr/bin/python3"

SIZES = {
    "depth": [1, 10, 100, 200],
    "path": [10, 100, 1000],
    "interps": [1, 10, 100, 1000],
    "nopy": [1, 10, 100, 1000],
    "shared": [0, 1, 5, 10, 20],
    "trust": [1, 10, 100, 1000, 10000],
}
QUICK_SIZES = {
    "depth": [1, 100, 200],
    "path": [10, 100, 1000],
    "interps": [1, 100, 1000],
    "nopy": [1, 10, 100],
    "shared": [0, 1, 10, 20],
    "trust": [1, 100, 10000],
}
# what the issue asks of each dimension
EXPECT = {"depth": "linear", "path": "flat", "interps": "flat",
          "nopy": "linear", "shared": "linear", "trust": "linear"}
WHAT = {
    "depth": "directory depth of a venv project",
    "path": "PATH entries (empty dirs), venv project",
    "interps": "interpreters on PATH, venv project",
    "nopy": "interpreters on PATH, project without a venv",
    "shared": "shared envs named by the project",
    "trust": "trust records in DATA/trust, trusted config",
}


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    if r.returncode:
        raise RuntimeError("failed: %s\n%s%s" % (cmd, r.stdout, r.stderr))
    return r.stdout


# --------------------------------------------------------------------------
# System calls


def strace_has_k():
    """Debian's strace unwinds stacks (-k); a build without libdw does not."""
    if not shutil.which("strace"):
        return False
    r = subprocess.run(["strace", "-f", "-qq", "-k", "-o", os.devnull,
                        "/bin/true"], capture_output=True, timeout=60)
    return r.returncode == 0


def syscall_count(argv, env, cwd, own_objects, workdir, loader=None):
    """System calls of argv[0] before it execve's something else.

    `strace -f -k`: each call with its stack. Counted: the calls after the
    program's own execve and before its next execve (neither execve
    counted), of argv[0]'s process only (children it starts, e.g. to probe
    an interpreter, are not counted; its clone is). *loader* = the calls
    before the first one whose stack passes through the main of one of
    own_objects (the program's file): ld.so mapping the libraries, libc's
    start-up; *own* = that call and every one after it.
    Returns {"total", "own", "loader", "own_calls"}.

    With loader given (the count -k found before for the same program:
    ld.so's work does not depend on the project, PATH or the data dir),
    plain strace counts the total and own = total - loader: unwinding
    every stack is slow when a run makes thousands of calls.
    """
    out = os.path.join(workdir, "strace.out")
    if os.path.exists(out):
        os.unlink(out)
    k = [] if loader is not None else ["-k"]
    run(["strace", "-f", "-qq"] + k + ["-o", out] + argv, env=env, cwd=cwd)
    with open(out, errors="replace") as f:
        lines = f.read().splitlines()
    calls = []  # [pid, text, frames]
    cur = None  # the call the next stack frames belong to
    pending = {}  # pid -> its "<unfinished ...>" call
    for line in lines:
        if line.startswith(" > "):
            if cur is not None:
                cur[2].append(line)
            continue
        m = re.match(r"^(\d+)\s+(.*)$", line)
        if not m:
            continue
        pid, text = m.group(1), m.group(2)
        if text.startswith(("---", "+++")):  # signals, exits: no calls
            cur = None
            continue
        if text.startswith("<... "):
            # a call interrupted by another process's is printed twice
            # ("<unfinished ...>", then "<... NAME resumed>"): one call,
            # its stack printed after the second line
            cur = pending.pop(pid, None)
            continue
        cur = [pid, text, []]
        calls.append(cur)
        if text.endswith("<unfinished ...>"):
            pending[pid] = cur
    if not calls or not calls[0][1].startswith("execve("):
        raise RuntimeError("strace: no initial execve in %s" % out)
    pid = calls[0][0]
    body = []
    for c in calls[1:]:
        if c[0] != pid:
            continue
        if re.match(r"execve\(", c[1]):
            break
        body.append(c)
    else:
        raise RuntimeError("strace: %s made no second execve" % argv[0])
    if loader is not None:
        return {"total": len(body), "own": len(body) - loader,
                "loader": loader, "own_calls": None}
    objs = set(own_objects)
    # a frame of the program's main (a stack strace unwound wrongly can
    # show some address of the program, never main with its caller)
    frame_re = re.compile(r"^ > (.*?)\(main\+")
    first = None
    for i, (_, text, frames) in enumerate(body):
        for fr in frames:
            m = frame_re.match(fr)
            if m and m.group(1) in objs:
                first = i
                break
        if first is not None:
            break
    if first is None:
        first = len(body)
    # the loader's calls are a prefix (before main); from the first call
    # made under the program's own code on, every call is the program's
    # (its stacks are not looked at again: after a vfork strace cannot
    # always unwind them)
    own = [text for _, text, _ in body[first:]]
    return {"total": len(body), "own": len(own), "loader": first,
            "own_calls": own}


def callgrind_exec_ir(argv, env, cwd, workdir, keep=None):
    """callgrind Ir from process start to argv[0]'s execv, of the third of
    three runs under callgrind: under valgrind /proc/self/exe is valgrind's
    tool, and the interpreter search cache and the plan cache are keyed by
    the shim's own file, so the first run under valgrind misses the caches
    the native warm runs wrote (and writes the search's record), and the
    second, whose decision read that fresh record, records the plan only
    once it is older than the plan cache's 50 ms window: the third
    replays it, as a warm native run does."""
    out = os.path.join(workdir, "cg.out")
    for i in range(3):
        if i:
            time.sleep(0.1)
        for f in os.listdir(workdir):
            if f.startswith("cg.out"):
                os.unlink(os.path.join(workdir, f))
        run(["valgrind", "--tool=callgrind", "--trace-children=no",
             "--callgrind-out-file=" + out, "--dump-before=execv"] + argv,
            env=env, cwd=cwd)
    ir = None
    with open(out + ".1") as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                ir = int(line.split()[1])
    if keep:
        shutil.copy(out + ".1", keep)
    return ir


# --------------------------------------------------------------------------
# The sandbox


class Box:
    def __init__(self, pyshim):
        self.pyshim = pyshim
        self.root = tempfile.mkdtemp(prefix="pyshim-growth-")
        for d in ("home", "ph", "bin", "p", "x"):
            os.makedirs(os.path.join(self.root, d))
        self.bin = os.path.join(self.root, "bin")
        self.ph = os.path.join(self.root, "ph")
        self.loader = None  # the loader's calls, found by the first count
        run([pyshim, "install", "--bin-dir", self.bin], env=self.env(""))

    def env(self, extra_path):
        path = self.bin + ":" + (extra_path + ":" if extra_path else "") + \
            "/usr/local/bin:/usr/bin:/bin"
        return {"HOME": os.path.join(self.root, "home"),
                "PYSHIM_HOME": self.ph,
                "LANG": "C.UTF-8", "PATH": path, "PYSHIM_MODE": "exec",
                "PYTHONHASHSEED": "0"}

    def shim(self):
        return os.path.join(self.bin, "python")

    def cleanup(self):
        # rm: shutil.rmtree recurses once per level
        subprocess.run(["rm", "-rf", self.root], timeout=600)


def warm(shim, env, cwd):
    """Warm runs: facts cached, hook written, the interpreter search cached.
    The search cache is not written by a run that starts within 50 ms of a
    change to what it covers (2 s on file systems with whole-second times:
    launcher/icache.c's too_fresh), and the sizes were just made: the last
    warm-ups come after a pause, so the counted runs find a warm cache
    instead of one of them writing it."""
    for pause in (0, 0, 0.1, 0.1):
        time.sleep(pause)
        run([shim, "-c", "pass"], env=env, cwd=cwd)


def count(box, cwd, extra_path, keep, strace=True):
    env = box.env(extra_path)
    warm(box.shim(), env, cwd)
    ir = callgrind_exec_ir([box.shim(), "-c", "pass"], env, cwd, box.root,
                           keep)
    sc = None
    if strace:
        shim = box.shim()
        sc = syscall_count([shim, "-c", "pass"], env, cwd,
                           {shim, os.path.realpath(shim), box.pyshim},
                           box.root, box.loader)
        if box.loader is None:
            if not sc["own"]:
                raise RuntimeError("strace -k found no call under the shim's "
                                   "main (a stripped binary?)")
            box.loader = sc["loader"]
    return ir, sc


def mkdirs(where):
    """os.makedirs recurses once per level: 1,000 levels is too deep"""
    todo = []
    while not os.path.isdir(where):
        todo.append(where)
        where = os.path.dirname(where)
    for d in reversed(todo):
        os.mkdir(d)


def venv_project(box, where):
    mkdirs(where)
    if not os.path.exists(os.path.join(where, ".venv")):
        run([SYSTEM, "-m", "venv", "--without-pip",
             os.path.join(where, ".venv")])
    return where


def interp_dirs(box, n):
    """n PATH dirs, each with its own copy of a small native program named
    python3.11 (a distinct file: the search keeps each)."""
    dirs = []
    src = shutil.which("true")
    for i in range(n):
        d = os.path.join(box.root, "x", "i%d" % i)
        if not os.path.isdir(d):
            os.makedirs(d)
            shutil.copy(src, os.path.join(d, "python3.11"))
        dirs.append(d)
    return dirs


def dim_depth(box, n, keep, strace):
    where = os.path.join(box.root, "p", "depth%d" % n, *(["d"] * n))
    return count(box, venv_project(box, where), "", keep, strace)


def dim_path(box, n, keep, strace):
    dirs = []
    for i in range(n):
        d = os.path.join(box.root, "x", "e%d" % i)
        os.makedirs(d, exist_ok=True)
        dirs.append(d)
    where = venv_project(box, os.path.join(box.root, "p", "venv"))
    return count(box, where, ":".join(dirs), keep, strace)


def dim_interps(box, n, keep, strace):
    where = venv_project(box, os.path.join(box.root, "p", "venv"))
    return count(box, where, ":".join(interp_dirs(box, n)), keep, strace)


def dim_nopy(box, n, keep, strace):
    where = os.path.join(box.root, "p", "nopy")
    os.makedirs(where, exist_ok=True)
    with open(os.path.join(where, ".python-version"), "w") as f:
        f.write("3.11\n")
    # the system's python3.11 after the copies: the copies are found first
    # but are not Python; the pick takes the first 3.11 that answers
    return count(box, where, ":".join(interp_dirs(box, n)), keep, strace)


def shared_envs(box, n):
    """n shared envs bench-0..n-1 under PYSHIM_HOME/shared: copies (links
    kept) of one venv made by Debian's python."""
    base = os.path.join(box.ph, "shared", "bench-0")
    if n and not os.path.exists(base):
        run([SYSTEM, "-m", "venv", "--without-pip", base])
    names = []
    for i in range(n):
        d = os.path.join(box.ph, "shared", "bench-%d" % i)
        if not os.path.exists(d):
            shutil.copytree(base, d, symlinks=True)
        names.append("bench-%d" % i)
    return names


def dim_shared(box, n, keep, strace):
    where = venv_project(box, os.path.join(box.root, "p", "shared%d" % n))
    with open(os.path.join(where, ".pyshim.json"), "w") as f:
        json.dump({"shared": shared_envs(box, n)}, f)
    return count(box, where, "", keep, strace)


def dim_trust(box, n, keep, strace):
    where = venv_project(box, os.path.join(box.root, "p", "trust"))
    cfg = os.path.join(where, ".pyshim.json")
    if not os.path.exists(cfg):
        with open(cfg, "w") as f:
            json.dump({"env": {"PYSHIM_BENCH": "1"}}, f)
        run([os.path.join(box.bin, "pyshim"), "trust", where],
            env=box.env(""), cwd=where)
    tdir = os.path.join(box.ph, "trust")
    have = len(os.listdir(tdir))
    # fillers: records of other configs (name: a SHA-256, content: a path)
    for i in range(have, n):
        path = "/nonexistent/filler%d/.pyshim.json" % i
        name = hashlib.sha256(path.encode()).hexdigest()
        with open(os.path.join(tdir, name), "w") as f:
            f.write(path)
    return count(box, where, "", keep, strace)


DIMS = {"depth": dim_depth, "path": dim_path, "interps": dim_interps,
        "nopy": dim_nopy, "shared": dim_shared, "trust": dim_trust}


# --------------------------------------------------------------------------
# Verdicts


def verdict(dim, points):
    """points: [(size, ir, syscalls or None)], sizes ascending."""
    pts = [p for p in points if p[1] is not None]
    if len(pts) < 2:
        return {"shape": "?", "ok": None, "text": "too few sizes"}
    (n0, ir0, sc0), (n1, ir1, sc1) = pts[0], pts[-1]
    scs = [p[2] for p in pts if p[2] is not None]
    sc_flat = not scs or max(scs) - min(scs) <= 2
    ratio = ir1 / ir0
    if ir1 - ir0 <= max(0.02 * ir0, 2000) and sc_flat:
        shape = "flat"
    else:
        # the per-unit cost of the last step against the step before it:
        # a quadratic cost makes it grow with the size; a one-time step at
        # small sizes (a buffer outgrowing its first allocation) does not
        prev = (pts[-2][1] - pts[-3][1]) / (pts[-2][0] - pts[-3][0]) \
            if len(pts) >= 3 else 0
        last = (pts[-1][1] - pts[-2][1]) / (pts[-1][0] - pts[-2][0])
        if len(pts) >= 3 and last > 1.5 * max(prev, 0) + 100:
            shape = "super-linear"
        else:
            shape = "linear"
    per = (ir1 - ir0) / (n1 - n0)
    if shape == "flat":
        ok = True
        text = "flat"
    elif EXPECT[dim] == "flat":
        ok = False
        text = "%s (%s Ir per unit), not flat" % (shape,
                                                    "{:+,.0f}".format(per))
    elif shape == "super-linear":
        ok = False
        text = "super-linear (x%.2f at the largest size)" % ratio
    else:
        ok = ratio <= 2.0
        text = "linear, %s (%s Ir per unit, x%.2f)" % (
            "slow" if ok else "fast", "{:+,.0f}".format(per), ratio)
    return {"shape": shape, "ok": ok, "text": text, "ratio": ratio,
            "per_unit_ir": per, "expect": EXPECT[dim]}


def measure(pyshim, dims, sizes, strace=True, keep=False, log=None):
    """{dim: {"points": [...], "verdict": {...}}}; sizes: {dim: [n...]}."""
    box = Box(os.path.abspath(pyshim))
    res = {}
    try:
        for dim in dims:
            pts = []
            for n in sizes[dim]:
                k = os.path.join(box.root, "cg-%s-%d" % (dim, n)) \
                    if keep else None
                try:
                    ir, sc = DIMS[dim](box, n, k, strace)
                    pts.append({"size": n, "ir": ir,
                                "syscalls": sc["own"] if sc else None,
                                "syscalls_total": sc["total"] if sc else None})
                except (RuntimeError, OSError, RecursionError) as e:
                    pts.append({"size": n, "ir": None, "syscalls": None,
                                "error": str(e).splitlines()[0]})
                if log:
                    p = pts[-1]
                    log("growth %s %d: %s Ir, %s syscalls" % (
                        dim, n, p["ir"], p["syscalls"]))
            res[dim] = {"what": WHAT[dim], "expect": EXPECT[dim],
                        "points": pts,
                        "verdict": verdict(dim, [(p["size"], p["ir"],
                                                  p["syscalls"])
                                                 for p in pts])}
    finally:
        if keep:
            if log:
                log("kept %s" % box.root)
        else:
            box.cleanup()
    return res


def format_table(res):
    lines = ["%-8s %-46s %s" % ("dim", "sizes: Ir to execv / shim's own "
                                "syscalls", "verdict (expected)")]
    for dim, r in res.items():
        cells = []
        for p in r["points"]:
            if p["ir"] is None:
                cells.append("%d: failed" % p["size"])
            else:
                cells.append("%d: %s / %s" % (
                    p["size"], "{:,}".format(p["ir"]),
                    "-" if p["syscalls"] is None else p["syscalls"]))
        v = r["verdict"]
        tag = "ok" if v["ok"] else ("?" if v["ok"] is None else "MISS")
        lines.append("%-8s %s" % (dim, r["what"]))
        lines.append("%-8s   %s" % ("", "; ".join(cells)))
        lines.append("%-8s   -> %s (expected %s): %s" % (
            "", v["text"], r["expect"] + (", slow" if r["expect"] == "linear"
                                         else ""), tag))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pyshim", default=DEFAULT_PYSHIM)
    ap.add_argument("--quick", action="store_true",
                    help="fewer sizes per dimension")
    ap.add_argument("--sizes", help="the same sizes for every dimension "
                    "(e.g. 1,10,100)")
    ap.add_argument("--dims", default=",".join(DIMS))
    ap.add_argument("--no-strace", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="keep the sandbox and the callgrind files")
    args = ap.parse_args()
    dims = args.dims.split(",")
    sizes = dict(QUICK_SIZES if args.quick else SIZES)
    if args.sizes:
        sizes = {d: [int(s) for s in args.sizes.split(",")] for d in DIMS}
    strace = not args.no_strace and strace_has_k()
    res = measure(args.pyshim, dims, sizes, strace, args.keep,
                  log=lambda m: print(m, file=sys.stderr, flush=True))
    if args.json:
        json.dump(res, sys.stdout, indent=2)
        print()
    else:
        print(format_table(res))


if __name__ == "__main__":
    main()
