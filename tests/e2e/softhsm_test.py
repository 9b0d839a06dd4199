"""`ecert-token --module` with another vendor's token: SoftHSMv2 (Debian's
softhsm2), in a scratch token directory. The manager shows what PKCS#11
gives (no exact tries, no published policy) and does the owner's jobs with
it: init with an envelope PIN, change-pin, import, certs, show."""

import os
import unittest

import pki
from e2e_support import SO_PIN, SOFTHSM_MODULE, SandboxTestCase, command_exists
import e2e_support as e2e

LABEL = "SoftHSM e-Cert"
OWNER = "Vendor#Pass2024"
M = ("--module", SOFTHSM_MODULE)


@unittest.skipUnless(os.path.exists(SOFTHSM_MODULE), "softhsm2 is not installed")
class SoftHsmTest(SandboxTestCase):
    """Runs in order (test_1 ... ): one SoftHSM token going through it all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box.use_softhsm()
        cls.pki = pki.make_pki(cls.box.path())
        cls.pin_file = cls.box.write_secret("owner-pin", OWNER)

    def hsm(self, *args, **kw):
        return self.box.run(*M, *args, **kw)

    def test_1_init_with_envelope(self):
        r = self.hsm("list")
        self.assertExit(r, 0, "SoftHSM slot", "Not initialised (the issuer makes it with: ecert-token init).")
        envelope = self.box.path("envelope")
        s = self.box.spawn(*M, "init", "--label", LABEL, "--envelope", envelope)
        s.expect("New administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("Confirm password: ")
        s.type_secret(SO_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn(f'Token "{LABEL}" made in slot', out)
        self.assertEqual(os.stat(envelope).st_mode & 0o777, 0o600)
        with open(envelope) as f:
            content = f.read()
        self.assertIn(f"Token label:   {LABEL}\n", content)
        self.assertRegex(content, r"(?m)^PIN: [0-9]{8}$")
        # Both passwords work on SoftHSM itself.
        r = self.box.run_tool(["softhsm2-util", "--show-slots"])
        self.assertIn(LABEL, r.out)

    def envelope(self):
        return e2e.read_envelope_pin(self.box.path("envelope"))

    def test_2_list_and_info_show_what_pkcs11_gives(self):
        j = self.box.json(*M, "info")
        self.assertEqual((j["label"], j["manufacturer"], j["model"]), (LABEL, "SoftHSM project", "SoftHSM v2"))
        self.assertEqual((j["min_pin_length"], j["max_pin_length"]), (4, 255))
        for who in ("user_pin", "so_pin"):
            self.assertIsNone(j[who]["tries_left"], who)
            self.assertIsNone(j[who]["max_tries"], who)
            self.assertFalse(j[who]["locked"], who)
        self.assertTrue(j["user_pin"]["initialized"])
        self.assertFalse(j["user_pin"]["must_change"])  # SoftHSM has no such flag
        text = self.hsm("info").out
        self.assertIn(f"Token label:   {LABEL}", text)
        self.assertIn("Password length: 4 to 255 bytes", text)  # ulMin/MaxPinLen, bytes
        self.assertIn("The token password is set.", text)
        self.assertNotRegex(text, r"\d+ of \d+ tr(y|ies) left")
        self.assertIn(LABEL, self.hsm("list").out)

    def test_3_policy_show_says_there_is_none(self):
        r = self.hsm("policy", "show")
        self.assertExit(r, 0, "This token does not publish a password policy. Password length: 4 to 255.")
        j = self.box.json(*M, "policy", "show")
        self.assertEqual((j["min_length"], j["max_length"]), (4, 255))
        self.assertIsNone(j["user_pin"]["tries_left"])

    def test_4_change_pin(self):
        envelope = self.envelope()
        # A wrong current password: no count to tell, but the flag shows.
        r = self.hsm("change-pin", env={"ECERT_TOKEN_PIN": "00000000" if envelope != "00000000" else "11111111",
                                        "ECERT_TOKEN_NEW_PIN": OWNER})
        self.assertExit(r, e2e.WRONG_PASSWORD, "The password is wrong.")
        self.assertNotIn("tries left", r.err)
        self.assertTrue(self.box.json(*M, "info")["user_pin"]["count_low"])
        self.assertIn("A wrong password has been entered since the last correct one.", self.hsm("info").out)
        # Typed: the token's only rule is its length range.
        rc, out = self.box.typed_change_pin(envelope, ["abc", (OWNER, OWNER)], extra=M)
        self.assertEqual(rc, 0, out)
        self.assertIn("The password must have at least 4 characters.", out)
        self.assertIn("The token password has been changed.", out)
        self.assertFalse(self.box.json(*M, "info")["user_pin"]["count_low"])
        r = self.hsm("certs", "--login", "--pin-file", self.pin_file)
        self.assertExit(r, 0, "There are no certificates on the token.")

    def import_p12(self, name):
        return self.hsm("--json", "import", self.pki[name]["p12"], "--pin-file", self.pin_file,
                        env={"ECERT_TOKEN_P12_PASSWORD": self.pki["password"]})

    def check_show(self, name):
        o = pki.openssl_fields(self.pki[name]["der"])
        j = self.box.json(*M, "show", name, "--login", "--pin-file", self.pin_file)
        for mine, theirs in (("subject", "subject"), ("issuer", "issuer"), ("serial", "serial"),
                             ("sha1_fingerprint", "sha1"), ("sha256_fingerprint", "sha256"),
                             ("key_bits", "key_bits"), ("key_usage", "key_usage"),
                             ("extended_key_usage", "extended_key_usage"), ("policies", "policies"),
                             ("emails", "emails")):
            self.assertEqual(j[mine], o[theirs], mine)
        self.assertEqual(j["subject"], self.pki[name]["subject"])
        self.assertTrue(j["private_key_on_token"])
        self.assertEqual(j["chain"], [{"label": pki.ROOT_CA_NAME, "subject": "CN=" + pki.ROOT_CA_NAME}])
        der = self.box.path(f"hsm-{name}.der")
        self.box.ok(*M, "export-cert", name, "--format", "der", "-o", der)
        with open(der, "rb") as a, open(self.pki[name]["der"], "rb") as b:
            self.assertEqual(a.read(), b.read())
        text = self.hsm("show", name).out
        self.assertIn("CN=" + self.pki[name]["common_name"], text)

    @unittest.skipUnless(command_exists("import"), "ecert-token has no import command yet")
    def test_5_import_rsa_certs_show(self):
        r = self.import_p12("rsa")
        self.assertExit(r, 0)
        self.assertEqual((r.json()["key_stored"], r.json()["ca_added"]), (True, 1))
        certs = {c["label"]: c for c in self.box.json(*M, "certs", "--login", "--pin-file", self.pin_file)}
        self.assertTrue(certs["rsa"]["private_key_on_token"])
        self.assertEqual(certs["rsa"]["category"], 1)
        self.assertIn(pki.ROOT_CA_NAME, certs)
        self.check_show("rsa")

    @unittest.skipUnless(command_exists("import"), "ecert-token has no import command yet")
    def test_6_import_ec_certs_show(self):
        """Fixed bug: importing the P-256 e-Cert into SoftHSMv2 fails: C_CreateObject
        returns CKR_ATTRIBUTE_TYPE_INVALID ("The token does not know one of the
        values given."), because the private key template carries CKA_EC_POINT
        (src/manager/key_objects.cpp private_key_template), which is not an
        attribute of EC private keys in PKCS#11 and which SoftHSM refuses."""
        r = self.import_p12("ec")
        self.assertExit(r, 0)
        self.check_show("ec")

    def test_7_unblock_owner(self):
        s = self.box.spawn(*M, "unblock", "--owner")
        # The owner's password still works: unblocking replaces it.
        s.expect("is not locked. Unblocking it replaces the owner's token password")
        s.type_line("y")
        s.expect("Administrator (SO) password: ")
        s.type_secret(SO_PIN)
        s.expect("New token password: ")
        s.type_secret("Vendor#Pass2025")
        s.expect("Confirm password: ")
        s.type_secret("Vendor#Pass2025")
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn("The token is unblocked and has the owner's new password.", out)
        r = self.hsm("certs", "--login", env={"ECERT_TOKEN_PIN": "Vendor#Pass2025"})
        self.assertExit(r, 0)
        self.assertExit(self.hsm("certs", "--login", "--pin-file", self.pin_file), e2e.WRONG_PASSWORD)

    def test_8_wrong_so_password(self):
        r = self.hsm("rename", "Other", env={"ECERT_TOKEN_SO_PIN": "Wrong#Admin1"})
        self.assertExit(r, e2e.WRONG_PASSWORD, "The password is wrong.")
        self.assertNotIn("tries left", r.err)


if __name__ == "__main__":
    unittest.main()
