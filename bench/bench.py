#!/usr/bin/python3
"""pyshim overhead benchmark.

Measures what the shim adds to starting Python and reports each figure of
issue 14's target table side by side, with its target and ok/MISS:

* instructions (callgrind Ir, deterministic): the shim's own up to its
  execv() in exec mode, and embed mode's whole run minus the direct run;
* the shim's own system calls on a warm run (strace -f -k: the calls whose
  stack passes through the shim's program, before its execve of Python);
* wall time, interleaved and paired: the venv's python run directly, the
  shim (auto mode and exec mode), exec-only C programs built here with the
  system cc (dynamic and static: they only execv the same python with the
  same argv), /bin/true and pyenv's shim;
* growth (bench/growth.py): instructions and system calls as the directory
  depth, PATH, the interpreters, the shared envs and the trust records grow;
* the first run per interpreter (the facts probe) against a warm run.

Every measured process runs with PYTHONHASHSEED=0 (the direct ones too).

`--check-baseline` is the CI smoke check: one callgrind run of the exec-mode
warm run (venv project, Debian's python), failing when it is more than 20%
above bench/baseline.json; `--update-baseline` rewrites that file.

Standard library only; run with /usr/bin/python3. See bench/README.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import growth

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_PYSHIM = os.path.join(REPO, "build", "release", "pyshim")
SYSTEM_PYTHON = "/usr/bin/python3"

COMMANDS = [("pass", ["-c", "pass"]), ("import json", ["-c", "import json"])]

# Issue 14's targets.
TARGET_EXEC_IR = {"venv": 150000, "shared": 160000}
TARGET_EMBED_IR = {"venv": 130000, "shared": 150000}
TARGET_SYSCALLS = {"venv": 20, "shared": 25}
TARGET_EMBED_RATIO = 1.01      # paired: median of per-round shim/direct
TARGET_EXEC_FLOOR_US = 100     # paired: median of per-round shim - floor
TARGET_FIRST_RUN_MS = 20.0

# The CI smoke check: the committed exec-mode figure and its tolerance.
BASELINE = os.path.join(HERE, "baseline.json")
BASELINE_TOLERANCE_PCT = 20

FLOOR_C = """#include <unistd.h>
/* issue 14's floor: a program that does nothing but execv its argv[1..] */
int main(int argc, char **argv)
{
    (void)argc;
    execv(argv[1], argv + 1);
    return 127;
}
"""

SHARED_MODULE = "pyshim_bench_shared_mod"


class BenchError(Exception):
    pass


def log(args, msg):
    if not args.json:
        print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Interpreters


def real_pyenv_root():
    root = os.environ.get("PYENV_ROOT")
    if root and os.path.isabs(root):
        return root
    return os.path.join(os.path.expanduser("~"), ".pyenv")


def version_of(python):
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        check=True, capture_output=True, text=True).stdout
    return out.strip()


def discover_pythons(pyenv_root):
    """All candidate interpreters: Debian's, then pyenv 3.8+ (oldest first)."""
    found = []
    if os.access(SYSTEM_PYTHON, os.X_OK):
        found.append({"label": "system", "origin": "debian",
                      "python": SYSTEM_PYTHON,
                      "version": version_of(SYSTEM_PYTHON),
                      "pyenv_version": "system"})
    vdir = os.path.join(pyenv_root, "versions")
    pyenv = []
    if os.path.isdir(vdir):
        for name in os.listdir(vdir):
            m = re.fullmatch(r"3\.(\d+)\.(\d+)", name)
            exe = os.path.join(vdir, name, "bin", "python3")
            if m and int(m.group(1)) >= 8 and os.access(exe, os.X_OK):
                pyenv.append(((3, int(m.group(1)), int(m.group(2))), name, exe))
    for _, name, exe in sorted(pyenv):
        found.append({"label": name, "origin": "pyenv", "python": exe,
                      "version": name, "pyenv_version": name})
    return found


def select_pythons(found, spec):
    pyenv = [p for p in found if p["origin"] == "pyenv"]
    if spec == "all":
        return found
    picked = []
    for word in spec.split(","):
        word = word.strip()
        if word == "default":
            cand = [p for p in found if p["origin"] == "debian"] + pyenv[-1:]
        elif word in ("system", "debian"):
            cand = [p for p in found if p["origin"] == "debian"]
        else:
            # "3.12" picks the newest 3.12.x; "3.12.1" that exact one.
            cand = [p for p in pyenv
                    if p["version"] == word
                    or p["version"].startswith(word + ".")][-1:]
        if not cand:
            raise BenchError("no interpreter matches '%s' (have: %s)" % (
                word, ", ".join(p["label"] for p in found) or "none"))
        for p in cand:
            if p not in picked:
                picked.append(p)
    return picked


# --------------------------------------------------------------------------
# Sandbox


