"""Certificates through the real `ecert-token` and the real module: PKCS#12
files made by openssl (tests/e2e/pki.py) imported, then `certs`, `show` and
`export-cert` checked field by field against `openssl x509` on the same
certificate; keygen + csr + import-cert; delete."""

import datetime
import subprocess
import unittest

import pki
from e2e_support import OWNER_PIN, PkiTestCase, command_exists
import e2e_support as e2e

CA_NAME = pki.ROOT_CA_NAME


def openssl_date(text):
    """"Nov 27 16:57:28 2026 GMT" (openssl -text) -> "2026-11-27 16:57:28 UTC" (ecert-token)."""
    parsed = datetime.datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT")
    return parsed.strftime("%Y-%m-%d %H:%M:%S UTC")


def openssl(*args, input=None):
    p = subprocess.run(["openssl", *args], input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=e2e.TIMEOUT)
    if p.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed:\n{p.stderr.decode()}")
    return p.stdout


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


@unittest.skipUnless(command_exists("import"), "ecert-token has no import command yet")
class ImportTest(PkiTestCase):

    def certs(self):
        return {c["label"]: c for c in self.box.json("certs", "--login", "--pin-file", self.pin_file)}

    def test_1_import_typed_in_terminal(self):
        s = self.box.spawn("import", self.pki["rsa"]["p12"])
        s.expect("Password of the PKCS#12 file: ")
        s.type_secret(self.pki["password"])
        s.expect("Token password: ")
        s.type_secret(OWNER_PIN)
        rc, out = s.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn('Stored "rsa" on the token (ID ', out)
        self.assertIn("private key (cannot be exported) and public key", out)
        self.assertIn("CA certificates added: 1", out)
        certs = self.certs()
        self.assertEqual(set(certs), {"rsa", CA_NAME})
        self.assertTrue(certs["rsa"]["private_key_on_token"])
        self.assertEqual(certs["rsa"]["category"], 1)
        self.assertEqual(certs[CA_NAME]["category"], 2)

    def test_2_import_with_files_environment_and_label(self):
        r = self.box.run("--json", "import", self.pki["ec"]["p12"], "--label", "My e-Cert", "--pin-file",
                         self.pin_file, env={"ECERT_TOKEN_P12_PASSWORD": self.pki["password"]})
        self.assertExit(r, 0)
        j = r.json()
        self.assertEqual(j["label"], "My e-Cert")
        self.assertTrue(j["key_stored"])
        self.assertTrue(j["certificate_stored"])
        self.assertEqual((j["ca_added"], j["ca_skipped"]), (0, 1))  # the CA came with rsa.p12
        certs = self.certs()
        self.assertEqual(certs["My e-Cert"]["id"], j["id"])
        self.assertEqual(certs["My e-Cert"]["common_name"], self.pki["ec"]["common_name"])
        self.assertTrue(certs["My e-Cert"]["private_key_on_token"])

    def test_3_refusals(self):
        before = self.certs()
        # Wrong file password.
        r = self.box.run("import", self.pki["ec"]["p12"], "--pin-file", self.pin_file,
                         env={"ECERT_TOKEN_P12_PASSWORD": "not the password"})
        self.assertExit(r, e2e.WRONG_PASSWORD, "The password of the file is wrong.")
        # Wrong token password.
        r = self.box.run("import", self.pki["ec"]["p12"], env={"ECERT_TOKEN_P12_PASSWORD": self.pki["password"],
                                                              "ECERT_TOKEN_PIN": "Wrong#Pass123"})
        self.assertExit(r, e2e.WRONG_PASSWORD, "The password is wrong. 14 tries left before the token is locked.")
        # The same e-Cert twice.
        r = self.box.run("import", self.pki["rsa"]["p12"], "--pin-file", self.pin_file,
                         "--password-file", self.p12_password_file)
        self.assertExit(r, e2e.FAILED, "already on the token")
        # Not a PKCS#12 file.
        r = self.box.run("import", self.pki["rsa"]["cert"], "--pin-file", self.pin_file,
                         "--password-file", self.p12_password_file)
        self.assertNotEqual(r.rc, 0, str(r))
        r = self.box.run("import", self.box.path("missing.p12"), "--pin-file", self.pin_file)
        self.assertExit(r, e2e.USAGE)
        self.assertEqual(self.certs().keys(), before.keys())
        self.assertEqual(self.box.info()["user_pin"]["tries_left"], 15)  # the good login reset the count

    def test_4_import_on_a_token_with_its_envelope_pin(self):
        label = "Envelope Token"
        envelope = self.box.init_token(label)
        r = self.box.run("--token", label, "import", self.pki["rsa"]["p12"],
                         env={"ECERT_TOKEN_PIN": envelope, "ECERT_TOKEN_P12_PASSWORD": self.pki["password"]})
        self.assertExit(r, e2e.MUST_CHANGE, "The token password must be changed first")


