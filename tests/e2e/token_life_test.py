"""The life of a token through the real `ecert-token` and the real module:
init (envelope PIN), list/info, the owner's first password change and every
password rule, wrong passwords and the lock, unblock, the administrator's
policy/rename/wipe, and bad input. Passwords are typed in a pseudo-terminal
where the issue says a person types them."""

import os
import re
import stat
import unittest

from e2e_support import LOCALEDIR, OWNER_PIN, OWNER_PIN_2, SO_PIN, SOURCE_DIR, SandboxTestCase, has_cjk, read_po
import e2e_support as e2e

MUST_CHANGE_TEXT = ("The token password must be changed: it is still the initial password from the PIN envelope, "
                    "and Firefox cannot use the token until it is changed. Change the token password first: "
                    "ecert-token change-pin")
LOCKED_TEXT = ("The token is LOCKED: too many wrong passwords were entered. The issuer can unblock it "
               "(ecert-token unblock).")

# A password breaking exactly one rule of the default policy, and the message.
RULES = {
    "too short": ("Ab1!xyz", "The password must have at least 8 characters."),
    "no upper": ("abcdef1!", "The password must contain an upper-case letter (A-Z)."),
    "no lower": ("ABCDEF1!", "The password must contain a lower-case letter (a-z)."),
    "no digit": ("Abcdefg!", "The password must contain a digit (0-9)."),
    "no special": ("Abcdefg1", "The password must contain a special character (for example ! $ # %)."),
    "repeated 4 times": ("Abbbb1!x", "The password may not repeat one character more than 3 times in a row."),
    "too long (65)": ("Ab1!" + ("abcdefghij" * 7)[:61], "The password may have at most 64 characters."),
}
REUSED_TEXT = "The password was used recently; choose one you have not used before."


class TokenTestCase(SandboxTestCase):
    """Each test makes its own token (a new label) in the class's sandbox."""

    _count = 0

    def new_token(self, prefix="T"):
        """Makes a token; returns (label, envelope PIN)."""
        TokenTestCase._count += 1
        label = f"{prefix}-{TokenTestCase._count}"
        return label, self.box.init_token(label)

    def user_pin(self, label):
        return self.box.info("--token", label)["user_pin"]


