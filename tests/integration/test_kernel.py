"""`pyshim kernel`: the notes workflow end to end. One shared env, two
projects, a kernel for each and one --auto kernel, each started for real
by jupyter_client from its kernelspec; then stale kernels and prune.

Needs jupyter_client (run with /usr/bin/python3: Debian's
python3-jupyter-client) and ipykernel visible to the projects: Debian's
/usr/lib/python3/dist-packages is the first shared entry of each project,
beside the shared env "ai" that holds a small module.
"""
import json
import os
import shutil
import subprocess
import unittest

from pyshimtest import (TIMEOUT, SandboxTest, SYSTEM, site_packages, write,
                        write_json)

try:
    import nbconvert  # noqa: F401 (Debian's python3-nbconvert)
    HAVE_NBCONVERT = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_NBCONVERT = False

try:
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager
except ImportError:  # pragma: no cover - depends on the machine
    KernelManager = None

DIST = "/usr/lib/python3/dist-packages"
START_TIMEOUT = 45
EXEC_TIMEOUT = 20

PROBE = ("import importlib.util, json, os, sys, ai_tools\n"
         "own = [m for m in ('alpha_pkg', 'beta_pkg')"
         " if importlib.util.find_spec(m)]\n"
         "for m in own: __import__(m)\n"
         "print(json.dumps({'prefix': sys.prefix, 'executable': sys.executable,"
         " 'ai': ai_tools.__file__, 'own': own, 'cwd': os.getcwd()}))\n")


def _skip_reason():
    if KernelManager is None:
        return "jupyter_client is not importable by this python"
    if not SYSTEM.present or not os.path.isdir(os.path.join(DIST, "ipykernel")):
        return "Debian's python3-ipykernel is not installed"
    return None


