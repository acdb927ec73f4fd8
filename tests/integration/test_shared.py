"""Shared envs: the overlay env of a project without a venv, priority,
paths, and the hook kept in step with the config."""
import json
import os
import subprocess
import unittest

from pyshimtest import (SandboxTest, per_interp, make_venv, site_packages,
                        write, write_json, TIMEOUT)


class _Shared(SandboxTest):
    interp = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sb = cls.sb
        cls.ai = sb.make_shared("ai", cls.interp)
        cls.ai_sp = site_packages(cls.ai)
        cls.ml = sb.make_shared("ml", cls.interp)
        cls.ml_sp = site_packages(cls.ml)
        # The same module in both: the first listed wins.
        write(os.path.join(cls.ai_sp, "prio.py"), "WHO = 'ai'\n")
        write(os.path.join(cls.ml_sp, "prio.py"), "WHO = 'ml'\n")
        # A project without a venv: the overlay.
        cls.bare = os.path.join(sb.work, "bare")
        write_json(os.path.join(cls.bare, ".pyshim.json"),
                   {"python": cls.interp.minor, "shared": ["ai", "ml"]})

    def overlays(self):
        d = os.path.join(self.sb.pyshim_home, "overlays")
        return sorted(n for n in os.listdir(d) if not n.startswith(".")) \
            if os.path.isdir(d) else []

    def test_overlay_env(self):
        facts = self.hello(cwd=self.bare)
        overlays = os.path.join(self.sb.pyshim_home, "overlays")
        self.assertTrue(facts["prefix"].startswith(overlays + os.sep), facts)
        self.assertTrue(os.path.isfile(os.path.join(facts["prefix"], "pyvenv.cfg")))
        self.assertEqual(facts["executable"], os.path.join(facts["prefix"], "bin", "python"))
        # Same minor (a newer patch release of it may be chosen).
        self.assertEqual(tuple(facts["version"][:2]), self.interp.version[:2])
        self.assertIn(self.ai_sp, facts["path"])
        self.assertLess(facts["path"].index(self.ai_sp), facts["path"].index(self.ml_sp))

    def test_overlay_sees_shared_also_isolated(self):
        code = "import ai_mod, ai_mod_extra, ml_mod_extra, prio; print(prio.WHO)"
        for flags in ([], ["-I"]):
            with self.subTest(flags=flags):
                self.assertEqual(self.runpy(code, "python", *flags, cwd=self.bare), "ai\n")

    def test_overlay_reused(self):
        first = self.hello(cwd=self.bare)["prefix"]
        before = self.overlays()
        sub = os.path.join(self.bare, "sub")
        os.makedirs(sub, exist_ok=True)
        self.assertEqual(self.hello(cwd=sub)["prefix"], first)
        self.assertEqual(self.overlays(), before)
        self.assertIn(os.path.basename(first), before)

    def test_overlay_subprocess_sys_executable(self):
        code = ("import subprocess, sys; r = subprocess.run([sys.executable, '-c',"
                " 'import ai_mod_extra, prio; print(prio.WHO)'], env={},"
                " stdout=subprocess.PIPE, timeout=60); print(r.returncode);"
                " sys.stdout.write(r.stdout.decode())")
        self.assertEqual(self.runpy(code, cwd=self.bare), "0\nai\n")

    def test_order_is_priority(self):
        proj = self.sb.mkdtemp()
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.interp.minor, "shared": ["ml", "ai"]})
        self.assertEqual(self.runpy("import prio; print(prio.WHO)", cwd=proj), "ml\n")

    def test_project_package_wins_over_shared(self):
        proj = self.sb.mkdtemp()
        venv = make_venv(self.interp, os.path.join(proj, ".venv"))
        write(os.path.join(site_packages(venv), "prio.py"), "WHO = 'project'\n")
        write_json(os.path.join(proj, ".pyshim.json"), {"shared": ["ai"]})
        self.assertEqual(self.runpy("import prio; print(prio.WHO)", cwd=proj),
                         "project\n")

    def test_shared_by_relative_path_and_site_dir(self):
        # Paths inside the project's own tree need no trust.
        proj = self.sb.mkdtemp()
        v = make_venv(self.interp, os.path.join(proj, "libs", "v"))
        write(os.path.join(site_packages(v), "relmod.py"), "")
        sitedir = os.path.join(proj, "libs", "plain", "site")
        write(os.path.join(sitedir, "plainmod.py"), "")
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.interp.minor,
                    "shared": ["libs/v", "./libs/plain/site"]})
        sub = os.path.join(proj, "sub")
        os.makedirs(sub)
        self.assertEqual(self.runpy("import relmod, plainmod; print('ok')", cwd=sub), "ok\n")

    def test_line_splitters_in_shared_paths(self):
        """Issue 10 item 17: a shared dir whose path holds a character some
        Python's .pth reader splits lines on (3.13: str.splitlines) must
        not have a fragment of its hook line executed; the dir still
        works (the import line adds it)."""
        proj = self.sb.mkdtemp()
        mark = os.path.join(proj, "executed")
        frag = "import os;os.mkdir(os.environ['HOOK_MARK'])"
        shared = []
        for i, sp in enumerate(["\u2028", "\u2029", "\x85", "\x0b", "\x0c",
                                "\x1c", "\x1d", "\x1e", "\r"]):
            rel = "libs/s%d%s%s%sz" % (i, sp, frag, sp)
            write(os.path.join(proj, rel, "splitmod%d.py" % i), "")
            shared.append(rel)
        code = "; ".join("import splitmod%d" % i for i in range(len(shared)))
        # as the overlay (no venv) and as a venv's hook
        for venv in (False, True):
            with self.subTest(venv=venv):
                cfg = {"shared": shared}
                if venv:
                    make_venv(self.interp, os.path.join(proj, ".venv"))
                else:
                    cfg["python"] = self.interp.minor
                write_json(os.path.join(proj, ".pyshim.json"), cfg)
                out = self.runpy(code + "; print('ok')", cwd=proj,
                                 env={"HOOK_MARK": mark})
                self.assertEqual(out, "ok\n")
                self.assertFalse(os.path.exists(mark),
                                 "a fragment of the hook was executed")

    def test_hook_follows_config(self):
        proj = self.sb.mkdtemp()
        venv = make_venv(self.interp, os.path.join(proj, ".venv"))
        hook = os.path.join(site_packages(venv), "_pyshim.pth")
        cfg = os.path.join(proj, ".pyshim.json")
        write_json(cfg, {"shared": ["ai"]})
        self.runpy("import ai_mod", cwd=proj)
        st1 = os.stat(hook)
        # Unchanged config: the hook is not rewritten.
        self.runpy("import ai_mod", cwd=proj)
        st2 = os.stat(hook)
        self.assertEqual((st1.st_ino, st1.st_mtime_ns), (st2.st_ino, st2.st_mtime_ns))
        # Another shared env: rewritten; the old one is gone.
        write_json(cfg, {"shared": ["ml"]})
        self.assertEqual(self.runpy(
            "import importlib.util as u; print(u.find_spec('ai_mod') is None,"
            " u.find_spec('ml_mod') is None)", cwd=proj), "True False\n")
        # No shared at all: no hook, nothing visible.
        write_json(cfg, {})
        self.assertEqual(self.runpy(
            "import importlib.util as u; print(u.find_spec('ml_mod') is None)",
            cwd=proj), "True\n")
        self.assertFalse(os.path.exists(hook))

    def test_venv_python_directly_after_hook(self):
        proj = self.sb.mkdtemp()
        venv = make_venv(self.interp, os.path.join(proj, ".venv"))
        write_json(os.path.join(proj, ".pyshim.json"), {"shared": ["ai"]})
        direct = [os.path.join(venv, "bin", "python"), "-I", "-c", "import ai_mod_extra"]
        r = subprocess.run(direct, env={}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertNotEqual(r.returncode, 0)  # no hook yet
        self.runpy("pass", cwd=proj)
        r = subprocess.run(direct, env={}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual((r.returncode, r.stderr), (0, b""))


per_interp(_Shared, globals())


if __name__ == "__main__":
    unittest.main()
