#!/usr/bin/python3
"""pyshim overhead benchmark.

Measures what the shim adds to starting Python, against running the venv's
python directly and against pyenv's shim:

* wall time of `-c pass` and `-c "import json"`, interleaved runs of
  (a) the venv's bin/python, (b) `python` through pyshim's bin dir (cwd in the
  project), (c) pyenv's shim with PYENV_VERSION set (when pyenv is installed);
* instruction counts under callgrind: the shim's own instructions up to its
  execv() (callgrind's --dump-before=execv), against `python -c pass` run
  directly.

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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_PYSHIM = os.path.join(REPO, "build", "release", "pyshim")
SYSTEM_PYTHON = "/usr/bin/python3"

COMMANDS = [("pass", ["-c", "pass"]), ("import json", ["-c", "import json"])]

# Targets from the issue.
TARGET_RATIO = 1.02
TARGET_SHARE_PCT = 1.0

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


def make_sandbox(args, pythons, pyenv_root):
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
    base = {"HOME": sb["home"], "PYSHIM_HOME": sb["pyshim_home"],
            "LANG": "C.UTF-8", "PYENV_ROOT": pyenv_root}
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
        py["projects"] = [
            {"kind": "venv", "dir": proj,
             "venv_python": os.path.join(proj, ".venv", "bin", "python")},
            {"kind": "shared", "dir": sproj, "shared_env": shared,
             "venv_python": os.path.join(sproj, ".venv", "bin", "python")},
        ]
        py["pyenv_shim"] = None
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


def time_project(args, sb, py, proj, cmd_args):
    variants = [("direct", [proj["venv_python"]] + cmd_args, sb["env_direct"]),
                ("pyshim", [os.path.join(sb["bin"], "python")] + cmd_args,
                 sb["env_shim"])]
    if proj["mode"] != "exec":
        # What auto chose is not exec: time forced exec too.
        variants.append(("pyshim-exec",
                         [os.path.join(sb["bin"], "python")] + cmd_args,
                         dict(sb["env_shim"], PYSHIM_MODE="exec")))
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
        diffs = [x - d for x, d in zip(xs, wall["direct"])]
        res[name] = {
            "median_ms": statistics.median(xs),
            "p10_ms": pct(xs, 0.10),
            "p90_ms": pct(xs, 0.90),
            "min_ms": min(xs),
            "cpu_median_ms": statistics.median(cpu[name]),
            "ratio": statistics.median(xs) / base,
            "paired_diff_median_ms": statistics.median(diffs),
            "runs": len(xs),
        }
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
              dump_before=None):
    out = os.path.join(outdir, "cg-%s.out" % tag)
    cmd = ["valgrind", "--tool=callgrind", "--trace-children=no",
           "--callgrind-out-file=" + out]
    if dump_before_exec:
        cmd.append("--dump-before=execv")
    if dump_before:
        cmd.append("--dump-before=" + dump_before)
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


def object_groups(by_ob):
    groups = {}
    for ob, cost in by_ob.items():
        b = os.path.basename(ob or "?")
        if b.startswith("ld-linux"):
            g = "ld.so (dynamic loader)"
        elif b.startswith("libc.so"):
            g = "libc"
        elif b.startswith("libcjson"):
            g = "libcjson"
        elif b == "pyshim":
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
            dict(sb["env_shim"], PYSHIM_MODE="exec"), proj["dir"], True)
        direct, dpath, _ = callgrind(
            args, outdir, "direct-" + tag,
            [proj["venv_python"], "-c", "pass"], sb["env_direct"],
            proj["dir"], False)
        auto = None
        if proj["mode"] == "embed":
            # One process: the whole run, split at Py_BytesMain.
            (pre, rest), epath, _ = callgrind(
                args, outdir, "shim-embed-" + tag, shim, sb["env_shim"],
                proj["dir"], False, dump_before="Py_BytesMain")
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
                "pre_by_object": object_groups(pre["by_object"]),
                "pre_top_self": [{"fn": f, "object": os.path.basename(o or "?"),
                                  "ir": c} for (f, o), c in fns[:args.top]],
                "rest_by_object": object_groups(rest["by_object"]),
                "callgrind_files": [epath + ".1", epath],
            }
        fns = sorted(data["by_function"].items(), key=lambda kv: -kv[1])
        res[proj["kind"]] = {
            "auto_mode": proj["mode"],
            "auto_mode_reason": proj["mode_reason"],
            "embed": auto,
            "shim_ir": data["total"],
            "shim_self_sum_check": data["self_sum"],
            "python_pass_ir": direct["total"],
            "share_pct": 100.0 * data["total"] / direct["total"],
            "verified": data["verified"],
            "by_object": object_groups(data["by_object"]),
            "top_self": [{"fn": f, "object": os.path.basename(o or "?"),
                          "ir": c} for (f, o), c in fns[:args.top]],
            "annotate_top": annotate_top(path, args.top),
            "callgrind_files": [path, dpath],
        }
    return res


def floor_instructions(args, sb, outdir):
    """/bin/true: what any dynamically linked C program costs to start."""
    true = shutil.which("true", path="/usr/bin:/bin")
    if not true:
        return None
    data, _, _ = callgrind(args, outdir, "floor-true", [true],
                           sb["env_direct"], sb["root"], False)
    return data["total"]


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


def print_table(report):
    w = sys.stdout.write
    m = report["machine"]
    w("pyshim overhead benchmark (%s runs per variant, interleaved)\n"
      % report["runs"])
    w("machine: %s, nproc=%s, kernel %s, load %s\n"
      % (m["cpu"], m["nproc"], m["kernel"],
         " ".join("%.2f" % x for x in m["loadavg"])))
    w("pyshim: %s (git %s)\n\n" % (report["pyshim"], report["git"]))
    w("Wall time (median ms; ratio = median / median of the venv's python "
      "run directly; +us = median of paired differences;\n"
      "pyshim = default mode (auto, shown in brackets), pyshim-exec = "
      "PYSHIM_MODE=exec)\n")
    hdr = "%-8s %-7s %-12s %-13s %8s %13s %6s %7s  %s\n"
    w(hdr % ("python", "project", "command", "variant", "median", "p10..p90",
             "ratio", "+us", "target"))
    for r in report["wall"]:
        for v, s in r["variants"].items():
            tgt = ""
            if v == "pyshim":
                v = "pyshim[%s]" % r["auto_mode"]
                tgt = "ok" if s["ratio"] <= TARGET_RATIO else "MISS (>%.2f)" \
                    % TARGET_RATIO
            w(hdr % (r["python"], r["project"], r["command"], v,
                     "%.2f" % s["median_ms"],
                     "%.2f..%.2f" % (s["p10_ms"], s["p90_ms"]),
                     "%.3f" % s["ratio"],
                     "%+.0f" % (s["paired_diff_median_ms"] * 1000), tgt))
    if report["instructions"]:
        w("\nInstructions (callgrind Ir) added to `python -c pass`: exec = "
          "the shim's own, counted up to its execv;\nembed = whole in-process "
          "run minus the direct run\n")
        hdr = "%-8s %-7s %-6s %12s %16s %8s  %s\n"
        w(hdr % ("python", "project", "mode", "shim adds", "python -c pass",
                 "share", "target"))
        for r in report["instructions"]:
            for kind, s in r["projects"].items():
                rows = [("exec", s["shim_ir"], s["share_pct"])]
                if s["embed"]:
                    rows.append(("embed", s["embed"]["overhead_ir"],
                                 s["embed"]["share_pct"]))
                for mode, ir, share in rows:
                    tgt = "ok" if share < TARGET_SHARE_PCT else \
                        "MISS (>=%g%%)" % TARGET_SHARE_PCT
                    if mode == s["auto_mode"]:
                        mode += "*"
                    w(hdr % (r["python"], kind, mode, "{:,}".format(ir),
                             "{:,}".format(s["python_pass_ir"]),
                             "%.2f%%" % share, tgt))
        w("(* = the mode auto picks)\n")
        if report["floor_true_ir"]:
            w("reference: /bin/true (any dynamically linked program) = %s Ir\n"
              % "{:,}".format(report["floor_true_ir"]))
        first = report["instructions"][0]
        for kind, s in first["projects"].items():
            w("\nWhere the shim's instructions go, exec mode (%s, %s project):\n"
              % (first["python"], kind))
            for g, c in s["by_object"].items():
                w("  %10s  %5.1f%%  %s\n" % ("{:,}".format(c),
                                             100.0 * c / s["shim_ir"], g))
            w("  top functions (self):\n")
            for t in s["top_self"]:
                w("  %10s  %5.1f%%  %s [%s]\n" % (
                    "{:,}".format(t["ir"]), 100.0 * t["ir"] / s["shim_ir"],
                    t["fn"], t["object"]))
        for r in report["instructions"]:
            e = r["projects"]["venv"]["embed"]
            if not e:
                continue
            w("\nEmbed (%s, venv project): %s Ir before Py_BytesMain, %s "
              "from it on (direct run: %s)\n" % (
                  r["python"], "{:,}".format(e["before_Py_BytesMain_ir"]),
                  "{:,}".format(e["from_Py_BytesMain_ir"]),
                  "{:,}".format(r["projects"]["venv"]["python_pass_ir"])))
            w("  before Py_BytesMain, by object:\n")
            for g, c in e["pre_by_object"].items():
                w("  %10s  %s\n" % ("{:,}".format(c), g))
            w("  before Py_BytesMain, top functions (self):\n")
            for t in e["pre_top_self"][:8]:
                w("  %10s  %s [%s]\n" % ("{:,}".format(t["ir"]), t["fn"],
                                         t["object"]))
        w("\ncheck (exec count): %s\n"
          % first["projects"]["venv"]["verified"])
    w("\ntargets: %s\n" % ("all met" if report["targets_met"]
                          else "MISSED (see above)"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pyshim", default=DEFAULT_PYSHIM,
                    help="the pyshim binary (default: build/release/pyshim)")
    ap.add_argument("--pythons", default="default",
                    help="comma list: default, all, system, 3.12, 3.12.1 "
                         "(default: system + the newest pyenv one)")
    ap.add_argument("--runs", type=int, default=200,
                    help="timed runs per variant and command (default 200)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 20 runs, 2 warm-ups")
    ap.add_argument("--no-callgrind", action="store_true")
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
    args = ap.parse_args()
    if args.quick:
        args.runs, args.warmup = 20, 2
    args.pyshim = os.path.abspath(args.pyshim)
    if not os.access(args.pyshim, os.X_OK):
        raise BenchError("no pyshim binary at %s; build it with `cmake "
                         "--preset release && cmake --build --preset "
                         "release`" % args.pyshim)
    if not args.no_callgrind and not shutil.which("valgrind"):
        raise BenchError("valgrind not found (use --no-callgrind)")

    pyenv_root = real_pyenv_root()
    pythons = select_pythons(discover_pythons(pyenv_root), args.pythons)
    log(args, "pythons: %s" % ", ".join(
        "%s (%s)" % (p["label"], p["python"]) for p in pythons))
    sb = make_sandbox(args, pythons, pyenv_root)
    log(args, "sandbox: %s" % sb["root"])
    report = {"pyshim": args.pyshim, "git": git_rev(),
              "machine": machine_info(), "runs": args.runs,
              "warmup": args.warmup, "quick": args.quick,
              "command_line": " ".join(sys.argv),
              "targets": {"wall_ratio_max": TARGET_RATIO,
                          "instr_share_pct_max": TARGET_SHARE_PCT},
              "pythons": [{k: p[k] for k in ("label", "origin", "python",
                                              "version", "pyenv_shim")}
                          for p in pythons],
              "wall": [], "instructions": [], "floor_true_ir": None}
    met = True
    try:
        for py in pythons:
            verify_routing(sb, py)
        for py in pythons:
            for proj in py["projects"]:
                for cname, cargs in COMMANDS:
                    log(args, "timing %s %s project: -c %r" % (
                        py["label"], proj["kind"], cargs[1]))
                    v = time_project(args, sb, py, proj, cargs)
                    met &= v["pyshim"]["ratio"] <= TARGET_RATIO
                    report["wall"].append({
                        "python": py["label"], "version": py["version"],
                        "project": proj["kind"], "command": cname,
                        "auto_mode": proj["mode"],
                        "variants": v})
        if not args.no_callgrind:
            outdir = os.path.join(sb["root"], "callgrind")
            os.makedirs(outdir)
            for py in pythons:
                log(args, "callgrind %s" % py["label"])
                projs = count_instructions(args, sb, py, outdir)
                for s in projs.values():
                    met &= s["share_pct"] < TARGET_SHARE_PCT
                    if s["embed"]:
                        met &= s["embed"]["share_pct"] < TARGET_SHARE_PCT
                report["instructions"].append({"python": py["label"],
                                               "version": py["version"],
                                               "projects": projs})
            report["floor_true_ir"] = floor_instructions(args, sb, outdir)
        report["machine"]["loadavg_after"] = os.getloadavg()
        report["targets_met"] = met
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
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print("bench: error: %s" % e, file=sys.stderr)
        sys.exit(2)