@unittest.skipIf(_skip_reason(), _skip_reason())
class KernelWorkflow(SandboxTest, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.jupyter = os.path.join(sb.root, "jupyter")
        cls.kernels = os.path.join(cls.jupyter, "kernels")
        sb.env["JUPYTER_DATA_DIR"] = cls.jupyter
        # jupyter_client in this process finds the specs there too.
        cls._saved = {k: os.environ.get(k) for k in
                      ("JUPYTER_DATA_DIR", "JUPYTER_PATH")}
        os.environ["JUPYTER_DATA_DIR"] = cls.jupyter
        os.environ.pop("JUPYTER_PATH", None)

        sb.make_shared("ai", SYSTEM, module="ai_tools")
        cls.alpha = os.path.join(sb.work, "Alpha Notes")
        cls.beta = os.path.join(sb.work, "beta")
        for proj, mod in ((cls.alpha, "alpha_pkg"), (cls.beta, "beta_pkg")):
            os.makedirs(proj)
            r = sb.pyshim("init", "--python", SYSTEM.path, "--shared", DIST,
                          "ai", cwd=proj)
            assert r.returncode == 0, r
            write(os.path.join(site_packages(os.path.join(proj, ".venv")),
                               mod + ".py"), "WHO = %r\n" % mod)

    @classmethod
    def tearDownClass(cls):
        for k, v in cls._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        super().tearDownClass()

    # -- helpers ----------------------------------------------------------

    def spec(self, name):
        with open(os.path.join(self.kernels, name, "kernel.json")) as f:
            return json.load(f)

    def install(self, *args, cwd=None):
        r = self.sb.pyshim("kernel", "install", *args, cwd=cwd)
        self.assertOK(r, stderr_empty=False)
        self.assertNotIn("warning", r.stderr)
        return r.stdout

    def run_in_kernel(self, name, cwd=None):
        """Start kernel NAME the way Jupyter does, run PROBE, shut down."""
        km = KernelManager(kernel_name=name)
        self.assertTrue(os.path.isabs(km.kernel_spec.argv[0]), km.kernel_spec.argv)
        out = []
        km.start_kernel(env=dict(self.sb.env), cwd=cwd or self.sb.work)
        try:
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=START_TIMEOUT)

                def hook(msg):
                    if msg["msg_type"] == "stream":
                        out.append(msg["content"]["text"])
                    elif msg["msg_type"] == "error":
                        out.append("\n".join(msg["content"]["traceback"]))

                reply = kc.execute_interactive(PROBE, timeout=EXEC_TIMEOUT,
                                               output_hook=hook)
                self.assertEqual(reply["content"]["status"], "ok", "".join(out))
            finally:
                kc.stop_channels()
        finally:
            km.shutdown_kernel(now=True)
        return json.loads("".join(out))

    def assertProject(self, facts, proj, mod):
        venv = os.path.join(proj, ".venv")
        self.assertEqual(facts["prefix"], venv, facts)
        self.assertEqual(facts["executable"], os.path.join(venv, "bin", "python"))
        self.assertEqual(facts["own"], [mod], facts)
        self.assertTrue(facts["ai"].startswith(self.sb.shared_dir("ai") + os.sep),
                        facts)

    # -- install ----------------------------------------------------------

    def test_install_project_kernels_and_start_them(self):
        out = self.install(cwd=self.alpha)
        self.assertIn("installed kernel 'alpha-notes'", out)
        spec = self.spec("alpha-notes")
        # Issue 13 item 3: the project's environment python itself (VS Code
        # shows only kernels of interpreters it knows), -Xfrozen_modules=off
        # from 3.11 as ipykernel's installer writes, nothing of pyshim's in
        # the kernel's environment.
        frozen = ["-Xfrozen_modules=off"] if SYSTEM.version >= (3, 11) else []
        self.assertEqual(spec["argv"], [os.path.join(self.alpha, ".venv", "bin",
                                                     "python")] + frozen +
                         ["-m", "ipykernel_launcher", "-f", "{connection_file}"])
        self.assertEqual(spec["env"], {})
        self.assertEqual(spec["metadata"]["pyshim"], {"project": self.alpha})
        self.assertEqual(spec["display_name"], "Python (Alpha Notes)")
        self.assertEqual(spec["language"], "python")
        self.assertIn("pyshim", spec["metadata"])
        # --project from elsewhere, a name and display name of our own.
        self.install("--project", os.path.join(self.beta), "--name", "beta-k",
                     "--display-name", "Beta!")
        self.assertEqual(self.spec("beta-k")["display_name"], "Beta!")
        self.assertIn("beta-k", KernelSpecManager().find_kernel_specs())

        # The kernel's working directory does not matter: the venv's python.
        facts = self.run_in_kernel("alpha-notes", cwd=self.beta)
        self.assertProject(facts, self.alpha, "alpha_pkg")
        self.assertEqual(facts["cwd"], self.beta)
        facts = self.run_in_kernel("beta-k")
        self.assertProject(facts, self.beta, "beta_pkg")

    def test_install_again_changes_nothing(self):
        self.install("--name", "again", cwd=self.beta)
        path = os.path.join(self.kernels, "again", "kernel.json")
        before = os.stat(path)
        with open(path, "rb") as f:
            data = f.read()
        out = self.install("--name", "again", cwd=self.beta)
        self.assertIn("nothing to change", out)
        after = os.stat(path)
        self.assertEqual((before.st_ino, before.st_mtime_ns),
                         (after.st_ino, after.st_mtime_ns))
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        # A different display name is an update, in place.
        out = self.install("--name", "again", "--display-name", "B2", cwd=self.beta)
        self.assertIn("updated kernel 'again'", out)
        self.assertEqual(self.spec("again")["display_name"], "B2")

    def test_auto_kernel_follows_the_notebook_directory(self):
        out = self.install("--auto")
        self.assertIn("installed kernel 'pyshim-auto'", out)
        spec = self.spec("pyshim-auto")
        self.assertEqual(spec["env"], {"PYSHIM_PROJECT": ""})
        # The auto kernel keeps the shim: it must choose per notebook. Every
        # Python takes -X options it does not know, so it gets the flag too.
        self.assertEqual(spec["argv"], [os.path.join(self.sb.bin, "python"),
                                        "-Xfrozen_modules=off", "-m",
                                        "ipykernel_launcher", "-f",
                                        "{connection_file}"])
        sub = os.path.join(self.beta, "notebooks", "deep")
        os.makedirs(sub, exist_ok=True)
        facts = self.run_in_kernel("pyshim-auto", cwd=sub)
        self.assertProject(facts, self.beta, "beta_pkg")
        self.assertEqual(facts["cwd"], sub)
        facts = self.run_in_kernel("pyshim-auto", cwd=self.alpha)
        self.assertProject(facts, self.alpha, "alpha_pkg")

    def test_refuses_to_overwrite_a_foreign_kernelspec(self):
        foreign = {"argv": ["python3", "-m", "ipykernel_launcher", "-f",
                            "{connection_file}"],
                   "display_name": "Theirs", "language": "python"}
        path = write_json(os.path.join(self.kernels, "theirs", "kernel.json"),
                          foreign)
        r = self.sb.pyshim("kernel", "install", "--name", "theirs", cwd=self.alpha)
        self.assertShimError(r, "theirs", "not written by pyshim")
        self.assertEqual(self.spec("theirs"), foreign)
        r = self.sb.pyshim("kernel", "remove", "theirs")
        self.assertShimError(r, "not written by pyshim")
        self.assertTrue(os.path.exists(path))
        # list shows it (every kernel is listed), as not pyshim's.
        row = [l for l in self.sb.pyshim("kernel", "list").stdout.splitlines()
               if l.startswith("theirs ")]
        self.assertEqual(row[0].split()[2], "other", row)
        # --force replaces it with ours.
        self.install("--name", "theirs", "--force", cwd=self.alpha)
        self.assertEqual(self.spec("theirs")["metadata"]["pyshim"],
                         {"project": self.alpha})

    def test_bad_arguments(self):
        r = self.sb.pyshim("kernel", "install", "--name", "Bad Name", cwd=self.alpha)
        self.assertShimError(r, "not a Jupyter kernel name")
        r = self.sb.pyshim("kernel", "install", "--auto", "--project", self.alpha)
        self.assertShimError(r, "--project and --auto")
        nowhere = self.sb.mkdtemp("none")
        r = self.sb.pyshim("kernel", "install", cwd=nowhere)
        self.assertShimError(r, "no project at or above")
        r = self.sb.pyshim("kernel", "remove", "no-such")
        self.assertShimError(r, "no kernel 'no-such'")
        r = self.sb.pyshim("kernel", "frobnicate")
        self.assertEqual(r.returncode, 64, r)

    def test_every_subcommand_has_help(self):
        for sub in ("install", "list", "repoint", "remove", "prune"):
            with self.subTest(sub=sub):
                r = self.sb.pyshim("kernel", sub, "--help")
                self.assertOK(r)
                self.assertTrue(r.stdout.startswith("usage: pyshim kernel " + sub),
                                r.stdout)
        r = self.sb.pyshim("kernel", "--help")
        self.assertOK(r)
        self.assertIn("prune", r.stdout)

    # -- what the kernel's children see (issue 13 item 3) --------------------

    def nbconvert(self, nbdir, kernel, cells):
        """Execute a notebook of CELLS in NBDIR with KERNEL through Debian's
        nbconvert (as `jupyter nbconvert --execute` does); return each
        cell's stdout."""
        nb = {"cells": [{"cell_type": "code", "execution_count": None,
                         "id": "c%d" % i, "metadata": {}, "outputs": [],
                         "source": src} for i, src in enumerate(cells)],
              "metadata": {"kernelspec": {"name": kernel, "display_name": kernel,
                                          "language": "python"}},
              "nbformat": 4, "nbformat_minor": 5}
        path = write_json(os.path.join(nbdir, "probe.ipynb"), nb)
        out = os.path.join(nbdir, "probe.out.ipynb")
        r = subprocess.run(
            ["/usr/bin/python3", "-m", "nbconvert", "--to", "notebook",
             "--execute", "--ExecutePreprocessor.kernel_name=" + kernel,
             "--ExecutePreprocessor.timeout=%d" % EXEC_TIMEOUT,
             "--output", out, path],
            cwd=nbdir, env=self.sb.env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True,
            timeout=START_TIMEOUT + 4 * EXEC_TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            done = json.load(f)
        os.unlink(out)
        text = lambda t: "".join(t) if isinstance(t, list) else t
        return ["".join(text(o.get("text", "")) for o in c["outputs"])
                for c in done["cells"]]

    @unittest.skipUnless(HAVE_NBCONVERT, "Debian's python3-nbconvert is missing")
    def test_notebook_child_python_resolves_its_own_directory(self):
        self.install("--name", "alpha-nb", cwd=self.alpha)
        child = ("import subprocess, sys\n"
                 "r = subprocess.run(['python', '-c', 'import sys; print(sys.prefix)'],"
                 " cwd=%r, stdout=subprocess.PIPE, universal_newlines=True,"
                 " timeout=60)\n"
                 "print(r.stdout.strip())\n")
        cells = ["import os, sys; print(sys.prefix)",
                 child % self.beta,
                 "import os; print(os.environ.get('PYSHIM_PROJECT', '<unset>'))"]
        own, other, var = self.nbconvert(self.alpha, "alpha-nb", cells)
        self.assertEqual(own.strip(), os.path.join(self.alpha, ".venv"))
        # A `python` the notebook starts in project B gets B's environment.
        self.assertEqual(other.strip(), os.path.join(self.beta, ".venv"))
        self.assertEqual(var.strip(), "<unset>")

    def test_config_env_kept_in_the_kernelspec(self):
        gamma = os.path.join(self.sb.work, "gamma")
        os.makedirs(gamma)
        r = self.sb.pyshim("init", "--python", SYSTEM.path, "--shared", DIST,
                           "ai", cwd=gamma)
        self.assertOK(r, stderr_empty=False)
        cfg = os.path.join(gamma, ".pyshim.json")
        with open(cfg) as f:
            conf = json.load(f)
        conf["env"] = {"GAMMA_FLAG": "on", "PYSHIM_MODE": "exec"}
        write_json(cfg, conf)
        self.assertOK(self.sb.pyshim("trust", gamma), stderr_empty=False)
        self.install("--name", "gamma", cwd=gamma)
        spec = self.spec("gamma")
        # The config's variables, but none of pyshim's own (they would
        # change how a child `python` resolves).
        self.assertEqual(spec["env"], {"GAMMA_FLAG": "on"})
        facts = self.run_in_kernel("gamma", cwd=self.beta)
        self.assertEqual(facts["prefix"], os.path.join(gamma, ".venv"))

    # -- list / prune / remove ----------------------------------------------

    def test_stale_kernels_listed_and_pruned(self):
        gone = self.sb.mkdtemp("gone")
        write(os.path.join(gone, ".python-version"), SYSTEM.minor + "\n")
        r = self.sb.pyshim("kernel", "install", "--name", "gone-k", cwd=gone)
        self.assertOK(r, stderr_empty=False)
        self.install("--name", "kept", cwd=self.beta)
        # A kernel whose program is gone (pyshim uninstalled from there).
        write_json(os.path.join(self.kernels, "noprog", "kernel.json"),
                   {"argv": ["/nonexistent/bin/python", "-m", "ipykernel_launcher",
                             "-f", "{connection_file}"],
                    "env": {"PYSHIM_PROJECT": self.beta}, "display_name": "x",
                    "language": "python", "metadata": {"pyshim": {}}})
        shutil.rmtree(gone)

        r = self.sb.pyshim("kernel", "list")
        self.assertOK(r)
        rows = {l.split()[0]: l.split()[1] for l in r.stdout.splitlines()
                if l and not l.startswith(("NAME", "pyshim:"))}
        self.assertEqual(rows["gone-k"], "stale")
        self.assertEqual(rows["noprog"], "stale")
        self.assertEqual(rows["kept"], "ok")
        self.assertIn("'gone-k' is stale: the project directory '%s' is gone" % gone,
                      r.stdout)
        self.assertIn("/nonexistent/bin/python", r.stdout)

        r = self.sb.pyshim("kernel", "prune", "--dry-run")
        self.assertOK(r)
        self.assertIn("would remove kernel 'gone-k'", r.stdout)
        self.assertTrue(os.path.isdir(os.path.join(self.kernels, "gone-k")))

        r = self.sb.pyshim("kernel", "prune")
        self.assertOK(r)
        self.assertIn("removed kernel 'gone-k'", r.stdout)
        self.assertIn("removed kernel 'noprog'", r.stdout)
        for name in ("gone-k", "noprog"):
            self.assertFalse(os.path.exists(os.path.join(self.kernels, name)))
        self.assertTrue(os.path.isfile(os.path.join(self.kernels, "kept", "kernel.json")))
        r = self.sb.pyshim("kernel", "prune")
        self.assertOK(r)
        self.assertIn("nothing to prune", r.stdout)

    def test_project_without_its_markers_is_stale(self):
        proj = self.sb.mkdtemp("unmade")
        write(os.path.join(proj, ".python-version"), SYSTEM.minor + "\n")
        self.sb.pyshim("kernel", "install", "--name", "unmade", cwd=proj)
        os.unlink(os.path.join(proj, ".python-version"))
        r = self.sb.pyshim("kernel", "list")
        self.assertIn("'unmade' is stale: '%s' holds no project" % proj, r.stdout)
        self.sb.pyshim("kernel", "remove", "unmade")
        self.assertFalse(os.path.exists(os.path.join(self.kernels, "unmade")))

    def test_project_of_pyproject_toml_is_not_stale(self):
        # a project that only requires-python marks is still a project
        proj = self.sb.mkdtemp("pyproj")
        write(os.path.join(proj, "pyproject.toml"),
              '[project]\nname = "p"\nrequires-python = ">=%s"\n' %
              SYSTEM.minor)
        r = self.sb.pyshim("kernel", "install", "--name", "pyproj", cwd=proj)
        self.assertOK(r, stderr_empty=False)
        self.addCleanup(self.sb.pyshim, "kernel", "remove", "pyproj")
        r = self.sb.pyshim("kernel", "list")
        self.assertNotIn("'pyproj' is stale", r.stdout)

    def test_remove(self):
        self.install("--name", "to-remove", cwd=self.alpha)
        r = self.sb.pyshim("kernel", "remove", "to-remove")
        self.assertOK(r)
        self.assertIn("removed kernel 'to-remove'", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.kernels, "to-remove")))
        self.assertNotIn("to-remove", KernelSpecManager().find_kernel_specs())


