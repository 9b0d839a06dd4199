"""Labels and names from a token or a certificate are printed with their
control characters escaped: an escape sequence in a label must not reach
the terminal (it could recolour it or move the cursor), a newline must not
start a forged line, and bytes that are not UTF-8 must not break --json.
JSON output escapes them as JSON does; Chinese text stays as it is."""

import json
import os
import unittest

from e2e_support import OWNER_PIN, SO_PIN, SOFTHSM_MODULE, SandboxTestCase
import e2e_support as e2e

# An escape sequence (red), a newline starting a forged line, a C1 control
# (CSI), a right-to-left override and Chinese that must stay readable.
HOSTILE = "陳大文\x1b[31m red\nForged: line\u009b2J\u202eX"
SHOWN = "陳大文\\x1b[31m red\\nForged: line\\u009b2J\\u202eX"
# Bytes that are not UTF-8, passed in argv as they are (surrogateescape).
NOT_UTF8 = "bad\udcff\udcfe label"


def assert_clean(test, text):
    """No byte that acts on a terminal, other than the newline."""
    for c in text:
        test.assertFalse((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2028",
                         f"control character {c!r} in the output:\n{text!r}")


class CertificateLabelTest(e2e.PkiTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for name, label in (("rsa", HOSTILE), ("ec", NOT_UTF8)):
            cls.box.ok("import", cls.pki[name]["p12"], "--label", label, "--pin-file", cls.pin_file,
                       "--password-file", cls.p12_password_file)

    def run_raw(self, *args):
        """stdout as bytes decoded strictly: an undecodable byte fails."""
        r = self.box.run(*args)
        self.assertEqual(r.rc, 0, str(r))
        return r

    def test_certs_text_escapes_the_label(self):
        out = self.run_raw("certs").out
        assert_clean(self, out)
        self.assertIn(SHOWN, out)
        self.assertNotIn("\nForged: line", out)
        self.assertIn("bad\\xff\\xfe label", out)

    def test_show_text_escapes_the_label(self):
        r = self.run_raw("show", HOSTILE)
        assert_clean(self, r.out)
        self.assertIn(SHOWN, r.out)
        # The name column is still padded by display width.
        self.assertRegex(r.out, r"(?m)^Label: {20} 陳大文")

    def test_chinese_text_output_keeps_alignment(self):
        r = self.box.run("show", HOSTILE, env={"LANG": "zh_HK.UTF-8", "LANGUAGE": None})
        self.assertEqual(r.rc, 0, str(r))
        assert_clean(self, r.out)
        self.assertIn(SHOWN, r.out)

    def test_json_escapes_as_json_does(self):
        r = self.run_raw("--json", "certs")
        assert_clean(self, r.out)
        self.assertIn("\\u001b[31m", r.out)
        labels = [c["label"] for c in json.loads(r.out)]
        self.assertIn(HOSTILE, labels)
        self.assertIn("bad\ufffd\ufffd label", labels)

    def test_delete_lists_escaped_labels(self):
        r = self.box.run("delete", HOSTILE, "--type", "public-key", "--pin-file", self.pin_file)
        assert_clean(self, r.out + r.err)


@unittest.skipUnless(os.path.exists(SOFTHSM_MODULE), "softhsm2 is not installed")
class TokenLabelTest(SandboxTestCase):
    """SoftHSM takes any bytes as a token label (ours refuses controls)."""

    LABEL = "\x1b]0;owned\x07\x1b[2JToken\rX"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box.use_softhsm()
        r = cls.box.run_tool(["softhsm2-util", "--init-token", "--free", "--label", cls.LABEL, "--so-pin", SO_PIN,
                              "--pin", OWNER_PIN])
        if r.rc != 0:
            raise AssertionError(str(r))

    def test_list_and_info_escape_the_token_label(self):
        for command in ("list", "info"):
            r = self.box.run("--module", SOFTHSM_MODULE, *(("--slot", self.slot()) if command == "info" else ()),
                             command)
            self.assertEqual(r.rc, 0, str(r))
            assert_clean(self, r.out)
            self.assertIn("\\x1b]0;owned\\x07\\x1b[2JToken\\rX", r.out)

    def slot(self):
        tokens = [t for t in self.box.json("--module", SOFTHSM_MODULE, "list") if t.get("initialized")]
        self.assertEqual(tokens[0]["label"], self.LABEL)
        return str(tokens[0]["slot"])


if __name__ == "__main__":
    unittest.main()
