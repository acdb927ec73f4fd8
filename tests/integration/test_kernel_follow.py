"""Issue 12 item 5: kernels follow projects. `kernel list` shows every
kernel (pyshim's and others') with its project, python and whether
ipykernel imports there; `kernel install` adds ipykernel when asked (a
local wheel, no index); `kernel repoint` follows a renamed project;
`kernel prune` also removes others' kernels whose program is provably gone,
after listing them and a yes; `uninstall` names the kernels it leaves
pointing at nothing and offers to remove them.

The projects use Debian's python3 (/usr/bin/python3); the ones that must
start use Debian's ipykernel through a shared entry, as in test_kernel.
"""
import json
import os
import re
import shutil
import unittest

from pyshimtest import (SandboxTest, SYSTEM, build_wheel, install_quiet_flags,
                        site_packages, write_json)
from test_user_files import run_on_pty

try:
    from jupyter_client import KernelManager
except ImportError:  # pragma: no cover - depends on the machine
    KernelManager = None

DIST = "/usr/lib/python3/dist-packages"
HAVE_IPYKERNEL = os.path.isdir(os.path.join(DIST, "ipykernel"))
START_TIMEOUT = 45
EXEC_TIMEOUT = 20

# A stand-in ipykernel: pip installs it from a local wheel (there is no
# index here); what pyshim checks is that ipykernel_launcher imports.
FAKE_LAUNCHER = "WHO = 'fake ipykernel'\n"


def foreign(argv0):
    return {"argv": [argv0, "-m", "ipykernel_launcher", "-f",
                     "{connection_file}"],
            "display_name": "Theirs", "language": "python"}