def run_checked(cmd, env=None, cwd=None):
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        raise BenchError("%s failed (exit %d):\n%s%s" % (
            " ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def site_packages(venv):
    lib = os.path.join(venv, "lib")
    for name in sorted(os.listdir(lib)):
        sp = os.path.join(lib, name, "site-packages")
        if name.startswith("python") and os.path.isdir(sp):
            return sp
    raise BenchError("no site-packages in %s" % venv)


def make_sandbox(args, pythons, pyenv_root, kinds=("venv", "shared")):
    root = tempfile.mkdtemp(prefix="pyshim-bench-")
    sb = {"root": root,
          "home": os.path.join(root, "home"),
          "pyshim_home": os.path.join(root, "pyshim-home"),
          "bin": os.path.join(root, "bin"),
          "projects": os.path.join(root, "projects")}
    for k in ("home", "pyshim_home", "bin", "projects"):
        os.makedirs(sb[k])
    # Every variant runs with this environment; only PATH (and
    # PYENV_VERSION for pyenv) differ.
    # PYTHONHASHSEED=0 everywhere: Python's start-up work depends on the
    # hash seed (embed figures moved +-50k Ir between runs without it).
    base = {"HOME": sb["home"], "PYSHIM_HOME": sb["pyshim_home"],
            "LANG": "C.UTF-8", "PYENV_ROOT": pyenv_root,
            "PYTHONHASHSEED": "0"}
    sys_path = "/usr/local/bin:/usr/bin:/bin"
    sb["env_direct"] = dict(base, PATH=sys_path)
    sb["env_shim"] = dict(base, PATH=sb["bin"] + ":" + sys_path)
    # pyenv's shim must not find pyshim's bin dir (PYENV_VERSION=system
    # searches PATH).
    sb["env_pyenv"] = dict(base, PATH="%s/shims:%s/bin:%s" % (
        pyenv_root, pyenv_root, sys_path))

    run_checked([args.pyshim, "install", "--bin-dir", sb["bin"]],
                env=sb["env_direct"])
    if not os.path.exists(os.path.join(sb["bin"], "python")):
        raise BenchError("pyshim install did not create %s/python" % sb["bin"])

    for py in pythons:
        label = py["label"]
        # A project with a plain .venv (zero-config marker).
        proj = os.path.join(sb["projects"], "venv-" + label)
        os.makedirs(proj)
        run_checked([py["python"], "-m", "venv", "--without-pip",
                     os.path.join(proj, ".venv")])
        py["projects"] = [
            {"kind": "venv", "dir": proj,
             "venv_python": os.path.join(proj, ".venv", "bin", "python")}]
        py["pyenv_shim"] = None
        if "shared" not in kinds:
            continue
        # A project with a .venv and a named shared env: the hook path.
        name = "bench-" + label
        shared = os.path.join(sb["pyshim_home"], "shared", name)
        run_checked([py["python"], "-m", "venv", "--without-pip", shared])
        with open(os.path.join(site_packages(shared), SHARED_MODULE + ".py"),
                  "w") as f:
            f.write("X = 1\n")
        sproj = os.path.join(sb["projects"], "shared-" + label)
        os.makedirs(sproj)
        run_checked([py["python"], "-m", "venv", "--without-pip",
                     os.path.join(sproj, ".venv")])
        with open(os.path.join(sproj, ".pyshim.json"), "w") as f:
            json.dump({"shared": [name]}, f)
        py["projects"].append(
            {"kind": "shared", "dir": sproj, "shared_env": shared,
             "venv_python": os.path.join(sproj, ".venv", "bin", "python")})
        if py["origin"] == "pyenv" or os.path.isdir(
                os.path.join(pyenv_root, "versions")):
            # Debian's python under pyenv is "system", found as python3.
            prog = "python" if py["origin"] == "pyenv" else "python3"
            shim = os.path.join(pyenv_root, "shims", prog)
            if os.access(shim, os.X_OK) and not args.no_pyenv:
                py["pyenv_shim"] = shim
    return sb


def verify_routing(sb, py):
    """The shim must really run the project's venv (and see shared libs)."""
    probe = ("import sys; print(sys.executable); "
             "import importlib.util as u; "
             "print(u.find_spec(%r) is not None)" % SHARED_MODULE)
    for proj in py["projects"]:
        out = run_checked([os.path.join(sb["bin"], "python"), "-c", probe],
                          env=sb["env_shim"], cwd=proj["dir"]).split()
        want_shared = "True" if proj["kind"] == "shared" else "False"
        if out != [proj["venv_python"], want_shared]:
            raise BenchError("shim in %s ran %r, expected %r" % (
                proj["dir"], out, [proj["venv_python"], want_shared]))
        # After the shim wrote the hook, the venv's python sees the shared
        # env by itself: direct runs pay the same .pth cost.
        out = run_checked([proj["venv_python"], "-c", probe],
                          env=sb["env_direct"], cwd=proj["dir"]).split()
        if out[1] != want_shared:
            raise BenchError("direct %s: shared module visible=%s" % (
                proj["venv_python"], out[1]))
        # The mode auto picks once the facts cache is warm (it is now).
        plan = json.loads(run_checked(
            [os.path.join(sb["bin"], "python"), "-c", "pass"],
            env=dict(sb["env_shim"], PYSHIM_DRYRUN="1"), cwd=proj["dir"]))
        proj["mode"] = plan.get("mode", "exec")
        proj["mode_reason"] = plan.get("mode_reason")
    if py["pyenv_shim"]:
        env = dict(sb["env_pyenv"], PYENV_VERSION=py["pyenv_version"])
        out = run_checked([py["pyenv_shim"], "-c",
                           "import sys; print('%d.%d.%d' % "
                           "sys.version_info[:3])"], env=env).strip()
        if out != py["version"]:
            raise BenchError("pyenv shim ran %s, expected %s" % (
                out, py["version"]))


# --------------------------------------------------------------------------
# Wall time


def spawn_wait(argv, env, devnull_fa):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=devnull_fa)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    if status:
        raise BenchError("%s exited with status %#x" % (" ".join(argv), status))
    return (t1 - t0) / 1e6, (ru.ru_utime + ru.ru_stime) * 1e3


def pct(xs, q):
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def build_floors(sb):
    """The exec-only C programs, built with the system cc: {name: path}."""
    cc = shutil.which("cc") or shutil.which("gcc")
    floors = {}
    if not cc:
        return floors
    d = os.path.join(sb["root"], "floor")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "floor.c")
    with open(src, "w") as f:
        f.write(FLOOR_C)
    for name, extra in (("floor-dyn", []), ("floor-static", ["-static"])):
        out = os.path.join(d, name)
        r = subprocess.run([cc, "-O2"] + extra + ["-o", out, src],
                           capture_output=True, text=True)
        if r.returncode == 0:
            floors[name] = out
    return floors


def paired(xs, ys):
    """Median of the per-round differences and ratios of xs against ys."""
    return (statistics.median([x - y for x, y in zip(xs, ys)]),
            statistics.median([x / y for x, y in zip(xs, ys)]))


