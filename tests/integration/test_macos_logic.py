"""macOS rules checked on Linux (issue 15 item 3; docs/macos.md).

The facts probe (launcher/facts.c) finds the libpython an interpreter has
loaded from /proc/self/maps where there is a /proc; macOS has none, so
there it asks dladdr (through ctypes) which image holds the C API. This
runs the probe's own text, taken from facts.c, with /proc/self/maps made
unreadable, against real interpreters here, and checks it names the same
library as with /proc: none for Debian's python3 (linked statically,
although a libpython3.X.so lies beside it: loading that one would be a
second, different interpreter), the real libpython for pyenv's shared
builds. The login-shell and framework rules are unit tests
(tests/unit/test_macos.c).
"""
import json
import os
import re
import subprocess
import sys
import unittest

from pyshimtest import ALL_INTERPS, SRC, TIMEOUT, base_env


def probe_text():
    """The probe script: the C string literal `probe` in launcher/facts.c."""
    with open(os.path.join(SRC, "launcher", "facts.c")) as f:
        src = f.read()
    body = re.search(r"static const char probe\[\] =(.*?);\n", src, re.S).group(1)
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
    text = "".join(parts)
    return (text.replace("\\\\", "\0").replace("\\n", "\n")
            .replace("\\'", "'").replace('\\"', '"').replace("\0", "\\"))


def run_probe(exe, text):
    r = subprocess.run([exe, "-E", "-s", "-S", "-c", text],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=TIMEOUT, env=base_env())
    if r.returncode != 0:
        raise AssertionError("probe failed under %s: %s" % (exe, r.stderr))
    return json.loads(r.stdout)


class ProbeWithoutProc(unittest.TestCase):
    def test_same_libpython_without_proc(self):
        text = probe_text()
        self.assertIn("'/proc/self/maps'", text)
        noproc = text.replace("'/proc/self/maps'", "'/nonexistent/proc/maps'")
        seen = 0
        for it in ALL_INTERPS:
            if not it.present or it.version[:2] < (3, 8):
                continue
            with self.subTest(interp=it.label):
                want = run_probe(it.path, text)["libpython"]
                got = run_probe(it.path, noproc)["libpython"]
                self.assertEqual(got, want)
                seen += 1
        self.assertGreater(seen, 0)

    @unittest.skipUnless(sys.platform.startswith("linux"), "Debian's python3")
    def test_debian_python_names_no_library_it_has_not_loaded(self):
        exe = "/usr/bin/python3"
        if not os.access(exe, os.X_OK):
            self.skipTest("no /usr/bin/python3")
        text = probe_text().replace("'/proc/self/maps'",
                                    "'/nonexistent/proc/maps'")
        self.assertEqual(run_probe(exe, text)["libpython"], "")


if __name__ == "__main__":
    unittest.main()
