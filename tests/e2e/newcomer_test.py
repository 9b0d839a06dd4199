"""Issue 9, items 3-6 and 11 (the newcomer's walk): nothing erased without
asking, no try spent on input the program can refuse itself, the
change-password dialogue in SafeNet's order, the SO counter after a wrong SO
password, and a PIN envelope file that says what it is. Every try count is
read from another process while the dialogue waits, so "exactly one try for
one typed password" is checked where it happens."""

import os
import re

import pki
from e2e_support import OWNER_PIN, OWNER_PIN_2, SO_PIN, SandboxTestCase, has_cjk
import e2e_support as e2e

RULES_HEADER = "The new password must:"
NOT_SENT = "Nothing was sent to the token: no try was used."


class NewcomerTestCase(SandboxTestCase):
    _count = 0

    def new_token(self, prefix, owner=False):
        """(label, envelope PIN) of a new token; with `owner`, OWNER_PIN set."""
        NewcomerTestCase._count += 1
        label = f"{prefix}-{NewcomerTestCase._count}"
        envelope = self.box.init_token(label)
        if owner:
            self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        return label, envelope

    def user_pin(self, label):
        return self.box.info("--token", label)["user_pin"]

    def so_pin(self, label):
        return self.box.info("--token", label)["so_pin"]


