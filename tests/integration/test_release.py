"""The release artifacts (issue 15): what `scripts/release.sh OUTDIR` makes,
installed the ways users install them.

The artifacts are built once for the module (80 s on two shared cores here: the
dist and windows presets, a cJSON source fetch through apt the first time),
or taken from PYSHIM_RELEASE_DIR when that names a finished OUTDIR. The
module is skipped where the tools the release needs are missing (a machine
without the test packages of installer/bootstrap.sh); CI has them all.

- Artifacts: SHA256SUMS lists every artifact and every hash is right; the
  Linux binary needs no library but libc and no glibc newer than the one
  docs/release.md states; the zip's pyshim.exe is the windows preset's build
  (the very file the Wine suite tests); the manifests carry the real hashes;
  the source tarball builds the way the Homebrew formula builds it.
- The .deb (root only): installs /usr/bin/pyshim and the docs with no
  maintainer scripts; for root in a private HOME and for a real non-root
  user (pyshim-alice), `pyshim install` from it, `python` outside projects
  and in a project `pyshim init` made, then `pyshim uninstall --purge`
  gives every file of HOME back byte for byte; `dpkg -r` leaves none of
  the package's files behind.
- install.sh: --from the tarball (and "downloading" it from a file:// base
  URL) in a sandboxed HOME installs, the shim runs, a damaged tarball is
  refused with nothing installed, and `pyshim uninstall --purge --yes`
  gives every file of HOME back byte for byte.
"""
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
import unittest
import zipfile

from pyshimtest import (SRC, TIMEOUT, as_user_argv, base_env, chown_tree,
                        test_user, users_unavailable)

RELEASE_TIMEOUT = 900
VERSION = None
OUT = None
_TMP = None


def _missing_tools():
    need = ["cmake", "cpack", "git", "dpkg-deb", "dpkg-shlibdeps", "zip",
            "x86_64-w64-mingw32-gcc", "objdump", "sh", "gzip", "tar"]
    return [t for t in need if not shutil.which(t)]


def _version():
    with open(os.path.join(SRC, "CMakeLists.txt")) as f:
        return re.search(r"project\(pyshim VERSION ([0-9.]+)", f.read()).group(1)


def setUpModule():
    global OUT, VERSION, _TMP
    VERSION = _version()
    given = os.environ.get("PYSHIM_RELEASE_DIR")
    if given:
        OUT = given
        return
    missing = _missing_tools()
    if missing:
        raise unittest.SkipTest("release tools missing: " + " ".join(missing))
    if not os.path.isdir(os.path.join(SRC, ".git")) and not os.path.isfile(
            os.path.join(SRC, ".git")):
        raise unittest.SkipTest("not a git checkout: no source tarball")
    _TMP = tempfile.mkdtemp(prefix="pyshim-release-")
    OUT = os.path.join(_TMP, "out")
    r = subprocess.run(["sh", os.path.join(SRC, "scripts", "release.sh"), OUT],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=RELEASE_TIMEOUT,
                       env=base_env())
    if r.returncode != 0:
        raise RuntimeError("scripts/release.sh failed:\n" + r.stdout[-4000:])


def tearDownModule():
    if _TMP:
        shutil.rmtree(_TMP, ignore_errors=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def sums():
    """{name: hash} from OUT/SHA256SUMS."""
    res = {}
    with open(os.path.join(OUT, "SHA256SUMS")) as f:
        for line in f:
            m = re.match(r"^([0-9a-f]{64})  (\S+)\n$", line)
            assert m, "bad SHA256SUMS line %r" % line
            res[m.group(2)] = m.group(1)
    return res


def linux_tarball():
    return os.path.join(OUT, "pyshim-%s-linux-x86_64.tar.gz" % VERSION)


def host_tarball():
    """The tarball install.sh picks on this machine (the macOS CI job runs
    InstallSh against its own pyshim-V-macos-ARCH.tar.gz)."""
    osname = {"Linux": "linux", "Darwin": "macos"}[platform.system()]
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "arm64": "arm64",
            "aarch64": "arm64"}[platform.machine()]
    return os.path.join(OUT, "pyshim-%s-%s-%s.tar.gz" % (VERSION, osname, arch))