@unittest.skipUnless(command_exists("import"), "ecert-token has no import command yet")
class ShowTest(PkiTestCase):
    """certs/show/export-cert against openssl x509 on the same files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name in ("rsa", "ec"):
            r = cls.import_p12(cls, name)
            if r.rc != 0:
                raise AssertionError(f"import of {name}.p12 failed:\n{r}")

    def show(self, which, login=True):
        args = ["show", which] + (["--login", "--pin-file", self.pin_file] if login else [])
        return self.box.json(*args)

    def test_the_test_pki_has_both_string_types(self):
        # The point of "rsa" and "ec": the same Chinese text in two encodings.
        self.assertIn("UTF8STRING", openssl("asn1parse", "-in", self.pki["rsa"]["cert"]).decode())
        self.assertIn("BMPSTRING", openssl("asn1parse", "-in", self.pki["ec"]["cert"]).decode())

    def check_against_openssl(self, name, expected_bits, key_type):
        info = self.pki[name]
        o = pki.openssl_fields(info["der"])
        j = self.show(name)
        self.assertEqual(j["subject"], o["subject"])
        self.assertEqual(j["subject"], info["subject"])  # the Chinese names, exactly
        self.assertEqual(j["issuer"], o["issuer"])
        self.assertEqual(j["issuer"], "CN=" + CA_NAME)
        self.assertEqual(j["common_name"], info["common_name"])
        self.assertEqual(j["serial"], o["serial"])
        self.assertEqual(j["not_before"], openssl_date(o["not_before"]))
        self.assertEqual(j["not_after"], openssl_date(o["not_after"]))
        self.assertEqual(j["key_type"], key_type)
        self.assertEqual(j["key_bits"], o["key_bits"])
        self.assertEqual(j["key_bits"], expected_bits)
        self.assertEqual(j["key_usage"], o["key_usage"])
        self.assertEqual(j["key_usage"], info["key_usage"])
        self.assertEqual(j["extended_key_usage"], o["extended_key_usage"])
        self.assertEqual(j["extended_key_usage"], ["TLS Web Client Authentication", "E-mail Protection"])
        self.assertEqual(j["policies"], o["policies"])
        self.assertEqual(j["policies"], [pki.POLICY_OID])
        self.assertEqual(j["emails"], o["emails"])
        self.assertEqual(j["emails"], [info["email"]])
        self.assertEqual(j["sha1_fingerprint"], o["sha1"])
        self.assertEqual(j["sha256_fingerprint"], o["sha256"])
        self.assertFalse(j["is_ca"])
        self.assertFalse(j["expired"])
        self.assertIn(j["days_left"], (729, 730))
        self.assertTrue(j["private_key_on_token"])
        self.assertEqual(j["category"], 1)
        self.assertEqual(j["chain"], [{"label": CA_NAME, "subject": "CN=" + CA_NAME}])
        self.assertEqual(j["validity"], "valid")
        self.assertEqual(j["chain_verification"], {"verified": True, "anchor": "CN=" + CA_NAME, "error": None})
        return j

    def test_show_rsa_utf8string_matches_openssl(self):
        self.check_against_openssl("rsa", 2048, "RSA")

    def test_show_ec_bmpstring_matches_openssl(self):
        j = self.check_against_openssl("ec", 256, "EC")
        self.assertEqual(j["curve"], "P-256")

    def test_show_ca_matches_openssl(self):
        o = pki.openssl_fields(self.pki["ca"]["der"])
        j = self.show(CA_NAME)
        for mine, theirs in (("subject", "subject"), ("issuer", "issuer"), ("serial", "serial"),
                             ("sha1_fingerprint", "sha1"), ("sha256_fingerprint", "sha256"),
                             ("key_usage", "key_usage"), ("key_bits", "key_bits")):
            self.assertEqual(j[mine], o[theirs], mine)
        self.assertTrue(j["is_ca"])
        self.assertEqual(j["category"], 2)
        self.assertFalse(j["private_key_on_token"])

    def test_certs_list(self):
        plain = self.box.json("certs")
        self.assertEqual(sorted(c["label"] for c in plain), sorted(["rsa", "ec", CA_NAME]))
        self.assertTrue(all(c["private_key_on_token"] is None for c in plain))
        logged_in = {c["label"]: c for c in self.box.json("certs", "--login", "--pin-file", self.pin_file)}
        self.assertEqual({k: v["private_key_on_token"] for k, v in logged_in.items()},
                         {"rsa": True, "ec": True, CA_NAME: False})
        for name in ("rsa", "ec"):
            o = pki.openssl_fields(self.pki[name]["der"])
            c = logged_in[name]
            self.assertEqual((c["subject"], c["issuer"], c["serial"], c["not_after"]),
                             (o["subject"], o["issuer"], o["serial"], openssl_date(o["not_after"])))

    def test_text_output_shows_the_chinese_names(self):
        text = self.box.ok("certs").out
        for name in ("rsa", "ec"):
            self.assertIn(self.pki[name]["subject"], text)
        for name in ("rsa", "ec"):
            out = self.box.ok("show", name, "--login", "--pin-file", self.pin_file).out
            info = self.pki[name]
            o = pki.openssl_fields(info["der"])
            self.assertRegex(out, rf"Subject:\s+{info['subject']}\n")
            self.assertIn("CN=" + info["common_name"], out)
            self.assertIn(info["organization"], out)
            self.assertRegex(out, rf"SHA-256 fingerprint:\s+{o['sha256']}\n")
            self.assertRegex(out, r"Private key:\s+yes, on the token\n")
            self.assertIn("CA chain on the token:\n  CN=" + CA_NAME, out)
            self.assertRegex(out, rf"Validity period:\s+valid: from {openssl_date(o['not_before'])} until "
                                  rf"{openssl_date(o['not_after'])}\n")
            self.assertRegex(out, rf"Certificate chain:\s+verified up to the CA certificate CN={CA_NAME}\n")
            self.assertRegex(out, r"Key usage:\s+Digital Signature, Non Repudiation")

    def test_text_output_in_chinese_has_no_english_names(self):
        zh = {"LANG": "zh_HK.UTF-8", "LANGUAGE": None}
        out = self.box.ok("show", "rsa", env=zh).out
        for english in ("Digital Signature", "Non Repudiation", "TLS Web Client Authentication", "E-mail Protection",
                        "bits", "verified up to", "valid: from", "days left"):
            self.assertNotIn(english, out)
        for chinese in ("數碼簽署", "不可否認", "用戶端驗證", "電子郵件保護", "RSA 2048 位元", "已核實", "有效"):
            self.assertIn(chinese, out)
        self.assertNotIn("(", out.replace("(" + "1)", ""), "ASCII parentheses in the Chinese text")

    def test_show_selects_by_number_id_and_fingerprint(self):
        listed = self.box.json("certs")
        rsa = self.show("rsa", login=False)
        position = str([c["label"] for c in listed].index("rsa") + 1)
        self.assertEqual(self.show(position, login=False)["sha256_fingerprint"], rsa["sha256_fingerprint"])
        self.assertEqual(self.show(rsa["id"], login=False)["label"], "rsa")
        self.assertEqual(self.show(rsa["sha1_fingerprint"][:11], login=False)["label"], "rsa")
        self.assertIsNone(rsa["private_key_on_token"])
        # Two e-Certs: `show` without a name must say which to choose.
        r = self.box.run("show")
        self.assertExit(r, e2e.NOT_FOUND, "Several certificates")
        self.assertExit(self.box.run("show", "nothing-like-this"), e2e.NOT_FOUND)
        self.assertExit(self.box.run("show", "99"), e2e.NOT_FOUND)

    def test_export_pem_and_der_equal_the_original(self):
        for name in ("rsa", "ec"):
            with self.subTest(name=name):
                original = read_bytes(self.pki[name]["der"])
                der = self.box.path(f"export-{name}.der")
                r = self.box.run("export-cert", name, "--format", "der", "-o", der)
                self.assertExit(r, 0, f'Certificate "{name}" written to {der}.')
                self.assertEqual(read_bytes(der), original)
                pem = self.box.path(f"export-{name}.pem")
                self.box.ok("export-cert", name, "--format", "pem", "-o", pem)
                self.assertTrue(read_bytes(pem).startswith(b"-----BEGIN CERTIFICATE-----\n"))
                self.assertEqual(openssl("x509", "-in", pem, "-outform", "DER"), original)
                stdout_pem = self.box.ok("export-cert", name).out.encode()
                self.assertEqual(stdout_pem, read_bytes(pem))
                self.assertEqual(openssl("x509", "-outform", "DER", input=stdout_pem), original)
        self.assertExit(self.box.run("export-cert", "rsa", "--format", "der"), e2e.USAGE, "DER output needs --output")
        self.assertExit(self.box.run("export-cert", "nope", "-o", self.box.path("nope.pem")), e2e.NOT_FOUND)


@unittest.skipUnless(command_exists("keygen") and command_exists("csr") and command_exists("import-cert"),
                     "ecert-token has no keygen/csr/import-cert yet")
class KeygenCsrTest(PkiTestCase):
    """Applying for an e-Cert with a key made on the token, and deleting it."""

    def test_keygen_csr_import_cert_delete(self):
        r = self.box.run("--json", "keygen", "--type", "p256", "--label", "applied", "--pin-file", self.pin_file)
        self.assertExit(r, 0)
        key_id = r.json()["id"]
        csr = self.box.path("applied.csr")
        self.box.ok("csr", "applied", "--common-name", "張三", "--organization", "香港郵政", "--country", "HK",
                    "--email", "cheung@example.hk", "-o", csr, "--pin-file", self.pin_file)
        # openssl checks the signature made on the token, and reads the name back.
        text = openssl("req", "-in", csr, "-noout", "-verify", "-subject", "-nameopt", "RFC2253,-esc_msb").decode()
        self.assertIn("CN=張三", text)
        cert = self.box.path("applied.pem")
        openssl("x509", "-req", "-in", csr, "-CA", self.pki["ca"]["cert"], "-CAkey", self.pki["ca"]["key"],
                "-set_serial", "0x1234", "-days", "30", "-out", cert)
        # With its CA in the same PEM file, so that the chain can be verified.
        bundle = self.box.path("applied-chain.pem")
        with open(bundle, "w") as f:
            f.write(open(cert).read() + open(self.pki["ca"]["cert"]).read())
        r = self.box.run("--json", "import-cert", bundle, "--pin-file", self.pin_file)
        self.assertExit(r, 0)
        self.assertEqual(r.json()["id"], key_id)
        o = pki.openssl_fields(cert)
        j = self.box.json("show", "applied", "--login", "--pin-file", self.pin_file)
        self.assertEqual((j["subject"], j["serial"], j["sha256_fingerprint"], j["key_bits"]),
                         (o["subject"], o["serial"], o["sha256"], 256))
        self.assertTrue(j["private_key_on_token"])
        self.assertTrue(j["chain_verification"]["verified"], j["chain_verification"])

        # delete: every object with the label goes, after a password.
        r = self.box.run("--json", "delete", "applied", "--yes", "--pin-file", self.pin_file)
        self.assertExit(r, 0)
        self.assertEqual(sorted(d["class"] for d in r.json()["deleted"]),
                         ["certificate", "private-key", "public-key"])
        self.assertNotIn("applied", [c["label"] for c in self.box.json("certs")])
        self.assertExit(self.box.run("delete", "applied", "--yes", "--pin-file", self.pin_file), e2e.NOT_FOUND)

    def test_chain_that_does_not_verify(self):
        """A key certified by a CA that is not on the token: `show` says the
        chain does not verify, and why."""
        self.box.ok("keygen", "--type", "p256", "--label", "unverified", "--pin-file", self.pin_file)
        csr, other_ca, other_key, other = (self.box.path(n) for n in
                                           ("unverified.csr", "other-ca.pem", "other-ca.key", "other.pem"))
        self.box.ok("csr", "unverified", "--common-name", "Other", "-o", csr, "--pin-file", self.pin_file)
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", other_key, "-out", other_ca,
                "-subj", "/CN=Some Other CA", "-days", "30")
        openssl("x509", "-req", "-in", csr, "-CA", other_ca, "-CAkey", other_key, "-set_serial", "0x99",
                "-days", "30", "-out", other)
        self.box.ok("import-cert", other, "--pin-file", self.pin_file)
        j = self.box.json("show", "unverified")
        self.assertFalse(j["chain_verification"]["verified"])
        self.assertIsNone(j["chain_verification"]["anchor"])
        self.assertIn("issuer certificate", j["chain_verification"]["error"])
        self.assertEqual(j["validity"], "valid")
        out = self.box.ok("show", "unverified").out
        self.assertRegex(out, r"Certificate chain:\s+not verified: a CA certificate of its chain is not on the token\n")
        out = self.box.ok("show", "unverified", env={"LANG": "zh_HK.UTF-8", "LANGUAGE": None}).out
        self.assertIn("未能核實：證書鏈中有一張核證機關證書不在 Token 上", out)
        self.box.ok("delete", "unverified", "--yes", "--pin-file", self.pin_file)


if __name__ == "__main__":
    unittest.main()
