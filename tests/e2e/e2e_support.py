"""Helpers of the end-to-end tests: the real `ecert-token` binary against the
real module, in a scratch HOME and token directory per test class.

Environment (set by tests/e2e/CMakeLists.txt; defaults: the build tree):
  ECERT_TOKEN_BIN   the CLI        ECERT_MODULE     the module
  ECERT_LOCALEDIR   the built translation catalogues

Two ways to run the CLI:
  Sandbox.run(...)    no terminal at all (own session, stdin /dev/null), so a
                      password prompt can never hang: it must come from a file
                      or the environment, or the command fails.
  Sandbox.spawn(...)  in a pseudo-terminal with pexpect, answering prompts as
                      a person types them; Interactive.finish() checks that
                      no typed password was echoed or printed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import pexpect

import pki

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
_BUILD = os.path.join(SOURCE_DIR, "build")

BIN = os.environ.get("ECERT_TOKEN_BIN") or os.path.join(_BUILD, "src", "cli", "ecert-token")
MODULE = os.environ.get("ECERT_MODULE") or os.path.join(_BUILD, "src", "pkcs11", "libecert-pkcs11.so")
LOCALEDIR = os.environ.get("ECERT_LOCALEDIR") or os.path.join(_BUILD, "locale")
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

# Exit codes of ecert-token (src/cli/exit_codes.h).
OK, FAILED, USAGE, WRONG_PASSWORD, LOCKED, POLICY, NOT_FOUND, MUST_CHANGE, BROWSER_RUNNING, NO_MODULE, CANCELLED = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)

# Every pexpect wait and every non-interactive run is bounded by this.
TIMEOUT = 30

# Passwords used throughout (they meet the default policy).
SO_PIN = "Admin#Pass2024"
OWNER_PIN = "Owner#Pass2024"
OWNER_PIN_2 = "Second$Pass2025"

# Variables of the user's own environment that must not leak into a test.
_DROPPED = re.compile(r"^(ECERT_TOKEN_.*|LANG|LANGUAGE|LC_.*|XDG_.*|SOFTHSM2_CONF|NSS_.*|DISPLAY|WAYLAND_DISPLAY)$")


def have_program(name):
    return shutil.which(name) is not None


def has_cjk(text):
    return re.search(r"[\u3400-\u9fff\uf900-\ufaff]", text) is not None


class Result:
    """What a non-interactive run gave: rc, out, err (text)."""

    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise AssertionError(f"not JSON on stdout of {self.args}: {e}\n--- stdout\n{self.out}\n--- stderr\n{self.err}")

    def __str__(self):
        return f"ecert-token {' '.join(self.args)} -> {self.rc}\n--- stdout\n{self.out}--- stderr\n{self.err}"


class Interactive:
    """One CLI run in a pseudo-terminal (a pexpect.spawn). expect() waits at
    most TIMEOUT seconds; type_secret() records what was typed so finish()
    can check it never shows up in the terminal."""

    def __init__(self, child, args):
        self.child = child
        self.args = args
        self.secrets = []
        self.transcript = []

    @property
    def output(self):
        return "".join(self.transcript)

    def _record(self):
        before = self.child.before if isinstance(self.child.before, str) else ""
        after = self.child.after if isinstance(self.child.after, str) else ""
        self.transcript.append(before + after)

    def expect(self, pattern, timeout=TIMEOUT):
        """Waits for `pattern` (a literal string, or a compiled regex, or a
        list of them: returns the index). Fails with the output so far."""
        assert timeout <= TIMEOUT
        patterns = pattern if isinstance(pattern, list) else [pattern]
        compiled = [p if isinstance(p, re.Pattern) else re.compile(re.escape(p)) for p in patterns]
        try:
            index = self.child.expect(compiled, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self._record()
            raise AssertionError(f"ecert-token {' '.join(self.args)}: waited for {patterns!r}, "
                                 f"got {type(e).__name__}; output so far:\n{self.output}") from None
        self._record()
        return index if isinstance(pattern, list) else self.child.match

    def type_secret(self, text):
        """Types a password and Enter, as at a no-echo prompt."""
        self.secrets.append(text)
        self.child.send(text + "\r")

    def type_line(self, text):
        self.child.send(text + "\r")

    def type_eof(self):
        """Ctrl-D at a prompt: the end of input (cancel)."""
        self.child.sendeof()

    def finish(self, timeout=TIMEOUT):
        """Waits for the end; returns (exit code, the whole terminal output).
        Fails if any typed password appears in the output."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            self._record()
            self.child.close(force=True)
            raise AssertionError(f"ecert-token {' '.join(self.args)} did not end; output:\n{self.output}") from None
        self._record()
        self.child.close()
        rc = self.child.exitstatus if self.child.exitstatus is not None else 128 + self.child.signalstatus
        out = self.output
        for secret in self.secrets:
            if secret and secret in out:
                raise AssertionError(f"the typed password {secret!r} appears in the terminal output:\n{out}")
        return rc, out


