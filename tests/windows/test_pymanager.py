"""The Python install manager (PEP 773) on Windows, with fakes of its
layout under the test user's profile (issue 13 item 7):

  %LOCALAPPDATA%\\Python\\pythoncore-3.14-64\\python.exe   a runtime (3.14.1)
  %LOCALAPPDATA%\\Python\\pythoncore-3.13-64\\python.exe   a runtime (3.13.2)
  %LOCALAPPDATA%\\Python\\bin\\python.exe                  an alias launcher
                                                         (a fake "3.99.0":
                                                         taking it would show)
  %APPDATA%\\Python\\PyManager.json                        its "default_tag"

The runtimes are found from their directories (no registry entries are
made, so this test needs no serial run); the alias directory is never
searched, even first on PATH; the manager's default (PYTHON_MANAGER_DEFAULT,
else default_tag) is honoured as the py launcher's is; doctor warns when
the alias directory comes before pyshim's bin dir on PATH.
"""
import json
import os
import shutil
import unittest

import wintest
from wintest import winpath, write


class PyManager(wintest.WorldTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w = cls.w
        root = os.path.join(w.localappdata, "Python")
        cls.exe = {}

        def fake(label, d, version):
            os.makedirs(d, exist_ok=True)
            shutil.copyfile(wintest.FAKE_PYTHON, os.path.join(d, "python.exe"))
            write(os.path.join(d, "fake_version.txt"), version + "\n")
            cls.exe[label] = winpath(os.path.join(d, "python.exe"))
            return d

        fake("314", os.path.join(root, "pythoncore-3.14-64"), "3.14.1")
        fake("313", os.path.join(root, "pythoncore-3.13-64"), "3.13.2")
        cls.alias = fake("alias", os.path.join(root, "bin"), "3.99.0")
        cls.plain = w.install_fake("py312", "3.12.4", on_path=False)
        cls.exe["312"] = winpath(os.path.join(cls.plain, "python.exe"))
        cls.config = os.path.join(w.appdata, "Python", "PyManager.json")

    def pathof(self, dirs):
        return ";".join([winpath(d) for d in dirs] + wintest.SYSTEM_PATH)

    def alias_first(self):
        return self.pathof([self.alias, self.w.bin, self.plain])

    def run_in(self, d, winenv=None):
        return self.w.run("-c", "pass", cwd=d, path=self.alias_first(),
                          winenv=winenv)

    def project(self, request=None):
        d = self.w.mkdtemp("pm")
        if request:
            write(os.path.join(d, ".python-version"), request + "\n")
        else:
            write(os.path.join(d, ".pyshim.json"), "{}\n")
        return d

    def check(self, r, label):
        self.assertRan(r)
        self.assertSameWinPath(r.report["exe"], self.exe[label],
                               "stderr: %s" % (r.stderr,))

    def test_runtimes_found(self):
        self.check(self.run_in(self.project("3.14")), "314")
        self.check(self.run_in(self.project("3.13")), "313")
        self.check(self.run_in(self.project("3")), "314")

    def test_alias_never_taken(self):
        r = self.run_in(self.project("3.99"))
        self.assertIsNone(r.report, "a python ran: %r" % (r,))
        self.assertEqual(r.returncode, 69, r)

    def test_no_project_passes_over_the_alias(self):
        d = self.w.mkdtemp("none")
        self.check(self.run_in(d), "312")

    def test_default_from_the_variable(self):
        self.check(self.run_in(self.project(),
                               winenv={"PYTHON_MANAGER_DEFAULT": "3.13"}),
                   "313")

    def test_default_from_pymanager_json(self):
        write(self.config, json.dumps({"install": {"source": "x"},
                                       "default_tag": "3.13-64"}))
        try:
            d = self.project()
            self.check(self.run_in(d), "313")
            plan = self.w.dryrun("-c", "pass", cwd=d, path=self.alias_first())
            self.assertTrue(any("the Python install manager's default" in s
                                for s in plan["why"]), plan["why"])
            # the variable wins over the file
            self.check(self.run_in(d, winenv={"PYTHON_MANAGER_DEFAULT":
                                              "3.14"}), "314")
        finally:
            os.unlink(self.config)

    def doctor_json(self, path, check="pymanager-alias"):
        r = self.w.pyshim("doctor", "--json", cwd=self.w.mkdtemp("doc"),
                          path=path)
        try:
            checks = json.loads(r.stdout)
        except ValueError:
            raise AssertionError("doctor --json printed no JSON: %r" % (r,))
        return [c for c in checks if c["check"] == check]

    def test_doctor_warns_when_the_aliases_come_first(self):
        # path-order names the alias as what shadows pyshim's python
        po = [c for c in self.doctor_json(self.alias_first(), "path-order")
              if c["status"] == "fail" and "`python`" in c["detail"]]
        self.assertEqual(len(po), 1, po)
        self.assertIn("the Python install manager's alias", po[0]["detail"])
        pa = self.doctor_json(self.alias_first())
        self.assertEqual([c["status"] for c in pa], ["warn"], pa)
        self.assertIn("come before", pa[0]["detail"])
        self.assertIn(winpath(self.alias).lower(), pa[0]["detail"].lower())
        self.assertIn(winpath(self.w.bin).lower(), pa[0]["hint"].lower())

    def test_doctor_is_quiet_when_the_shim_comes_first(self):
        pa = self.doctor_json(self.pathof([self.w.bin, self.alias,
                                           self.plain]))
        self.assertEqual([c["status"] for c in pa], ["ok"], pa)


if __name__ == "__main__":
    unittest.main()
