"""The CI workflows and the shell scripts around the release (issue 15).

The workflows cannot run here (no Windows, no macOS, no GitHub), so they
are checked for what can fail here: each parses as YAML, every step is
either an official action or a `run:` of one script of this repository
(`sh|bash PATH [SUBCOMMAND] ...`) that exists, with a subcommand that the
script handles; jobs only need jobs that exist and only download artifacts
that an earlier job uploads; the Linux job runs the README's test command.

The scripts are shellcheck-clean, and cmake/cjson-src.sh derives its
deb-src lines from the machine's own apt configuration (both formats),
never from a host name of its own.
"""
import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

from pyshimtest import SRC, TIMEOUT

WORKFLOWS = os.path.join(SRC, ".github", "workflows")
SCRIPTS = ["installer/install.sh", "installer/bootstrap.sh",
           "scripts/release.sh", "scripts/ci.sh", "cmake/cjson-src.sh",
           ".ci/run"]

try:
    import yaml
except ImportError:
    yaml = None


def subcommands(script):
    """The words the `case` labels of script handle (`deps)`, `a | b)`)."""
    with open(os.path.join(SRC, script)) as f:
        text = f.read()
    labels = re.findall(r"^\s*([a-z][a-z0-9-]*(?:\s*\|\s*[a-z][a-z0-9-]*)*)\)",
                        text, re.M)
    return {w.strip() for label in labels for w in label.split("|")}


@unittest.skipIf(yaml is None, "no python3-yaml (installer/bootstrap.sh deps)")
class Workflows(unittest.TestCase):
    def load(self, name):
        with open(os.path.join(WORKFLOWS, name)) as f:
            doc = yaml.safe_load(f)
        self.assertIsInstance(doc, dict, name)
        # YAML 1.1 reads the key `on` as true
        self.assertTrue("on" in doc or True in doc, name)
        self.assertIsInstance(doc.get("jobs"), dict, name)
        return doc

    def check_run(self, where, cmd):
        self.assertNotIn("\n", cmd.strip(), "%s: one command per step" % where)
        argv = shlex.split(cmd)
        self.assertIn(argv[0], ("sh", "bash"),
                      "%s: a run step starts a repository script: %r" %
                      (where, cmd))
        script = argv[1]
        self.assertFalse(os.path.isabs(script), where)
        self.assertTrue(os.path.isfile(os.path.join(SRC, script)),
                        "%s: no script %s in the repository" % (where, script))
        subs = subcommands(script)
        if subs and len(argv) > 2 and script != "scripts/release.sh":
            self.assertIn(argv[2], subs,
                          "%s: %s has no subcommand %r" % (where, script, argv[2]))
        return argv

    def check_workflow(self, name):
        doc = self.load(name)
        jobs = doc["jobs"]
        runs = []
        for jname, job in jobs.items():
            for need in ([job["needs"]] if isinstance(job.get("needs"), str)
                         else job.get("needs", [])):
                self.assertIn(need, jobs, "%s: %s needs %s" % (name, jname, need))
            self.assertIn("runs-on", job)
            for i, step in enumerate(job["steps"]):
                where = "%s: %s step %d" % (name, jname, i + 1)
                self.assertEqual(len({"uses", "run"} & set(step)), 1, where)
                if "uses" in step:
                    self.assertRegex(step["uses"], r"^actions/[a-z-]+@v\d+$",
                                     where + ": only GitHub's own actions")
                else:
                    runs.append((jname, self.check_run(where, step["run"])))
        # every artifact downloaded was uploaded by some job
        up = [s["with"]["name"] for j in jobs.values() for s in j["steps"]
              if s.get("uses", "").startswith("actions/upload-artifact")]
        for j in jobs.values():
            for s in j["steps"]:
                if s.get("uses", "").startswith("actions/download-artifact"):
                    w = s["with"]
                    if "name" in w:
                        self.assertIn(w["name"], up, name)
                    else:
                        self.assertTrue(
                            any(fnmatch.fnmatchcase(u.replace("${{ matrix.os }}",
                                                              "m"), w["pattern"])
                                for u in up), name)
        return doc, runs

    def test_ci(self):
        doc, runs = self.check_workflow("ci.yml")
        for job in ("linux", "windows", "macos"):
            self.assertIn(job, doc["jobs"])
        self.assertIn(("linux", ["sh", "installer/bootstrap.sh", "test"]), runs)
        self.assertIn(("windows", ["sh", "scripts/ci.sh", "windows",
                                   "build/deps/cjson"]), runs)
        self.assertIn(("macos", ["sh", "scripts/ci.sh", "macos",
                                 "build/deps/cjson"]), runs)
        # the README's test command is what CI runs
        with open(os.path.join(SRC, "README.md")) as f:
            readme = f.read()
        self.assertIn("sh installer/bootstrap.sh test", readme)

    def test_release(self):
        doc, runs = self.check_workflow("release.yml")
        self.assertIn(("linux", ["sh", "scripts/release.sh", "dist-out"]), runs)
        on = doc.get("on", doc.get(True))
        self.assertIn("tags", on["push"])

    # Runner images GitHub has retired: a job asking for one waits for a
    # runner that never comes (macos-13 went in December 2025).
    RETIRED = {"macos-11", "macos-12", "macos-13", "ubuntu-18.04",
               "ubuntu-20.04", "windows-2016", "windows-2019"}

    def test_no_job_runs_on_a_retired_image(self):
        for name in ("ci.yml", "release.yml"):
            for jname, job in self.load(name)["jobs"].items():
                images = job["runs-on"]
                if isinstance(images, str) and "matrix.os" in images:
                    images = job["strategy"]["matrix"]["os"]
                if isinstance(images, str):
                    images = [images]
                for image in images:
                    self.assertNotIn(image, self.RETIRED,
                                     "%s: job %s" % (name, jname))

    def test_no_other_workflows(self):
        # a new workflow file must be added to the checks above
        self.assertEqual(sorted(os.listdir(WORKFLOWS)), ["ci.yml", "release.yml"])