class Sandbox:
    """A scratch HOME and token directory, and the environment for the CLI."""

    def __init__(self, prefix="ecert-e2e-"):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.home = self.path("home")
        self.token_dir = self.path("tokens")
        os.makedirs(self.home, mode=0o700)
        os.makedirs(self.token_dir, mode=0o700)
        env = {k: v for k, v in os.environ.items() if not _DROPPED.match(k)}
        env.update({
            "HOME": self.home,
            "ECERT_TOKEN_DIR": self.token_dir,
            "ECERT_TOKEN_KDF": "test",
            # The tests of a class make several tokens in one directory, as
            # an issuer does: a spare slot beside the existing tokens.
            "ECERT_TOKEN_SPARE_SLOT": "1",
            "ECERT_TOKEN_MODULE": MODULE,
            "ECERT_LOCALEDIR": LOCALEDIR,
            "LANG": "C.UTF-8",
            "TERM": "dumb",
        })
        self.env = env

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def use_softhsm(self):
        """SoftHSMv2 with its token directory in the sandbox: SOFTHSM2_CONF
        for every command run here."""
        tokens = self.path("softhsm-tokens")
        os.makedirs(tokens)
        conf = self.path("softhsm2.conf")
        with open(conf, "w") as f:
            f.write(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
        self.env["SOFTHSM2_CONF"] = conf

    def cleanup(self):
        """Removes the sandbox; with ECERT_KEEP_SANDBOX set, keeps it for a
        look afterwards and says where it is."""
        if os.environ.get("ECERT_KEEP_SANDBOX"):
            print(f"sandbox kept: {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def write_secret(self, name, text):
        """A password file (mode 0600, one line) for --pin-file and similar."""
        path = self.path(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        return path

    def environment(self, extra=None):
        env = dict(self.env)
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run(self, *args, env=None, timeout=TIMEOUT, cwd=None):
        """Runs the CLI with no terminal: its own session (no controlling
        tty) and stdin from /dev/null."""
        args = [str(a) for a in args]
        try:
            p = subprocess.run([BIN, *args], env=self.environment(env), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               timeout=timeout, cwd=cwd or self.root)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"ecert-token {' '.join(args)} did not end within {timeout} s") from None
        return Result(args, p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8"))

    def ok(self, *args, **kw):
        """run() that must exit 0."""
        r = self.run(*args, **kw)
        if r.rc != 0:
            raise AssertionError(f"expected exit 0:\n{r}")
        return r

    def json(self, *args, **kw):
        """run(--json ...) that must exit 0; the parsed JSON."""
        return self.ok("--json", *args, **kw).json()

    def spawn(self, *args, env=None):
        """Runs the CLI in a new pseudo-terminal (its controlling tty)."""
        args = [str(a) for a in args]
        child = pexpect.spawn(BIN, args, env=self.environment(env), encoding="utf-8", codec_errors="strict",
                              timeout=TIMEOUT, dimensions=(50, 250), cwd=self.root, echo=True)
        # Sent only after a prompt has appeared (echo is off by then), so no
        # delay is needed to beat the echo.
        child.delaybeforesend = None
        return Interactive(child, args)

    def run_tool(self, argv, env=None, timeout=TIMEOUT, input=None):
        """Runs another program (openssl, modutil, ...) in this environment."""
        try:
            p = subprocess.run(argv, env=self.environment(env), input=input, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True, timeout=timeout, cwd=self.root,
                               **({} if input is not None else {"stdin": subprocess.DEVNULL}))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{argv} did not end within {timeout} s") from None
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))

    # --- common steps -------------------------------------------------------

    def init_token(self, label="e-Cert Token", so_pin=SO_PIN, extra=()):
        """`init` with the SO password from a file; returns the envelope PIN."""
        so_file = self.write_secret("so-pin-init", so_pin)
        envelope = self.path(f"envelope-{label}-{len(os.listdir(self.root))}")
        self.ok(*extra, "init", "--label", label, "--so-pin-file", so_file, "--envelope", envelope)
        return read_envelope_pin(envelope)

    def change_pin(self, old, new, extra=()):
        """change-pin with both passwords from the environment."""
        return self.run(*extra, "change-pin", env={"ECERT_TOKEN_PIN": old, "ECERT_TOKEN_NEW_PIN": new})

    def typed_change_pin(self, current, new_attempts, extra=(), env=None, cancel=False):
        """change-pin in a pty: types `current`, then each new password (a
        pair (new, confirmation) or a bare password whose confirmation is
        not expected, because a rule refuses it first); with `cancel`, then
        Ctrl-D at the next prompt for a new password. Returns (rc, output)."""
        s = self.spawn(*extra, "change-pin", env=env)
        s.expect("Current token password: ")
        s.type_secret(current)
        for attempt in new_attempts:
            s.expect("New token password: ")
            if isinstance(attempt, tuple):
                s.type_secret(attempt[0])
                s.expect("Confirm password: ")
                s.type_secret(attempt[1])
            else:
                s.type_secret(attempt)
        if cancel:
            s.expect("New token password: ")
            s.type_eof()
        return s.finish()

    def owner_token(self, label="e-Cert Token", owner_pin=OWNER_PIN):
        """An initialised token whose owner has set `owner_pin`."""
        envelope = self.init_token(label)
        r = self.change_pin(envelope, owner_pin, extra=("--token", label))
        if r.rc != 0:
            raise AssertionError(f"could not set the owner password:\n{r}")
        return envelope

    def info(self, *extra):
        return self.json(*extra, "info")


def envelope_pin(text):
    """The PIN in the text of a PIN envelope file: its line "PIN: ..." (the
    file `init --envelope` and `unblock --envelope` write), else the text
    itself (envelope files of old: the 8 digits alone)."""
    m = re.search(r"^PIN: (.*)$", text, re.MULTILINE)
    return m.group(1) if m else text.strip()


def read_envelope_pin(path):
    with open(path, encoding="utf-8") as f:
        return envelope_pin(f.read())


def command_exists(name):
    try:
        r = subprocess.run([BIN, name, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0 and f"ecert-token {name}".encode() in r.stdout


def require_build():
    """Skips the whole file when the CLI or the module has not been built."""
    for what, path in (("ecert-token", BIN), ("the module", MODULE)):
        if not os.path.exists(path):
            raise unittest.SkipTest(f"{what} is not built: {path}")


class SandboxTestCase(unittest.TestCase):
    """One Sandbox per test class (self.box), removed at the end."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        require_build()
        cls.box = Sandbox(prefix=f"ecert-e2e-{cls.__name__}-")

    @classmethod
    def tearDownClass(cls):
        cls.box.cleanup()

    def assertExit(self, result, code, *texts):
        """The run exited with `code`; each of `texts` is in stdout+stderr."""
        self.assertEqual(result.rc, code, f"wrong exit code:\n{result}")
        for text in texts:
            self.assertIn(text, result.out + result.err, f"missing {text!r}:\n{result}")


# --- translations ------------------------------------------------------------

def _po_string(lines):
    return "".join(json.loads(line) if line.startswith('"') else "" for line in lines)


def read_po(path):
    """{msgid: msgstr} of a .po file (plural forms: msgstr[0]); fuzzy
    entries are left out, as msgfmt leaves them out."""
    entries = {}
    block = []

    def flush():
        if not block:
            return
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
        fields = {}
        current = None
        for line in block:
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if m:
                current = m.group(1)
                fields[current] = [m.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" in fields and not fuzzy and "msgctxt" not in fields:
            msgid = _po_string(fields["msgid"])
            msgstr = _po_string(fields.get("msgstr", fields.get("msgstr[0]", [])))
            if msgid:
                entries[msgid] = msgstr
        block.clear()

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                flush()
            else:
                block.append(line)
    flush()
    return entries


class PkiTestCase(SandboxTestCase):
    """A token with the owner's password set and the test PKI beside it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pki = pki.make_pki(cls.box.path())
        cls.box.owner_token()
        cls.pin_file = cls.box.write_secret("owner-pin", OWNER_PIN)
        cls.p12_password_file = cls.box.write_secret("p12-password", cls.pki["password"])

    def import_p12(self, name, *extra):
        return self.box.run("--json", "import", self.pki[name]["p12"], "--pin-file", self.pin_file,
                            "--password-file", self.p12_password_file, *extra)
