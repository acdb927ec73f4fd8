"""The user's files and work are never lost (issue 10, items 8-12 and 15).

- `uninstall --purge` deletes only what pyshim made, also with
  PYSHIM_HOME=$HOME (item 8), and asks first (item 12);
- a start-up file with a broken pyshim block stops install and uninstall
  before anything changed (item 9);
- `shared create` never deletes what was there before it (item 10) and
  fails when an existing env does not match the request (item 11);
- `shared remove` knows the environments that use a shared env (the shim
  records them with the hook), shows them and asks (item 12);
- uninstall on a full disk leaves a working install (item 15).
Confirmations are answered on a real pseudo-terminal (the pty module)."""
import errno
import os
import pty
import re
import select
import shutil
import subprocess
import time
import unittest

from pyshimtest import (SandboxTest, SYSTEM, PYSHIM_BIN, TIMEOUT,
                        present_interps, make_venv, site_packages, write,
                        write_json)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def run_on_pty(argv, env, answer, cwd=None):
    """Run argv with stdin, stdout and stderr on a new pseudo-terminal;
    when it asks (a "[y/N]" prompt), type answer. Returns (exit status,
    everything it wrote). The deadline only keeps a broken build from
    hanging the suite; nothing is asserted about time."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                         env=env, cwd=cwd, close_fds=True)
    os.close(slave)
    out = b""
    answered = False
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 1.0)
            if not r:
                if p.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError as e:  # EIO: the child closed the terminal
                if e.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            out += chunk
            if not answered and b"[y/N]" in out:
                os.write(master, answer.encode() + b"\n")
                answered = True
        status = p.wait(timeout=TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    return status, out.decode("utf-8", "replace")


def pick_two_minors():
    """Two interpreters of different minor versions, or None."""
    seen = {}
    for it in present_interps():
        if it.version and it.version[0] == 3 and it.version[1] >= 8:
            seen.setdefault(it.minor, it)
    vals = list(seen.values())
    return (vals[0], vals[1]) if len(vals) >= 2 else None


# --- item 8 (and 12): purge --------------------------------------------


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class PurgeKeepsUserFiles(SandboxTest, unittest.TestCase):
    """PYSHIM_HOME=$HOME (a sandboxed HOME): purge removes pyshim's own
    entries there and leaves every file of the user's."""

    def test_purge_with_pyshim_home_at_home(self):
        home = os.path.join(self.sb.root, "home-as-data")
        os.makedirs(home)
        env = {"HOME": home, "PYSHIM_HOME": home}
        user = {
            "notes.txt": "my notes\n",
            ".bashrc": "# my bashrc\nalias ll='ls -l'\n",
            "bin/tool": "#!/bin/sh\necho mine\n",
            "projects/app/main.py": "print('mine')\n",
            "shared/README": "my own file among the shared envs\n",
            "trust/keep.txt": "not a trust record\n",
            "cache/mine.dat": "my cache\n",
            "default.txt": "mine\n",
        }
        for rel, text in user.items():
            write(os.path.join(home, rel), text)
        r = self.sb.pyshim("install", "--shell", "bash", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isdir(os.path.join(home, "default")))
        r = self.sb.pyshim("shared", "create", "ai", "--python", SYSTEM.path,
                           env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.sb.pyshim("uninstall", "--purge", "--yes", env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(os.path.isdir(home), "purge removed the home dir")
        for rel, text in user.items():
            p = os.path.join(home, rel)
            self.assertTrue(os.path.isfile(p), "purge removed %s" % rel)
            with open(p) as f:
                self.assertEqual(f.read(), text, rel)
        # what pyshim made is gone
        for rel in ("default", "shared/ai", "config.json", "bin/pyshim",
                    "bin/python"):
            self.assertFalse(os.path.lexists(os.path.join(home, rel)), rel)
        self.assertIn("projects", os.listdir(home))

    def test_purge_keeps_venvs_it_cannot_prove_it_made(self):
        """PYSHIM_HOME=$HOME: venvs of the user's that sit where pyshim
        keeps its own (~/default, ~/shared/NAME, ~/overlays/NAME), with
        their files, are not pyshim's: purge keeps them and says so. Only
        a venv with pyshim's mark (shared create, install, init) goes."""
        home = os.path.join(self.sb.root, "home-venvs")
        os.makedirs(home)
        env = {"HOME": home, "PYSHIM_HOME": home}
        mine = {}
        for rel in ("default", "shared/myenv", "overlays/myvenv"):
            make_venv(SYSTEM, os.path.join(home, rel))
            mine[rel + "/thesis.tex"] = "chapter one of %s\n" % rel
        for rel, text in mine.items():
            write(os.path.join(home, rel), text)
        r = self.sb.pyshim("shared", "create", "ai", "--python", SYSTEM.path,
                           env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.sb.pyshim("uninstall", "--bin-dir",
                           os.path.join(self.sb.root, "nobin-venvs"),
                           "--purge", "--yes", env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for rel, text in mine.items():
            p = os.path.join(home, rel)
            self.assertTrue(os.path.isfile(p), "purge removed %s" % rel)
            with open(p) as f:
                self.assertEqual(f.read(), text, rel)
            self.assertIn("(kept, not pyshim's: %s)" %
                          os.path.dirname(p), r.stdout)
        self.assertFalse(os.path.lexists(os.path.join(home, "shared", "ai")))

    def test_purge_xdg_dirs(self):
        # without PYSHIM_HOME: ~/.local/share/pyshim, ~/.cache/pyshim and
        # ~/.config/pyshim go; their neighbours stay
        home = os.path.join(self.sb.root, "xdg-home")
        mine = {".local/share/mine.txt": "a\n", ".cache/other/x": "b\n",
                ".config/other.conf": "c\n"}
        for rel, text in mine.items():
            write(os.path.join(home, rel), text)
        env = self.sb.envwith({"HOME": home}, drop=("PYSHIM_HOME",))
        bin_ = os.path.join(home, ".local", "share", "pyshim", "bin")

        def pyshim(*args):
            return subprocess.run([PYSHIM_BIN] + list(args), env=env,
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE,
                                  universal_newlines=True, timeout=TIMEOUT)
        r = pyshim("install", "--no-shell")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(bin_, "pyshim")))
        # a project made by init leaves trust and project records, and
        # init's lock file under the data dir: all pyshim's
        proj = os.path.join(self.sb.root, "xdg-proj")
        os.makedirs(proj)
        r = subprocess.run([PYSHIM_BIN, "init", "--python", SYSTEM.path],
                           cwd=proj, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = pyshim("uninstall", "--purge", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        for rel in (".local/share/pyshim", ".cache/pyshim", ".config/pyshim"):
            self.assertFalse(os.path.exists(os.path.join(home, rel)),
                             rel + "\n" + r.stdout)
        for rel, text in mine.items():
            with open(os.path.join(home, rel)) as f:
                self.assertEqual(f.read(), text)

    def test_purge_does_not_follow_links(self):
        data = os.path.join(self.sb.root, "data-links")
        elsewhere = os.path.join(self.sb.root, "elsewhere")
        make_venv(SYSTEM, os.path.join(elsewhere, "myvenv"))
        write(os.path.join(elsewhere, "keep.txt"), "mine\n")
        os.makedirs(data)
        os.symlink(elsewhere, os.path.join(data, "shared"))
        os.symlink(elsewhere, os.path.join(data, "default"))
        env = {"PYSHIM_HOME": data}
        r = self.sb.pyshim("uninstall", "--bin-dir",
                           os.path.join(self.sb.root, "nobin"), "--purge",
                           "--yes", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(elsewhere, "keep.txt")))
        self.assertTrue(os.path.isfile(
            os.path.join(elsewhere, "myvenv", "pyvenv.cfg")))


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class PurgeAsks(SandboxTest, unittest.TestCase):
    """uninstall --purge shows what it deletes and its size, asks on a
    terminal, and refuses without one unless --yes."""

    def fresh(self):
        data = self.sb.mkdtemp("purge")
        bin_ = os.path.join(data, "bin")
        env = {"PYSHIM_HOME": data}
        r = self.sb.pyshim("install", "--bin-dir", bin_, "--no-shell",
                           "--no-default-env", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sb.pyshim("shared", "create", "ai", "--python", SYSTEM.path,
                           env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return data, bin_, self.sb.envwith(env)

    def test_no_terminal_no_yes_refused(self):
        data, bin_, env = self.fresh()
        r = subprocess.run([PYSHIM_BIN, "uninstall", "--bin-dir", bin_,
                            "--purge"], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim: error:", r.stderr)
        self.assertIn("--yes", r.stderr)
        self.assertIn(os.path.join(data, "shared", "ai"), r.stdout)
        # nothing changed: not even the programs went
        self.assertTrue(os.path.isfile(
            os.path.join(data, "shared", "ai", "pyvenv.cfg")))
        self.assertTrue(os.path.isfile(os.path.join(bin_, "pyshim")))

    def test_terminal_no_keeps_everything(self):
        data, bin_, env = self.fresh()
        status, out = run_on_pty([PYSHIM_BIN, "uninstall", "--bin-dir",
                                  bin_, "--purge"], env, "n")
        self.assertNotEqual(status, 0, out)
        self.assertIn("[y/N]", out)
        self.assertIn(os.path.join(data, "shared", "ai"), out)
        self.assertRegex(out, r"deletes [0-9.]+[KMG]")
        self.assertTrue(os.path.isfile(
            os.path.join(data, "shared", "ai", "pyvenv.cfg")))
        self.assertTrue(os.path.isfile(os.path.join(bin_, "pyshim")))

    def test_terminal_yes_deletes(self):
        data, bin_, env = self.fresh()
        status, out = run_on_pty([PYSHIM_BIN, "uninstall", "--bin-dir",
                                  bin_, "--purge"], env, "y")
        self.assertEqual(status, 0, out)
        self.assertFalse(os.path.exists(os.path.join(data, "shared")), out)
        self.assertFalse(os.path.exists(os.path.join(bin_, "pyshim")), out)


# --- item 9: broken blocks in start-up files ----------------------------

BROKEN_RC = {
    "stray begin": (b"# top\n# >>> pyshim >>>\nexport A=1\nalias x=y\n", 2),
    "two blocks": (b"# >>> pyshim >>>\nexport PATH=/a:$PATH\n"
                   b"# <<< pyshim <<<\nmine\n# >>> pyshim >>>\n"
                   b"export PATH=/b:$PATH\n# <<< pyshim <<<\n", 5),
    "end without begin": (b"mine\n# <<< pyshim <<<\nmore\n", 2),
    "two ends": (b"# >>> pyshim >>>\nx\n# <<< pyshim <<<\ny\n"
                 b"# <<< pyshim <<<\n", 5),
}


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class BrokenRcBlock(SandboxTest, unittest.TestCase):

    def rc(self):
        return os.path.join(self.sb.home, ".bashrc")

    def test_install_refuses_and_changes_nothing(self):
        for what, (text, line) in BROKEN_RC.items():
            with self.subTest(what):
                write(self.rc(), text, "wb")
                bin_ = os.path.join(self.sb.root, "rcbin-" + what.replace(" ", "-"))
                r = self.sb.pyshim("install", "--bin-dir", bin_, "--shell",
                                   "bash", "--no-default-env")
                self.assertNotEqual(r.returncode, 0, r.stdout)
                self.assertIn("pyshim: error: '%s' line %d:" % (self.rc(), line),
                              r.stderr)
                self.assertIn("pyshim: hint:", r.stderr)
                self.assertEqual(read_bytes(self.rc()), text)
                self.assertFalse(os.path.exists(bin_),
                                 "install changed things before refusing")

    def test_uninstall_refuses_and_changes_nothing(self):
        bin_ = os.path.join(self.sb.root, "rcbin-un")
        r = self.sb.pyshim("install", "--bin-dir", bin_, "--no-shell",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        before = sorted(os.listdir(bin_))
        for what, (text, line) in BROKEN_RC.items():
            with self.subTest(what):
                write(self.rc(), text, "wb")
                r = self.sb.pyshim("uninstall", "--bin-dir", bin_)
                self.assertNotEqual(r.returncode, 0, r.stdout)
                self.assertIn("pyshim: error: '%s' line %d:" % (self.rc(), line),
                              r.stderr)
                self.assertEqual(read_bytes(self.rc()), text)
                self.assertEqual(sorted(os.listdir(bin_)), before)

    def test_rc_file_not_regular(self):
        """A start-up file that is a FIFO: never waited on; one error
        naming it and why, a hint, and nothing changed."""
        if os.path.lexists(self.rc()):
            os.unlink(self.rc())
        os.mkfifo(self.rc())
        self.addCleanup(os.unlink, self.rc())
        bin_ = os.path.join(self.sb.root, "rcbin-fifo")
        for argv in (["install", "--bin-dir", bin_, "--shell", "bash",
                      "--no-default-env"], ["uninstall", "--bin-dir", bin_]):
            with self.subTest(argv[0]):
                r = self.sb.pyshim(*argv)
                self.assertNotEqual(r.returncode, 0, r.stdout)
                self.assertRegex(
                    r.stderr, r"\Apyshim: error: cannot read '%s': not a "
                    r"regular file.*\npyshim: hint: " % re.escape(self.rc()))
                self.assertFalse(os.path.exists(bin_))

    def test_good_block_round_trips(self):
        # the check does not get in the way of a well-formed file
        before = b"# mine\n"
        write(self.rc(), before, "wb")
        bin_ = os.path.join(self.sb.root, "rcbin-ok")
        r = self.sb.pyshim("install", "--bin-dir", bin_, "--shell", "bash",
                           "--no-default-env")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sb.pyshim("uninstall", "--bin-dir", bin_)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read_bytes(self.rc()), before)


# --- items 10 and 11: shared create over what exists -------------------


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class SharedCreateKeeps(SandboxTest, unittest.TestCase):

    def test_existing_dir_with_user_files_is_kept(self):
        # `bin` as a file makes `python -m venv` fail in there: the old
        # create then removed the whole directory with the user's files.
        d = self.sb.shared_dir("keep")
        write(os.path.join(d, "notes.txt"), "mine\n")
        write(os.path.join(d, "bin"), "not a directory\n")
        r = self.sb.pyshim("shared", "create", "keep", "--python",
                           SYSTEM.path)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("pyshim: error:", r.stderr)
        self.assertEqual(sorted(os.listdir(d)), ["bin", "notes.txt"])
        with open(os.path.join(d, "notes.txt")) as f:
            self.assertEqual(f.read(), "mine\n")

    def test_existing_dir_not_an_env_is_not_taken_over(self):
        d = self.sb.shared_dir("notenv")
        write(os.path.join(d, "data.csv"), "a,b\n")
        r = self.sb.pyshim("shared", "create", "notenv", "--python",
                           SYSTEM.path)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("is not a shared env pyshim made", r.stderr)
        self.assertEqual(os.listdir(d), ["data.csv"])

    def test_other_python_fails_with_upgrade_hint(self):
        two = pick_two_minors()
        if not two:
            self.skipTest("needs two Python minor versions")
        have, other = two
        make_venv(have, self.sb.shared_dir("ai"))
        r = self.sb.pyshim("shared", "create", "ai", "--python", other.minor)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("does not match", r.stderr)
        self.assertIn("pyshim shared remove ai", r.stderr)
        self.assertIn("--python %s" % other.minor, r.stderr)
        # the same request is fine, and so is no request
        for args in (["--python", have.minor], []):
            r = self.sb.pyshim("shared", "create", "ai", *args)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("already exists", r.stdout)


# --- item 12: shared remove knows its users and asks --------------------


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class SharedRemoveUsers(SandboxTest, unittest.TestCase):

    def shared(self, name):
        d = make_venv(SYSTEM, self.sb.shared_dir(name))
        write(os.path.join(site_packages(d), name + "_mod.py"), "X = 1\n")
        return d

    def project(self, name, shared):
        # written by hand: never registered by `pyshim init`
        proj = self.sb.mkdtemp(name)
        make_venv(SYSTEM, os.path.join(proj, ".venv"))
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"venv": ".venv", "shared": shared})
        return proj

    def test_hand_written_project_is_a_user(self):
        d = self.shared("hw")
        proj = self.project("hw", ["hw"])
        self.assertEqual(self.runpy("import hw_mod; print(hw_mod.X)",
                                    cwd=proj), "1\n")
        users = os.path.join(d, ".users")
        recs = os.listdir(users)
        self.assertEqual(len(recs), 1, recs)
        rec = os.path.join(users, recs[0])
        st = os.stat(rec)
        # a warm run writes nothing: the record is the same file
        self.runpy("import hw_mod", cwd=proj)
        st2 = os.stat(rec)
        self.assertEqual((st.st_ino, st.st_mtime_ns),
                         (st2.st_ino, st2.st_mtime_ns))
        self.assertEqual(os.listdir(users), recs)
        r = self.sb.pyshim("shared", "remove", "hw", "--yes")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(os.path.join(proj, ".venv"), r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "pyvenv.cfg")))
        r = self.sb.pyshim("shared", "list")
        self.assertIn(os.path.join(proj, ".venv"), r.stdout)

    def test_moved_project_is_a_user_at_its_new_place(self):
        d = self.shared("mv")
        proj = self.project("mv", ["mv"])
        self.runpy("import mv_mod", cwd=proj)
        moved = proj + "-moved"
        os.rename(proj, moved)
        self.runpy("import mv_mod", cwd=moved)
        r = self.sb.pyshim("shared", "remove", "mv", "--yes")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(os.path.join(moved, ".venv"), r.stderr)
        self.assertNotIn(os.path.join(proj, ".venv") + " ", r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "pyvenv.cfg")))

    def test_project_that_dropped_it_is_not_a_user(self):
        d = self.shared("drop")
        proj = self.project("drop", ["drop"])
        self.runpy("import drop_mod", cwd=proj)
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"venv": ".venv", "shared": []})
        self.runpy("print(1)", cwd=proj)  # rewrites the hook
        r = self.sb.pyshim("shared", "remove", "drop", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(d))

    def test_project_without_venv_is_a_user_through_its_overlay(self):
        d = self.shared("ov")
        proj = self.sb.mkdtemp("ov")
        cfg = os.path.join(proj, ".pyshim.json")
        write_json(cfg, {"python": SYSTEM.minor, "shared": ["ov"]})
        self.runpy("import ov_mod", cwd=proj)
        r = self.sb.pyshim("shared", "remove", "ov", "--yes")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(cfg, r.stderr)
        self.assertIn(os.path.join(self.sb.pyshim_home, "overlays"), r.stderr)
        # the config no longer asks for it: the overlay is no user
        write_json(cfg, {"python": SYSTEM.minor})
        r = self.sb.pyshim("shared", "remove", "ov", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(d))

    def test_no_terminal_no_yes_refused(self):
        d = self.shared("nt")
        r = subprocess.run([PYSHIM_BIN, "shared", "remove", "nt"],
                           env=self.sb.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--yes", r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "pyvenv.cfg")))

    def test_terminal_answer(self):
        d = self.shared("tty")
        status, out = run_on_pty([PYSHIM_BIN, "shared", "remove", "tty"],
                                 self.sb.env, "n")
        self.assertNotEqual(status, 0, out)
        self.assertIn("[y/N]", out)
        self.assertRegex(out, r"\([^)]*, [0-9.]+[KMG]\)")  # the size
        self.assertTrue(os.path.isfile(os.path.join(d, "pyvenv.cfg")))
        status, out = run_on_pty([PYSHIM_BIN, "shared", "remove", "tty"],
                                 self.sb.env, "y")
        self.assertEqual(status, 0, out)
        self.assertFalse(os.path.exists(d))

    def test_force_shows_users_and_asks(self):
        d = self.shared("frc")
        proj = self.project("frc", ["frc"])
        self.runpy("import frc_mod", cwd=proj)
        status, out = run_on_pty([PYSHIM_BIN, "shared", "remove", "frc",
                                  "--force"], self.sb.env, "n")
        self.assertNotEqual(status, 0, out)
        self.assertIn(os.path.join(proj, ".venv"), out)
        self.assertTrue(os.path.isdir(d))
        r = self.sb.pyshim("shared", "remove", "frc", "--force", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(d))


# --- item 15: uninstall on a full disk ----------------------------------


@unittest.skipUnless(SYSTEM.present, "no /usr/bin/python3")
class UninstallFullDisk(SandboxTest, unittest.TestCase):
    """HOME (with .bashrc) on a tiny tmpfs that is then filled up: the
    rc edit cannot write its new file. Uninstall must then leave the
    programs that .bashrc's PATH names in place (a working install), and
    finish cleanly once there is room. Needs root to mount (skipped
    otherwise)."""

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root")
        self.home = os.path.join(self.sb.root, "fullhome")
        os.makedirs(self.home)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k",
                            "tmpfs", self.home], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs: %s" % r.stderr.decode())
        self.addCleanup(subprocess.run, ["umount", "-l", self.home],
                        timeout=TIMEOUT)

    def test_full_disk_keeps_a_working_install(self):
        env = {"HOME": self.home}
        bin_ = os.path.join(self.sb.root, "fullbin")
        rc = os.path.join(self.home, ".bashrc")
        write(rc, "# mine\n" * 200)
        r = self.sb.pyshim("install", "--bin-dir", bin_, "--shell", "bash",
                           "--no-default-env", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with_block = read_bytes(rc)
        self.assertIn(bin_.encode(), with_block)
        filler = os.path.join(self.home, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            self.assertEqual(e.errno, errno.ENOSPC)
        finally:
            os.close(fd)
        r = self.sb.pyshim("uninstall", "--bin-dir", bin_, env=env)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("pyshim: error:", r.stderr)
        # the block still puts bin_ on PATH, and bin_ still works
        self.assertEqual(read_bytes(rc), with_block)
        self.assertTrue(os.path.isfile(os.path.join(bin_, "pyshim")))
        self.assertTrue(os.path.samefile(os.path.join(bin_, "python"),
                                         os.path.join(bin_, "pyshim")))
        r = subprocess.run([os.path.join(bin_, "python"), "-c", "print(7)"],
                           env=self.sb.envwith(env), cwd=self.sb.work,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(r.stdout, "7\n", r.stderr)
        # with room again, uninstall finishes: block and programs gone
        os.unlink(filler)
        r = self.sb.pyshim("uninstall", "--bin-dir", bin_, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read_bytes(rc), b"# mine\n" * 200)
        self.assertFalse(os.path.exists(os.path.join(bin_, "pyshim")))


if __name__ == "__main__":
    unittest.main()
