"""Issue 10 item 6: "env" entries that only the program loader reads
(LD_PRELOAD, LD_LIBRARY_PATH, DYLD_*) would be silently ignored in embed
mode, the default for pyenv and uv pythons (the shim is already loaded
when it sets them). When a config sets one, the shim runs in exec mode and
says so in `pyshim which` and PYSHIM_DEBUG.

The preloaded library is a tiny .so built here with the C compiler whose
constructor writes a marker: if the marker appears, the loader read the
variable for the python that ran.
"""
import json
import os
import shutil
import subprocess
import unittest

from pyshimtest import PYENV, SandboxTest, write, write_json

PRELOAD_C = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void mark(void)
{
    const char *path = getenv("PRELOAD_MARK");
    char exe[4096];
    ssize_t n;
    int fd;

    if (!path)
        return;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0)
        return;
    exe[n] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return;
    if (write(fd, exe, (size_t)n + 1) < 0)
        exe[0] = 0;
    close(fd);
}
"""


def embed_python():
    """A pyenv CPython with a shared libpython (embed is its default)."""
    for it in reversed(PYENV):
        if not it.present:
            continue
        lib = os.path.join(os.path.dirname(os.path.dirname(it.path)), "lib")
        if any(n.startswith("libpython3") and ".so" in n
               for n in os.listdir(lib)):
            return it
    return None


class LoaderEnv(SandboxTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.interp = embed_python()
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cls.interp or not cc:
            raise unittest.SkipTest("needs a pyenv CPython with a shared "
                                    "libpython and a C compiler")
        super().setUpClass()
        src = os.path.join(cls.sb.root, "preload.c")
        write(src, PRELOAD_C)
        cls.so = os.path.join(cls.sb.root, "libpreload.so")
        subprocess.run([cc, "-shared", "-fPIC", "-o", cls.so, src],
                       check=True, timeout=120)

    def project(self, env):
        proj = self.sb.mkdtemp()
        write_json(os.path.join(proj, ".pyshim.json"),
                   {"python": self.interp.minor, "env": env})
        r = self.sb.pyshim("trust", proj)
        self.assertEqual(r.returncode, 0, r)
        return proj

    def test_embed_without_loader_env(self):
        # the control: this python embeds by default
        proj = self.project({"OTHER": "1"})
        r = self.sb.pyshim("which", "--json", cwd=proj)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["mode"], "embed", r.stdout)

    def test_ld_preload_runs_by_exec(self):
        proj = self.project({"LD_PRELOAD": self.so})
        mark = os.path.join(proj, "preloaded")
        r = self.sb.run("python", "-c", "import os; print(os.getpid())",
                        cwd=proj, env={"PRELOAD_MARK": mark})
        self.assertOK(r)
        # the loader preloaded the library into the python itself
        self.assertTrue(os.path.exists(mark), "LD_PRELOAD was ignored")
        with open(mark) as f:
            exes = f.read().split()
        self.assertIn(os.path.realpath(self.interp.path), exes)
        self.assertNotIn(os.path.realpath(os.path.join(self.sb.bin, "pyshim")), exes)

    def test_which_and_debug_say_exec_and_why(self):
        # glibc's tunables (and their MALLOC_* aliases) are read by the
        # loader at program start too: set later, they do nothing
        for name in ("LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH",
                     "GLIBC_TUNABLES", "MALLOC_ARENA_MAX"):
            with self.subTest(name=name):
                proj = self.project({"A": "1", name: "/nonexistent"})
                r = self.sb.pyshim("which", "--json", cwd=proj)
                self.assertEqual(r.returncode, 0, r)
                plan = json.loads(r.stdout)
                self.assertEqual(plan["mode"], "exec", r.stdout)
                r = self.sb.pyshim("which", cwd=proj)
                self.assertRegex(r.stdout, r"(?m)^mode: +exec \(.*\"env\" "
                                 r"sets %s, which only the program loader "
                                 r"reads" % name)
                r = self.sb.run("python", "-c", "pass", cwd=proj,
                                env={"PYSHIM_DEBUG": "1"})
                self.assertEqual(r.returncode, 0, r)
                self.assertIn("\"env\" sets %s" % name, r.stderr)
        # an explicit embed request cannot be honoured either
        proj = self.project({"LD_PRELOAD": "/nonexistent"})
        r = self.sb.pyshim("which", "--json", cwd=proj,
                           env={"PYSHIM_MODE": "embed"})
        self.assertEqual(json.loads(r.stdout)["mode"], "exec", r.stdout)


if __name__ == "__main__":
    unittest.main()
