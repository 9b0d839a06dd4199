"""How `list` and `info` word a token: free space in binary units (as the
token reports bytes), and no free-space line at all when the token does not
report it (CK_UNAVAILABLE_INFORMATION, as SoftHSM does), in English and
Traditional Chinese; the tries left in words that read right for one try."""

import os
import re
import unittest

from e2e_support import OWNER_PIN, SO_PIN, SOFTHSM_MODULE, SandboxTestCase
import e2e_support as e2e

ZH = {"LANG": "zh_HK.UTF-8", "LANGUAGE": None}
SIZE = r"\d+\.\d (KiB|MiB|GiB|TiB|PiB)"


class FreeSpaceTest(SandboxTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box.owner_token("Space")

    def test_free_space_in_binary_units(self):
        info = self.box.info()
        self.assertIsInstance(info["free_public_memory"], int)  # our module reports the file system's
        out = self.box.ok("info").out
        self.assertRegex(out, rf"Free space: +{SIZE} free of {SIZE}\n")
        # No raw byte counts (the serial number, random hex, may hold digit runs).
        self.assertNotRegex(out.replace(info["serial"], ""), r"\d{7,}")
        out = self.box.ok("info", env=ZH).out
        self.assertRegex(out, rf"可用空間： +可用 {SIZE}（共 {SIZE}）\n")

    def test_wrong_password_sentences_in_chinese(self):
        wrong = self.box.write_secret("wrong-pin", "Wrong#Pass999")
        r = self.box.run("certs", "--login", "--pin-file", wrong, env=ZH)
        self.assertExit(r, e2e.WRONG_PASSWORD, "。在 Token 被鎖定前")
        self.assertNotIn("。 ", r.err)
        r = self.box.run("certs", "--login", "--pin-file", wrong)
        self.assertExit(r, e2e.WRONG_PASSWORD, "The password is wrong. 13 tries left before the token is locked.")
        self.box.ok("certs", "--login", "--pin-file", self.box.write_secret("good-pin", OWNER_PIN))

    def test_tries_left_read_right(self):
        out = self.box.ok("info").out
        self.assertIn("15 of 15 tries left before the token is locked.", out)
        self.assertIn("Administrator (SO) password: 15 of 15 tries left", out)


@unittest.skipUnless(os.path.exists(SOFTHSM_MODULE), "softhsm2 is not installed")
class NoFreeSpaceReportedTest(SandboxTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box.use_softhsm()
        r = cls.box.run_tool(["softhsm2-util", "--init-token", "--free", "--label", "HSM", "--so-pin", SO_PIN,
                              "--pin", OWNER_PIN])
        if r.rc != 0:
            raise AssertionError(str(r))

    def test_no_free_space_line(self):
        tokens = [t for t in self.box.json("--module", SOFTHSM_MODULE, "list") if t.get("initialized")]
        if tokens[0]["free_public_memory"] is not None:
            self.skipTest("this SoftHSM reports its free space")
        for env in (None, ZH):
            out = self.box.ok("--module", SOFTHSM_MODULE, "list", env=env).out
            self.assertNotIn("Free space", out)
            self.assertNotIn("可用空間", out)
            self.assertNotIn("not reported", out)


if __name__ == "__main__":
    unittest.main()