def time_project(args, sb, py, proj, cname, cmd_args):
    shim = [os.path.join(sb["bin"], "python")] + cmd_args
    variants = [("direct", [proj["venv_python"]] + cmd_args, sb["env_direct"]),
                ("pyshim", shim, sb["env_shim"])]
    if proj["mode"] != "exec":
        # What auto chose is not exec: time forced exec too.
        variants.append(("pyshim-exec", shim,
                         dict(sb["env_shim"], PYSHIM_MODE="exec")))
    # The floors exec the same python with the same argv, in the
    # environment the shim gets.
    for name, path in sorted(sb["floors"].items()):
        variants.append((name, [path, proj["venv_python"]] + cmd_args,
                         sb["env_shim"]))
    if cname == "pass" and proj["kind"] == "venv":
        true = shutil.which("true", path="/usr/bin:/bin")
        if true:
            variants.append(("/bin/true", [true], sb["env_direct"]))
    if py["pyenv_shim"] and proj["kind"] == "venv":
        variants.append(("pyenv", [py["pyenv_shim"]] + cmd_args,
                         dict(sb["env_pyenv"],
                              PYENV_VERSION=py["pyenv_version"])))
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
          (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
    wall = {v[0]: [] for v in variants}
    cpu = {v[0]: [] for v in variants}
    old = os.getcwd()
    os.chdir(proj["dir"])
    try:
        for _ in range(args.warmup):
            for _, argv, env in variants:
                spawn_wait(argv, env, fa)
        for i in range(args.runs):
            # Rotate the order every run: each variant is first equally often.
            k = i % len(variants)
            for name, argv, env in variants[k:] + variants[:k]:
                w, c = spawn_wait(argv, env, fa)
                wall[name].append(w)
                cpu[name].append(c)
    finally:
        os.chdir(old)
    base = statistics.median(wall["direct"])
    res = {}
    for name, _, _ in variants:
        xs = wall[name]
        diff, pratio = paired(xs, wall["direct"])
        res[name] = {
            "median_ms": statistics.median(xs),
            "p10_ms": pct(xs, 0.10),
            "p90_ms": pct(xs, 0.90),
            "min_ms": min(xs),
            "cpu_median_ms": statistics.median(cpu[name]),
            "ratio": statistics.median(xs) / base,
            "paired_diff_median_ms": diff,
            "paired_ratio": pratio,
            "runs": len(xs),
        }
        if "floor-dyn" in wall and name.startswith("pyshim"):
            res[name]["minus_floor_dyn_us"] = \
                paired(xs, wall["floor-dyn"])[0] * 1000
            # CPU time (user + system of the process and what it became):
            # no waiting for a CPU in it, so steadier on a loaded machine
            res[name]["cpu_minus_floor_dyn_us"] = \
                paired(cpu[name], cpu["floor-dyn"])[0] * 1000
        if "floor-static" in wall and name.startswith("pyshim"):
            res[name]["minus_floor_static_us"] = \
                paired(xs, wall["floor-static"])[0] * 1000
    return res


# --------------------------------------------------------------------------
# Callgrind


def parse_callgrind(path):
    """Totals and self cost per object and per function (Ir only)."""
    names = {"ob": {}, "fn": {}}
    total = summary = None
    by_ob, by_fn = {}, {}
    ob = fn = None
    skip_next = False
    name_re = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def compressed(kind, val):
        m = name_re.match(val)
        if not m:
            return val
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), val)

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                cost = int(line.split()[-1]) if len(line.split()) > 1 else 0
                by_ob[ob] = by_ob.get(ob, 0) + cost
                by_fn[(fn, ob)] = by_fn.get((fn, ob), 0) + cost
            elif line.startswith("ob="):
                ob = compressed("ob", line[3:])
            elif line.startswith("fn="):
                fn = compressed("fn", line[3:])
            elif line.startswith(("cob=", "cfn=", "cfi=", "cfl=")):
                kind = "ob" if line.startswith("cob=") else (
                    "fn" if line.startswith("cfn=") else None)
                if kind:
                    compressed(kind, line[4:])
            elif line.startswith("calls="):
                skip_next = True  # the next cost line is inclusive call cost
            elif line.startswith("totals:"):
                total = int(line.split()[1])
            elif line.startswith("summary:"):
                summary = int(line.split()[1])
    return {"total": total if total is not None else summary,
            "by_object": by_ob, "by_function": by_fn,
            "self_sum": sum(by_ob.values())}