@unittest.skipIf(not SYSTEM.present, "no system python")
class KernelsFollowProjects(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.jupyter = os.path.join(sb.root, "jupyter")
        cls.kernels = os.path.join(cls.jupyter, "kernels")
        sb.env["JUPYTER_DATA_DIR"] = cls.jupyter
        cls.wheels = os.path.join(sb.root, "wheels")
        build_wheel(cls.wheels, "ipykernel",
                    extra={"ipykernel_launcher.py": FAKE_LAUNCHER})
        # pip through the shim takes these from the environment.
        sb.env["PIP_NO_INDEX"] = "1"
        sb.env["PIP_FIND_LINKS"] = cls.wheels
        sb.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    def project(self, name, shared=()):
        d = os.path.join(self.sb.work, name)
        os.makedirs(d)
        r = self.sb.pyshim("init", "--python", SYSTEM.path,
                           *(["--shared"] + list(shared) if shared else []),
                           cwd=d)
        self.assertOK(r, stderr_empty=False)
        return d

    def spec(self, name):
        with open(os.path.join(self.kernels, name, "kernel.json")) as f:
            return json.load(f)

    def listing(self):
        r = self.sb.pyshim("kernel", "list", "--json")
        self.assertOK(r)
        return {k["name"]: k for k in json.loads(r.stdout)["kernels"]}

    def has_launcher(self, proj):
        sp = site_packages(os.path.join(proj, ".venv"))
        return os.path.exists(os.path.join(sp, "ipykernel_launcher.py"))

    # -- list -------------------------------------------------------------

    def test_list_shows_python_and_ipykernel(self):
        bare = self.project("bare")
        r = self.sb.pyshim("kernel", "install", "--name", "bare", cwd=bare)
        self.assertOK(r, stderr_empty=False)
        self.assertIn("ipykernel is not importable", r.stderr)
        self.assertIn("--ipykernel", r.stderr)
        write_json(os.path.join(self.kernels, "sys-theirs", "kernel.json"),
                   foreign(SYSTEM.path))
        write_json(os.path.join(self.kernels, "bare-theirs", "kernel.json"),
                   foreign("python3"))
        k = self.listing()
        # A kernel whose env lacks ipykernel is not "ok".
        self.assertEqual(k["bare"]["status"], "no-ipykernel")
        self.assertIs(k["bare"]["ipykernel"], False)
        self.assertEqual(k["bare"]["project"], bare)
        self.assertEqual(k["bare"]["executable"],
                         os.path.join(bare, ".venv", "bin", "python"))
        self.assertEqual(k["bare"]["version"], "%d.%d.%d" % SYSTEM.version)
        self.assertTrue(k["bare"]["pyshim"])
        # Others' kernels are listed too, never as pyshim's.
        self.assertFalse(k["sys-theirs"]["pyshim"])
        self.assertIsNone(k["sys-theirs"]["project"])
        self.assertEqual(k["sys-theirs"]["status"],
                         "ok" if HAVE_IPYKERNEL else "no-ipykernel")
        self.assertEqual(k["bare-theirs"]["status"], "unknown")
        r = self.sb.pyshim("kernel", "list")
        self.assertOK(r)
        rows = {l.split()[0]: l.split()[1:3] for l in r.stdout.splitlines()
                if l and not l.startswith(("NAME", "pyshim:", " "))}
        self.assertEqual(rows["bare"], ["no-ipykernel", "pyshim"])
        self.assertEqual(rows["sys-theirs"][1], "other")
        self.assertIn("'bare' cannot start: ipykernel is not importable", r.stdout)

    # -- install adds ipykernel --------------------------------------------

    def test_install_adds_ipykernel_when_asked(self):
        proj = self.project("wants-ipk")
        r = self.sb.pyshim("kernel", "install", "--ipykernel", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        self.assertIn("adding ipykernel", r.stdout)
        self.assertNotIn("warning", r.stderr)
        self.assertTrue(self.has_launcher(proj))
        self.assertEqual(self.listing()["wants-ipk"]["status"], "ok")

    def test_install_asks_on_a_terminal(self):
        no = self.project("says-no")
        status, out = run_on_pty([os.path.join(self.sb.bin, "pyshim"), "kernel",
                                  "install"], self.sb.env, "n", cwd=no)
        self.assertEqual(status, 0, out)
        self.assertIn("Add it (pip install ipykernel)? [y/N]", out)
        self.assertFalse(self.has_launcher(no))
        yes = self.project("says-yes")
        status, out = run_on_pty([os.path.join(self.sb.bin, "pyshim"), "kernel",
                                  "install"], self.sb.env, "y", cwd=yes)
        self.assertEqual(status, 0, out)
        self.assertTrue(self.has_launcher(yes), out)

    @unittest.skipUnless(HAVE_IPYKERNEL, "Debian's python3-ipykernel is missing")
    def test_install_says_ipykernel_comes_from_a_shared_env(self):
        proj = self.project("from-shared", shared=[DIST])
        r = self.sb.pyshim("kernel", "install", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        self.assertIn("ipykernel comes from the shared env " + DIST, r.stdout)
        self.assertFalse(self.has_launcher(proj))

    # -- repoint ----------------------------------------------------------

    @unittest.skipUnless(HAVE_IPYKERNEL and KernelManager,
                         "Debian's ipykernel and jupyter_client are needed")
    def test_repoint_follows_a_renamed_project(self):
        old = self.project("thesis", shared=[DIST])
        self.assertOK(self.sb.pyshim("kernel", "install", cwd=old),
                      stderr_empty=False)
        self.assertEqual(self.spec("thesis")["display_name"], "Python (thesis)")
        new = os.path.join(self.sb.work, "thesis-2025")
        os.rename(old, new)
        r = self.sb.pyshim("kernel", "list")
        self.assertIn("'thesis' is stale: the project directory '%s' is gone" % old,
                      r.stdout)
        self.assertIn("pyshim kernel repoint thesis --project NEWDIR", r.stdout)
        # The config names its interpreter and a shared dir outside the tree,
        # so its trust does not move with it: repoint stops, saying so.
        r = self.sb.pyshim("kernel", "repoint", "thesis", cwd=new)
        self.assertShimError(r, "not trusted")
        self.assertEqual(self.spec("thesis")["metadata"]["pyshim"], {"project": old})
        self.assertOK(self.sb.pyshim("trust", cwd=new), stderr_empty=False)
        r = self.sb.pyshim("kernel", "repoint", "thesis", cwd=new)
        self.assertOK(r, stderr_empty=False)
        self.assertIn("repointed kernel 'thesis'", r.stdout)
        spec = self.spec("thesis")
        self.assertEqual(spec["argv"][0], os.path.join(new, ".venv", "bin", "python"))
        self.assertEqual(spec["metadata"]["pyshim"], {"project": new})
        # The old default display name follows the directory.
        self.assertEqual(spec["display_name"], "Python (thesis-2025)")
        self.assertEqual(self.listing()["thesis"]["status"], "ok")
        # Started the way Jupyter starts it: the renamed project's venv.
        saved = os.environ.get("JUPYTER_DATA_DIR")
        os.environ["JUPYTER_DATA_DIR"] = self.jupyter
        self.addCleanup(lambda: os.environ.pop("JUPYTER_DATA_DIR") if saved is None
                        else os.environ.__setitem__("JUPYTER_DATA_DIR", saved))
        km = KernelManager(kernel_name="thesis")
        km.start_kernel(env=dict(self.sb.env), cwd=self.sb.work)
        try:
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=START_TIMEOUT)
                out = []
                reply = kc.execute_interactive(
                    "import sys; print(sys.prefix)", timeout=EXEC_TIMEOUT,
                    output_hook=lambda m: out.append(m["content"].get("text", "")))
                self.assertEqual(reply["content"]["status"], "ok")
            finally:
                kc.stop_channels()
        finally:
            km.shutdown_kernel(now=True)
        self.assertEqual("".join(out).strip(), os.path.join(new, ".venv"))

    def test_repoint_refuses_others_kernels_without_force(self):
        proj = self.project("adopted")
        path = write_json(os.path.join(self.kernels, "their-k", "kernel.json"),
                          foreign("/nonexistent/old/.venv/bin/python"))
        r = self.sb.pyshim("kernel", "repoint", "their-k", cwd=proj)
        self.assertShimError(r, "not written by pyshim")
        self.assertEqual(self.spec("their-k"), foreign("/nonexistent/old/.venv/bin/python"))
        with open(path, "rb") as f:
            theirs = f.read()
        r = self.sb.pyshim("kernel", "repoint", "their-k", "--force", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        # their kernel.json (its own argv, env) was kept before the write
        m = re.search(r"kept its old kernel.json as (\S+)", r.stdout)
        self.assertTrue(m, r.stdout)
        with open(m.group(1), "rb") as f:
            self.assertEqual(f.read(), theirs)
        spec = self.spec("their-k")
        self.assertEqual(spec["metadata"]["pyshim"], {"project": proj})
        self.assertEqual(spec["display_name"], "Theirs")
        r = self.sb.pyshim("kernel", "repoint", "no-such", cwd=proj)
        self.assertShimError(r, "no-such")
        self.assertTrue(os.path.exists(path))

    # -- prune ------------------------------------------------------------

    def test_prune_removes_others_kernels_only_when_provably_stale(self):
        gone = "/nonexistent/venv-gone/bin/python"
        for name, argv0 in (("p-gone", gone), ("p-alive", SYSTEM.path),
                            ("p-bare", "python-nowhere")):
            write_json(os.path.join(self.kernels, name, "kernel.json"),
                       foreign(argv0))
        dead_link = os.path.join(self.sb.root, "deadvenv", "bin", "python")
        os.makedirs(os.path.dirname(dead_link))
        os.symlink("/nonexistent/python3.99", dead_link)
        write_json(os.path.join(self.kernels, "p-dangling", "kernel.json"),
                   foreign(dead_link))
        exists = lambda n: os.path.isdir(os.path.join(self.kernels, n))

        r = self.sb.pyshim("kernel", "prune", "--dry-run")
        self.assertOK(r)
        self.assertIn("would remove kernel 'p-gone'", r.stdout)
        self.assertTrue(exists("p-gone"))
        # No terminal, no --yes: listed, left alone.
        r = self.sb.pyshim("kernel", "prune")
        self.assertOK(r, stderr_empty=False)
        self.assertIn("'p-gone'", r.stdout)
        self.assertIn("'p-dangling'", r.stdout)
        self.assertIn("left alone", r.stderr)
        self.assertTrue(exists("p-gone") and exists("p-dangling"))
        # A "no" on a terminal keeps them; a "yes" removes them.
        argv = [os.path.join(self.sb.bin, "pyshim"), "kernel", "prune"]
        status, out = run_on_pty(argv, self.sb.env, "n")
        self.assertEqual(status, 0, out)
        self.assertTrue(exists("p-gone"))
        status, out = run_on_pty(argv, self.sb.env, "y")
        self.assertEqual(status, 0, out)
        self.assertFalse(exists("p-gone") or exists("p-dangling"), out)
        # Never what is not provably stale.
        self.assertTrue(exists("p-alive") and exists("p-bare"))
        r = self.sb.pyshim("kernel", "prune", "--yes")
        self.assertIn("nothing to prune", r.stdout)
        self.assertTrue(exists("p-alive") and exists("p-bare"))

    def test_prune_yes_for_scripts(self):
        write_json(os.path.join(self.kernels, "y-gone", "kernel.json"),
                   foreign("/nonexistent/y/bin/python"))
        r = self.sb.pyshim("kernel", "prune", "--yes")
        self.assertOK(r)
        self.assertIn("removed kernel 'y-gone'", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.kernels, "y-gone")))


@unittest.skipIf(not SYSTEM.present, "no system python")
class UninstallNamesOrphanKernels(SandboxTest, unittest.TestCase):
    """uninstall removes the shim the --auto kernel runs: it says so first
    and offers to remove that kernel afterwards."""

    def setUp(self):
        self.jupyter = os.path.join(self.sb.root, "jupyter")
        self.kernels = os.path.join(self.jupyter, "kernels")
        self.sb.env["JUPYTER_DATA_DIR"] = self.jupyter
        proj = os.path.join(self.sb.work, "keep")
        os.makedirs(proj, exist_ok=True)
        self.assertOK(self.sb.pyshim("init", "--python", SYSTEM.path, cwd=proj),
                      stderr_empty=False)
        self.assertOK(self.sb.pyshim("kernel", "install", "--auto"))
        self.sb.pyshim("kernel", "install", "--name", "keep", cwd=proj)

    def test_uninstall_says_and_offers(self):
        exe = os.path.join(self.sb.root, "pyshim-copy")
        shutil.copy(os.path.join(self.sb.bin, "pyshim"), exe)
        r = self.sb.run(exe, "uninstall", "--bin-dir", self.sb.bin)
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("kernel 'pyshim-auto'", r.stdout)
        self.assertIn("will point at nothing", r.stdout)
        self.assertIn("`jupyter kernelspec remove pyshim-auto`", r.stdout)
        self.assertNotIn("'keep'", r.stdout)
        self.assertTrue(os.path.isdir(os.path.join(self.kernels, "pyshim-auto")))
        # Installed again, then uninstalled with --yes: removed.
        r = self.sb.run(exe, "install", "--bin-dir", self.sb.bin,
                        *install_quiet_flags())
        self.assertEqual(r.returncode, 0, r)
        r = self.sb.run(exe, "uninstall", "--bin-dir", self.sb.bin, "--yes")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("removed kernel 'pyshim-auto'", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.kernels, "pyshim-auto")))
        self.assertTrue(os.path.isdir(os.path.join(self.kernels, "keep")))


