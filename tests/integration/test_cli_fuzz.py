"""Issue 10 item 18: every `pyshim` command, fed generated argument
combinations in odd project states, never crashes.

Deterministic (a fixed seed): each command and subcommand gets --help, no
arguments, every option of its --help text with its value missing and with
bad values, unknown options, stray positionals and pairs of options; each
runs in several project states (no project, `{"python": "3.99", "shared":
["ai"]}`, broken JSON, wrong types, a directory as config, ...). The
binary is the ASan/UBSan build, so the assertions are: no signal, no
sanitizer report, an exit code pyshim documents (common/exitcode.h), and a
`pyshim: error:` line on stderr when a command fails (doctor reports its
failures as its table instead).

Every run has its own HOME, PYSHIM_HOME and JUPYTER_DATA_DIR under the
state's directory, so install/uninstall --purge/init never touch the
sandbox the other tests use.
"""
import json
import os
import random
import re
import shutil
import subprocess
import unittest

from pyshimtest import PYSHIM_BIN, SandboxTest

# common/exitcode.h
DOCUMENTED = {0, 1, 64, 65, 66, 69, 70, 71, 73, 77, 125, 126}
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|"
                       r"UndefinedBehaviorSanitizer|runtime error:|"
                       r"pyshim: BUG:")

# Option values that have broken parsers before: empty, a dash, absurd
# versions, device files, separators, non-ASCII and line splitters, long.
BAD_VALUES = ["", "-", "3.99", "/dev/null", "a\u2028b", "x" * 3000]

COMMANDS = [
    ["install"], ["uninstall"], ["init"], ["shared"],
    ["shared", "create"], ["shared", "list"], ["shared", "remove"],
    ["shared", "path"], ["shared", "pip"],
    ["kernel"], ["kernel", "install"], ["kernel", "list"],
    ["kernel", "remove"], ["kernel", "prune"],
    ["which"], ["explain"], ["doctor"], ["trust"], ["untrust"], ["exec"],
    ["freeze"], ["list"], ["pin"],
    ["help"], ["version"], ["no-such-command"],
]

STATES = {
    "none": None,
    "py399-ai": {"python": "3.99", "shared": ["ai"]},
    "py399": {"python": "3.99", "shared": []},
    "badjson": "{\"python\": ",
    "types": {"python": 3, "shared": "ai", "venv": [], "env": 1},
    "odd-shared": {"python": "3.99", "shared": ["../..", "a\u2028b", ""]},
    "loadenv": {"python": "3.99", "env": {"LD_PRELOAD": "/nonexistent"}},
    "dir": "DIR",
}

# Commands that may build a venv (slow) or take a value positionally get
# a request that fails fast in the generated cases; the option and value
# cases still vary it.
FAST_PYTHON = ["--python", "3.99"]


def options_of(help_text):
    """The --options in a command's help text, and whether each takes a
    value (written `--opt VALUE` in the usage or option list)."""
    opts = {}
    for m in re.finditer(r"(--[a-z][a-z-]*)(?:[ =]([A-Z][A-Z.]*|[a-z]+\|))?",
                         help_text):
        name, val = m.group(1), m.group(2)
        opts[name] = opts.get(name) or bool(val)
    return opts


