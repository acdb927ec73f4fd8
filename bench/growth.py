#!/usr/bin/python3
"""Growth: the shim's instructions and system calls as the user's world grows.

For each dimension and size (default 1, 10, 100, 1000) one warm
`python -c pass` in exec mode (PYSHIM_MODE=exec, PYTHONHASHSEED=0) is
counted: callgrind Ir from process start to the shim's execv (as bench.py
counts exec mode) and, with strace, the system calls from the shim's first
look at PYSHIM_HOME to its execve (the loader's are the same at every size).

Dimensions:
  depth   a zero-config venv project N directories below the sandbox
  path    N extra (empty) directories on PATH, venv project
  interps N interpreters on PATH (copies of a small native program named
          python3.11, each in its own PATH directory), venv project
  nopy    the same N interpreters, a project with no venv (.python-version
          only): the interpreter is found by the search

Standard library only; needs valgrind and strace and a release build:
  /usr/bin/python3 bench/growth.py [--sizes 1,10,100,1000] [--dims ...]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PYSHIM = os.path.join(HERE, "..", "build", "release", "pyshim")
SYSTEM = "/usr/bin/python3"


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    if r.returncode:
        raise SystemExit("failed: %s\n%s%s" % (cmd, r.stdout, r.stderr))
    return r.stdout


class Box:
    def __init__(self, pyshim):
        self.root = tempfile.mkdtemp(prefix="pyshim-growth-")
        for d in ("home", "ph", "bin", "p", "x"):
            os.makedirs(os.path.join(self.root, d))
        self.bin = os.path.join(self.root, "bin")
        run([pyshim, "install", "--bin-dir", self.bin], env=self.env(""))

    def env(self, extra_path):
        path = self.bin + ":" + (extra_path + ":" if extra_path else "") + \
            "/usr/local/bin:/usr/bin:/bin"
        return {"HOME": os.path.join(self.root, "home"),
                "PYSHIM_HOME": os.path.join(self.root, "ph"),
                "LANG": "C.UTF-8", "PATH": path, "PYSHIM_MODE": "exec",
                "PYTHONHASHSEED": "0"}

    def shim(self):
        return os.path.join(self.bin, "python")


def count(box, cwd, extra_path, keep):
    env = box.env(extra_path)
    for _ in range(2):  # warm: facts cached, hook written
        run([box.shim(), "-c", "pass"], env=env, cwd=cwd)
    out = os.path.join(box.root, "cg.out")
    for f in os.listdir(box.root):
        if f.startswith("cg.out"):
            os.unlink(os.path.join(box.root, f))
    run(["valgrind", "--tool=callgrind", "--trace-children=no",
         "--callgrind-out-file=" + out, "--dump-before=execv",
         box.shim(), "-c", "pass"], env=env, cwd=cwd)
    ir = None
    with open(out + ".1") as f:
        for line in f:
            if line.startswith("summary:"):
                ir = int(line.split()[1])
    if keep:
        shutil.copy(out + ".1", keep)
    st = os.path.join(box.root, "st.out")
    run(["strace", "-f", "-qq", "-o", st, box.shim(), "-c", "pass"],
        env=env, cwd=cwd)
    with open(st) as f:
        lines = f.read().splitlines()
    home = '"%s"' % env["PYSHIM_HOME"]
    start = next(i for i, l in enumerate(lines) if home in l)
    end = next(i for i, l in enumerate(lines)
               if i > start and re.search(r"\bexecve\(", l))
    return ir, end - start


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


def dim_depth(box, n, keep):
    where = os.path.join(box.root, "p", "depth%d" % n, *(["d"] * n))
    return count(box, venv_project(box, where), "", keep)


def dim_path(box, n, keep):
    dirs = []
    for i in range(n):
        d = os.path.join(box.root, "x", "e%d" % i)
        os.makedirs(d, exist_ok=True)
        dirs.append(d)
    where = venv_project(box, os.path.join(box.root, "p", "venv"))
    return count(box, where, ":".join(dirs), keep)


def dim_interps(box, n, keep):
    where = venv_project(box, os.path.join(box.root, "p", "venv"))
    return count(box, where, ":".join(interp_dirs(box, n)), keep)


def dim_nopy(box, n, keep):
    where = os.path.join(box.root, "p", "nopy")
    os.makedirs(where, exist_ok=True)
    with open(os.path.join(where, ".python-version"), "w") as f:
        f.write("3.11\n")
    # the system's python3.11 after the copies: the copies are found first
    # but are not Python; the pick takes the first 3.11 that answers
    return count(box, where, ":".join(interp_dirs(box, n)), keep)


DIMS = {"depth": dim_depth, "path": dim_path, "interps": dim_interps,
        "nopy": dim_nopy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pyshim", default=DEFAULT_PYSHIM)
    ap.add_argument("--sizes", default="1,10,100,1000")
    ap.add_argument("--dims", default="depth,path,interps,nopy")
    ap.add_argument("--keep", action="store_true",
                    help="keep the sandbox and the callgrind files")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    box = Box(os.path.abspath(args.pyshim))
    print("%-8s %6s %12s %9s" % ("dim", "size", "Ir to execv", "syscalls"))
    try:
        for dim in args.dims.split(","):
            for n in sizes:
                keep = os.path.join(box.root, "cg-%s-%d" % (dim, n)) \
                    if args.keep else None
                try:
                    ir, sc = DIMS[dim](box, n, keep)
                except (SystemExit, OSError, RecursionError) as e:
                    print("%-8s %6d  failed: %s" % (dim, n,
                                                   str(e).splitlines()[0]))
                    continue
                print("%-8s %6d %12s %9d" % (dim, n, "{:,}".format(ir), sc))
                sys.stdout.flush()
    finally:
        if args.keep:
            print("kept", box.root)
        else:
            # rm: shutil.rmtree recurses once per level (depth 1,000)
            subprocess.run(["rm", "-rf", box.root], timeout=600)


if __name__ == "__main__":
    main()