class InitOverATokenInUseTest(NewcomerTestCase):
    """Item 3 and 6: `--slot N init` on a token holding an e-Cert."""

    def setUp(self):
        self.label, _ = self.new_token("InUse", owner=True)
        self.assertExit(self.box.run("--token", self.label, "keygen", "--label", "My e-Cert",
                                     env={"ECERT_TOKEN_PIN": OWNER_PIN}), 0)
        self.slot = str(self.box.info("--token", self.label)["slot"])

    def assertUntouched(self):
        j = self.box.info("--token", self.label)
        self.assertEqual((j["label"], j["user_pin"]["must_change"]), (self.label, False))
        r = self.box.run("--token", self.label, "csr", "My e-Cert", "--common-name", "X",
                         env={"ECERT_TOKEN_PIN": OWNER_PIN})
        self.assertExit(r, 0)  # the key is still there

    def test_without_terminal_and_without_force_nothing_happens(self):
        r = self.box.run("--slot", self.slot, "init", "--label", "New", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, e2e.CANCELLED, f'The token "{self.label}"', 'public key "My e-Cert"', "--force")
        self.assertUntouched()
        self.assertEqual(self.so_pin(self.label)["tries_left"], 15)

    def test_lists_what_goes_and_wants_the_label_typed_back(self):
        s = self.box.spawn("--slot", self.slot, "init", "--label", "New")
        s.expect('public key "My e-Cert"')
        s.expect("the token password")
        s.expect(f"To erase it, type the token's label ({self.label}): ")
        s.type_line("yes")
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)
        self.assertIn("The label does not match. Nothing was changed.", out)
        self.assertNotIn("password: ", out)
        self.assertUntouched()

    def test_wrong_so_password_says_the_so_counter(self):
        s = self.box.spawn("--slot", self.slot, "init", "--label", "New")
        s.expect(f"To erase it, type the token's label ({self.label}): ")
        s.type_line(self.label)
        s.expect("Administrator (SO) password: ")
        s.type_secret("Wrong#Admin123")
        rc, out = s.finish()
        self.assertEqual(rc, e2e.WRONG_PASSWORD, out)
        self.assertIn("The password is wrong. 14 tries left before the administrator (SO) password is locked.", out)
        self.assertNotIn("before the token is locked", out)
        self.assertEqual(self.so_pin(self.label)["tries_left"], 14)
        self.assertEqual(self.user_pin(self.label)["tries_left"], 15)
        self.assertUntouched()
        # The same in Traditional Chinese.
        r = self.box.run("--slot", self.slot, "init", "--label", "New", "--force",
                         env={"ECERT_TOKEN_SO_PIN": "Wrong#Admin123", "LANG": "zh_HK.UTF-8"})
        self.assertEqual(r.rc, e2e.WRONG_PASSWORD, str(r))
        self.assertIn("管理員（SO）密碼被鎖定前，尚餘 13 次", r.err)
        self.assertEqual(self.so_pin(self.label)["tries_left"], 13)

    def test_label_typed_back_then_right_so_password_makes_it_again(self):
        envelope = self.box.path("envelope-again")
        s = self.box.spawn("--slot", self.slot, "init", "--label", "Again", "--envelope", envelope)
        s.expect(f"To erase it, type the token's label ({self.label}): ")
        s.type_line(self.label)
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertNotIn("Confirm password: ", out)  # the SO password is the token's own
        j = self.box.info("--token", "Again")
        self.assertTrue(j["user_pin"]["must_change"])
        pin = e2e.read_envelope_pin(envelope)
        self.assertExit(self.box.change_pin(pin, OWNER_PIN, extra=("--token", "Again")), 0)
        self.assertExit(self.box.run("--token", "Again", "csr", "My e-Cert", "--common-name", "X",
                                     env={"ECERT_TOKEN_PIN": OWNER_PIN}), e2e.NOT_FOUND)

    def test_force_for_scripts(self):
        r = self.box.run("--slot", self.slot, "init", "--label", "Forced", "--force",
                         env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        self.assertTrue(self.box.info("--token", "Forced")["user_pin"]["must_change"])


class UnblockAndExportTest(NewcomerTestCase):
    """Item 3: unblock of a token that is not locked asks; export-cert keeps
    existing files."""

    def test_unblock_of_a_token_that_is_not_locked_asks(self):
        label, _ = self.new_token("NotLocked", owner=True)
        s = self.box.spawn("--token", label, "unblock")
        s.expect(f'The token "{label}" is not locked. Unblocking it replaces the owner\'s token password with a new '
                 "initial password; the owner's password stops working. Go on? [y/N] ")
        s.type_line("n")
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)
        self.assertNotIn("password: ", out)
        self.assertEqual(self.user_pin(label)["must_change"], False)
        self.assertExit(self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": OWNER_PIN}), 0)
        # Without a terminal nobody can answer: refused, as init is without --force.
        r = self.box.run("--token", label, "unblock", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, e2e.CANCELLED, "Nothing was changed: the token is not locked. To unblock it anyway "
                        "without a question, add --yes.")
        self.assertEqual(self.user_pin(label)["must_change"], False)
        # --yes: no question.
        s = self.box.spawn("--token", label, "unblock", "--yes")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertTrue(self.user_pin(label)["must_change"])

    def test_export_cert_does_not_overwrite_without_force(self):
        os.makedirs(self.box.path("pki-export"), exist_ok=True)
        p = pki.make_pki(self.box.path("pki-export"))
        label, _ = self.new_token("Export", owner=True)
        self.assertExit(self.box.run("--token", label, "import", p["rsa"]["p12"],
                                     env={"ECERT_TOKEN_PIN": OWNER_PIN, "ECERT_TOKEN_P12_PASSWORD": p["password"]}),
                        0)
        target = self.box.path("precious.pem")
        with open(target, "w") as f:
            f.write("keep me\n")
        r = self.box.run("--token", label, "export-cert", "rsa", "-o", target)
        self.assertExit(r, e2e.USAGE, f"{target} exists; to replace it, add --force.")
        with open(target) as f:
            self.assertEqual(f.read(), "keep me\n")
        self.assertExit(self.box.run("--token", label, "export-cert", "rsa", "-o", target, "--force"), 0)
        with open(target) as f:
            self.assertIn("-----BEGIN CERTIFICATE-----", f.read())


class NoTryWastedTest(NewcomerTestCase):
    """Item 4."""

    def test_ctrl_d_at_a_password_prompt_cancels(self):
        label, _ = self.new_token("CtrlD", owner=True)
        for args, prompt in ((("change-pin",), "Current token password: "),
                             (("certs", "--login"), "Token password: "),
                             (("rename", "X"), "Administrator (SO) password: ")):
            with self.subTest(args=args):
                s = self.box.spawn("--token", label, *args)
                s.expect(prompt)
                s.type_eof()
                rc, out = s.finish()
                self.assertEqual(rc, e2e.CANCELLED, out)
                self.assertIn("Cancelled: nothing was sent to the token.", out)
                self.assertNotIn("The password is wrong", out)
                self.assertEqual((self.user_pin(label)["tries_left"], self.user_pin(label)["count_low"]), (15, False))
                self.assertEqual(self.so_pin(label)["tries_left"], 15)

    def test_empty_or_impossible_password_never_reaches_the_token(self):
        label, _ = self.new_token("Impossible", owner=True)
        s = self.box.spawn("--token", label, "certs", "--login")
        s.expect("Token password: ")
        s.type_secret("")
        s.expect("No password was entered. " + NOT_SENT)
        s.expect("Token password: ")
        s.type_secret("Ab1!")
        s.expect("This cannot be the password: the token's passwords have at least 8 characters. " + NOT_SENT)
        s.expect("Token password: ")
        s.type_eof()
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)
        self.assertEqual(self.user_pin(label)["tries_left"], 15)
        cases = (("", "No password was entered."), ("Ab1!", "at least 8 characters"),
                 ("A" * 1000, "longer than any password of this token"))
        for pin, message in cases:
            with self.subTest(pin=pin[:10]):
                pin_file = self.box.write_secret("impossible", pin)
                for args in (("certs", "--login", "--pin-file", pin_file),
                             ("change-pin", "--pin-file", pin_file),
                             ("rename", "X", "--so-pin-file", pin_file)):
                    r = self.box.run("--token", label, *args, env={"ECERT_TOKEN_NEW_PIN": OWNER_PIN_2})
                    self.assertExit(r, e2e.WRONG_PASSWORD, message, NOT_SENT)
                self.assertEqual(self.user_pin(label)["tries_left"], 15)
                self.assertFalse(self.user_pin(label)["count_low"])
                self.assertEqual(self.so_pin(label)["tries_left"], 15)

    def test_before_the_last_try_the_prompt_warns_and_asks(self):
        label, _ = self.new_token("Last", owner=True)
        for _ in range(14):
            self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": "Wrong#Pass999"})
        self.assertEqual(self.user_pin(label)["tries_left"], 1)
        warning = "Only one try is left: a wrong password now locks the token. Go on? [y/N] "
        s = self.box.spawn("--token", label, "certs", "--login")
        s.expect(warning)
        s.type_line("n")
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)
        self.assertNotIn("Token password: ", out)
        self.assertEqual(self.user_pin(label)["tries_left"], 1)
        s = self.box.spawn("--token", label, "change-pin")
        s.expect(warning)
        s.type_line("y")
        s.expect("Current token password: ")
        s.type_secret(OWNER_PIN)
        s.expect("New token password: ")
        self.assertEqual(self.user_pin(label)["tries_left"], 15)
        s.type_eof()
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)


