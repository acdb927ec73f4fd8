"""The README's tour, run as written, so it cannot drift (issue 12).

Every ```sh block under the tour's headings (TOUR, in README order) is
run by bash, `set -e -x`, as the new user it is written for: a fresh
HOME (the sandbox's), pyshim installed by `pyshim install` with its bin
dir first on PATH, the working directory HOME, stdin not a terminal.
Blocks run one after the other in the same HOME, as a reader would type
them. TOUR_SHOW=1 prints each block's output.

What differs from a real user, and only this: there is no package index
here, so the test builds small wheels named like the tour's packages
(torch, langchain, jupyterlab with a `jupyter` console script that prints
its arguments instead of starting a server, ipykernel, rich) and sets
PIP_NO_INDEX=1 and PIP_FIND_LINKS=<that dir> for every command (the
fake ipykernel has no ipykernel_launcher, so `kernel list` reports its
kernels as no-ipykernel and warns; with the real package they start); and
PYSHIM_HOME is the sandbox's data dir. Before "Coming from the manual
setup", the test builds the notes' layout in ~/lesson2025 with real venvs
(as test_adopt does), since the reader of that section already has it.
"""
import json
import os
import re
import subprocess
import unittest

from pyshimtest import (PIP_TIMEOUT, PYENV, SRC, SYSTEM, SandboxTest,
                        base_env, build_wheel, make_venv, site_packages,
                        write, write_json)

README = os.path.join(SRC, "README.md")
TOUR = ("A two-minute tour", "A year later", "Coming from the manual setup")
PY312 = [i for i in PYENV if i.label == "pyenv312"][0]
PY313 = [i for i in PYENV if i.label == "pyenv313"][0]

JUPYTER = ("import sys\n"
           "def main():\n"
           "    print('jupyter (test wheel):', *sys.argv[1:])\n")


def tour_blocks(text):
    """[(heading, script)] for each ```sh block under a TOUR heading."""
    out = []
    for sec in re.split(r"^## ", text, flags=re.M)[1:]:
        heading = sec.split("\n", 1)[0].strip()
        if heading not in TOUR:
            continue
        for block in re.findall(r"^```sh\n(.*?)^```", sec, re.M | re.S):
            out.append((heading, block))
    return out


def pip_install(venv, *pkgs, env=None):
    subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip",
                    "install", "-q"] + list(pkgs), check=True, env=env,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=PIP_TIMEOUT)


@unittest.skipUnless(PY312.present and PY313.present and SYSTEM.present,
                     "the tour asks for Python 3.12 and 3.13 (pyenv), and the "
                     "manual layout is built with Debian's python3")
class ReadmeTour(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.wheels = os.path.join(sb.root, "wheels")
        for name in ("torch", "langchain", "ipykernel", "rich"):
            build_wheel(cls.wheels, name)
        build_wheel(cls.wheels, "jupyterlab", code=JUPYTER,
                    scripts={"jupyter": "jupyterlab:main"})
        sb.env.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": cls.wheels,
                       "PIP_DISABLE_PIP_VERSION_CHECK": "1"})

    def manual_layout(self):
        """The notes' layout in ~/lesson2025 (seeds/, 2025-10-25)."""
        home = self.sb.home
        parent = os.path.join(home, "lesson2025")
        env = dict(base_env(), PIP_NO_INDEX="1", PIP_FIND_LINKS=self.wheels)
        shared = make_venv(SYSTEM, os.path.join(parent, "shared-libs"), pip=True)
        pip_install(shared, "langchain", env=env)
        line = site_packages(shared)
        kernels = os.path.join(home, ".local", "share", "jupyter", "kernels")
        for name, utf16 in (("1416-LangChain-01", False),
                            ("17-Case-SQL-LangChain", True)):
            venv = make_venv(SYSTEM, os.path.join(parent, name, ".venv"),
                             pip=True)
            pip_install(venv, "ipykernel", env=env)
            data = ((line + "\r\n").encode("utf-16") if utf16
                    else (line + "\n").encode())
            write(os.path.join(site_packages(venv), "shared.pth"), data, "wb")
            write_json(os.path.join(kernels, name.lower(), "kernel.json"), {
                "argv": [os.path.join(venv, "bin", "python"), "-m",
                         "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": name, "language": "python",
                "metadata": {"debugger": True}})

    def run_block(self, heading, script):
        r = subprocess.run(["bash", "-e", "-x", "-c", script],
                           cwd=self.sb.home, env=self.sb.envwith(),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=PIP_TIMEOUT * 4)
        self.assertEqual(r.returncode, 0,
                         "README '%s' failed as written:\n--- stdout\n%s\n"
                         "--- stderr (bash -x)\n%s" % (heading, r.stdout,
                                                        r.stderr))
        return r

    def test_the_tour_as_written(self):
        with open(README) as f:
            text = f.read()
        blocks = tour_blocks(text)
        self.assertIn("A two-minute tour", [h for h, _ in blocks])
        out = {}
        for heading, script in blocks:
            if heading == "Coming from the manual setup":
                self.manual_layout()
            out.setdefault(heading, []).append(self.run_block(heading, script))
            if os.environ.get("TOUR_SHOW"):
                print(out[heading][-1].stdout, out[heading][-1].stderr)

        # What the tour's comments claim, checked where they are cheap.
        tour = "\n".join(r.stdout for r in out["A two-minute tour"])
        proj = os.path.join(self.sb.home, "code", "my-project")
        self.assertIn(os.path.join(proj, ".venv"), tour)     # sys.prefix
        self.assertIn("torch==1.0", tour)                    # freeze --shared
        self.assertIn("jupyter (test wheel): lab", tour)     # exec jupyter lab
        self.assertIn("rich==1.0", tour)                     # freeze
        if "A year later" in out:
            later = "\n".join(r.stdout for r in out["A year later"])
            self.assertIn("3.13.", later)                    # sys.version
            proj = os.path.join(self.sb.home, "code", "my-app")
            spec = os.path.join(self.sb.home, ".local", "share", "jupyter",
                                "kernels", "my-project", "kernel.json")
            with open(spec) as f:
                meta = json.load(f)["metadata"]["pyshim"]
            self.assertEqual(meta["project"], proj)          # repoint
        rich = os.path.join(site_packages(os.path.join(proj, ".venv")),
                            "rich.py")
        self.assertTrue(os.path.exists(rich), "rich is not in the project venv")
        if "Coming from the manual setup" in out:
            r = out["Coming from the manual setup"][-1]
            backups = set(re.findall(r"^    backup    (.+)$", r.stdout, re.M))
            self.assertEqual(len(backups), 2, r.stdout)
            for b in backups:
                self.assertTrue(os.path.isfile(b), b)


if __name__ == "__main__":
    unittest.main()
