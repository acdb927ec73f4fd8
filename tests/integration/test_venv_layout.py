"""A venv's lib/ layout after issue 14's session-6 trims (bench/README.md,
"session 6 trims").

pyshim finds a venv's lib/pythonX.Y[t]/site-packages by the name
pyvenv.cfg's version gives it, without listing lib/; a pyvenv.cfg that
states no version still has lib/ listed. What must not change with it:

- a venv whose pyvenv.cfg has no version line still resolves, runs, and
  gets its shared env's hook in the one site-packages there is;
- a venv pyshim did not make is still refused when start-up code sits in
  any lib/python*/site-packages, not only the one the version names (the
  interpreter that runs picks its own): the start-up scan lists lib/
  itself now;
- a venv made by `pyshim init` has its site-packages found without lib/
  being listed (traced with strace; skipped without it).

Real venvs of Debian's python, run through the sandbox's PATH links.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import unittest

from pyshimtest import (SYSTEM, TIMEOUT, SandboxTest, make_venv,
                        site_packages, write, write_json)

SYS_EXE = "import sys; print(sys.executable)"
STRACE = shutil.which("strace")


def drop_version(venv):
    """pyvenv.cfg without its version lines (older virtualenvs, hand-made
    venvs)."""
    cfg = os.path.join(venv, "pyvenv.cfg")
    with open(cfg) as f:
        lines = [l for l in f if not re.match(r"\s*version(_info)?\s*=", l)]
    with open(cfg, "w") as f:
        f.writelines(lines)


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class VenvLayout(SandboxTest, unittest.TestCase):

    def project(self, name):
        proj = self.sb.mkdtemp(name)
        venv = make_venv(SYSTEM, os.path.join(proj, ".venv"))
        return proj, venv

    def test_no_version_line_still_resolves(self):
        sb = self.sb
        proj, venv = self.project("nover")
        drop_version(venv)
        for mode in ("exec", "auto"):
            r = sb.run("python", "-c", SYS_EXE, cwd=proj,
                       env=sb.envwith({"PYSHIM_MODE": mode}))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(),
                             os.path.join(venv, "bin", "python"))

    def test_no_version_line_shared_env_hooked(self):
        sb = self.sb
        sb.make_shared("layout-lib", SYSTEM, module="layout_mod")
        proj, venv = self.project("noversh")
        drop_version(venv)
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"shared": ["layout-lib"]})
        self.assertEqual(sb.pyshim("trust", proj).returncode, 0)
        r = sb.run("python", "-c", "import layout_mod, sys; "
                   "print(sys.executable)", cwd=proj,
                   env=sb.envwith({"PYSHIM_MODE": "exec"}))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(venv, "bin", "python"))
        self.assertTrue(os.path.exists(
            os.path.join(site_packages(venv), "_pyshim.pth")),
            os.listdir(site_packages(venv)))

    def test_code_in_another_lib_python_dir_still_refused(self):
        sb = self.sb
        proj, venv = self.project("otherlib")
        marker = os.path.join(sb.root, "marker-otherlib")
        other = os.path.join(venv, "lib", "python3.99", "site-packages")
        os.makedirs(other)
        write(os.path.join(other, "zz-evil.pth"),
              "import os; open(%r, 'a').close()\n" % marker)
        for mode in ("exec", "auto"):
            r = sb.run("python", "-c", "pass", cwd=proj,
                       env=sb.envwith({"PYSHIM_MODE": mode}))
            self.assertEqual(r.returncode, 77, r.stderr)
            self.assertIn("was not made by pyshim and runs code at start-up",
                          r.stderr)
            self.assertIn("zz-evil.pth", r.stderr)
            self.assertFalse(os.path.exists(marker))

    def test_venv_record_name_unchanged(self):
        """The venv record's name is the SHA-256 of the key
        "venv\\nREAL\\nDEV INO\\nDEV INO MTIME_NS" (directory, then
        pyvenv.cfg): written by hand now, not by printf, it must stay the
        same bytes, or every venv pyshim made or a user trusted before
        would be asked about again."""
        sb = self.sb
        proj = sb.mkdtemp("record")
        r = sb.pyshim("init", "--python", SYSTEM.path, cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        real = os.path.realpath(os.path.join(proj, ".venv"))
        ds = os.stat(real)
        cs = os.lstat(os.path.join(real, "pyvenv.cfg"))
        key = "venv\n%s\n%d %d\n%d %d %d" % (real, ds.st_dev, ds.st_ino,
                                            cs.st_dev, cs.st_ino,
                                            cs.st_mtime_ns)
        name = hashlib.sha256(key.encode()).hexdigest()
        self.assertTrue(os.path.isfile(
            os.path.join(sb.pyshim_home, "trust", name)),
            os.listdir(os.path.join(sb.pyshim_home, "trust")))
        # and it is the record a run finds: the venv is not judged as one
        # that came with the tree (its pip .pth files would be refused)
        r = sb.run("python", "-c", SYS_EXE, cwd=proj,
                   env=sb.envwith({"PYSHIM_MODE": "exec",
                                   "PYSHIM_DEBUG": "1"}))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("was made by pyshim or trusted", r.stderr)

    @unittest.skipUnless(sys.platform.startswith("linux") and STRACE,
                         "needs Linux and strace")
    def test_init_venv_lib_not_listed(self):
        sb = self.sb
        proj = sb.mkdtemp("initlib")
        r = sb.pyshim("init", "--python", SYSTEM.path, cwd=proj)
        self.assertEqual(r.returncode, 0, r.stderr)
        env = sb.envwith({"PYSHIM_MODE": "exec"})
        for _ in range(2):
            self.assertEqual(sb.run("python", "-c", "pass", cwd=proj,
                                    env=env).returncode, 0)
        out = os.path.join(sb.root, "strace-initlib")
        r = subprocess.run([STRACE, "-f", "-qq", "-o", out, "-e",
                            "trace=openat", os.path.join(sb.bin, "python"),
                            "-c", "pass"], cwd=proj, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            lines = f.read().splitlines()
        # the shim's part: up to its execve of python
        lib = os.path.join(proj, ".venv", "lib")
        listed = [l for l in lines if '"%s"' % lib in l and "O_DIRECTORY" in l]
        self.assertEqual(listed, [], "\n".join(lines))


if __name__ == "__main__":
    unittest.main()