def callgrind(args, outdir, tag, argv, env, cwd, dump_before_exec,
              dump_before=None, warm=False):
    """warm: run it under callgrind once before, output thrown away: under
    valgrind /proc/self/exe is valgrind's tool, and the interpreter search
    cache is keyed by the shim's own file, so a first run under valgrind
    misses what the native warm runs cached."""
    out = os.path.join(outdir, "cg-%s.out" % tag)
    cmd = ["valgrind", "--tool=callgrind", "--trace-children=no",
           "--callgrind-out-file=" + out]
    if dump_before_exec:
        cmd.append("--dump-before=execv")
    if dump_before:
        cmd.append("--dump-before=" + dump_before)
    if warm:
        scratch = os.path.join(outdir, "warm-%s" % tag)
        os.makedirs(scratch, exist_ok=True)
        subprocess.run(cmd[:3] + ["--callgrind-out-file=" +
                                  os.path.join(scratch, "cg.out")] +
                       cmd[4:] + argv, env=env, cwd=cwd,
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    r = subprocess.run(cmd + argv, env=env, cwd=cwd, capture_output=True,
                       text=True)
    if r.returncode:
        raise BenchError("callgrind of %s failed:\n%s" % (argv, r.stderr))
    if dump_before:
        # Part 1: up to the call; the final dump: the rest.
        if not os.path.exists(out + ".1"):
            raise BenchError("no dump before %s for %s" % (dump_before, argv))
        return (parse_callgrind(out + ".1"), parse_callgrind(out)), out, \
            r.stderr
    if not dump_before_exec:
        return parse_callgrind(out), out, r.stderr
    # With --trace-children=no valgrind lets execve replace the process and
    # never reaches its exit-time dump: the only data is the dump taken on
    # entering execv (part 1). Check exactly that.
    part = out + ".1"
    if not os.path.exists(part):
        raise BenchError("callgrind wrote no dump before execv for %s "
                         "(did the shim exec?)" % argv)
    if os.path.exists(out) and os.path.getsize(out):
        raise BenchError("callgrind wrote a final dump for %s: the exec was "
                         "followed?" % argv)
    if os.path.exists(out + ".2"):
        raise BenchError("more than one dump before exec for %s" % argv)
    data = parse_callgrind(part)
    # The shim's own names (bin/python, ...) are hard links to pyshim since
    # issue 13 item 4: the program started is the shim, never a Python.
    shim = os.path.abspath(argv[0])
    pyobjs = [o for o in data["by_object"]
              if o and o != shim and
              re.search(r"libpython|/python3?(\.\d+)?$", o)]
    if pyobjs:
        raise BenchError("shim profile contains Python objects %s: the exec "
                         "was counted" % pyobjs)
    data["verified"] = ("only the dump before execv exists (no exit dump, "
                        "no I-refs summary from valgrind); objects: %s"
                        % sorted(os.path.basename(o or "?")
                                 for o in data["by_object"]))
    return data, part, r.stderr


def annotate_top(path, n):
    if not shutil.which("callgrind_annotate"):
        return []
    r = subprocess.run(["callgrind_annotate", path], capture_output=True,
                       text=True)
    top = []
    started = False
    for line in r.stdout.splitlines():
        if "file:function" in line:
            started = True
            continue
        if not started:
            continue
        m = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$", line)
        if m:
            top.append({"ir": int(m.group(1).replace(",", "")),
                        "pct": float(m.group(2)), "what": m.group(3)})
            if len(top) >= n:
                break
    return top


def object_groups(by_ob, shim=None):
    """Self cost per object group; shim: the started program's path (the
    shim's own names are hard links to pyshim)."""
    groups = {}
    for ob, cost in by_ob.items():
        b = os.path.basename(ob or "?")
        if b.startswith("ld-linux"):
            g = "ld.so (dynamic loader)"
        elif b.startswith("libc.so"):
            g = "libc"
        elif b.startswith("libcjson"):
            g = "libcjson"
        elif b == "pyshim" or (shim and ob in (shim,
                                               os.path.realpath(shim))):
            g = "pyshim code"
        else:
            g = b
        groups[g] = groups.get(g, 0) + cost
    return dict(sorted(groups.items(), key=lambda kv: -kv[1]))


def count_instructions(args, sb, py, outdir):
    res = {}
    for proj in py["projects"]:
        tag = "%s-%s" % (py["label"], proj["kind"])
        shim = [os.path.join(sb["bin"], "python"), "-c", "pass"]
        data, path, _ = callgrind(
            args, outdir, "shim-exec-" + tag, shim,
            dict(sb["env_shim"], PYSHIM_MODE="exec"), proj["dir"], True,
            warm=True)
        # the same run deciding (what the first run after a change costs):
        # the plan cache off (launcher/plancache.h)
        decide, _, _ = callgrind(
            args, outdir, "shim-decide-" + tag, shim,
            dict(sb["env_shim"], PYSHIM_MODE="exec", PYSHIM_NO_PLAN_CACHE="1"),
            proj["dir"], True, warm=True)
        direct, dpath, _ = callgrind(
            args, outdir, "direct-" + tag,
            [proj["venv_python"], "-c", "pass"], sb["env_direct"],
            proj["dir"], False)
        auto = None
        if proj["mode"] == "embed":
            # One process: the whole run, split at Py_BytesMain.
            (pre, rest), epath, _ = callgrind(
                args, outdir, "shim-embed-" + tag, shim, sb["env_shim"],
                proj["dir"], False, dump_before="Py_BytesMain", warm=True)
            total = pre["total"] + rest["total"]
            fns = sorted(pre["by_function"].items(), key=lambda kv: -kv[1])
            auto = {
                "mode": "embed",
                "total_ir": total,
                "before_Py_BytesMain_ir": pre["total"],
                "from_Py_BytesMain_ir": rest["total"],
                "overhead_ir": total - direct["total"],
                "share_pct": 100.0 * (total - direct["total"]) /
                direct["total"],
                "pre_by_object": object_groups(pre["by_object"], shim[0]),
                "pre_top_self": [{"fn": f, "object": os.path.basename(o or "?"),
                                  "ir": c} for (f, o), c in fns[:args.top]],
                "rest_by_object": object_groups(rest["by_object"], shim[0]),
                "callgrind_files": [epath + ".1", epath],
            }
        fns = sorted(data["by_function"].items(), key=lambda kv: -kv[1])
        res[proj["kind"]] = {
            "auto_mode": proj["mode"],
            "auto_mode_reason": proj["mode_reason"],
            "embed": auto,
            "shim_ir": data["total"],
            "decide_ir": decide["total"],
            "shim_self_sum_check": data["self_sum"],
            "python_pass_ir": direct["total"],
            "share_pct": 100.0 * data["total"] / direct["total"],
            "verified": data["verified"],
            "by_object": object_groups(data["by_object"], shim[0]),
            "top_self": [{"fn": f, "object": os.path.basename(o or "?"),
                          "ir": c} for (f, o), c in fns[:args.top]],
            "annotate_top": annotate_top(path, args.top),
            "callgrind_files": [path, dpath],
        }
    return res


def floor_instructions(args, sb, outdir, py):
    """/bin/true (what any dynamically linked C program costs to start) and
    the exec-only floors, up to their execv of py's venv python."""
    res = {}
    true = shutil.which("true", path="/usr/bin:/bin")
    if true:
        data, _, _ = callgrind(args, outdir, "floor-true", [true],
                               sb["env_direct"], sb["root"], False)
        res["/bin/true"] = data["total"]
    proj = py["projects"][0]
    for name, path in sorted(sb["floors"].items()):
        data, _, _ = callgrind(args, outdir, name,
                               [path, proj["venv_python"], "-c", "pass"],
                               sb["env_shim"], proj["dir"], True)
        res[name] = data["total"]
    return res


# --------------------------------------------------------------------------
# System calls


def count_syscalls(args, sb, py):
    """The shim's own system calls on a warm exec-mode run, per project,
    and the floors' (their loader's share) for comparison."""
    shim = os.path.join(sb["bin"], "python")
    own_objects = {shim, os.path.realpath(shim), args.pyshim}
    res = {}
    work = os.path.join(sb["root"], "strace")
    os.makedirs(work, exist_ok=True)
    env = dict(sb["env_shim"], PYSHIM_MODE="exec")
    for proj in py["projects"]:
        growth.warm(shim, env, proj["dir"])
        try:
            c = growth.syscall_count([shim, "-c", "pass"], env, proj["dir"],
                                     own_objects, work)
        except RuntimeError as e:
            raise BenchError(str(e))
        if not c["own"]:
            raise BenchError("strace -k found no call under the shim's main "
                             "(a stripped binary?): cannot split the "
                             "loader's calls from the shim's")
        res[proj["kind"]] = c
    proj = py["projects"][0]
    floors = {}
    for name, path in sorted(sb["floors"].items()):
        c = growth.syscall_count([path, proj["venv_python"], "-c", "pass"],
                                 sb["env_shim"], proj["dir"],
                                 {path}, work)
        floors[name] = {k: c[k] for k in ("total", "own", "loader")}
    return {"projects": res, "floors": floors}


# --------------------------------------------------------------------------
# First run per interpreter (the facts probe)


def first_run(args, sb, py):
    """Extra wall ms of the first run after the facts cache is removed,
    against warm runs: median over args.first_runs fresh caches."""
    proj = py["projects"][0]
    argv = [os.path.join(sb["bin"], "python"), "-c", "pass"]
    cache = os.path.join(sb["pyshim_home"], "cache")
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
          (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
    old = os.getcwd()
    os.chdir(proj["dir"])
    diffs, firsts, warms = [], [], []
    try:
        for _ in range(args.first_runs):
            shutil.rmtree(cache, ignore_errors=True)
            first, _ = spawn_wait(argv, sb["env_shim"], fa)
            if not any(files for _, _, files in os.walk(cache)):
                raise BenchError("the first run wrote no facts cache under "
                                 "%s: nothing was probed" % cache)
            warm = statistics.median(
                [spawn_wait(argv, sb["env_shim"], fa)[0] for _ in range(5)])
            diffs.append(first - warm)
            firsts.append(first)
            warms.append(warm)
    finally:
        os.chdir(old)
    return {"extra_ms": statistics.median(diffs), "extra_ms_each": diffs,
            "first_ms": statistics.median(firsts),
            "warm_ms": statistics.median(warms), "fresh_caches": len(diffs)}


# --------------------------------------------------------------------------
# The CI smoke check


def baseline_measure(args):
    """The exec-mode warm-run Ir (venv project, Debian's python)."""
    found = discover_pythons(real_pyenv_root())
    pythons = [p for p in found if p["origin"] == "debian"]
    if not pythons:
        raise BenchError("no %s" % SYSTEM_PYTHON)
    args.no_pyenv = True
    sb = make_sandbox(args, pythons, real_pyenv_root(), kinds=("venv",))
    try:
        py = pythons[0]
        proj = py["projects"][0]
        shim = os.path.join(sb["bin"], "python")
        env = dict(sb["env_shim"], PYSHIM_MODE="exec")
        out = run_checked([shim, "-c", "import sys; print(sys.executable)"],
                          env=env, cwd=proj["dir"]).strip()
        if out != proj["venv_python"]:
            raise BenchError("the shim ran %s, not %s" % (
                out, proj["venv_python"]))
        try:
            growth.warm(shim, env, proj["dir"])
        except RuntimeError as e:
            raise BenchError(str(e))
        outdir = os.path.join(sb["root"], "callgrind")
        os.makedirs(outdir)
        # warm: the first run under valgrind is another program to the
        # plan and search caches (their keys hold the shim's identity)
        data, _, _ = callgrind(args, outdir, "baseline", [shim, "-c", "pass"],
                               env, proj["dir"], True, warm=True)
        return data["total"], py["version"]
    finally:
        shutil.rmtree(sb["root"], ignore_errors=True)


def valgrind_version():
    try:
        return run_checked(["valgrind", "--version"]).strip()
    except Exception:
        return None


def baseline_main(args):
    if args.measured_ir is not None:
        # the check's own test (bench/smoke.sh): compare a given figure
        if args.update_baseline:
            raise BenchError("--measured-ir is for --check-baseline only")
        ir, version = args.measured_ir, "(given)"
    else:
        ir, version = baseline_measure(args)
    path = args.baseline
    if args.update_baseline:
        m = machine_info()
        doc = {
            "figure": "callgrind Ir from process start to the shim's execv: "
                      "warm `python -c pass`, PYSHIM_MODE=exec, "
                      "PYTHONHASHSEED=0, zero-config venv project of "
                      "Debian's /usr/bin/python3, release build",
            "ir": ir,
            "tolerance_pct": BASELINE_TOLERANCE_PCT,
            "git": git_rev(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": "%s, nproc=%s, kernel %s" % (m["cpu"], m["nproc"],
                                                    m["kernel"]),
            "python": version,
            "valgrind": valgrind_version(),
            "command": "/usr/bin/python3 bench/bench.py --update-baseline",
        }
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print("bench: baseline %s Ir written to %s" % ("{:,}".format(ir),
                                                      path))
        return 0
    try:
        with open(path) as f:
            base = json.load(f)
    except (OSError, ValueError) as e:
        raise BenchError("cannot read the baseline %s: %s" % (path, e))
    limit = base["ir"] * (100 + base.get("tolerance_pct",
                                         BASELINE_TOLERANCE_PCT)) / 100.0
    change = 100.0 * (ir - base["ir"]) / base["ir"]
    msg = ("exec-mode warm run (venv project, Debian's python %s): %s Ir; "
           "baseline %s Ir (git %s, %s): %+.1f%%, limit %s"
           % (version, "{:,}".format(ir), "{:,}".format(base["ir"]),
              base.get("git"), base.get("date"), change,
              "{:,}".format(int(limit))))
    if ir > limit:
        print("bench: FAIL: %s" % msg)
        print("bench: hint: find what added instructions (callgrind_annotate "
              "of `bench/bench.py --keep`); if the rise is wanted, update "
              "the baseline: /usr/bin/python3 bench/bench.py "
              "--update-baseline (bench/README.md)")
        return 1
    print("bench: ok: %s" % msg)
    if change < -BASELINE_TOLERANCE_PCT:
        print("bench: note: more than %d%% below the baseline: lower it with "
              "/usr/bin/python3 bench/bench.py --update-baseline"
              % BASELINE_TOLERANCE_PCT)
    return 0


# --------------------------------------------------------------------------
# Report


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        nproc = run_checked(["nproc"]).strip()
    except Exception:
        nproc = str(os.cpu_count())
    return {"cpu": cpu, "nproc": nproc, "kernel": platform.release(),
            "loadavg": os.getloadavg()}


def git_rev():
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short",
                               "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except Exception:
        return None


def fmt_int(x):
    return "-" if x is None else "{:,}".format(x)


GROWTH_LABEL = {"depth": "dir depth (venv)", "path": "PATH entries (venv)",
                "interps": "interpreters (venv)",
                "nopy": "interpreters (no venv)",
                "shared": "shared envs", "trust": "trust records"}


def summarize(report):
    """issue 14's target table: one row per figure and case."""
    rows = []

    def row(figure, python, project, measured, target, ok, note=""):
        rows.append({"figure": figure, "python": python, "project": project,
                     "measured": measured, "target": target, "ok": ok,
                     "note": note})

    for r in report["instructions"]:
        for kind, s in r["projects"].items():
            t = TARGET_EXEC_IR[kind]
            row("exec: shim Ir before execv", r["python"], kind,
                fmt_int(s["shim_ir"]), "<= " + fmt_int(t), s["shim_ir"] <= t,
                "auto picks exec" if s["auto_mode"] == "exec" else "")
    for r in report["instructions"]:
        for kind, s in r["projects"].items():
            if s["embed"]:
                t = TARGET_EMBED_IR[kind]
                o = s["embed"]["overhead_ir"]
                row("embed minus direct, Ir", r["python"], kind, fmt_int(o),
                    "<= " + fmt_int(t), o <= t)
    for r in report["syscalls"]:
        for kind, c in r["projects"].items():
            t = TARGET_SYSCALLS[kind]
            row("shim's own syscalls, warm (total)", r["python"], kind,
                "%d (%d)" % (c["own"], c["total"]), "<= %d" % t,
                c["own"] <= t)
    for r in report["wall"]:
        for v, s in r["variants"].items():
            if not v.startswith("pyshim"):
                continue
            mode = r["auto_mode"] if v == "pyshim" else "exec"
            where = "%s, -c %s" % (r["project"], r["command"])
            if mode == "embed":
                row("embed wall / direct (paired)", r["python"], where,
                    "%.3fx" % s["paired_ratio"],
                    "<= %.2fx" % TARGET_EMBED_RATIO,
                    s["paired_ratio"] <= TARGET_EMBED_RATIO)
            elif "minus_floor_dyn_us" in s:
                d = s["minus_floor_dyn_us"]
                row("exec wall - exec-only floor (paired)", r["python"],
                    where, "%+.0f us" % d,
                    "<= %d us" % TARGET_EXEC_FLOOR_US,
                    d <= TARGET_EXEC_FLOOR_US,
                    "; ".join(x for x in (
                        "cpu %+.0f us" % s["cpu_minus_floor_dyn_us"]
                        if "cpu_minus_floor_dyn_us" in s else "",
                        "static floor %+.0f us" % s["minus_floor_static_us"]
                        if "minus_floor_static_us" in s else "") if x))
    for dim, g in (report["growth"] or {}).items():
        v = g["verdict"]
        sizes = [p["size"] for p in g["points"]]
        row("growth: %s" % GROWTH_LABEL.get(dim, dim), "system",
            "sizes %s..%s" % (min(sizes), max(sizes)), v["text"],
            g["expect"] + (", slow" if g["expect"] == "linear" else ""),
            v["ok"])
    for r in report["first_run"]:
        f = r["first_run"]
        row("first run - warm run (facts probe)", r["python"], "venv",
            "%+.1f ms" % f["extra_ms"], "<= +%g ms" % TARGET_FIRST_RUN_MS,
            f["extra_ms"] <= TARGET_FIRST_RUN_MS,
            "median of %d fresh caches" % f["fresh_caches"])
    return rows


def print_summary(report, w):
    rows = report["summary"]
    w("Issue 14's targets, side by side (PYTHONHASHSEED=0 in every measured "
      "run; Ir = callgrind instructions)\n")
    hdr = "%-38s %-8s %-22s %-40s %-18s %s\n"
    w(hdr % ("figure", "python", "project", "measured", "target", "verdict"))
    for r in rows:
        verdict = "?" if r["ok"] is None else ("ok" if r["ok"] else "MISS")
        line = hdr % (r["figure"], r["python"], r["project"], r["measured"],
                      r["target"], verdict + ("  " + r["note"] if r["note"]
                                              else ""))
        w(line.rstrip() + "\n")


def print_markdown(report):
    """The target table as Markdown (for bench/README.md)."""
    w = sys.stdout.write
    m = report["machine"]
    w("Command: `%s`, release build of git `%s`. Machine: `nproc` = %s, "
      "`%s`, Linux %s, load average %s at the start, %s after.\n\n" % (
          "/usr/bin/python3 " + report["command_line"].replace(REPO + "/", ""),
          report["git"],
          m["nproc"], m["cpu"], m["kernel"],
          " ".join("%.1f" % x for x in m["loadavg"]),
          " ".join("%.1f" % x for x in m.get("loadavg_after", []))))
    w("| figure | python | project | measured | target | verdict |\n")
    w("|---|---|---|---|---|---|\n")
    for r in report["summary"]:
        verdict = "?" if r["ok"] is None else ("ok" if r["ok"] else "MISS")
        if r["note"]:
            verdict += " (%s)" % r["note"]
        w("| %s | %s | %s | %s | %s | %s |\n" % (
            r["figure"], r["python"], r["project"], r["measured"],
            r["target"].replace("<=", "&le;"), verdict))
    w("\n<details><summary>the detail tables of that run</summary>\n\n"
      "```\n")
    print_table(report, summary=False)
    w("```\n</details>\n")


def print_table(report, summary=True):
    def w(text):
        sys.stdout.write(re.sub(r" +\n", "\n", text))

    m = report["machine"]
    w("pyshim overhead benchmark (%s runs per variant, interleaved)\n"
      % report["runs"])
    w("machine: %s, nproc=%s, kernel %s, load %s\n"
      % (m["cpu"], m["nproc"], m["kernel"],
         " ".join("%.2f" % x for x in m["loadavg"])))
    w("pyshim: %s (git %s)\n" % (report["pyshim"], report["git"]))
    if summary:
        w("\n")
        print_summary(report, w)
    if report["wall"]:
        w("\nWall time (median ms; ratio = median / median of the venv's "
          "python run directly; +us = median of paired differences "
          "against direct;\nvs floor = pyshim minus the dynamic exec-only "
          "floor, paired; pyshim = default mode (auto, in brackets), "
          "pyshim-exec = PYSHIM_MODE=exec)\n")
        hdr = "%-8s %-7s %-12s %-13s %8s %13s %6s %7s %9s\n"
        w(hdr % ("python", "project", "command", "variant", "median",
                 "p10..p90", "ratio", "+us", "vs floor"))
        for r in report["wall"]:
            for v, s in r["variants"].items():
                if v == "pyshim":
                    v = "pyshim[%s]" % r["auto_mode"]
                vf = s.get("minus_floor_dyn_us")
                w(hdr % (r["python"], r["project"], r["command"], v,
                         "%.2f" % s["median_ms"],
                         "%.2f..%.2f" % (s["p10_ms"], s["p90_ms"]),
                         "%.3f" % s["ratio"],
                         "%+.0f" % (s["paired_diff_median_ms"] * 1000),
                         "" if vf is None else "%+.0f" % vf))
    if report["instructions"]:
        w("\nInstructions (callgrind Ir) added to `python -c pass`: exec = "
          "the shim's own, counted up to its execv;\nembed = whole in-process "
          "run minus the direct run\n")
        hdr = "%-8s %-7s %-6s %12s %16s %8s\n"
        w(hdr % ("python", "project", "mode", "shim adds", "python -c pass",
                 "share"))
        for r in report["instructions"]:
            for kind, s in r["projects"].items():
                rows = [("exec", s["shim_ir"], s["share_pct"])]
                if "decide_ir" in s:
                    rows.append(("decide", s["decide_ir"], 100.0 *
                                 s["decide_ir"] / s["python_pass_ir"]))
                if s["embed"]:
                    rows.append(("embed", s["embed"]["overhead_ir"],
                                 s["embed"]["share_pct"]))
                for mode, ir, share in rows:
                    if mode == s["auto_mode"]:
                        mode += "*"
                    w(hdr % (r["python"], kind, mode, fmt_int(ir),
                             fmt_int(s["python_pass_ir"]),
                             "%.2f%%" % share))
        w("(* = the mode auto picks; decide = exec mode deciding, the plan "
          "cache off: a run after a change)\n")
        for name, ir in report["floor_ir"].items():
            w("reference: %-13s %9s Ir%s\n" % (
                name, fmt_int(ir),
                "" if name == "/bin/true" else
                " (up to its execv of the venv's python)"))
        first = report["instructions"][0]
        for kind, s in first["projects"].items():
            w("\nWhere the shim's instructions go, exec mode (%s, %s project):\n"
              % (first["python"], kind))
            for g, c in s["by_object"].items():
                w("  %10s  %5.1f%%  %s\n" % (fmt_int(c),
                                             100.0 * c / s["shim_ir"], g))
            w("  top functions (self):\n")
            for t in s["top_self"]:
                w("  %10s  %5.1f%%  %s [%s]\n" % (
                    fmt_int(t["ir"]), 100.0 * t["ir"] / s["shim_ir"],
                    t["fn"], t["object"]))
        for r in report["instructions"]:
            e = r["projects"]["venv"]["embed"]
            if not e:
                continue
            w("\nEmbed (%s, venv project): %s Ir before Py_BytesMain, %s "
              "from it on (direct run: %s)\n" % (
                  r["python"], fmt_int(e["before_Py_BytesMain_ir"]),
                  fmt_int(e["from_Py_BytesMain_ir"]),
                  fmt_int(r["projects"]["venv"]["python_pass_ir"])))
            w("  before Py_BytesMain, by object:\n")
            for g, c in e["pre_by_object"].items():
                w("  %10s  %s\n" % (fmt_int(c), g))
            w("  before Py_BytesMain, top functions (self):\n")
            for t in e["pre_top_self"][:8]:
                w("  %10s  %s [%s]\n" % (fmt_int(t["ir"]), t["fn"],
                                         t["object"]))
        w("\ncheck (exec count): %s\n"
          % first["projects"]["venv"]["verified"])
    if report["syscalls"]:
        w("\nSystem calls before the execve of python (strace -f -k, "
          "PYSHIM_MODE=exec, warm; the execve itself not counted): loader = "
          "the calls before\nthe first one whose stack passes through the "
          "program's main (ld.so, libc start-up); own = that one and all "
          "after it\n")
        hdr = "%-8s %-18s %6s %7s %6s\n"
        w(hdr % ("python", "program", "total", "loader", "own"))
        for r in report["syscalls"]:
            for kind, c in r["projects"].items():
                w(hdr % (r["python"], "pyshim, " + kind, c["total"],
                         c["loader"], c["own"]))
            for name, c in r["floors"].items():
                w(hdr % (r["python"], name, c["total"], c["loader"],
                         c["own"]))
        first = report["syscalls"][0]
        w("the shim's own calls (%s, venv project), by name: %s\n" % (
            first["python"], ", ".join(
                "%s %d" % kv for kv in sorted(
                    first["by_name"].items(), key=lambda kv: -kv[1]))))
    if report["growth"]:
        w("\nGrowth (Debian's python, exec mode, warm; each cell: size: Ir "
          "to execv / the shim's own syscalls)\n")
        w(growth.format_table(report["growth"]) + "\n")
    if report["first_run"]:
        w("\nFirst run per interpreter (default mode; the facts cache "
          "removed before each first run; warm = median of the 5 runs "
          "after it)\n")
        for r in report["first_run"]:
            f = r["first_run"]
            w("%-8s first %.2f ms, warm %.2f ms: %+.1f ms (each: %s)\n" % (
                r["python"], f["first_ms"], f["warm_ms"], f["extra_ms"],
                " ".join("%+.1f" % d for d in f["extra_ms_each"])))
    w("\ntargets: %s\n" % ("all met" if report["targets_met"]
                          else "MISSED (see above)"))


SECTIONS = ("wall", "callgrind", "syscalls", "firstrun", "growth")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pyshim", default=DEFAULT_PYSHIM,
                    help="the pyshim binary (default: build/release/pyshim)")
    ap.add_argument("--pythons", default="default",
                    help="comma list: default, all, system, 3.12, 3.12.1 "
                         "(default: system + the newest pyenv one)")
    ap.add_argument("--runs", type=int,
                    help="timed runs per variant and command (default 200, "
                         "--quick 20)")
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--first-runs", type=int,
                    help="fresh facts caches for the first-run figure "
                         "(default 7, --quick 3)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 20 runs, 2 warm-ups, fewer growth sizes")
    ap.add_argument("--skip", default="",
                    help="comma list of sections to skip: " +
                    ",".join(SECTIONS))
    ap.add_argument("--no-callgrind", action="store_true",
                    help="= --skip callgrind,growth")
    ap.add_argument("--no-pyenv", action="store_true",
                    help="skip pyenv's shim")
    ap.add_argument("--top", type=int, default=12,
                    help="top functions to report")
    ap.add_argument("--json", action="store_true",
                    help="print the JSON report on stdout instead of a table")
    ap.add_argument("--json-out", metavar="FILE",
                    help="also write the JSON report to FILE")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a target is missed")
    ap.add_argument("--keep", action="store_true",
                    help="keep the sandbox (and callgrind files)")
    ap.add_argument("--check-baseline", action="store_true",
                    help="CI smoke check: one callgrind run; exit 1 when the "
                         "exec-mode count is more than %d%% above the "
                         "baseline" % BASELINE_TOLERANCE_PCT)
    ap.add_argument("--update-baseline", action="store_true",
                    help="measure that count and write it as the baseline")
    ap.add_argument("--baseline", default=BASELINE, metavar="FILE",
                    help="the baseline file (default: bench/baseline.json)")
    ap.add_argument("--measured-ir", type=int, metavar="N",
                    help="--check-baseline against N instead of a "
                         "measurement (tests the check itself)")
    ap.add_argument("--markdown", action="store_true",
                    help="with --report: the target table as Markdown")
    ap.add_argument("--report", metavar="FILE",
                    help="print the table of a JSON report (--json-out) "
                         "and exit")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            rep = json.load(f)
        (print_markdown if args.markdown else print_table)(rep)
        return 0
    if args.runs is None:
        args.runs = 20 if args.quick else 200
    if args.warmup is None:
        args.warmup = 2 if args.quick else 5
    if args.first_runs is None:
        args.first_runs = 3 if args.quick else 7
    skip = set(w for w in args.skip.split(",") if w)
    if skip - set(SECTIONS):
        raise BenchError("unknown section(s) in --skip: %s" % ", ".join(
            sorted(skip - set(SECTIONS))))
    if args.no_callgrind:
        skip |= {"callgrind", "growth"}
    args.pyshim = os.path.abspath(args.pyshim)
    if not os.access(args.pyshim, os.X_OK):
        raise BenchError("no pyshim binary at %s; build it with `cmake "
                         "--preset release && cmake --build --preset "
                         "release`" % args.pyshim)
    if not shutil.which("valgrind") and (
            args.check_baseline or args.update_baseline or
            not {"callgrind", "growth"} <= skip):
        raise BenchError("valgrind not found (use --skip callgrind,growth)")
    if args.check_baseline or args.update_baseline:
        return baseline_main(args)
    if not growth.strace_has_k():
        if not {"syscalls", "growth"} <= skip:
            log(args, "no strace with -k: skipping syscalls and growth")
        skip |= {"syscalls", "growth"}

    pyenv_root = real_pyenv_root()
    pythons = select_pythons(discover_pythons(pyenv_root), args.pythons)
    log(args, "pythons: %s" % ", ".join(
        "%s (%s)" % (p["label"], p["python"]) for p in pythons))
    sb = make_sandbox(args, pythons, pyenv_root)
    sb["floors"] = build_floors(sb)
    log(args, "sandbox: %s" % sb["root"])
    report = {"pyshim": args.pyshim, "git": git_rev(),
              "machine": machine_info(), "runs": args.runs,
              "warmup": args.warmup, "quick": args.quick,
              "command_line": " ".join(sys.argv),
              "env": {"PYTHONHASHSEED": "0"},
              "targets": {"exec_ir": TARGET_EXEC_IR,
                          "embed_ir": TARGET_EMBED_IR,
                          "syscalls": TARGET_SYSCALLS,
                          "embed_paired_ratio": TARGET_EMBED_RATIO,
                          "exec_minus_floor_us": TARGET_EXEC_FLOOR_US,
                          "first_run_extra_ms": TARGET_FIRST_RUN_MS},
              "pythons": [{k: p[k] for k in ("label", "origin", "python",
                                              "version", "pyenv_shim")}
                          for p in pythons],
              "floors": sorted(sb["floors"]),
              "wall": [], "instructions": [], "floor_ir": {},
              "syscalls": [], "first_run": [], "growth": None}
    try:
        for py in pythons:
            verify_routing(sb, py)
        if "wall" not in skip:
            for py in pythons:
                for proj in py["projects"]:
                    for cname, cargs in COMMANDS:
                        log(args, "timing %s %s project: -c %r" % (
                            py["label"], proj["kind"], cargs[1]))
                        v = time_project(args, sb, py, proj, cname, cargs)
                        report["wall"].append({
                            "python": py["label"], "version": py["version"],
                            "project": proj["kind"], "command": cname,
                            "auto_mode": proj["mode"],
                            "variants": v})
        if "callgrind" not in skip:
            outdir = os.path.join(sb["root"], "callgrind")
            os.makedirs(outdir)
            for py in pythons:
                log(args, "callgrind %s" % py["label"])
                projs = count_instructions(args, sb, py, outdir)
                report["instructions"].append({"python": py["label"],
                                               "version": py["version"],
                                               "projects": projs})
            report["floor_ir"] = floor_instructions(args, sb, outdir,
                                                    pythons[0])
        if "syscalls" not in skip:
            for py in pythons:
                log(args, "strace %s" % py["label"])
                c = count_syscalls(args, sb, py)
                by_name = {}
                for call in c["projects"]["venv"]["own_calls"]:
                    n = call.split("(", 1)[0]
                    by_name[n] = by_name.get(n, 0) + 1
                report["syscalls"].append({
                    "python": py["label"], "version": py["version"],
                    "projects": c["projects"], "floors": c["floors"],
                    "by_name": by_name})
        if "firstrun" not in skip:
            for py in pythons:
                log(args, "first runs %s" % py["label"])
                report["first_run"].append({"python": py["label"],
                                            "version": py["version"],
                                            "first_run": first_run(args, sb,
                                                                   py)})
        if "growth" not in skip:
            sizes = growth.QUICK_SIZES if args.quick else growth.SIZES
            report["growth"] = growth.measure(
                args.pyshim, list(growth.DIMS), sizes,
                log=lambda m: log(args, m))
        report["machine"]["loadavg_after"] = os.getloadavg()
        report["summary"] = summarize(report)
        report["targets_met"] = all(r["ok"] for r in report["summary"])
    finally:
        if args.keep:
            log(args, "kept %s" % sb["root"])
        else:
            shutil.rmtree(sb["root"], ignore_errors=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(report)
    return 1 if args.check and not report["targets_met"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print("bench: error: %s" % e, file=sys.stderr)
        sys.exit(2)