@unittest.skipIf(not shutil.which("shellcheck"), "no shellcheck")
class ShellScripts(unittest.TestCase):
    def test_shellcheck_clean(self):
        r = subprocess.run(["shellcheck", "-s", "sh"] +
                           [os.path.join(SRC, s) for s in SCRIPTS],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stdout)


def gnu_ld_options_outside_guards(text):
    """The lines of a CMakeLists text that pass a GNU ld long option
    (`-Wl,--...`) to the linker outside a block that leaves Apple's linker
    out (`if(NOT APPLE)`, the `else()` of `if(APPLE)`, `if(WIN32)`,
    `if(LINUX)`)."""
    bad, stack = [], []
    for n, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0].strip()
        m = re.match(r"(?i)^(if|elseif|else|endif)\s*\((.*)\)$", code)
        if m:
            word, cond = m.group(1).lower(), " ".join(m.group(2).split())
            if word == "if":
                stack.append([cond, False])
            elif word in ("else", "elseif") and stack:
                stack[-1] = [cond if word == "elseif" else stack[-1][0], True]
            elif word == "endif" and stack:
                stack.pop()
            continue
        if "-Wl,--" not in code:
            continue
        safe = any((c == "APPLE" and in_else) or
                   (c in ("NOT APPLE", "WIN32", "LINUX") and not in_else)
                   for c, in_else in stack)
        if not safe:
            bad.append("%d: %s" % (n, line.strip()))
    return bad


class MacosBuild(unittest.TestCase):
    """The macOS CI job builds everything the dev preset builds, unit tests
    included, with Apple's linker, which has no GNU long options such as
    --wrap: one reaching it stops the job's build (it cannot be run here,
    so this reads the build files)."""

    def test_no_gnu_ld_option_reaches_apples_linker(self):
        for rel in ("CMakeLists.txt", "tests/CMakeLists.txt"):
            with open(os.path.join(SRC, rel)) as f:
                self.assertEqual(gnu_ld_options_outside_guards(f.read()), [],
                                 rel)

    def test_the_check_sees_an_unguarded_option(self):
        text = ("if(APPLE)\n  x()\nelse()\n"
                "  target_link_options(a PRIVATE -Wl,--wrap=open)\nendif()\n"
                "target_link_options(b PRIVATE -Wl,--wrap=open)\n"
                "if(APPLE)\n  target_link_options(c PRIVATE -Wl,--as-needed)\n"
                "endif()\n")
        self.assertEqual([l.split(":")[0] for l in
                          gnu_ld_options_outside_guards(text)], ["6", "8"])


class InstallersAgree(unittest.TestCase):
    def test_one_default_repository(self):
        """install.sh, install.ps1 and release.sh download from the same
        GitHub repository by default (the placeholder a fork changes)."""
        found = {}
        for rel, pat in (("installer/install.sh", r"PYSHIM_REPO:-([^}]+)\}"),
                         ("scripts/release.sh", r"PYSHIM_REPO:-([^}]+)\}"),
                         ("installer/install.ps1",
                          r'else \{ "([^"]+)" \}')):
            with open(os.path.join(SRC, rel)) as f:
                found[rel] = re.search(pat, f.read()).group(1)
        self.assertEqual(len(set(found.values())), 1, found)


