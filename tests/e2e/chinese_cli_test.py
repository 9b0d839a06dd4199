"""The option parser speaks Traditional Chinese too: `--help` headings and
the errors of a bad command line (unknown command, missing file, a value
that does not convert, a value out of range, ...) under zh_HK.UTF-8 have
no English of CLI11's left; in English they still say what is wrong."""

import unittest

from e2e_support import SandboxTestCase, has_cjk
import e2e_support as e2e

ZH = {"LANG": "zh_HK.UTF-8", "LANGUAGE": None}
# CLI11's own English, which must not reach a Chinese user.
CLI11_ENGLISH = ["Usage:", "Options:", "Subcommands:", "Positionals:", "Print this help message", "OPTIONS",
                 "SUBCOMMAND", "File does not exist", "A subcommand is required", "Could not convert",
                 "is required", "not expected", "not in range", "not in {", "Run with --help"]

# argv, what the English message says
BAD_COMMAND_LINES = [
    ((), "A command is required. See the commands with: ecert-token --help"),
    (("bogus-command",), 'There is no command "bogus-command".'),
    (("import", "/nonexistent"), "file: the file /nonexistent does not exist."),
    (("import",), "file is required."),
    (("--slot", "abc", "list"), "--slot: abc is not a valid value."),
    (("export-cert", "--format", "xml"), "--format: xml is not allowed; give one of: pem,der."),
    (("list", "extra"), "Not expected on the command line: extra"),
    (("policy", "set", "--max-tries", "99"), "--max-tries: 99 is not allowed; give a number from 1 to 15."),
    (("init",), "--label is required."),
]


class ChineseCommandLineTest(SandboxTestCase):

    def test_help_headings_are_chinese(self):
        for args in ((), ("policy",), ("import",)):
            r = self.box.run(*args, "--help", env=ZH)
            self.assertEqual(r.rc, 0, str(r))
            for english in CLI11_ENGLISH:
                self.assertNotIn(english, r.out, f"{args} --help")
            self.assertIn("用法：", r.out)
            self.assertIn("選項：", r.out)
        self.assertIn("命令：", self.box.ok("--help", env=ZH).out)

    def test_help_in_english_keeps_its_headings(self):
        out = self.box.ok("--help").out
        for heading in ("Usage: ecert-token [OPTIONS] COMMAND", "\nOptions:\n", "\nSubcommands:\n"):
            self.assertIn(heading, out)

    def test_bad_command_lines_in_english(self):
        for args, message in BAD_COMMAND_LINES:
            r = self.box.run(*args)
            self.assertExit(r, e2e.USAGE, f"ecert-token: {message}")

    def test_bad_command_lines_in_chinese(self):
        for args, _ in BAD_COMMAND_LINES:
            r = self.box.run(*args, env=ZH)
            self.assertEqual(r.rc, e2e.USAGE, str(r))
            self.assertTrue(has_cjk(r.err), str(r))
            for english in CLI11_ENGLISH:
                self.assertNotIn(english, r.err, str(r))

    def test_json_error_for_a_bad_command_line(self):
        r = self.box.run("--json", "--slot", "abc", "list")
        self.assertEqual(r.rc, e2e.USAGE, str(r))
        self.assertEqual(r.json()["error"]["exit_code"], e2e.USAGE)


if __name__ == "__main__":
    unittest.main()
