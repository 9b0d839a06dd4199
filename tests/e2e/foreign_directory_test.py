"""A token directory or token file that another local user can change is
refused by the module (it shows no token from such a directory, and a token
file not the user's own as unrecognised); `ecert-token` then says which path
and what is wrong with it, in English and in Traditional Chinese, instead of
leaving the person with an empty list or "not initialised".

"The other user" is uid/gid 65534, through setpriv (util-linux), so this
needs root: without it the file is skipped (exit 77), and fails under
ECERT_REQUIRE_ALL_TESTS=1 (scripts/test.sh)."""

import os
import shutil
import subprocess
import sys

from e2e_support import SandboxTestCase, has_cjk
import e2e_support as e2e

ZH = {"LANG": "zh_HK.UTF-8", "LANGUAGE": None}
OTHER = 65534


def _cannot_run(reason):
    if os.environ.get("ECERT_REQUIRE_ALL_TESTS") == "1":
        print(f"cannot run: {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"skipped: {reason}", file=sys.stderr)
    sys.exit(77)


if os.geteuid() != 0:
    _cannot_run("not root: cannot act as another user (setpriv needs root)")
if shutil.which("setpriv") is None:
    _cannot_run("setpriv (util-linux) not found")


def as_other_user(script, stdin=subprocess.DEVNULL):
    subprocess.run(["setpriv", f"--reuid={OTHER}", f"--regid={OTHER}", "--clear-groups", "sh", "-c", script],
                   stdin=stdin, check=True, timeout=e2e.TIMEOUT)


class ForeignDirectoryTest(SandboxTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The other user may pass through the sandbox, not list it.
        os.chmod(cls.box.root, 0o711)

    def refused(self, directory, english, chinese, args=("list",)):
        """`args` with ECERT_TOKEN_DIR=directory: the sentence in English
        (exactly) and in Chinese (the path, `chinese`, no English); nothing
        is made in the directory."""
        before = sorted(os.listdir(directory)) if os.path.isdir(directory) else None
        env = {"ECERT_TOKEN_DIR": directory}
        r = self.box.run(*args, env=env)
        self.assertIn(f"ecert-token: {english}", r.err, str(r))
        r = self.box.run(*args, env={**env, **ZH})
        self.assertIn(chinese, r.err, str(r))
        self.assertTrue(has_cjk(r.err), str(r))
        self.assertNotIn(english, r.err, str(r))
        # A script gets its JSON on stdout; the person still reads why.
        r = self.box.run("--json", *args, env=env)
        self.assertIn(english, r.err, str(r))
        after = sorted(os.listdir(directory)) if os.path.isdir(directory) else None
        self.assertEqual(before, after, "something was made or removed in the refused directory")
        return r

    def test_directory_of_another_user(self):
        shared = self.box.path("shared")
        os.mkdir(shared, 0o700)
        os.chown(shared, OTHER, OTHER)
        as_other_user(f"chmod 0777 '{shared}'")
        self.refused(shared, f"The token directory {shared} belongs to another user.",
                     f"Token 資料夾 {shared} 屬於另一位使用者。")
        # An issuer asking for a new token there is refused, with the reason.
        so_file = self.box.write_secret("so-pin", e2e.SO_PIN)
        r = self.refused(shared, f"The token directory {shared} belongs to another user.",
                         f"Token 資料夾 {shared} 屬於另一位使用者。",
                         args=("init", "--label", "e-Cert Token", "--so-pin-file", so_file))
        self.assertNotEqual(r.rc, e2e.OK, str(r))
        self.assertEqual(os.listdir(shared), [])

    def test_own_directory_writable_by_others(self):
        mine = self.box.path("mine")
        os.mkdir(mine, 0o700)
        os.chmod(mine, 0o777)
        self.refused(mine, f"The token directory {mine} is writable by other users. For safety, the e-Cert Token "
                     "module neither uses nor makes tokens there",
                     f"Token 資料夾 {mine} 可被其他使用者寫入。")

    def test_directory_through_a_symbolic_link(self):
        link = self.box.path("link")
        os.symlink(self.box.token_dir, link)
        self.refused(link, f"The token directory {link} is a symbolic link.", f"Token 資料夾 {link} 是符號連結。")

    def test_token_file_planted_by_another_user(self):
        self.box.init_token("Mine")
        tokens = self.box.token_dir
        good = sorted(n for n in os.listdir(tokens) if n.endswith(".sqlite"))[0]
        planted = os.path.join(tokens, "token-7.sqlite")
        os.chmod(tokens, 0o777)
        try:
            with open(os.path.join(tokens, good), "rb") as source:
                as_other_user(f"umask 0; cat > '{planted}'", stdin=source)
        finally:
            os.chmod(tokens, 0o700)
        self.refused(tokens, f"The token file {planted} belongs to another user.",
                     f"Token 檔案 {planted} 屬於另一位使用者。")
        # The person's own token is still there, and still works.
        info = self.box.json("--slot", good[len("token-"):-len(".sqlite")], "info")
        self.assertEqual(info["label"], "Mine", info)
        os.unlink(planted)
        # Our own file, but readable by others.
        shutil.copyfile(os.path.join(tokens, good), planted)
        os.chmod(planted, 0o644)
        self.refused(tokens, f"The token file {planted} is readable by other users.",
                     f"Token 檔案 {planted} 可被其他使用者讀取。")
        os.unlink(planted)

    def test_nothing_said_when_all_is_well(self):
        r = self.box.run("list")
        self.assertEqual(r.rc, e2e.OK, str(r))
        self.assertNotIn("token directory", r.err)
        self.assertNotIn("token file", r.err)


if __name__ == "__main__":
    import unittest
    unittest.main()
