"""What an owner sees of the module through ecert-token (issue: the newcomer's
walk): no empty extra token once the e-Cert's token exists, and password
lengths counted in characters, as the rules say, not in bytes."""

import unittest

import e2e_support as e2e
from e2e_support import SandboxTestCase

# The owner's environment: no spare slot asked for (the Sandbox asks for one,
# as its tests make several tokens).
OWNER = {"ECERT_TOKEN_SPARE_SLOT": ""}


class OwnerTokenTest(SandboxTestCase):
    def slots(self, env):
        return [(t["slot"], t["initialized"]) for t in self.box.json("list", env=env)]

    def test_an_owner_sees_only_the_token_no_empty_slot(self):
        self.assertEqual(self.slots(OWNER), [(0, False)])  # nothing yet: where init makes one
        self.box.init_token("e-Cert Token")
        self.assertEqual(self.slots(OWNER), [(0, True)])
        # The issuer asks for a spare slot to make a second token.
        self.assertEqual(self.slots({"ECERT_TOKEN_SPARE_SLOT": "1"}), [(0, True), (1, False)])
        r = self.box.run("init", "--label", "Second", env={**OWNER, "ECERT_TOKEN_SO_PIN": e2e.SO_PIN})
        self.assertNotEqual(r.rc, 0, r)
        self.assertEqual(self.slots(OWNER), [(0, True)])

    def test_password_length_counts_characters(self):
        envelope = self.box.init_token("Lengths")
        seven = "Ab1!陳大文"  # 7 characters in 13 bytes: passed as "8 or more" when bytes were counted
        r = self.box.change_pin(envelope, seven, extra=("--token", "Lengths"))
        self.assertExit(r, e2e.POLICY, "The password must have at least 8 characters.")
        pin = [t for t in self.box.json("list") if t["label"] == "Lengths"][0]["user_pin"]
        self.assertEqual((pin["tries_left"], pin["must_change"]), (15, True))
        r = self.box.change_pin(envelope, seven + "x", extra=("--token", "Lengths"))
        self.assertExit(r, 0)
        self.assertEqual(self.box.run("--token", "Lengths", "certs", "--login",
                                      env={"ECERT_TOKEN_PIN": seven + "x"}).rc, 0)

    def test_the_label_limit_is_said_in_characters(self):
        eleven = "香港郵政電子證書測試用"  # 33 bytes of UTF-8
        r = self.box.run("init", "--label", eleven, env={"ECERT_TOKEN_SO_PIN": e2e.SO_PIN})
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("a token label holds at most 32 letters or digits, or 10 Chinese characters", r.err)
        r = self.box.run("init", "--label", eleven, env={"ECERT_TOKEN_SO_PIN": e2e.SO_PIN, "LANG": "zh_HK.UTF-8"})
        self.assertIn("Token 標籤最多可有 32 個英文字母或數字，或 10 個中文字", r.err)
        self.box.init_token(eleven[:10])  # 30 bytes: fits
        self.assertIn(eleven[:10], [t["label"] for t in self.box.json("list")])


if __name__ == "__main__":
    unittest.main()
