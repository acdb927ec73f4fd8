"""Shared envs: the overlay env of a project without a venv, priority,
paths, and the hook kept in step with the config."""
import json
import os
import subprocess
import unittest

from pyshimtest import (SandboxTest, per_interp, make_venv, site_packages,
                        write, write_json, TIMEOUT)

# What Python 3.15's site does with a site dir (PEP 829), run under -S on
# any Python 3.8+: the path lines of every .pth file first (its import
# lines off when a .start file of the same name exists), then each .start
# entry point "pkg.mod:callable" imported and called without arguments
# (3.15 resolves it with pkgutil.resolve_name, which 3.8 lacks). Then the
# hook's own import line run anyway: nothing may be added twice.
PEP829_SITE = r"""
import builtins, importlib, os, sys
sd = sys.argv[1]
names = sorted(os.listdir(sd))
sys.path.append(sd)
for name in names:
    if not name.endswith('.pth'):
        continue
    off = name[:-4] + '.start' in names
    with open(os.path.join(sd, name), 'rb') as f:
        text = f.read().decode('utf-8')
    for line in text.splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        if line.startswith(('import ', 'import\t')):
            if not off:
                exec(line)
            continue
        d = os.path.join(sd, line.rstrip())
        if os.path.exists(d) and d not in sys.path:
            sys.path.append(d)
for name in names:
    if not name.endswith('.start'):
        continue
    with open(os.path.join(sd, name), encoding='utf-8') as f:
        for line in f.read().splitlines():
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            mod, _, attr = line.partition(':')
            fn = importlib.import_module(mod)
            for a in attr.split('.'):
                fn = getattr(fn, a)
            fn()
for line in open(os.path.join(sd, '_pyshim.pth')).read().splitlines():
    if line.startswith('import '):
        exec(line)
"""

HOOK_FILES = ("_pyshim.pth", "_pyshim_hook.py", "_pyshim.start")


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

    def test_hook_pep829_files(self):
        """Issue 13 item 1: the hook is _pyshim.pth (plain lines and an
        import line for Pythons < 3.15), _pyshim_hook.py (activate()) and
        _pyshim.start (the PEP 829 entry point, 3.15+). Through the venv's
        python directly, with and without -I, the shared modules and the
        dirs their .pth files add are importable, each dir once; driven as
        3.15's site drives it, the same, and the nested .pth code runs
        once although both the entry point and the import line ran."""
        name = "pep829" + self.interp.label.replace(".", "")
        shared = self.sb.make_shared(name, self.interp)
        write(os.path.join(site_packages(shared), "zz_count.pth"),
              "import builtins; builtins.n_nested = "
              "getattr(builtins, 'n_nested', 0) + 1\n")
        proj = self.sb.mkdtemp()
        venv = make_venv(self.interp, os.path.join(proj, ".venv"))
        site = site_packages(venv)
        cfg = os.path.join(proj, ".pyshim.json")
        write_json(cfg, {"shared": [name, "ai"]})
        self.runpy("pass", cwd=proj)
        files = [os.path.join(site, f) for f in HOOK_FILES]
        for f in files:
            with open(f, "rb") as fh:
                data = fh.read()
            self.assertFalse(data.startswith(b"\xef\xbb\xbf"), f)
            data.decode("utf-8")
        with open(files[2], "rb") as fh:
            self.assertEqual(fh.read(), b"_pyshim_hook:activate\n")
        sp = site_packages(shared)
        extra = os.path.join(shared, "extra")
        code = ("import builtins, sys, %s_mod, %s_mod_extra, ai_mod_extra; "
                "print(builtins.n_nested, sys.path.count(%r), "
                "sys.path.count(%r), sys.path.count(%r))"
                % (name, name, sp, extra, self.ai_sp))
        py = os.path.join(venv, "bin", "python")
        for flags in ([], ["-I"]):
            with self.subTest(flags=flags):
                r = subprocess.run([py] + flags + ["-c", code], env={},
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=TIMEOUT)
                self.assertEqual((r.returncode, r.stderr, r.stdout),
                                 (0, b"", b"1 1 1 1\n"))
        r = subprocess.run([py, "-I", "-S", "-c", PEP829_SITE + code, site],
                           env={}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual((r.returncode, r.stderr, r.stdout),
                         (0, b"", b"1 1 1 1\n"))
        # the warm path writes none of the three
        before = [(os.stat(f).st_ino, os.stat(f).st_mtime_ns) for f in files]
        self.runpy("pass", cwd=proj)
        self.assertEqual(
            [(os.stat(f).st_ino, os.stat(f).st_mtime_ns) for f in files],
            before)
        # no shared envs: all three go
        write_json(cfg, {})
        self.runpy("pass", cwd=proj)
        self.assertEqual([f for f in files if os.path.lexists(f)], [])

    def test_hook_lists_nested_dirs(self):
        """Issue 13 item 2: static tools (pyright, Pylance) read only the
        plain lines of .pth files; the dirs the shared envs' own .pth
        files add are plain lines of the hook too, in site.py's order, so
        a reader of plain lines alone resolves the same imports."""
        proj = self.sb.mkdtemp()
        venv = make_venv(self.interp, os.path.join(proj, ".venv"))
        hook = os.path.join(site_packages(venv), "_pyshim.pth")
        write_json(os.path.join(proj, ".pyshim.json"), {"shared": ["ai", "ml"]})
        self.runpy("pass", cwd=proj)

        def plain_lines():
            with open(hook, encoding="utf-8") as f:
                return [l.rstrip("\n") for l in f
                        if not l.startswith(("#", "import ", "import\t"))]
        ai_extra = os.path.join(self.ai, "extra")
        ml_extra = os.path.join(self.ml, "extra")
        self.assertEqual(plain_lines(),
                         [self.ai_sp, self.ml_sp, ai_extra, ml_extra])
        # what a plain-line reader sees is enough to import the nested
        # modules (no site, no import line)
        code = ("import sys; sys.path += %r; import ai_mod, ai_mod_extra, "
                "ml_mod_extra; print('ok')" % (plain_lines(),))
        r = subprocess.run([os.path.join(venv, "bin", "python"), "-I", "-S",
                            "-c", code], env={}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual((r.returncode, r.stderr, r.stdout), (0, b"", b"ok\n"))
        # a .pth added to a shared env later: the next run lists its dir
        later = os.path.join(self.sb.work, "later-%s" % self.interp.label)
        os.makedirs(later, exist_ok=True)
        pth = os.path.join(self.ml_sp, "later.pth")
        write(pth, later + "\n")
        try:
            self.runpy("pass", cwd=proj)
            self.assertEqual(plain_lines(), [self.ai_sp, self.ml_sp, ai_extra,
                                             later, ml_extra])
        finally:
            os.unlink(pth)

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