class ChangePasswordOrderTest(NewcomerTestCase):
    """Item 5: the current password first, then new ones until one is taken."""

    def test_current_password_checked_first_then_new_asked_until_taken(self):
        label, envelope = self.new_token("Order")
        s = self.box.spawn("--token", label, "change-pin")
        s.expect("enter the 8-digit password from the PIN envelope as the current password.")
        s.expect("Current token password: ")
        s.type_secret("87654321" if envelope != "87654321" else "12345678")
        s.expect("The password is wrong. 14 tries left before the token is locked.")
        s.expect("Current token password: ")
        # Exactly one try for one wrong password.
        self.assertEqual(self.user_pin(label)["tries_left"], 14)
        s.type_secret(envelope)
        s.expect(RULES_HEADER)
        s.expect("have 8 to 64 characters")
        s.expect("New token password: ")
        # The right current password reset the count, and cost nothing more.
        pin = self.user_pin(label)
        self.assertEqual((pin["tries_left"], pin["must_change"]), (15, True))
        for bad, message in (("abcdef1!", "upper-case"), ("ABCDEF1!", "lower-case"), ("Abcdefg!", "digit"),
                             ("Abcdefg1", "special character")):
            s.type_secret(bad)
            s.expect(message)
            s.expect("New token password: ")
        s.type_secret(OWNER_PIN)
        s.expect("Confirm password: ")
        s.type_secret(OWNER_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count(RULES_HEADER), 1, out)
        self.assertEqual(out.count("Current token password: "), 2, out)
        pin = self.user_pin(label)
        self.assertEqual((pin["tries_left"], pin["must_change"]), (15, False))

    def test_initial_password_line_only_when_typed(self):
        label, envelope = self.new_token("FromFile")
        pin_file = self.box.write_secret("envelope-pin", envelope)
        new_file = self.box.write_secret("new-pin", OWNER_PIN)
        r = self.box.run("--token", label, "change-pin", "--pin-file", pin_file, "--new-pin-file", new_file)
        self.assertExit(r, 0, "The token password has been changed.")
        self.assertNotIn("still has its initial password", r.out + r.err)

    def test_import_checks_the_file_before_the_token_password(self):
        os.makedirs(self.box.path("pki-order"), exist_ok=True)
        p = pki.make_pki(self.box.path("pki-order"))
        label, _ = self.new_token("Import", owner=True)
        s = self.box.spawn("--token", label, "import", p["rsa"]["p12"])
        s.expect("Password of the PKCS#12 file: ")
        s.type_secret("not the password")
        s.expect("The password of the file is wrong.")
        s.expect("Password of the PKCS#12 file: ")
        s.type_secret(p["password"])
        s.expect("Token password: ")
        s.type_secret(OWNER_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count("Token password: "), 1, out)
        # Not a PKCS#12 file: refused before the token password is asked.
        s = self.box.spawn("--token", label, "import", p["rsa"]["cert"])
        s.expect("Password of the PKCS#12 file: ")
        s.type_secret(p["password"])
        rc, out = s.finish()
        self.assertNotEqual(rc, 0, out)
        self.assertNotIn("Token password: ", out)


