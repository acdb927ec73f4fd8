"""`pyshim adopt` (issue 12 item 8): the users' notes' manual layout,
built here with real venvs, becomes a pyshim setup in one command.

The layout (seeds/, "2025-10-25 解决方案"): a parent folder holding a
`shared-libs` venv (a local wheel installed with its own pip) and two
projects, each with a `.venv` made with pip, one small package of its own
(a local wheel), a hand-written `shared.pth` naming shared-libs'
site-packages (one UTF-8, one UTF-16 with a BOM and CRLF, as PowerShell's
`echo ... > shared.pth` writes it) and a kernelspec as `python -m
ipykernel install --user --name=N --display-name=D` writes it (argv[0]:
the venv's python, the one sys.executable ipykernel records).

The interpreter is Debian's python3 (its venvs carry setuptools'
distutils-precedence.pth: start-up code, so the project venvs need the
trust adopt gives them). No network: wheels are built by the test.

Also `pyshim doctor` on a UTF-16 .pth: what it says (python stops at
start-up) and that --fix keeps the old bytes.
"""
import json
import os
import re
import subprocess
import unittest

from pyshimtest import (PIP_TIMEOUT, TIMEOUT, SandboxTest, SYSTEM, base_env,
                        build_wheel, make_venv, site_packages, write,
                        write_json)

PROBE = ("import json, os, sys, biglib, {own}\n"
         "print(json.dumps({{'prefix': sys.prefix, 'path': sys.path,"
         " 'big': biglib.WHERE, 'own': {own}.WHERE}}))\n")


def pip_install(venv, wheel):
    subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip",
                    "install", "--no-index", "--disable-pip-version-check",
                    "-q", wheel], check=True, env=base_env(),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=PIP_TIMEOUT)


