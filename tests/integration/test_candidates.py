"""Issue 10 item 7: only real interpreters are candidates.

- A "#!" script named python3.X on PATH before the real one is never taken
  as that interpreter (it used to be probed and run, and exec and embed
  then disagreed about what runs).
- Any pyshim binary, of any version, is a shim: two different pyshim builds
  on PATH used to send `python` from one to the other until the loop guard
  stopped it with 125 outside projects. Now each skips the other and passes
  through to a real python.
"""
import json
import os
import shutil
import unittest

from pyshimtest import PYENV, PYSHIM_BIN, SandboxTest, write, write_json

SHOW = "import sys; print(sys.executable)"


def a_pyenv_python():
    for it in reversed(PYENV):
        if it.present:
            return it
    return None


class Candidates(SandboxTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.interp = a_pyenv_python()
        if not cls.interp:
            raise unittest.SkipTest("needs a pyenv CPython")
        super().setUpClass()

    def path_with(self, *dirs):
        return os.pathsep.join([self.sb.bin] + list(dirs) +
                               [self.sb.env["PATH"].split(os.pathsep, 1)[1]])

    def other_build(self, d, names=("pyshim",), link=True):
        """A different pyshim build in d: the binary with other bytes
        (another size) after the mark, as another version would be; the
        names link to it (or are copies of it)."""
        os.makedirs(d, exist_ok=True)
        with open(PYSHIM_BIN, "rb") as f:
            data = f.read()
        exe = os.path.join(d, "pyshim-other")
        with open(exe, "wb") as f:
            f.write(data + b"\0another pyshim build\0")
        os.chmod(exe, 0o755)
        for n in names:
            p = os.path.join(d, n)
            if link:
                os.symlink("pyshim-other", p)
            else:
                shutil.copy2(exe, p)
        return exe

    def test_script_named_python3x_is_not_an_interpreter(self):
        minor = self.interp.minor
        fake = self.sb.mkdtemp("fake")
        mark = os.path.join(fake, "ran")
        script = os.path.join(fake, "python" + minor)
        write(script, "#!/bin/sh\necho script >> '%s'\nexit 3\n" % mark)
        os.chmod(script, 0o755)
        proj = self.sb.mkdtemp()
        write_json(os.path.join(proj, ".pyshim.json"), {"python": minor})
        env = {"PATH": self.path_with(fake)}
        real = os.path.realpath(self.interp.path)
        for mode in ("exec", "embed", "auto"):
            with self.subTest(mode=mode):
                env["PYSHIM_MODE"] = mode
                out = self.runpy(SHOW, cwd=proj, env=env)
                self.assertEqual(os.path.realpath(out.strip()), real)
                r = self.sb.pyshim("which", "--json", cwd=proj, env=env)
                self.assertEqual(r.returncode, 0, r)
                self.assertNotEqual(json.loads(r.stdout)["interpreter"],
                                    script, r.stdout)
        # `python3.X` in the project resolves the same way
        out = self.runpy(SHOW, "python" + minor, cwd=proj,
                         env={"PATH": self.path_with(fake)})
        self.assertEqual(os.path.realpath(out.strip()), real)
        self.assertFalse(os.path.exists(mark), "the script was run")

    def test_two_pyshim_builds_on_path_pass_through(self):
        other = os.path.join(self.sb.work, "other-bin")
        self.other_build(other, ("pyshim", "python", "python3",
                                 "python" + self.interp.minor))
        lone = os.path.join(self.sb.work, "lone-bin")
        self.other_build(lone, ("python", "python3"), link=False)
        os.unlink(os.path.join(lone, "pyshim-other"))
        outside = os.path.join(self.sb.root, "outside")
        os.makedirs(outside, exist_ok=True)
        for dirs in ([other], [lone], [other, lone], [lone, other]):
            with self.subTest(dirs=[os.path.basename(d) for d in dirs]):
                env = {"PATH": self.path_with(*dirs)}
                r = self.sb.run("python", "-c", SHOW, cwd=outside, env=env)
                self.assertOK(r)
                exe = os.path.realpath(r.stdout.strip())
                self.assertNotIn(self.sb.root, exe)
                with open(exe, "rb") as f:
                    self.assertNotIn(b"pyshim-binary-mark", f.read())
        # in a project, python3.X linked to the other build is not picked
        proj = self.sb.mkdtemp()
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.interp.minor})
        out = self.runpy(SHOW, cwd=proj, env={"PATH": self.path_with(other)})
        self.assertEqual(os.path.realpath(out.strip()),
                         os.path.realpath(self.interp.path))
        # and naming it by path is refused as a loop, not run
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": os.path.join(lone, "python")})
        r = self.sb.pyshim("trust", proj)
        r = self.sb.run("python", "-c", "pass", cwd=proj)
        self.assertShimError(r, "pyshim")
        self.assertEqual(r.returncode, 125)


    def test_dir_with_pyshim_cli_beside_pythons_is_searched(self):
        """A dir that holds pyshim's CLI next to real interpreters (what
        the Debian package makes of /usr/bin, or Homebrew's bin) is not a
        shim dir: its pythons are passed through to and found. Before,
        a copy of the running pyshim named "pyshim" hid the whole dir."""
        d = os.path.join(self.sb.work, "sysbin")
        os.makedirs(d, exist_ok=True)
        shutil.copy2(PYSHIM_BIN, os.path.join(d, "pyshim"))
        real = os.path.realpath(self.interp.path)
        os.symlink(real, os.path.join(d, "python3"))
        outside = os.path.join(self.sb.root, "outside-sysbin")
        os.makedirs(outside, exist_ok=True)
        r = self.sb.run("python3", "-c", SHOW, cwd=outside,
                        env={"PATH": os.pathsep.join([self.sb.bin, d])})
        self.assertOK(r)
        self.assertEqual(os.path.realpath(r.stdout.strip()), real)

    def test_mark_is_in_the_first_page_of_an_elf_build(self):
        """The search tells a pyshim build from a Python by the first
        64 KiB of an ELF file (common/mark.h): the built binary must
        carry its mark note there, or a second build would not be
        recognised without reading a whole 7 MB interpreter."""
        with open(PYSHIM_BIN, "rb") as f:
            head = f.read(64 << 10)
        if head[:4] != b"\x7fELF":
            self.skipTest("not an ELF build")
        self.assertIn(b"pyshim-binary-mark:", head)


if __name__ == "__main__":
    unittest.main()