class CliFuzz(SandboxTest, unittest.TestCase):
    maxDiff = None

    def make_state(self, name, cfg):
        root = os.path.join(self.sb.work, "fuzz-" + name)
        proj = os.path.join(root, "proj")
        for d in ("home", "pyshim-home", "jupyter", "proj"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        conf = os.path.join(proj, ".pyshim.json")
        if cfg == "DIR":
            os.makedirs(conf, exist_ok=True)
        elif isinstance(cfg, str):
            with open(conf, "w") as f:
                f.write(cfg)
        elif cfg is not None:
            with open(conf, "w") as f:
                json.dump(cfg, f)
        env = {"HOME": os.path.join(root, "home"),
               "PYSHIM_HOME": os.path.join(root, "pyshim-home"),
               "JUPYTER_DATA_DIR": os.path.join(root, "jupyter"),
               "SHELL": "/bin/bash"}
        return proj, env

    def check(self, argv, cwd, env, failures):
        try:
            r = subprocess.run([PYSHIM_BIN] + argv, cwd=cwd,
                               env=self.sb.envwith(env),
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=120)
        except subprocess.TimeoutExpired:
            failures.append((argv, "hang"))
            return
        err = r.stderr.decode("utf-8", "replace")
        out = r.stdout.decode("utf-8", "replace")
        why = None
        if r.returncode < 0:
            why = "killed by signal %d" % -r.returncode
        elif SANITIZER.search(err):
            why = "sanitizer report"
        elif r.returncode not in DOCUMENTED:
            why = "undocumented exit code %d" % r.returncode
        elif r.returncode and "pyshim: error: " not in err and not (
                argv[0] == "doctor" and
                re.search(r"^fail |\"status\": *\"fail\"", out, re.M)) \
                and not (r.returncode == 64 and
                         err.startswith("usage: pyshim")):
            why = "failed (%d) without `pyshim: error:`" % r.returncode
        if why:
            failures.append((argv, "%s\nstderr: %s" % (why, err[-2000:])))

    def cases(self, rng):
        """The generated argument lists, per command."""
        for cmd in COMMANDS:
            h = subprocess.run([PYSHIM_BIN] + cmd + ["--help"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=60,
                               universal_newlines=True)
            opts = options_of(h.stdout + h.stderr)
            opts.pop("--help", None)
            fast = FAST_PYTHON if "--python" in opts else []
            if cmd == ["install"]:
                fast = ["--no-default-env"]
            # positionals a command may want: a name, a path, odd text
            pos = ["ai", "../../..", "-", "a\u2028\x85b"]
            yield cmd + ["--help"]
            yield "basic", cmd + fast
            yield cmd + ["--bogus"]
            yield cmd + ["-x"]
            yield cmd + ["--", "--help"]
            for p in pos:
                yield "basic", cmd + [p] + fast
            for o, takes in sorted(opts.items()):
                if takes:
                    yield cmd + [o]  # value missing
                    for v in BAD_VALUES:
                        yield cmd + [o, v] + ([] if o == "--python" else fast)
                    yield cmd + [o + "=" + rng.choice(BAD_VALUES)] + (
                        [] if o == "--python" else fast)
                else:
                    yield cmd + [o] + fast
                    yield cmd + [o + "=1"] + fast
                    yield cmd + [o, o] + fast
            names = sorted(opts)
            for _ in range(min(4, len(names) * 2)):
                pick = rng.sample(names, min(len(names), 2))
                argv = list(cmd)
                for o in pick:
                    argv.append(o)
                    if opts[o]:
                        argv.append(rng.choice(BAD_VALUES))
                argv += [rng.choice(pos)]
                if "--python" not in pick:
                    argv += fast
                yield argv

    def test_every_command_survives_generated_arguments(self):
        rng = random.Random(10018)
        all_cases, basic = [], []
        for c in self.cases(rng):
            if isinstance(c, tuple):
                basic.append(c[1])
                c = c[1]
            all_cases.append(c)
        failures = []
        for name, cfg in sorted(STATES.items()):
            proj, env = self.make_state(name, cfg)
            # the full matrix in the states that crashed before, the
            # basic commands in the others (keeps the run short)
            if name == "py399-ai":
                chosen = all_cases
            else:
                chosen = basic
            for argv in chosen:
                self.check(argv, proj, env, failures)
            # the shim itself in that state
            for argv in (["-c", "pass"], ["-m", "pip", "--version"]):
                r = subprocess.run([os.path.join(self.sb.bin, "python")] +
                                   argv, cwd=proj, env=self.sb.envwith(env),
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=120)
                err = r.stderr.decode("utf-8", "replace")
                if (r.returncode < 0 or SANITIZER.search(err) or
                        (r.returncode and "pyshim: error: " not in err and
                         r.returncode in DOCUMENTED - {0, 1})):
                    failures.append((["python"] + argv,
                                     "state %s: %d %s" % (name, r.returncode,
                                                          err[-2000:])))
            shutil.rmtree(os.path.dirname(proj), ignore_errors=True)
        self.assertEqual(failures, [], "%d failing runs: %r; first: %r" %
                         (len(failures), [f[0] for f in failures],
                          failures[:3]))

    def test_doctor_python_399_with_shared_env(self):
        """The reproduction: `pyshim doctor` in a project asking for a
        Python that is not installed and naming a shared env."""
        proj, env = self.make_state("doctor", STATES["py399-ai"])
        r = subprocess.run([PYSHIM_BIN, "doctor"], cwd=proj,
                           env=self.sb.envwith(env), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120,
                           universal_newlines=True)
        self.assertNotRegex(r.stderr, SANITIZER)
        self.assertEqual(r.returncode, 1, r)
        self.assertRegex(r.stdout, r"(?m)^fail +python +no installed "
                                   r"interpreter matches '3.99'.*\(asked by")
        self.assertIn("hint: install Python 3.99", r.stdout)
        # the shim there: one clean error and its hint
        r = subprocess.run([os.path.join(self.sb.bin, "python"), "-c",
                            "pass"], cwd=proj, env=self.sb.envwith(env),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120, universal_newlines=True)
        self.assertShimError(r, "3.99")


if __name__ == "__main__":
    unittest.main()