@unittest.skipIf(not SYSTEM.present, "no system python")
class UnreachableIsNotGone(SandboxTest, unittest.TestCase):
    """A project dir that cannot be read now (EACCES: a parent chmod 000,
    a home not mounted) is no proof that it is gone: `kernel prune`, which
    removes stale pyshim kernels without asking, must keep its kernel.
    Run as the non-root pyshim-alice (root would read through 000)."""
    sandbox_user = "pyshim-alice"

    def test_prune_keeps_a_kernel_whose_project_is_unreadable(self):
        sb = self.sb
        jupyter = os.path.join(sb.root, "jupyter")
        sb.env["JUPYTER_DATA_DIR"] = jupyter
        os.makedirs(jupyter)
        sb.give(jupyter)
        parent = sb.mkdtemp("locked")
        proj = os.path.join(parent, "proj")
        os.makedirs(proj)
        sb.give(proj)
        r = sb.pyshim("init", "--python", SYSTEM.path, cwd=proj)
        self.assertEqual(r.returncode, 0, r)
        r = sb.pyshim("kernel", "install", "--name", "locked", cwd=proj)
        self.assertEqual(r.returncode, 0, r)
        spec = os.path.join(jupyter, "kernels", "locked", "kernel.json")
        self.assertTrue(os.path.isfile(spec))
        os.chmod(parent, 0)
        self.addCleanup(os.chmod, parent, 0o755)
        r = sb.pyshim("kernel", "prune")
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("removed kernel 'locked'", r.stdout)
        self.assertTrue(os.path.isfile(spec))
        # once it is really gone, prune removes it
        os.chmod(parent, 0o755)
        shutil.rmtree(proj)
        r = sb.pyshim("kernel", "prune")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("removed kernel 'locked'", r.stdout)
        self.assertFalse(os.path.exists(spec))


if __name__ == "__main__":
    unittest.main()
