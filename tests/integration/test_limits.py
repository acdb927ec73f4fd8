"""Inputs at the edges: huge and deep configs, a 10,000-entry PATH, a current
directory deeper than PATH_MAX, symlink loops met on the walk up. Each ends
in a correct run or one clear error, quickly: never a crash or a hang."""
import json
import os
import time
import unittest

from pyshimtest import SYSTEM, PYENV, Sandbox, make_venv, write, write_json


def any_interp():
    for it in [i for i in PYENV if i.present][::-1] + [SYSTEM]:
        if it.present:
            return it
    return None


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.py = any_interp()
        if cls.py is None:
            raise unittest.SkipTest("no interpreter")
        cls.sb = Sandbox()
        cls.proj = cls.sb.mkdtemp("proj")
        make_venv(cls.py, os.path.join(cls.proj, ".venv"))

    @classmethod
    def tearDownClass(cls):
        cls.sb.close()

    def assert_one_error(self, r, code=None):
        self.assertNotEqual(r.returncode, 0, r)
        self.assertLess(r.returncode, 128, "no crash: %r" % (r,))
        lines = r.stderr.splitlines()
        self.assertEqual(sum(l.startswith("pyshim: error:") for l in lines), 1,
                         r.stderr)
        self.assertTrue(any(l.startswith("pyshim: hint:") for l in lines),
                        r.stderr)
        self.assertEqual(r.stdout, "")
        if code is not None:
            self.assertEqual(r.returncode, code, r.stderr)

    def test_huge_config(self):
        d = self.sb.mkdtemp("huge")
        write(os.path.join(d, ".pyshim.json"),
              '{"$comment": "' + "x" * (2 * 1024 * 1024) + '"}')
        r = self.sb.run("python", "-c", "pass", cwd=d)
        self.assert_one_error(r, 65)
        self.assertIn("1 MiB", r.stderr)

    def test_deeply_nested_config(self):
        d = self.sb.mkdtemp("deep")
        write(os.path.join(d, ".pyshim.json"),
              '{"$comment": ' + "[" * 100000 + "]" * 100000 + "}")
        r = self.sb.run("python", "-c", "pass", cwd=d)
        self.assert_one_error(r, 65)

    def test_ten_thousand_path_entries(self):
        # short entries: one environment string is limited to 128 KiB
        bogus = ["/n/%d" % i for i in range(10000)]
        path = os.pathsep.join([self.sb.bin] + bogus +
                               [os.environ.get("PATH", "")])
        t0 = time.monotonic()
        r = self.sb.run("python", "-c", "import sys; print(sys.prefix)",
                        cwd=self.proj, env={"PATH": path})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(self.proj, ".venv"))
        # pass-through and the interpreter search walk all of them
        plain = self.sb.mkdtemp("plain")
        r = self.sb.run("python3", "-c", "print('ok')", cwd=plain,
                        env={"PATH": path})
        self.assertEqual((r.returncode, r.stdout), (0, "ok\n"), r.stderr)
        write_json(os.path.join(plain, ".pyshim.json"),
                   {"python": self.py.minor})
        r = self.sb.run("python", "-c", "print('ok')", cwd=plain,
                        env={"PATH": path})
        self.assertEqual((r.returncode, r.stdout), (0, "ok\n"), r.stderr)
        self.assertLess(time.monotonic() - t0, 30)

    def test_cwd_deeper_than_path_max(self):
        # Build the tree with relative steps: no single path is too long.
        top = self.sb.mkdtemp("long")
        make_venv(self.py, os.path.join(top, ".venv"))
        name = "d" * 200
        here = os.open(top, os.O_RDONLY)
        depth = 30  # 30 * 201 bytes > 4096
        try:
            fd = os.open(top, os.O_RDONLY)
            for _ in range(depth):
                os.mkdir(name, dir_fd=fd)
                nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nfd
            import subprocess
            r = subprocess.run(
                ["python", "-c", "import sys; print(sys.prefix)"],
                cwd=None, env=self.sb.envwith(), capture_output=True,
                text=True, timeout=60,
                preexec_fn=lambda: os.fchdir(fd), pass_fds=(fd,))
            os.close(fd)
        finally:
            os.close(here)
        # the levels too deep to look into are passed over; the venv at the
        # top is found, as python itself runs fine down there
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(top, ".venv"))

    def test_symlink_loops_on_the_walk(self):
        for marker in (".pyshim.json", ".venv", ".python-version"):
            with self.subTest(marker=marker):
                d = self.sb.mkdtemp("loop")
                os.symlink(os.path.join(d, marker), os.path.join(d, marker))
                sub = os.path.join(d, "a", "b")
                os.makedirs(sub)
                r = self.sb.run("python", "-c", "print('ran')", cwd=sub)
                if r.returncode == 0:
                    # a loop where no marker can be is no marker at all
                    self.assertNotEqual(marker, ".pyshim.json")
                    self.assertEqual(r.stdout, "ran\n")
                else:
                    self.assert_one_error(r)
        d = self.sb.mkdtemp("sharedloop")
        os.symlink(os.path.join(d, "libs"), os.path.join(d, "libs"))
        write_json(os.path.join(d, ".pyshim.json"),
                   {"python": self.py.minor, "shared": ["./libs"]})
        r = self.sb.run("python", "-c", "pass", cwd=d)
        self.assert_one_error(r)

    def test_many_shared_entries(self):
        d = self.sb.mkdtemp("many")
        libs = []
        for i in range(300):
            lib = os.path.join(d, "libs", "l%d" % i)
            write(os.path.join(lib, "m%d.py" % i), "X = %d\n" % i)
            libs.append("./libs/l%d" % i)
        make_venv(self.py, os.path.join(d, ".venv"))
        write_json(os.path.join(d, ".pyshim.json"), {"shared": libs})
        r = self.sb.run("python", "-c", "import m0, m299; print(m0.X + m299.X)",
                        cwd=d)
        self.assertEqual((r.returncode, r.stdout), (0, "299\n"), r.stderr)


if __name__ == "__main__":
    unittest.main()
