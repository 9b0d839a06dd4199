"""`ecert-token browser install|status|remove` in a scratch HOME with
Firefox-style profiles (one with an NSS database already, one without) and
~/.pki/nssdb, checked with NSS's own modutil; a profile that a "running
Firefox" holds (its `lock` symlink names a live process) is refused."""

import os
import re
import subprocess
import unittest

from e2e_support import MODULE, SandboxTestCase, have_program
import e2e_support as e2e

DEVICE = "e-Cert Token"

PROFILES_INI = """\
[Install4F96D1932A9F858E]
Default=abcd1234.default-release
Locked=1

[Profile1]
Name=work
IsRelative=1
Path=wxyz5678.work

[Profile0]
Name=default-release
IsRelative=1
Path=abcd1234.default-release
Default=1

[General]
StartWithLastProfile=1
Version=2
"""


class BrowserTestCase(SandboxTestCase):

    @classmethod
    def setUpClass(cls):
        if not (have_program("modutil") and have_program("certutil")):
            raise unittest.SkipTest("NSS tools (libnss3-tools) are not installed")
        super().setUpClass()
        cls.firefox = os.path.join(cls.box.home, ".mozilla", "firefox")
        cls.fresh = os.path.join(cls.firefox, "abcd1234.default-release")  # no NSS database yet
        cls.existing = os.path.join(cls.firefox, "wxyz5678.work")  # has one, with a certificate in it
        cls.chromium = os.path.join(cls.box.home, ".pki", "nssdb")
        os.makedirs(cls.fresh)
        os.makedirs(cls.existing)
        with open(os.path.join(cls.firefox, "profiles.ini"), "w") as f:
            f.write(PROFILES_INI)
        cls.tool(cls, "certutil", "-N", "-d", "sql:" + cls.existing, "--empty-password")
        # A certificate the user already had: install must keep it.
        cls.box.run_tool(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", cls.box.path("mine.key"), "-out", cls.box.path("mine.pem"),
                          "-subj", "/CN=Mine", "-days", "5"])
        cls.tool(cls, "certutil", "-A", "-d", "sql:" + cls.existing, "-n", "Mine", "-t", "C,,",
                 "-i", cls.box.path("mine.pem"))

    def tool(self, *argv):
        """Runs an NSS tool in the sandbox's environment (modutil loads the
        module, which then uses ECERT_TOKEN_DIR/ECERT_TOKEN_KDF too)."""
        r = self.box.run_tool(list(argv), env={"NSS_DEFAULT_DB_TYPE": "sql"})
        if r.rc != 0:
            raise AssertionError(f"{argv} failed:\n{r}")
        return r.out

    def modules(self, db):
        """{module name: library path} that `modutil -list` shows for `db`."""
        out = self.tool("modutil", "-list", "-dbdir", "sql:" + db)
        found = {}
        for m in re.finditer(r"^\s*\d+\. (.+)\n(?:\s*library name: (.*)\n)?", out, re.M):
            found[m.group(1).strip()] = (m.group(2) or "").strip()
        return found

    def targets(self, result):
        """{(kind, name): entry} of a --json browser result."""
        return {(t["kind"], t["name"]): t for t in result}

    def assertRegistered(self, db):
        modules = self.modules(db)
        self.assertIn(DEVICE, modules, f"modutil -list of {db}: {modules}")
        self.assertEqual(modules[DEVICE], MODULE)
        # And NSS really loaded it: the token's slots are listed.
        out = self.tool("modutil", "-list", DEVICE, "-dbdir", "sql:" + db)
        self.assertIn(f"Library file: {MODULE}", out)
        self.assertIn("ecert-token slot 0", out)

    def assertNotRegistered(self, db):
        self.assertNotIn(DEVICE, self.modules(db))