def ipykernel_spec(kernels, name, display, python):
    """kernel.json as ipykernel's `install --user` writes it."""
    return write_json(os.path.join(kernels, name, "kernel.json"), {
        "argv": [python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": display,
        "language": "python",
        "metadata": {"debugger": True},
    })


def read_text(path):
    with open(path) as f:
        return f.read()


def norm(p):
    return os.path.normcase(os.path.realpath(p))


@unittest.skipUnless(SYSTEM.present, "Debian's python3 is not installed")
class AdoptNotesLayout(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.jupyter = os.path.join(sb.root, "jupyter")
        cls.kernels = os.path.join(cls.jupyter, "kernels")
        sb.env["JUPYTER_DATA_DIR"] = cls.jupyter
        wheels = os.path.join(sb.root, "wheels")
        big = build_wheel(wheels, "biglib")
        cls.parent = os.path.join(sb.work, "lesson2025")
        cls.shared = make_venv(SYSTEM, os.path.join(cls.parent, "shared-libs"),
                               pip=True)
        pip_install(cls.shared, big)
        cls.shared_site = site_packages(cls.shared)
        cls.projects = {}
        for name, mod, utf16 in (("1416-LangChain-01", "small_a", False),
                                 ("17-Case-SQL-LangChain", "small_b", True)):
            proj = os.path.join(cls.parent, name)
            venv = make_venv(SYSTEM, os.path.join(proj, ".venv"), pip=True)
            pip_install(venv, build_wheel(wheels, mod))
            pth = os.path.join(site_packages(venv), "shared.pth")
            if utf16:
                data = (cls.shared_site + "\r\n").encode("utf-16")
            else:
                data = (cls.shared_site + "\n").encode()
            write(pth, data, "wb")
            python = os.path.join(venv, "bin", "python")
            ipykernel_spec(cls.kernels, name.lower(), name, python)
            cls.projects[name] = {"dir": proj, "venv": venv, "mod": mod,
                                  "pth": pth, "bytes": data, "utf16": utf16,
                                  "python": python}

    def run_direct(self, python, code, **kw):
        return subprocess.run([python, "-c", code], env=self.sb.envwith(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT, **kw)

    def assertNoDuplicates(self, path):
        real = [norm(p) for p in path if p]
        dups = sorted({p for p in real if real.count(p) > 1})
        self.assertEqual(dups, [], path)
        self.assertEqual(real.count(norm(self.shared_site)), 1, path)

    def test_1_manual_layout_as_the_notes_have_it(self):
        # The manual setup works (UTF-8) or aborts at start-up (UTF-16).
        for p in self.projects.values():
            r = self.run_direct(p["python"], PROBE.format(own=p["mod"]))
            if p["utf16"]:
                self.assertNotEqual(r.returncode, 0, r)
                self.assertIn("UnicodeDecodeError", r.stderr)
            else:
                self.assertEqual(r.returncode, 0, r.stderr)

    def test_2_no_terminal_no_yes_changes_nothing(self):
        r = self.sb.pyshim("adopt", "--recursive", self.parent,
                           cwd=self.sb.work)
        self.assertEqual(r.returncode, 64, r)
        self.assertIn("--yes", r.stderr)
        for p in self.projects.values():
            with open(p["pth"], "rb") as f:
                self.assertEqual(f.read(), p["bytes"])
            self.assertFalse(os.path.exists(
                os.path.join(p["dir"], ".pyshim.json")))

    def test_3_one_command_adopts_the_folder(self):
        r = self.sb.pyshim("adopt", "--recursive", "--yes", "--kernels",
                           self.parent, cwd=self.sb.work)
        self.assertEqual(r.returncode, 0, "%s\n%s" % (r.stdout, r.stderr))
        out = r.stdout
        self.assertIn("2 projects to adopt under %s" % self.parent, out)
        # the summary comes first: every backup line before the first action
        first_action = out.index("pyshim: adopting ")
        backups = re.findall(r"^    backup    (.+)$", out, re.M)
        self.assertEqual(len(backups), 2, out)
        for b in backups:
            self.assertLess(out.index(b), first_action)
            self.assertTrue(b.startswith(os.path.join(
                self.sb.pyshim_home, "backups", "adopt") + os.sep), b)
        self.assertIn("UTF-16LE with a BOM: python in this venv stops at "
                      "start-up on it today", out)
        for name, p in self.projects.items():
            # the .pth is gone; its bytes are where the summary said
            self.assertFalse(os.path.exists(p["pth"]), out)
            mine = [b for b in backups
                    if read_text(b + ".origin") == p["pth"] + "\n"]
            self.assertEqual(len(mine), 1, (backups, p["pth"]))
            with open(mine[0], "rb") as f:
                self.assertEqual(f.read(), p["bytes"])
            # the config names shared-libs by path
            with open(os.path.join(p["dir"], ".pyshim.json")) as f:
                cfg = json.load(f)
            self.assertEqual([norm(s) for s in cfg["shared"]],
                             [norm(self.shared)], cfg)
            # through the shim, from a sub-directory, and the venv's python
            # run directly (IDEs, kernels): everything imports, once
            sub = os.path.join(p["dir"], "src", "deep")
            os.makedirs(sub, exist_ok=True)
            for how in ("shim", "direct"):
                code = PROBE.format(own=p["mod"])
                if how == "shim":
                    r = self.sb.run("python", "-c", code, cwd=sub)
                else:
                    r = self.run_direct(p["python"], code, cwd=sub)
                self.assertEqual(r.returncode, 0, (how, r.stderr))
                self.assertEqual(r.stderr, "", how)
                facts = json.loads(r.stdout)
                self.assertEqual(norm(facts["prefix"]), norm(p["venv"]))
                self.assertTrue(norm(facts["big"]).startswith(
                    norm(self.shared_site)), facts)
                self.assertTrue(norm(facts["own"]).startswith(
                    norm(p["venv"])), facts)
                self.assertNoDuplicates(facts["path"])
            # the kernel became pyshim's, same name and display name, and
            # runs this project
            with open(os.path.join(self.kernels, name.lower(),
                                   "kernel.json")) as f:
                spec = json.load(f)
            self.assertEqual(spec["display_name"], name)
            self.assertIn("pyshim", spec["metadata"])
            self.assertEqual(norm(spec["metadata"]["pyshim"]["project"]),
                             norm(p["dir"]), spec)
            r = subprocess.run(spec["argv"][:1] + ["-c", PROBE.format(own=p["mod"])],
                               env=self.sb.envwith(spec.get("env")), cwd="/",
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, timeout=TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNoDuplicates(json.loads(r.stdout)["path"])
        # doctor is content in each adopted project
        for p in self.projects.values():
            r = self.sb.pyshim("doctor", "--json", p["dir"], cwd=p["dir"])
            checks = json.loads(r.stdout)
            bad = [c for c in checks if c["status"] != "ok"
                   and c["check"] in ("pth-encoding", "duplicates", "resolve",
                                      "hook", "shared")]
            self.assertEqual(bad, [], r.stdout)

        # Again: nothing to adopt, nothing changes.
        r = self.sb.pyshim("adopt", "--recursive", "--yes", self.parent,
                           cwd=self.sb.work)
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("0 projects to adopt", r.stdout)
        self.assertNotIn("adopting", r.stdout)


@unittest.skipUnless(SYSTEM.present, "Debian's python3 is not installed")
class AdoptLeavesAlone(SandboxTest, unittest.TestCase):
    """A .pth adopt cannot prove is a shared-libs pointer stays as it is."""

    def test_code_and_plain_dirs_are_left_alone(self):
        sb = self.sb
        for name, text in (("code", "import os\n"),
                           ("plain", os.path.join(sb.work, "src") + "\n")):
            proj = os.path.join(sb.work, name)
            venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
            pth = os.path.join(site_packages(venv), "mine.pth")
            write(pth, text)
            r = sb.pyshim("adopt", cwd=proj)
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("0 projects to adopt", r.stdout)
            self.assertIn("left alone", r.stdout)
            with open(pth) as f:
                self.assertEqual(f.read(), text)
            self.assertFalse(os.path.exists(os.path.join(proj, ".pyshim.json")))

    def test_copies_venv_runs_after_adopt(self):
        # `python -m venv --copies`: the venv's python is a program inside
        # the tree, which runs only once trusted (docs/trust.md); adopt
        # trusts it as `pyshim trust` would.
        sb = self.sb
        shared = make_venv(SYSTEM, os.path.join(sb.work, "libs-c"))
        write(os.path.join(site_packages(shared), "libmod.py"), "X = 1\n")
        proj = os.path.join(sb.work, "copies")
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"),
                         extra=("--copies",))
        write(os.path.join(site_packages(venv), "shared.pth"),
              site_packages(shared) + "\n")
        r = sb.pyshim("adopt", cwd=proj)
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("trusted the program", r.stdout)
        self.assertIn("    trust     the program ", r.stdout)
        r = sb.run("python", "-c", "import libmod", cwd=proj)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_not_a_project(self):
        r = self.sb.pyshim("adopt", cwd=self.sb.mkdtemp())
        self.assertEqual(r.returncode, 66, r)
        self.assertIn("pyshim: error: cannot adopt", r.stderr)


@unittest.skipUnless(SYSTEM.present, "Debian's python3 is not installed")
class DoctorUtf16Pth(SandboxTest, unittest.TestCase):
    """doctor says what a UTF-16 .pth does (python stops at start-up, as
    checked on CPython 3.8 to 3.13 here), and --fix keeps the old bytes."""

    def test_describe_and_fix_with_backup(self):
        sb = self.sb
        proj = sb.mkdtemp()
        r = sb.pyshim("init", "--python", SYSTEM.path, cwd=proj)
        self.assertOK(r, stderr_empty=False)
        venv = os.path.join(proj, ".venv")
        pth = os.path.join(site_packages(venv), "ps.pth")
        data = (os.path.join(sb.work, "libs") + "\r\n").encode("utf-16")
        write(pth, data, "wb")
        python = os.path.join(venv, "bin", "python")
        r = subprocess.run([python, "-c", "pass"], env=sb.envwith(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Failed to import the site module", r.stderr)

        r = sb.pyshim("doctor", "--json", cwd=proj)
        checks = [c for c in json.loads(r.stdout)
                  if c["check"] == "pth-encoding" and pth in c["detail"]]
        self.assertEqual(len(checks), 1, r.stdout)
        self.assertEqual(checks[0]["status"], "fail")
        self.assertIn("stops at start-up", checks[0]["detail"])
        self.assertNotIn("skips", checks[0]["detail"])

        r = sb.pyshim("doctor", "--json", "--fix", cwd=proj)
        checks = [c for c in json.loads(r.stdout)
                  if c["check"] == "pth-encoding" and pth in c["detail"]]
        fixed = checks[0]["action"]
        m = re.search(r"the old bytes are in (\S+)$", fixed)
        self.assertTrue(m, fixed)
        self.assertTrue(m.group(1).startswith(
            os.path.join(sb.pyshim_home, "backups", "pth") + os.sep))
        with open(m.group(1), "rb") as f:
            self.assertEqual(f.read(), data)
        with open(pth, "rb") as f:
            self.assertEqual(f.read(), (os.path.join(sb.work, "libs") +
                                        "\r\n").encode())
        r = subprocess.run([python, "-c", "pass"], env=sb.envwith(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