class EnvelopeFileTest(NewcomerTestCase):
    """Item 11: the envelope file says which token and what to do; the PIN in
    it is still read by --pin-file, the environment, and old files."""

    def test_envelope_file_describes_itself_and_is_still_read(self):
        label = "Envelope-Described"
        envelope = self.box.path("envelope-described")
        self.box.ok("init", "--label", label, "--envelope", envelope, env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        with open(envelope, encoding="utf-8") as f:
            text = f.read()
        serial = self.box.info("--token", label)["serial"]
        self.assertIn(f"Token label:   {label}\n", text)
        self.assertIn(f"Serial number: {serial}\n", text)
        self.assertRegex(text, r"(?m)^PIN: [0-9]{8}$")
        self.assertIn("ecert-token change-pin", text)
        self.assertGreater(len(text.splitlines()), 4)
        # --pin-file reads the PIN in it.
        new_file = self.box.write_secret("new-pin-envelope", OWNER_PIN)
        self.assertExit(self.box.run("--token", label, "change-pin", "--pin-file", envelope, "--new-pin-file",
                                     new_file), 0)

    def test_whole_file_in_the_environment_and_old_files(self):
        label = "Envelope-Env"
        envelope = self.box.path("envelope-env")
        self.box.ok("init", "--label", label, "--envelope", envelope, env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        with open(envelope, encoding="utf-8") as f:
            text = f.read()
        # A script that hands over the whole file: ECERT_TOKEN_PIN="$(cat envelope)".
        r = self.box.change_pin(text.rstrip("\n"), OWNER_PIN, extra=("--token", label))
        self.assertExit(r, 0)
        # An envelope file of old: the 8 digits alone.
        old = self.box.path("envelope-old")
        r = self.box.run("--json", "--token", label, "unblock", "--yes", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        with open(old, "w") as f:
            f.write(r.json()["envelope_pin"] + "\n")
        new_file = self.box.write_secret("new-pin-old", OWNER_PIN_2)
        self.assertExit(self.box.run("--token", label, "change-pin", "--pin-file", old, "--new-pin-file", new_file),
                        0)

    def test_envelope_file_in_chinese(self):
        label = "Envelope-Zh"
        envelope = self.box.path("envelope-zh")
        self.box.ok("init", "--label", label, "--envelope", envelope,
                    env={"ECERT_TOKEN_SO_PIN": SO_PIN, "LANG": "zh_HK.UTF-8"})
        with open(envelope, encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(has_cjk(text), text)
        self.assertRegex(text, r"(?m)^PIN: [0-9]{8}$")
        self.assertIn(label, text)
        for line in text.splitlines():
            if line and not line.startswith("PIN: ") and label not in line and not re.search(r"[0-9A-F]{16}", line):
                self.assertTrue(has_cjk(line), f"English line in the zh_HK envelope: {line!r}")


if __name__ == "__main__":
    import unittest
    unittest.main()