class InstallStatusRemoveTest(BrowserTestCase):
    """Runs in order (test_1 ... test_5): one HOME going through it all."""

    KEYS = [("firefox", "default-release"), ("firefox", "work"), ("chromium", ""), ("p11-kit", "")]

    def test_1_status_before(self):
        result = self.box.json("browser", "status")
        t = self.targets(result)
        self.assertEqual(sorted(t), sorted(self.KEYS))
        for key in self.KEYS:
            self.assertEqual(t[key]["state"], "not_registered", key)
            self.assertEqual(t[key]["action"], "none", key)
        self.assertEqual(t[("firefox", "default-release")]["path"], self.fresh)
        self.assertEqual(t[("chromium", "")]["path"], self.chromium)
        # status changes nothing.
        self.assertFalse(os.path.exists(os.path.join(self.fresh, "cert9.db")))
        self.assertFalse(os.path.exists(self.chromium))

    def test_2_install(self):
        r = self.box.run("browser", "install")
        self.assertExit(r, 0)
        self.assertEqual(r.out.count(f'the security device "{DEVICE}" is loaded (added)'), 4, r.out)
        self.assertIn('Firefox profile "default-release"', r.out)
        self.assertIn('Firefox profile "work"', r.out)
        for db in (self.fresh, self.existing, self.chromium):
            self.assertRegistered(db)
        # The fresh profile got a database, the way Firefox makes one; the
        # existing one kept what it had.
        self.assertTrue(os.path.exists(os.path.join(self.fresh, "cert9.db")))
        self.assertIn("Mine", self.tool("certutil", "-L", "-d", "sql:" + self.existing))
        self.assertEqual(os.stat(self.chromium).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.dirname(self.chromium)).st_mode & 0o777, 0o700)
        # p11-kit: the module for other programs, but not again in the browsers that have it.
        p11kit = os.path.join(self.box.home, ".config", "pkcs11", "modules", "ecert-token.module")
        with open(p11kit) as f:
            text = f.read()
        self.assertRegex(text, rf"(?m)^module: {re.escape(MODULE)}$")
        self.assertRegex(text, r"(?m)^disable-in:.*\bfirefox\b")
        self.assertRegex(text, r"(?m)^disable-in:.*\bchromium\b")

    def test_3_status_json(self):
        t = self.targets(self.box.json("browser", "status"))
        for key in self.KEYS:
            self.assertEqual(t[key]["state"], "registered", key)
            self.assertEqual(t[key]["registered_library"], MODULE, key)
            self.assertFalse(t[key]["in_use"], key)
            self.assertEqual(t[key]["action"], "none", key)

    def test_4_second_install_changes_nothing(self):
        before = {db: self.modules(db) for db in (self.fresh, self.existing, self.chromium)}
        result = self.box.json("browser", "install")
        for key, entry in self.targets(result).items():
            self.assertEqual((entry["state"], entry["action"]), ("registered", "none"), key)
        for db, modules in before.items():
            self.assertEqual(self.modules(db), modules)
            self.assertEqual(list(self.modules(db)).count(DEVICE), 1)

    def test_5_remove(self):
        r = self.box.run("--json", "browser", "remove")
        self.assertExit(r, 0)
        for key, entry in self.targets(r.json()).items():
            self.assertEqual((entry["state"], entry["action"]), ("not_registered", "removed"), key)
        for db in (self.fresh, self.existing, self.chromium):
            self.assertNotRegistered(db)
            self.assertTrue(os.path.exists(os.path.join(db, "cert9.db")), "remove keeps the databases")
        self.assertIn("Mine", self.tool("certutil", "-L", "-d", "sql:" + self.existing))
        self.assertFalse(os.path.exists(os.path.join(self.box.home, ".config", "pkcs11", "modules",
                                                     "ecert-token.module")))
        for entry in self.box.json("browser", "status"):
            self.assertEqual(entry["state"], "not_registered")
        # Removing again: nothing to do.
        self.assertTrue(all(e["action"] == "none" for e in self.box.json("browser", "remove")))


class RunningFirefoxTest(BrowserTestCase):
    """A profile whose `lock` symlink names a live process is left alone
    (exit 8); the other targets are still done."""

    def set_lock(self, profile, pid):
        lock = os.path.join(profile, "lock")
        if os.path.lexists(lock):
            os.unlink(lock)
        if pid is not None:
            os.symlink(f"127.0.0.1:+{pid}", lock)

    def dead_pid(self):
        p = subprocess.Popen(["true"])
        p.wait()
        return p.pid

    def test_locked_profile_is_refused(self):
        self.set_lock(self.existing, os.getpid())  # this test process: alive
        try:
            r = self.box.run("--json", "browser", "install")
            self.assertEqual(r.rc, e2e.BROWSER_RUNNING, str(r))
            t = self.targets(r.json())
            self.assertEqual((t[("firefox", "work")]["in_use"], t[("firefox", "work")]["action"]),
                             (True, "refused"))
            self.assertEqual(t[("firefox", "work")]["state"], "not_registered")
            self.assertEqual(t[("firefox", "default-release")]["action"], "added")
            self.assertEqual(t[("chromium", "")]["action"], "added")
            self.assertNotRegistered(self.existing)
            self.assertRegistered(self.fresh)
            text = self.box.run("browser", "install")
            self.assertExit(text, e2e.BROWSER_RUNNING,
                            "not changed: Firefox is running with this profile; close Firefox and run the command "
                            "again")
            # A stale lock (the process is gone) does not stop it.
            self.set_lock(self.existing, self.dead_pid())
            self.assertEqual(self.targets(self.box.json("browser", "install"))[("firefox", "work")]["action"],
                             "added")
            self.assertRegistered(self.existing)
            # Remove is refused the same way while Firefox "runs".
            self.set_lock(self.existing, os.getpid())
            r = self.box.run("--json", "browser", "remove")
            self.assertEqual(r.rc, e2e.BROWSER_RUNNING, str(r))
            t = self.targets(r.json())
            self.assertEqual((t[("firefox", "work")]["action"], t[("firefox", "work")]["state"]),
                             ("refused", "registered"))
            self.assertRegistered(self.existing)
            self.assertNotRegistered(self.fresh)
        finally:
            self.set_lock(self.existing, None)
        self.assertExit(self.box.run("browser", "remove"), 0)
        self.assertNotRegistered(self.existing)

    def test_entry_with_another_library_is_replaced(self):
        other = "/usr/lib/softhsm/libsofthsm2.so"
        if not os.path.exists(other):
            self.skipTest("no second PKCS#11 module (softhsm2) to register")
        self.set_lock(self.fresh, None)
        self.tool("modutil", "-dbdir", "sql:" + self.existing, "-add", DEVICE, "-libfile", other, "-force")
        try:
            t = self.targets(self.box.json("browser", "status"))
            self.assertEqual((t[("firefox", "work")]["state"], t[("firefox", "work")]["registered_library"]),
                             ("registered_other_path", other))
            t = self.targets(self.box.json("browser", "install"))
            self.assertEqual(t[("firefox", "work")]["action"], "replaced")
            self.assertRegistered(self.existing)
        finally:
            self.box.run("browser", "remove")
        self.assertNotRegistered(self.existing)


if __name__ == "__main__":
    unittest.main()