def run(argv, **kw):
    kw.setdefault("timeout", TIMEOUT)
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def documented_glibc():
    """The oldest glibc docs/release.md says the binary runs on."""
    with open(os.path.join(SRC, "docs", "release.md")) as f:
        m = re.search(r"needs glibc (\d+)\.(\d+) or newer", f.read())
    assert m, "docs/release.md does not state the glibc the binary needs"
    return (int(m.group(1)), int(m.group(2)))


class Artifacts(unittest.TestCase):
    def test_sha256sums_cover_every_artifact(self):
        s = sums()
        want = ["pyshim-%s-linux-x86_64.tar.gz" % VERSION,
                "pyshim_%s_amd64.deb" % VERSION,
                "pyshim-%s-windows-x86_64.zip" % VERSION,
                "pyshim-%s.tar.gz" % VERSION,
                "install.sh", "install.ps1",
                "pyshim.json", "pyshim.rb",
                "Pyshim.Pyshim.yaml",
                "Pyshim.Pyshim.installer.yaml",
                "Pyshim.Pyshim.locale.en-US.yaml"]
        for name in want:
            self.assertIn(name, s)
        for name, h in s.items():
            self.assertEqual(sha256(os.path.join(OUT, name)), h, name)
        # and the standard tool agrees with the format
        if shutil.which("sha256sum"):
            r = run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=OUT)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_linux_binary_needs_only_an_old_libc(self):
        d = tempfile.mkdtemp(prefix="pyshim-rel-bin-")
        self.addCleanup(shutil.rmtree, d)
        with tarfile.open(linux_tarball()) as t:
            names = t.getnames()
            t.extractall(d)
        top = "pyshim-%s-linux-x86_64" % VERSION
        for n in ("pyshim", "README.md", "LICENSE", "LICENSE.cJSON"):
            self.assertIn(top + "/" + n, names)
        exe = os.path.join(d, top, "pyshim")
        r = run(["objdump", "-p", exe])
        needed = re.findall(r"^\s*NEEDED\s+(\S+)$", r.stdout, re.M)
        self.assertEqual(sorted(needed), ["libc.so.6"],
                         "the release binary links more than libc")
        r = run(["objdump", "-T", exe])
        vers = {tuple(int(x) for x in v.split("."))
                for v in re.findall(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)\b", r.stdout)}
        self.assertTrue(vers)
        self.assertLessEqual(max(vers)[:2], documented_glibc())
        r = run([exe, "version"])
        self.assertEqual(r.stdout, "pyshim %s\n" % VERSION)

    def test_windows_zip_holds_the_tested_exe(self):
        zpath = os.path.join(OUT, "pyshim-%s-windows-x86_64.zip" % VERSION)
        top = "pyshim-%s-windows-x86_64/" % VERSION
        with zipfile.ZipFile(zpath) as z:
            names = z.namelist()
            for n in ("pyshim.exe", "README.md", "LICENSE", "LICENSE.cJSON"):
                self.assertIn(top + n, names)
            exe = z.read(top + "pyshim.exe")
        self.assertEqual(exe[:2], b"MZ")
        # The windows preset's own build: the file `ctest --preset windows`
        # runs under Wine.
        with open(os.path.join(SRC, "build", "windows", "pyshim.exe"), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(),
                             hashlib.sha256(exe).hexdigest())

    def test_manifests_carry_this_release(self):
        s = sums()
        zip_hash = s["pyshim-%s-windows-x86_64.zip" % VERSION]
        src_hash = s["pyshim-%s.tar.gz" % VERSION]
        mdir = OUT
        for name in ("pyshim.json", "pyshim.rb", "Pyshim.Pyshim.yaml",
                     "Pyshim.Pyshim.installer.yaml",
                     "Pyshim.Pyshim.locale.en-US.yaml"):
            with open(os.path.join(mdir, name)) as f:
                text = f.read()
            self.assertNotRegex(text, r"@[A-Z0-9_]+@", name)
        with open(os.path.join(mdir, "pyshim.json")) as f:
            scoop = json.load(f)
        self.assertEqual(scoop["version"], VERSION)
        self.assertEqual(scoop["architecture"]["64bit"]["hash"], zip_hash)
        with open(os.path.join(mdir, "pyshim.rb")) as f:
            self.assertIn('sha256 "%s"' % src_hash, f.read())
        try:
            import yaml
        except ImportError:
            self.skipTest("no python3-yaml")
        with open(os.path.join(mdir, "Pyshim.Pyshim.installer.yaml")) as f:
            inst = yaml.safe_load(f)
        self.assertEqual(inst["Installers"][0]["InstallerSha256"], zip_hash)
        self.assertEqual(str(inst["PackageVersion"]), VERSION)

    def test_install_ps1_picks_the_zip_from_sha256sums(self):
        # install.ps1 cannot run here; its one parsing step can: the .NET
        # pattern it matches SHA256SUMS lines with (the same syntax in
        # Python's re) must pick exactly the Windows zip.
        with open(os.path.join(SRC, "installer", "install.ps1")) as f:
            ps = f.read()
        pat = re.search(r"-Pattern '([^']+)'", ps).group(1)
        with open(os.path.join(OUT, "SHA256SUMS")) as f:
            hits = [m.group(1) for m in
                    (re.match(pat, l.rstrip("\n")) for l in f) if m]
        self.assertEqual(hits, ["pyshim-%s-windows-x86_64.zip" % VERSION])

    def test_source_tarball_builds_like_the_homebrew_formula(self):
        d = tempfile.mkdtemp(prefix="pyshim-rel-src-")
        self.addCleanup(shutil.rmtree, d)
        with tarfile.open(os.path.join(OUT, "pyshim-%s.tar.gz" % VERSION)) as t:
            t.extractall(d)
        src = os.path.join(d, "pyshim-%s" % VERSION)
        self.assertTrue(os.path.isfile(os.path.join(src, "CMakeLists.txt")))
        b = os.path.join(d, "b")
        prefix = os.path.join(d, "prefix")
        # packaging/homebrew/pyshim.rb's three steps (std_cmake_args give
        # the prefix)
        for argv in (["cmake", "-S", src, "-B", b, "-DPYSHIM_TESTS=OFF",
                      "-DCMAKE_BUILD_TYPE=Release",
                      "-DCMAKE_INSTALL_PREFIX=" + prefix],
                     ["cmake", "--build", b, "-j", "2"],
                     ["cmake", "--install", b]):
            r = run(argv, timeout=RELEASE_TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
        r = run([os.path.join(prefix, "bin", "pyshim"), "version"])
        self.assertEqual(r.stdout, "pyshim %s\n" % VERSION)
        self.assertTrue(os.path.isfile(os.path.join(
            prefix, "share", "man", "man1", "pyshim.1")))


def snapshot(root):
    """{relative path: (kind, content)} of every file and link under root;
    directories are left out (the XDG base dirs stay, as every program
    leaves them)."""
    res = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames + [x for x in dirnames
                              if os.path.islink(os.path.join(dirpath, x))]:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                res[rel] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as f:
                    res[rel] = ("file", f.read(), stat.S_IMODE(st.st_mode))
    return res


class _Home(object):
    """A private HOME with a user's start-up files; pyshim's default places
    under it (no PYSHIM_HOME, no XDG_*)."""

    def setUp(self):
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="pyshim-rel-home-"))
        self.addCleanup(shutil.rmtree, self.root, True)
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        with open(os.path.join(self.home, ".bashrc"), "w") as f:
            f.write("# my bashrc\nexport EDITOR=vi\n")
        with open(os.path.join(self.home, ".profile"), "w") as f:
            f.write("# my profile\n")
        env = base_env()
        env["HOME"] = self.home
        env["SHELL"] = "/bin/bash"
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        env.pop("PYSHIM_BIN", None)
        env["TMPDIR"] = self.root
        self.env = env
        self.bin = os.path.join(self.home, ".local", "share", "pyshim", "bin")

    def shim_env(self):
        env = dict(self.env)
        env["PATH"] = self.bin + os.pathsep + env["PATH"]
        return env

    def assertShimRuns(self):
        r = run(["python", "-c", "import sys; print(sys.prefix)"],
                env=self.shim_env(), cwd=self.home, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        # outside projects: the default env that install made
        self.assertEqual(r.stdout.strip(), os.path.join(
            self.home, ".local", "share", "pyshim", "default"))


class InstallSh(_Home, unittest.TestCase):
    script = os.path.join(SRC, "installer", "install.sh")

    def install_sh(self, *args, env=None):
        return run(["sh", self.script] + list(args), env=env or self.env,
                   cwd=self.root, timeout=240)

    def test_from_tarball_then_uninstall_restores_home(self):
        before = snapshot(self.home)
        r = self.install_sh("--from", host_tarball())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SHA-256 checked", r.stderr)
        self.assertTrue(os.access(os.path.join(self.bin, "pyshim"), os.X_OK))
        with open(os.path.join(self.home, ".bashrc")) as f:
            self.assertIn(self.bin, f.read())
        self.assertShimRuns()
        # the unpacked copy is gone: only pyshim's own places changed
        self.assertEqual([n for n in os.listdir(self.root)], ["home"])
        r = run([os.path.join(self.bin, "pyshim"), "uninstall", "--purge",
                 "--yes"], env=self.env, cwd=self.home)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(snapshot(self.home), before)

    def test_download_from_base_url(self):
        env = dict(self.env)
        env["PYSHIM_BASE_URL"] = "file://" + os.path.abspath(OUT)
        r = self.install_sh("--", "--no-default-env", env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(os.path.basename(host_tarball()), r.stderr)
        r = run([os.path.join(self.bin, "pyshim"), "version"], env=self.env)
        self.assertEqual(r.stdout, "pyshim %s\n" % VERSION)

    def test_damaged_tarball_is_refused(self):
        d = os.path.join(self.root, "dl")
        os.makedirs(d)
        bad = os.path.join(d, os.path.basename(host_tarball()))
        shutil.copy(host_tarball(), bad)
        shutil.copy(os.path.join(OUT, "SHA256SUMS"), d)
        with open(bad, "ab") as f:
            f.write(b"\0")
        before = snapshot(self.home)
        r = self.install_sh("--from", bad)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("pyshim-install: error: SHA-256 mismatch", r.stderr)
        self.assertIn("nothing was installed", r.stderr)
        self.assertEqual(snapshot(self.home), before)
        self.assertFalse(os.path.exists(self.bin))


def dpkg_unavailable():
    if os.geteuid() != 0:
        return "not root: cannot dpkg -i"
    if not shutil.which("dpkg"):
        return "no dpkg"
    r = run(["dpkg-query", "-W", "-f=${Status}", "pyshim"])
    if "install ok installed" in r.stdout:
        return "a pyshim package is already installed here: not touching it"
    return None


class DebPackage(_Home, unittest.TestCase):
    def setUp(self):
        why = dpkg_unavailable()
        if why:
            self.skipTest(why)
        super().setUp()

    def user_round_trip(self, who, home, env, argv_prefix, work=None):
        """As one user: `pyshim install` from /usr/bin/pyshim, python
        outside projects (the default env) and, given work (outside home),
        in a project `pyshim init` made there, then `pyshim uninstall
        --purge --yes`: every file of home is as before."""
        before = snapshot(home)
        bin_dir = os.path.join(home, ".local", "share", "pyshim", "bin")
        shim_env = dict(env, PATH=bin_dir + os.pathsep + env["PATH"])

        def call(argv, cwd, e):
            return run(argv_prefix + argv, env=e, cwd=cwd, timeout=240)

        r = call(["pyshim", "install"], home, env)
        self.assertEqual(r.returncode, 0, who + ": " + r.stdout + r.stderr)
        self.assertTrue(os.access(os.path.join(bin_dir, "pyshim"), os.X_OK))
        r = call(["python", "-c", "import sys; print(sys.prefix)"], home,
                 shim_env)
        self.assertEqual((r.returncode, r.stderr), (0, ""), who)
        self.assertEqual(r.stdout.strip(), os.path.join(
            home, ".local", "share", "pyshim", "default"), who)
        if work:
            r = call(["pyshim", "init"], work, shim_env)
            self.assertEqual(r.returncode, 0,
                             who + ": " + r.stdout + r.stderr)
            os.makedirs(os.path.join(work, "src", "deep"), exist_ok=True)
            r = call(["python", "-c", "import sys; print(sys.prefix)"],
                     os.path.join(work, "src", "deep"), shim_env)
            self.assertEqual((r.returncode, r.stderr), (0, ""), who)
            self.assertEqual(r.stdout.strip(), os.path.join(work, ".venv"),
                             who)
        r = call([os.path.join(bin_dir, "pyshim"), "uninstall", "--purge",
                  "--yes"], home, env)
        self.assertEqual(r.returncode, 0, who + ": " + r.stdout + r.stderr)
        self.assertEqual(snapshot(home), before, who)

    def test_install_run_remove(self):
        deb = os.path.join(OUT, "pyshim_%s_amd64.deb" % VERSION)
        r = run(["dpkg-deb", "-I", deb])
        for script in ("preinst", "postinst", "prerm", "postrm"):
            self.assertNotRegex(r.stdout, r"\b%s\b" % script)
        r = run(["dpkg", "-i", deb], timeout=240)
        self.addCleanup(run, ["dpkg", "-r", "pyshim"], timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        files = run(["dpkg", "-L", "pyshim"]).stdout.split("\n")
        files = [f for f in files if f and os.path.isfile(f)]
        self.assertIn("/usr/bin/pyshim", files)
        self.assertIn("/usr/share/doc/pyshim/README.md", files)
        # the man page made from the --help texts (scripts/manpage.sh)
        self.assertIn("/usr/share/man/man1/pyshim.1", files)
        r = run(["man", "-w", "pyshim"])
        self.assertEqual(r.stdout.strip(), "/usr/share/man/man1/pyshim.1", r)
        r = run(["/usr/bin/pyshim", "version"])
        self.assertEqual(r.stdout, "pyshim %s\n" % VERSION)

        # each user runs `pyshim install` once, then python through PATH;
        # a project too where a real user is available (else for root)
        real_user = users_unavailable() is None
        work = None if real_user else os.path.join(self.root, "proj")
        if work:
            os.makedirs(work)
        self.user_round_trip("root", self.home, self.env, [], work)
        # a real user, as users install it (only /usr/bin/python3 is
        # theirs to use: pyenv's Pythons are under /root)
        if real_user:
            pw = test_user("pyshim-alice")
            os.chmod(self.root, 0o755)
            home = os.path.join(self.root, "alice")
            os.makedirs(home)
            with open(os.path.join(home, ".bashrc"), "w") as f:
                f.write("# alice's bashrc\n")
            with open(os.path.join(home, ".profile"), "w") as f:
                f.write("# alice's profile\n")
            awork = os.path.join(self.root, "aproj")
            os.makedirs(awork)
            chown_tree(home, pw)
            chown_tree(awork, pw)
            os.chmod(home, 0o700)
            env = {"HOME": home, "SHELL": "/bin/bash", "PATH": "/usr/bin:/bin",
                   "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
            self.user_round_trip("pyshim-alice", home, env, as_user_argv(pw),
                                 awork)

        r = run(["dpkg", "-r", "pyshim"], timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        left = [f for f in files if os.path.lexists(f)]
        self.assertEqual(left, [])
        self.assertFalse(os.path.exists("/usr/share/doc/pyshim"))


if __name__ == "__main__":
    unittest.main()