@unittest.skipIf(not SYSTEM.present, "no system python")
class KernelNames(SandboxTest, unittest.TestCase):
    """Issue 10 item 13: one kernel per project, never taken over. The
    projects are bare `.python-version` projects (no jupyter needed: the
    kernels are only written, not started)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jupyter = os.path.join(cls.sb.root, "jupyter-names")
        cls.kernels = os.path.join(cls.jupyter, "kernels")
        cls.sb.env["JUPYTER_DATA_DIR"] = cls.jupyter

    def project(self, *parts):
        """A project at work/PARTS (str or bytes parts)."""
        base = self.sb.work
        if any(isinstance(p, bytes) for p in parts):
            base = os.fsencode(base)
            parts = [os.fsencode(p) for p in parts]
        d = os.path.join(base, *parts)
        os.makedirs(d)
        write(os.path.join(d, b".python-version" if isinstance(d, bytes)
                           else ".python-version"), SYSTEM.minor + "\n")
        return d

    def install(self, *args, cwd=None):
        r = self.sb.pyshim("kernel", "install", *args, cwd=cwd)
        self.assertEqual(r.returncode, 0, r)
        return r.stdout

    def specs(self):
        """{name: kernel.json} for every kernelspec; each must be JSON."""
        out = {}
        for name in sorted(os.listdir(self.kernels)):
            path = os.path.join(self.kernels, name, "kernel.json")
            with open(path, "rb") as f:
                data = f.read()
            out[name] = (json.loads(data.decode("utf-8")), data)
        return out

    def owned(self, proj):
        """The names of the kernels that run proj."""
        return sorted(n for n, (s, _) in self.specs().items()
                      if s["metadata"]["pyshim"].get("project") == proj)

    def test_two_projects_with_one_name_get_two_kernels(self):
        first = self.project("code", "demo")
        second = self.project("lesson2025", "demo")
        self.install(cwd=first)
        [k1] = self.owned(first)
        self.assertEqual(k1, "demo")
        before = self.specs()[k1][1]
        out = self.install(cwd=second)
        self.assertNotIn("updated", out)
        self.assertEqual(self.specs()[k1][1], before)
        [k2] = self.owned(second)
        self.assertNotEqual(k1, k2)
        self.assertTrue(k2.startswith("demo-"), k2)
        # Jupyter's launcher tells them apart.
        self.assertNotEqual(self.specs()[k2][0]["display_name"],
                            self.specs()[k1][0]["display_name"])
        self.assertIn("lesson2025", self.specs()[k2][0]["display_name"])
        # Again, in either order: the same names, nothing rewritten.
        self.assertIn("nothing to change", self.install(cwd=second))
        self.assertIn("nothing to change", self.install(cwd=first))
        self.assertEqual((self.owned(first), self.owned(second)), ([k1], [k2]))
        # A stable suffix: the same path gives the same name elsewhere.
        shutil.rmtree(os.path.join(self.kernels, k2))
        self.install(cwd=second)
        self.assertEqual(self.owned(second), [k2])

    def test_chinese_project_names(self):
        one = self.project("项目一")
        two = self.project("项目二")
        self.install(cwd=one)
        self.install(cwd=two)
        [k1], [k2] = self.owned(one), self.owned(two)
        self.assertNotEqual(k1, k2)
        specs = self.specs()
        self.assertEqual(specs[k1][0]["display_name"], "Python (项目一)")
        self.assertEqual(specs[k2][0]["display_name"], "Python (项目二)")
        # Jupyter's rule for kernel names.
        for k in (k1, k2):
            self.assertRegex(k, r"^[a-z0-9._-]+$")
            self.assertNotRegex(k, r"^-|--|-$")

    def test_another_projects_kernel_needs_force(self):
        first = self.project("f1", "app")
        second = self.project("f2", "app")
        self.install("--name", "shared-name", cwd=first)
        spec = os.path.join(self.kernels, "shared-name", "kernel.json")
        with open(spec, "rb") as f:
            before = f.read()
        r = self.sb.pyshim("kernel", "install", "--name", "shared-name",
                           cwd=second)
        self.assertShimError(r, "shared-name", "another project", first)
        with open(spec, "rb") as f:
            self.assertEqual(f.read(), before)
        out = self.install("--name", "shared-name", "--force", cwd=second)
        self.assertIn("replaced kernel 'shared-name'", out)
        self.assertEqual(self.owned(second), ["shared-name"])
        # An --auto kernel is "another project" to a project kernel.
        self.install("--auto")
        r = self.sb.pyshim("kernel", "install", "--name", "pyshim-auto",
                           cwd=first)
        self.assertShimError(r, "pyshim-auto", "another project")

    def test_path_not_utf8(self):
        proj = self.project(b"bytes-\xff\xfe")
        r = subprocess.run([os.path.join(self.sb.bin, "pyshim"), "kernel",
                            "install"], cwd=proj, env=self.sb.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        err = r.stderr.decode("utf-8", "replace")
        self.assertNotEqual(r.returncode, 0, err)
        self.assertIn("not valid UTF-8", err)
        self.assertIn("--auto", err)
        # Every kernel.json there is JSON, and names a directory that exists.
        for name, (spec, _) in self.specs().items():
            p = spec["metadata"]["pyshim"].get("project")
            if p:
                self.assertTrue(os.path.isdir(os.fsencode(p)), (name, p))


if __name__ == "__main__":
    unittest.main()