class InitTest(TokenTestCase):

    def test_init_with_envelope_file_and_typed_so_password(self):
        envelope = self.box.path("envelope-typed")
        s = self.box.spawn("init", "--label", "Typed", "--envelope", envelope)
        s.expect("New administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("Confirm password: ")
        s.type_secret("Admin#Typo2024")
        s.expect("The two passwords are not the same.")
        s.expect("New administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("Confirm password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn('Token "Typed" made in slot', out)
        self.assertIn(f"its initial password is in {envelope}.", out)
        self.assertEqual(stat.S_IMODE(os.stat(envelope).st_mode), 0o600)
        with open(envelope, encoding="utf-8") as f:
            content = e2e.envelope_pin(f.read())
        self.assertRegex(content, r"^[0-9]{8}$")
        self.assertNotIn(content, out, "the envelope PIN must not be shown when it goes to a file")
        # The SO password typed works (and the envelope PIN is the owner's).
        r = self.box.run("--token", "Typed", "rename", "Typed", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        r = self.box.change_pin(content.strip(), OWNER_PIN, extra=("--token", "Typed"))
        self.assertExit(r, 0, "The token password has been changed.")

    def test_init_without_envelope_shows_the_pin_once(self):
        s = self.box.spawn("init", "--label", "Shown")
        s.expect("New administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("Confirm password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        m = re.search(r"Initial token password \(PIN envelope\): ([0-9]+)\r?\n", out)
        self.assertIsNotNone(m, out)
        pin = m.group(1)
        self.assertEqual(len(pin), 8)
        self.assertIn("It is shown only this once. The owner must change it before the token can be used.", out)
        for args in (("list",), ("info", "--token", "Shown"), ("--json", "list"), ("--json", "info", "--token", "Shown")):
            r = self.box.ok(*args)
            self.assertNotIn(pin, r.out + r.err, args)
        self.assertExit(self.box.change_pin(pin, OWNER_PIN, extra=("--token", "Shown")), 0)

    def test_init_json_fields(self):
        r = self.box.run("--json", "init", "--label", "Json", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        j = r.json()
        self.assertEqual(j["label"], "Json")
        self.assertTrue(j["initialized"])
        self.assertRegex(j["envelope_pin"], r"^[0-9]{8}$")
        self.assertTrue(j["user_pin"]["must_change"])
        envelope = self.box.path("envelope-json")
        r = self.box.run("--json", "init", "--label", "Json2", "--envelope", envelope,
                         env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        self.assertEqual(r.json()["envelope_file"], envelope)
        self.assertNotIn("envelope_pin", r.json())

    def test_list_and_info_say_the_password_must_be_changed(self):
        label, envelope = self.new_token("Fresh")
        for args in (("list",), ("--token", label, "info")):
            r = self.box.ok(*args)
            self.assertIn(f"Token label:   {label}", r.out)
            self.assertIn(MUST_CHANGE_TEXT, r.out)
            self.assertIn("15 of 15 tries left before the token is locked.", r.out)
        info = self.box.ok("--token", label, "info").out
        self.assertIn("Password length: 8 to 64 characters", info)
        self.assertIn("Administrator (SO) password: 15 of 15 tries left", info)

        j = self.box.info("--token", label)
        # min/max_pin_length are CK_TOKEN_INFO's, in bytes: 64 characters of
        # up to 4 bytes of UTF-8 each (the policy's own lengths count characters).
        expected = {"present": True, "initialized": True, "label": label, "model": "e-Cert test KDF",
                    "min_pin_length": 8, "max_pin_length": 256, "protected_authentication_path": False}
        self.assertEqual({k: j[k] for k in expected}, expected)
        self.assertRegex(j["serial"], r"^[0-9A-F]{16}$")
        self.assertEqual(j["user_pin"], {"initialized": True, "locked": False, "must_change": True,
                                         "count_low": False, "final_try": False, "tries_left": 15, "max_tries": 15})
        self.assertEqual(j["so_pin"]["tries_left"], 15)
        self.assertFalse(j["so_pin"]["locked"])

        listed = self.box.json("list")
        self.assertIsInstance(listed, list)
        mine = [t for t in listed if t.get("label") == label]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["user_pin"], j["user_pin"])
        # The module always offers one more, empty slot for the next init.
        self.assertTrue(any(t["present"] and not t["initialized"] for t in listed))

        # The envelope PIN cannot be used to log in: it must be changed first.
        r = self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": envelope})
        self.assertExit(r, e2e.MUST_CHANGE, "The token password must be changed first")

    def test_init_checks_the_envelope_file_before_making_the_token(self):
        """Fixed bug: `init --envelope EXISTING_FILE` makes the token, then fails to
        write the envelope: the token is left initialised with an envelope PIN
        nobody knows. Expected: refused before C_InitToken (slot stays
        uninitialised)."""
        existing = self.box.path("envelope-exists")
        with open(existing, "w") as f:
            f.write("keep me\n")
        r = self.box.run("init", "--label", "Lost", "--envelope", existing, env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("File exists", r.err)
        labels = [t.get("label") for t in self.box.json("list")]
        self.assertNotIn("Lost", labels, "init failed but left a token with an unknown envelope PIN")


class ChangePinTest(TokenTestCase):

    def test_first_change_typed_mismatch_asks_again_then_accepted(self):
        label, envelope = self.new_token("First")
        rc, out = self.box.typed_change_pin(envelope, [(OWNER_PIN, OWNER_PIN + "x"), (OWNER_PIN, OWNER_PIN)],
                                            extra=("--token", label))
        self.assertEqual(rc, 0, out)
        self.assertIn("enter the 8-digit password from the PIN envelope as the current password", out)
        self.assertIn("The two passwords are not the same.", out)
        self.assertEqual(out.count("New token password: "), 2)
        self.assertIn("The token password has been changed.", out)
        self.assertNotIn(envelope, out)
        pin = self.user_pin(label)
        self.assertFalse(pin["must_change"])
        self.assertEqual(pin["tries_left"], 15)
        self.assertNotIn(MUST_CHANGE_TEXT, self.box.ok("--token", label, "info").out)
        self.assertExit(self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": OWNER_PIN}), 0)

    def test_each_rule_refused_with_its_message_and_no_try_counted(self):
        label, envelope = self.new_token("Rules")
        for rule, (bad, message) in RULES.items():
            with self.subTest(rule=rule):
                # A typed password is asked again (more than three times)
                # until the person cancels.
                rc, out = self.box.typed_change_pin(envelope, [bad] * 4, extra=("--token", label), cancel=True)
                self.assertEqual(rc, e2e.CANCELLED, out)
                self.assertEqual(out.count(message), 4, out)
                self.assertNotIn("Confirm password: ", out)
                pin = self.user_pin(label)
                self.assertEqual((pin["tries_left"], pin["count_low"], pin["must_change"]), (15, False, True))
                # The same from the environment: refused at once, exit 5.
                r = self.box.change_pin(envelope, bad, extra=("--token", label))
                self.assertExit(r, e2e.POLICY, message)
        # A refused password on the first try, then a good one, is accepted.
        rc, out = self.box.typed_change_pin(envelope, [RULES["no digit"][0], (OWNER_PIN, OWNER_PIN)],
                                            extra=("--token", label))
        self.assertEqual(rc, 0, out)
        self.assertIn(RULES["no digit"][1], out)
        self.assertEqual(self.user_pin(label)["tries_left"], 15)

    def _token_with_history(self):
        """A token whose owner went envelope -> OWNER_PIN -> OWNER_PIN_2."""
        label, envelope = self.new_token("Reuse")
        self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        self.assertExit(self.box.change_pin(OWNER_PIN, OWNER_PIN_2, extra=("--token", label)), 0)
        return label

    def test_reused_password_refused_without_counting_a_try(self):
        label = self._token_with_history()
        rc, out = self.box.typed_change_pin(OWNER_PIN_2, [(OWNER_PIN, OWNER_PIN)], extra=("--token", label),
                                            cancel=True)
        self.assertEqual(rc, e2e.CANCELLED, out)
        pin = self.user_pin(label)
        self.assertEqual((pin["tries_left"], pin["count_low"]), (15, False))
        # The password is unchanged.
        self.assertExit(self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": OWNER_PIN_2}), 0)

    def test_reused_password_refused_with_the_rule_message(self):
        """Fixed bug: the token refuses a reused password (CKR_PIN_INVALID, exit 5)
        but the CLI says the generic "The new password does not meet the
        token's password rules." instead of the rule's own message
        (messages.cpp has it for PinProblem::reused but nothing reaches it)."""
        label = self._token_with_history()
        rc, out = self.box.typed_change_pin(OWNER_PIN_2, [(OWNER_PIN, OWNER_PIN)], extra=("--token", label),
                                            cancel=True)
        self.assertEqual(rc, e2e.CANCELLED, out)
        self.assertIn(REUSED_TEXT, out)
        # From files the refusal ends the command.
        r = self.box.change_pin(OWNER_PIN_2, OWNER_PIN, extra=("--token", label))
        self.assertExit(r, e2e.POLICY, REUSED_TEXT)

    def test_wrong_current_password_says_the_tries_left(self):
        label, envelope = self.new_token("Wrong")
        s = self.box.spawn("--token", label, "change-pin")
        s.expect("Current token password: ")
        s.type_secret("87654321" if envelope != "87654321" else "12345678")
        # Checked before any new password is asked, and asked again.
        s.expect("The password is wrong. 14 tries left before the token is locked.")
        s.expect("Current token password: ")
        s.type_eof()
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)
        self.assertNotIn("New token password: ", out)
        pin = self.user_pin(label)
        self.assertEqual((pin["tries_left"], pin["count_low"], pin["must_change"]), (14, True, True))
        r = self.box.ok("--token", label, "info")
        self.assertIn("14 of 15 tries left before the token is locked.", r.out)
        # A good password resets the count.
        self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        self.assertEqual(self.user_pin(label)["tries_left"], 15)


def _zh_catalogue():
    """(po entries, None) or (None, reason to skip)."""
    po = os.path.join(SOURCE_DIR, "po", "zh_HK.po")
    if not os.path.exists(po):
        return None, "po/zh_HK.po does not exist yet"
    return read_po(po), None


class ChineseChangePinTest(TokenTestCase):
    """change-pin in zh_HK.UTF-8: the prompts and a rule message are the
    translations from po/zh_HK.po, and they are Chinese."""

    WANTED = ["Current token password: ", "New token password: ", "Confirm password: ",
              "The password must contain a digit (0-9).", "The token password has been changed."]

    @classmethod
    def setUpClass(cls):
        entries, reason = _zh_catalogue()
        if entries is None:
            raise unittest.SkipTest(reason)
        cls.zh = entries
        super().setUpClass()

    def test_catalogue_is_built_and_translates_the_flow(self):
        mo = os.path.join(LOCALEDIR, "zh_HK", "LC_MESSAGES", "ecert-token.mo")
        self.assertTrue(os.path.exists(mo), f"po/zh_HK.po exists but no catalogue was built at {mo}")
        for msgid in self.WANTED:
            self.assertTrue(self.zh.get(msgid), f"po/zh_HK.po has no translation of {msgid!r}")
            self.assertTrue(has_cjk(self.zh[msgid]), f"the translation of {msgid!r} is not Chinese: {self.zh[msgid]!r}")

    def test_change_pin_in_chinese(self):
        for msgid in self.WANTED:
            if not self.zh.get(msgid):
                self.fail(f"po/zh_HK.po has no translation of {msgid!r}")
        label, envelope = self.new_token("Zh")
        s = self.box.spawn("--token", label, "change-pin", env={"LANG": "zh_HK.UTF-8", "LANGUAGE": None})
        index = s.expect([self.zh["Current token password: "], "Current token password: "])
        self.assertEqual(index, 0, f"the prompt is in English with LANG=zh_HK.UTF-8:\n{s.output}")
        s.type_secret(envelope)
        s.expect(self.zh["New token password: "])
        s.type_secret(RULES["no digit"][0])
        s.expect(self.zh["The password must contain a digit (0-9)."])
        s.expect(self.zh["New token password: "])
        s.type_secret(OWNER_PIN)
        s.expect(self.zh["Confirm password: "])
        s.type_secret(OWNER_PIN)
        s.expect(self.zh["The token password has been changed."])
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertNotIn("New token password: ", out, "English prompt in the zh_HK flow")
        self.assertFalse(self.user_pin(label)["must_change"])


class LockAndUnblockTest(TokenTestCase):

    def lock(self, label, good_pin):
        """15 wrong tries, tries_left checked after each: 15 -> 0."""
        self.assertEqual(self.user_pin(label)["tries_left"], 15)
        for n in range(14, -1, -1):
            r = self.box.change_pin("Wrong#Pass999", OWNER_PIN_2, extra=("--token", label))
            self.assertEqual(r.rc, e2e.WRONG_PASSWORD, str(r))
            pin = self.user_pin(label)
            self.assertEqual(pin["tries_left"], n, str(r))
            if n == 1:
                self.assertIn("1 try left before the token is locked.", r.err)
                self.assertTrue(pin["final_try"])
            elif n > 1:
                self.assertIn(f"{n} tries left before the token is locked.", r.err)
        self.assertIn("The token is now locked", r.err)
        self.assertTrue(pin["locked"])
        # Now even the right password is refused.
        r = self.box.change_pin(good_pin, OWNER_PIN_2, extra=("--token", label))
        self.assertExit(r, e2e.LOCKED, "The token is locked")
        r = self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": good_pin})
        self.assertExit(r, e2e.LOCKED, "The token is locked")
        for args in (("list",), ("--token", label, "info")):
            self.assertIn(LOCKED_TEXT, self.box.ok(*args).out)

    def test_fifteen_wrong_tries_lock_and_unblock_gives_a_new_envelope(self):
        label, envelope = self.new_token("Lock")
        self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        self.lock(label, OWNER_PIN)

        r = self.box.run("--json", "--token", label, "unblock", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        j = r.json()
        self.assertTrue(j["unblocked"])
        new_envelope = j["envelope_pin"]
        self.assertRegex(new_envelope, r"^[0-9]{8}$")
        self.assertEqual(j["token"]["user_pin"]["tries_left"], 15)
        self.assertTrue(j["token"]["user_pin"]["must_change"])
        self.assertFalse(j["token"]["user_pin"]["locked"])
        self.assertIn(MUST_CHANGE_TEXT, self.box.ok("--token", label, "info").out)
        # The new envelope PIN must be changed before use; the old password is gone.
        r = self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": new_envelope})
        self.assertExit(r, e2e.MUST_CHANGE)
        self.assertExit(self.box.change_pin(OWNER_PIN, OWNER_PIN_2, extra=("--token", label)), e2e.WRONG_PASSWORD)
        rc, out = self.box.typed_change_pin(new_envelope, [(OWNER_PIN_2, OWNER_PIN_2)], extra=("--token", label))
        self.assertEqual(rc, 0, out)
        self.assertExit(self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": OWNER_PIN_2}), 0)

    def test_unblock_text_shows_the_envelope_once(self):
        label, _ = self.new_token("Text")
        s = self.box.spawn("--token", label, "unblock")
        s.expect(f'The token "{label}" is not locked. Unblocking it replaces the owner\'s token password')
        s.type_line("y")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn("The token is unblocked.", out)
        m = re.search(r"New initial token password \(PIN envelope\): ([0-9]{8})\r?\n", out)
        self.assertIsNotNone(m, out)
        self.assertExit(self.box.change_pin(m.group(1), OWNER_PIN, extra=("--token", label)), 0)

    def test_unblock_writes_the_envelope_to_a_file(self):
        label, _ = self.new_token("File")
        envelope = self.box.path("unblock-envelope")
        r = self.box.run("--json", "--token", label, "unblock", "--yes", "--envelope", envelope,
                         env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertExit(r, 0)
        self.assertEqual(r.json()["envelope_file"], envelope)
        self.assertNotIn("envelope_pin", r.json())
        self.assertEqual(os.stat(envelope).st_mode & 0o777, 0o600)
        with open(envelope) as f:
            content = f.read()
        # The new envelope names its token, as init's does.
        self.assertIn(f"Token label:   {label}\n", content)
        pin = e2e.envelope_pin(content)
        self.assertRegex(pin, r"^[0-9]{8}$")
        self.assertNotIn(pin, r.out + r.err)
        # An existing file is never overwritten (it may be the only copy).
        r = self.box.run("--token", label, "unblock", "--yes", "--envelope", envelope,
                         env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertNotEqual(r.rc, 0, str(r))
        with open(envelope) as f:
            self.assertEqual(f.read(), content)

    def test_unblock_checks_the_envelope_file_before_changing_the_token(self):
        """Fixed bug (as for init): `unblock --envelope EXISTING_FILE` sets a new
        envelope PIN on the token, then fails to write it (File exists): the
        token is left with a PIN nobody knows, and the one in the file no
        longer works. Expected: refused before C_InitPIN."""
        label, _ = self.new_token("File2")
        envelope = self.box.path("unblock-envelope-2")
        self.assertExit(self.box.run("--token", label, "unblock", "--yes", "--envelope", envelope,
                                     env={"ECERT_TOKEN_SO_PIN": SO_PIN}), 0)
        pin = e2e.read_envelope_pin(envelope)
        r = self.box.run("--token", label, "unblock", "--yes", "--envelope", envelope,
                         env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertExit(self.box.change_pin(pin, OWNER_PIN, extra=("--token", label)), 0)

    def test_unblock_owner_sets_the_owners_password_at_once(self):
        label, envelope = self.new_token("Owner")
        self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        self.lock(label, OWNER_PIN)
        s = self.box.spawn("--token", label, "unblock", "--owner")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("New token password: ")
        s.type_secret(RULES["no special"][0])
        s.expect(RULES["no special"][1])
        s.expect("New token password: ")
        s.type_secret(OWNER_PIN_2)
        s.expect("Confirm password: ")
        s.type_secret(OWNER_PIN_2)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn("The token is unblocked and has the owner's new password.", out)
        self.assertNotRegex(out, r"PIN envelope\): [0-9]")
        pin = self.user_pin(label)
        self.assertEqual((pin["locked"], pin["must_change"], pin["tries_left"]), (False, False, 15))
        self.assertExit(self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": OWNER_PIN_2}), 0)

    def test_locked_token_login_message(self):
        """Fixed bug: `certs --login` on a token that was already locked says "The
        token is locked: too many wrong passwords were entered. The token is
        now locked: ..." -- the lock is reported twice, and as new."""
        label, envelope = self.new_token("Twice")
        self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        for _ in range(15):
            self.box.change_pin("Wrong#Pass999", OWNER_PIN_2, extra=("--token", label))
        r = self.box.run("--token", label, "certs", "--login", env={"ECERT_TOKEN_PIN": OWNER_PIN})
        self.assertExit(r, e2e.LOCKED)
        self.assertNotIn("now locked", r.err)


class AdministratorTest(TokenTestCase):

    DEFAULT_POLICY = {"min_length": 8, "max_length": 64, "require_upper": True, "require_lower": True,
                      "require_digit": True, "require_special": True, "history": 10, "max_repeat": 3,
                      "max_tries": 15, "max_so_tries": 15, "issuer_min_length": 8, "issuer_max_length": 64,
                      "must_change": True, "tries_left": 15, "so_tries_left": 15}

    def so(self, pin=SO_PIN):
        return {"ECERT_TOKEN_SO_PIN": pin}

    def test_policy_show(self):
        label, _ = self.new_token("Show")
        j = self.box.json("--token", label, "policy", "show")
        self.assertEqual({k: j[k] for k in self.DEFAULT_POLICY}, self.DEFAULT_POLICY)
        text = self.box.ok("--token", label, "policy", "show").out
        for line in ("Password length:            8 to 64 characters", "Upper-case letter required: yes",
                     "Lower-case letter required: yes", "Digit required:             yes",
                     "Special character required: yes", "Longest run of one character: 3 (0: no limit)",
                     "Previous passwords refused: 10", "Wrong passwords before the token locks: 15 (15 tries left)",
                     "Initial password must be changed: yes"):
            self.assertIn(line, text)

    def test_policy_set_and_wrong_so_password(self):
        label, envelope = self.new_token("Set")
        r = self.box.run("--token", label, "policy", "set", "--min-length", "10", env=self.so("Wrong#Admin1"))
        self.assertExit(r, e2e.WRONG_PASSWORD,
                        "The password is wrong. 14 tries left before the administrator (SO) password is locked.")
        self.assertEqual(self.box.json("--token", label, "policy", "show")["min_length"], 8)
        self.assertEqual(self.box.info("--token", label)["so_pin"]["tries_left"], 14)

        # Typed at the prompt, as the administrator does.
        s = self.box.spawn("--json", "--token", label, "policy", "set", "--min-length", "10", "--require-special",
                           "no")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        j = self.box.json("--token", label, "policy", "show")
        self.assertEqual((j["min_length"], j["require_special"], j["so_tries_left"]), (10, False, 15))
        # The new rules apply to the owner's next password.
        r = self.box.change_pin(envelope, "Abcdefg12", extra=("--token", label))
        self.assertExit(r, e2e.POLICY, "The password must have at least 10 characters.")
        self.assertExit(self.box.change_pin(envelope, "Abcdefgh123", extra=("--token", label)), 0)
        # Out of range: a usage error, nothing asked.
        self.assertEqual(self.box.run("--token", label, "policy", "set", "--max-tries", "16", env=self.so()).rc,
                         e2e.USAGE)

    def test_rename(self):
        label, _ = self.new_token("Old")
        s = self.box.spawn("--token", label, "rename", "Renamed Token")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn('The token is now called "Renamed Token".', out)
        self.assertEqual(self.box.info("--token", "Renamed Token")["label"], "Renamed Token")
        self.assertExit(self.box.run("--token", label, "info"), e2e.NOT_FOUND, "No matching token was found.")
        r = self.box.run("--token", "Renamed Token", "rename", "Again", env=self.so("Wrong#Admin1"))
        self.assertExit(r, e2e.WRONG_PASSWORD, "tries left before the administrator (SO) password is locked.")
        self.box.ok("--token", "Renamed Token", "rename", label, env=self.so())

    def test_wipe(self):
        label, envelope = self.new_token("Wipe")
        self.assertExit(self.box.change_pin(envelope, OWNER_PIN, extra=("--token", label)), 0)
        # No terminal to confirm and no --yes: nothing happens.
        r = self.box.run("--token", label, "wipe", env=self.so())
        self.assertExit(r, e2e.CANCELLED, "Nothing was changed.")
        self.assertTrue(self.user_pin(label)["initialized"])
        # Asked at the terminal, answered no.
        s = self.box.spawn("--token", label, "wipe")
        s.expect(f'Delete everything on the token "{label}"? This cannot be undone. [y/N] ')
        s.type_line("n")
        rc, out = s.finish()
        self.assertEqual(rc, e2e.CANCELLED, out)
        # --yes with the SO password typed.
        s = self.box.spawn("--token", label, "wipe", "--yes")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn("The token is empty. Set a new initial password with: ecert-token unblock", out)
        j = self.box.info("--token", label)
        self.assertFalse(j["user_pin"]["initialized"])
        self.assertEqual(j["label"], label)
        self.assertIn("No token password has been set yet.", self.box.ok("--token", label, "info").out)
        self.assertExit(self.box.change_pin(OWNER_PIN, OWNER_PIN_2, extra=("--token", label)), e2e.FAILED)
        # The SO password and the policy survive; unblock sets a new envelope.
        self.assertEqual(self.box.json("--token", label, "policy", "show")["max_tries"], 15)
        r = self.box.run("--json", "--token", label, "unblock", env=self.so())
        self.assertExit(r, 0)
        self.assertExit(self.box.change_pin(r.json()["envelope_pin"], OWNER_PIN, extra=("--token", label)), 0)

    def test_change_so_pin(self):
        label, _ = self.new_token("So")
        s = self.box.spawn("--token", label, "change-so-pin")
        s.expect("Current administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("New administrator (SO) password: ")
        s.type_secret("Admin#Pass2099")
        s.expect("Confirm password: ")
        s.type_secret("Admin#Pass2099")
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn("The administrator (SO) password has been changed.", out)
        self.assertExit(self.box.run("--token", label, "rename", "X", env=self.so()), e2e.WRONG_PASSWORD)
        self.box.ok("--token", label, "rename", label, env=self.so("Admin#Pass2099"))


class BadInputTest(TokenTestCase):

    def test_missing_module(self):
        missing = self.box.path("no-such-module.so")
        r = self.box.run("--module", missing, "list")
        self.assertExit(r, e2e.NO_MODULE)
        self.assertIn(f"ecert-token: The PKCS#11 module {missing} could not be loaded: the file does not exist.", r.err)
        r = self.box.run("--json", "--module", missing, "info")
        self.assertExit(r, e2e.NO_MODULE)
        error = r.json()["error"]
        self.assertEqual(error["exit_code"], e2e.NO_MODULE)
        self.assertIn(missing, error["detail"])
        # Not a PKCS#11 module at all.
        r = self.box.run("--module", "/bin/true", "list")
        self.assertExit(r, e2e.NO_MODULE, "could not be loaded")

    def test_no_such_token_or_certificate(self):
        label, envelope = self.new_token("Nf")
        self.assertExit(self.box.run("--token", "No Such Token", "info"), e2e.NOT_FOUND,
                        "No matching token was found. See the tokens with: ecert-token list")
        self.assertExit(self.box.run("--token", label, "show", "no-such-cert"), e2e.NOT_FOUND,
                        "Nothing on the token matches what was named.")
        self.assertExit(self.box.run("--token", label, "export-cert", "7", "-o", self.box.path("x.pem")),
                        e2e.NOT_FOUND)
        self.assertFalse(os.path.exists(self.box.path("x.pem")))
        # Several tokens and no choice.
        self.new_token("Nf")
        self.assertExit(self.box.run("info"), e2e.NOT_FOUND, "Several tokens match; choose one with --slot or --token.")

    def test_no_terminal_and_no_password_source(self):
        label, envelope = self.new_token("NoTty")
        cases = [
            (("--token", label, "change-pin"), "ECERT_TOKEN_PIN"),
            (("--token", label, "certs", "--login"), "ECERT_TOKEN_PIN"),
            (("--token", label, "rename", "X"), "ECERT_TOKEN_SO_PIN"),
            (("init", "--label", "NoTtyInit"), "ECERT_TOKEN_SO_PIN"),
        ]
        for args, variable in cases:
            with self.subTest(args=args):
                r = self.box.run(*args, timeout=20)  # no tty, stdin /dev/null
                self.assertEqual(r.rc, e2e.USAGE, str(r))
                self.assertIn("No terminal to ask for the password; give it in a file or in the environment "
                              f"variable {variable}.", r.err)
        # Nothing was changed by those.
        self.assertEqual(self.user_pin(label)["tries_left"], 15)
        self.assertNotIn("NoTtyInit", [t.get("label") for t in self.box.json("list")])
        # The new password alone missing: asked after the current one.
        r = self.box.run("--token", label, "change-pin", env={"ECERT_TOKEN_PIN": envelope})
        self.assertExit(r, e2e.USAGE, "ECERT_TOKEN_NEW_PIN")

    def test_password_file_missing(self):
        label, _ = self.new_token("NoFile")
        r = self.box.run("--token", label, "change-pin", "--pin-file", self.box.path("nope"))
        self.assertExit(r, e2e.USAGE, "Cannot read the password file " + self.box.path("nope"))
        self.assertEqual(self.user_pin(label)["tries_left"], 15)

    def test_bad_command_line(self):
        self.assertEqual(self.box.run("no-such-command").rc, e2e.USAGE)
        self.assertEqual(self.box.run("init").rc, e2e.USAGE)  # --label is required
        self.assertEqual(self.box.run("--version").out.split()[0], "ecert-token")


if __name__ == "__main__":
    unittest.main()