class CjsonSources(unittest.TestCase):
    """cmake/cjson-src.sh --print-sources, against an apt configuration
    made here (PYSHIM_APT_ETC)."""

    def test_deb_src_lines_come_from_the_apt_configuration(self):
        etc = tempfile.mkdtemp(prefix="pyshim-apt-")
        self.addCleanup(shutil.rmtree, etc)
        os.makedirs(os.path.join(etc, "sources.list.d"))
        with open(os.path.join(etc, "sources.list"), "w") as f:
            f.write("# a comment\n"
                    "deb [arch=amd64 signed-by=/k/one.gpg] http://one.invalid/d"
                    " stable main contrib\n"
                    "deb-src http://one.invalid/d stable main\n"
                    "  deb http://two.invalid/d stable-updates main\n")
        with open(os.path.join(etc, "sources.list.d", "x.sources"), "w") as f:
            f.write("Types: deb\n"
                    "# http://snapshot.invalid/archive\n"
                    "URIs: http://three.invalid/d http://four.invalid/d\n"
                    "Suites: s1 s1-security\n"
                    "Components: main\n"
                    "Signed-By: /k/three.gpg\n"
                    "\n"
                    "Types: deb deb-src\n"
                    "URIs: https://five.invalid/u\n"
                    "Suites: noble\n"
                    "Components: main universe\n"
                    "\n"
                    "Types: deb\n"
                    "URIs: http://off.invalid/d\n"
                    "Suites: s\n"
                    "Components: main\n"
                    "Enabled: no\n"
                    "\n"
                    "Types: deb-src\n"
                    "URIs: http://srconly.invalid/d\n"
                    "Suites: s\n"
                    "Components: main\n")
        # files apt does not read are not read either
        with open(os.path.join(etc, "sources.list.d", "y.list.disabled"), "w") as f:
            f.write("deb http://disabled.invalid/d s main\n")
        env = dict(os.environ, PYSHIM_APT_ETC=etc)
        r = subprocess.run(["sh", os.path.join(SRC, "cmake", "cjson-src.sh"),
                            "--print-sources"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), [
            "deb-src [arch=amd64 signed-by=/k/one.gpg] http://one.invalid/d"
            " stable main contrib",
            "deb-src http://two.invalid/d stable-updates main",
            "deb-src [signed-by=/k/three.gpg] http://three.invalid/d s1 main",
            "deb-src [signed-by=/k/three.gpg] http://three.invalid/d"
            " s1-security main",
            "deb-src [signed-by=/k/three.gpg] http://four.invalid/d s1 main",
            "deb-src [signed-by=/k/three.gpg] http://four.invalid/d"
            " s1-security main",
            "deb-src https://five.invalid/u noble main universe",
        ])

    def test_no_tracked_file_carries_an_apt_source_line(self):
        """Issue 15 item 6: no file of the repository writes an archive's
        host name into apt sources (hosts under .invalid, the tests' own,
        aside): the lines come from the machine's apt configuration."""
        if not os.path.exists(os.path.join(SRC, ".git")) or \
                not shutil.which("git"):
            self.skipTest("not a git checkout")
        r = subprocess.run(["git", "-C", SRC, "ls-files", "-z"],
                           stdout=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0)
        line = re.compile(rb"^[ \t]*deb(?:-src)?[ \t]+(?:\[[^\]\n]*\][ \t]+)?"
                          rb"[a-z+]+://(?![^/\s]*\.invalid[/\s])[^\s]+", re.M)
        bad = []
        for rel in r.stdout.decode().split("\0"):
            p = os.path.join(SRC, rel)
            if not rel or not os.path.isfile(p) or os.path.islink(p):
                continue
            with open(p, "rb") as f:
                for m in line.finditer(f.read()):
                    bad.append("%s: %s" % (rel, m.group(0).decode(errors="replace")))
        self.assertEqual(bad, [])

    def test_script_names_no_archive_host(self):
        with open(os.path.join(SRC, "cmake", "cjson-src.sh")) as f:
            text = f.read()
        self.assertEqual(re.findall(r"https?://[^\s\"']+", text), [])


if __name__ == "__main__":
    unittest.main()
