"""Shared by the client login tests: a real TLS server that demands a client
certificate, tokens made the way their owner and issuer make them with
`ecert-token`, and the checks every client test runs.

The server is `openssl s_server` on 127.0.0.1 (a free port), TLS 1.3 or
TLS 1.2 only, with a "localhost"/127.0.0.1 certificate from the test CA of
tests/e2e/pki.py. It requires a client certificate issued by that CA
(`-Verify 1 -verify_return_error -CAfile ca.pem`) and answers `GET /` with
its `-www` status page, which names the protocol and ends with the client
certificate it accepted (PEM). It runs with `-state`, so its log (stderr)
shows, per connection, the client certificate it verified (`depth=0
<subject>`, RFC 2253, UTF-8 kept) and whether the handshake then completed
(`read finished`): TlsServer.attempt() reads that log, so a test knows from
the server side which client certificate, if any, was accepted.

Tokens (Sandbox from tests/e2e/e2e_support.py, so ECERT_TOKEN_DIR and a
cheap KDF are set): make_token() runs `init` (SO password in
ECERT_TOKEN_SO_PIN, initial password to an --envelope file), `change-pin`
(ECERT_TOKEN_PIN / ECERT_TOKEN_NEW_PIN) and `import rsa.p12`, `import ec.p12`
(ECERT_TOKEN_P12_PASSWORD). lock_token() gives wrong current passwords to
`change-pin` until the token is locked; reissue_envelope() is the issuer's
`unblock` (a new PIN envelope: the owner must change it before any login).
pin_state()/tries_left() read `ecert-token --json info` (user_pin).

Every command may run as another user (`user=`): p11-kit ignores the user's
~/.config/pkcs11 when running as root, so the GnuTLS test runs as an
unprivileged user when the tests run as root (see gnutls_test.py).

ClientLoginTests is the list of checks (RSA and P-256 e-Certs, TLS 1.3 and
1.2, wrong PIN, locked token, unchanged envelope PIN); a client test mixes it
into a unittest.TestCase and says how its client logs in (login()).
"""

import atexit
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

import pki
from e2e_support import BIN, MODULE, OWNER_PIN, SO_PIN, TIMEOUT, Result, Sandbox, read_envelope_pin

# A client must give up (succeed or fail) within this many seconds.
CLIENT_TIMEOUT = 30
# The wrong password the failure tests type; it meets the password rules, so
# only the token's check can refuse it.
WRONG_PIN = "Wrong#Pass2024"
REQUEST = b"GET / HTTP/1.0\r\n\r\n"
VERSIONS = ("1.3", "1.2")

TOKEN = "e-Cert Token"           # owner password set, both e-Certs
LOCKED_TOKEN = "Locked Token"     # both e-Certs, then locked by wrong passwords
ENVELOPE_TOKEN = "Envelope Token"  # both e-Certs, then a new PIN envelope (must change)


def cannot_run(reason):
    """A client test that cannot run here: skipped (exit 77) for a developer
    without every client installed, but a failure, with one line saying why,
    under ECERT_REQUIRE_ALL_TESTS=1 (scripts/test.sh, so .ci/run never passes
    with a client test silently skipped)."""
    if os.environ.get("ECERT_REQUIRE_ALL_TESTS") == "1":
        print(f"cannot run: {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"skipped: {reason}", file=sys.stderr)
    sys.exit(77)


def require_programs(*names):
    """cannot_run() when a program is missing or the project is not built;
    called when a test file is imported."""
    missing = [n for n in names if shutil.which(n) is None]
    missing += [p for p in (BIN, MODULE) if not os.path.exists(p)]
    if missing:
        cannot_run(f"not installed or not built: {', '.join(missing)}")


def require_files(*paths):
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        cannot_run(f"missing {', '.join(missing)}")


# --- processes -----------------------------------------------------------------


def stop_process_group(proc):
    """Ends a server started with start_new_session=True: SIGTERM to its
    process group, SIGKILL after 5 s. None or an ended process is fine."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

class User:
    """An account to run commands as (subprocess user=/group=)."""

    def __init__(self, name):
        entry = pwd.getpwnam(name)
        self.name, self.uid, self.gid = name, entry.pw_uid, entry.pw_gid

    def give(self, path):
        """Makes `path` and everything under it this user's."""
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid)
            for f in files:
                os.chown(os.path.join(root, f), self.uid, self.gid)


def give_programs(box, user):
    """Copies of ecert-token and the module in the sandbox, which `user`
    gets: the build tree may be where that user cannot go (a checkout under
    a 0700 /root). The sandbox's CLI and its ECERT_TOKEN_MODULE become the
    copies; returns the module's path."""
    programs = box.path("programs")
    os.makedirs(programs, 0o755)
    box.program = shutil.copy2(BIN, programs)
    module = shutil.copy2(MODULE, programs)
    box.env["ECERT_TOKEN_MODULE"] = module
    user.give(programs)
    return module


def unprivileged_user():
    """None when not root; else the account "nobody" (Debian has it)."""
    return User("nobody") if os.geteuid() == 0 else None


class Run:
    """One finished client run: argv, rc, out, err (text), seconds."""

    def __init__(self, argv, rc, out, err, seconds, timed_out):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.seconds, self.timed_out = seconds, timed_out

    def __str__(self):
        what = "did not end (killed)" if self.timed_out else f"exit {self.rc}"
        return (f"{' '.join(self.argv)}\n-> {what} after {self.seconds:.1f} s\n"
                f"--- stdout\n{self.out[-6000:]}\n--- stderr\n{self.err[-6000:]}")


def run(argv, env, cwd, input=b"", user=None, timeout=CLIENT_TIMEOUT):
    """Runs a program in its own session (no terminal: nothing can prompt),
    stdin from `input`; kills its whole process group after `timeout` s."""
    start = time.monotonic()
    ids = {"user": user.uid, "group": user.gid, "extra_groups": []} if user else {}
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True, **ids)
    timed_out = False
    try:
        out, err = p.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    return Run([str(a) for a in argv], p.returncode, out.decode("utf-8", "replace"),
               err.decode("utf-8", "replace"), time.monotonic() - start, timed_out)


def write_secret(path, text, user=None):
    """A one-line password file, mode 0600 (the user's when given)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    if user:
        os.chown(path, user.uid, user.gid)
    return path


# --- the token, as its owner and issuer make it ----------------------------------

def cli(box, *args, env=None, user=None):
    """`ecert-token ARGS` in the sandbox (Sandbox.run, as `user` if given)."""
    argv = [getattr(box, "program", BIN), *[str(a) for a in args]]
    r = run(argv, box.environment(env), box.root, user=user, timeout=TIMEOUT)
    if r.timed_out:
        raise AssertionError(f"ecert-token did not end within {TIMEOUT} s:\n{r}")
    return Result(argv[1:], r.rc, r.out, r.err)


def cli_ok(box, *args, env=None, user=None):
    r = cli(box, *args, env=env, user=user)
    if r.rc != 0:
        raise AssertionError(f"expected exit 0:\n{r}")
    return r


def make_token(box, p, label, owner_pin=OWNER_PIN, names=("rsa", "ec"), user=None):
    """A token as its owner has it: `init` (the issuer: SO password, PIN
    envelope file), `change-pin` from the envelope to `owner_pin`, and each
    e-Cert of pki `p` imported from its PKCS#12 file (label = its name).
    Returns the envelope password."""
    envelope = box.path(f"envelope-{label.replace(' ', '_')}")
    # The issuer makes several tokens in one directory: a spare slot beside
    # the existing ones only comes when asked for.
    cli_ok(box, "init", "--label", label, "--envelope", envelope,
           env={"ECERT_TOKEN_SO_PIN": SO_PIN, "ECERT_TOKEN_SPARE_SLOT": "1"}, user=user)
    initial = read_envelope_pin(envelope)
    cli_ok(box, "--token", label, "change-pin", env={"ECERT_TOKEN_PIN": initial, "ECERT_TOKEN_NEW_PIN": owner_pin},
           user=user)
    for name in names:
        cli_ok(box, "--token", label, "import", p[name]["p12"],
               env={"ECERT_TOKEN_PIN": owner_pin, "ECERT_TOKEN_P12_PASSWORD": p["password"]}, user=user)
    labels = {c["label"] for c in cli_ok(box, "--json", "--token", label, "certs", user=user).json()}
    if not set(names) <= labels:
        raise AssertionError(f"certificates {names} not all on {label!r}: {labels}")
    return initial


class TestPinentry:
    """tests/pinentry/test-pinentry.py as the pinentry of a token with the
    protected authentication path: answers(...) sets what it types, env()
    is the environment for the program that uses the token, getpins() what
    each GETPIN returned ("pin", "cancel", ...; never a password)."""

    PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pinentry", "test-pinentry.py")

    def __init__(self, box):
        self.log = box.path("pinentry.log")
        self.answers_file = box.path("pinentry-answers")

    def answers(self, *answers):
        with open(self.answers_file, "w", encoding="utf-8") as f:
            f.write("".join(a + "\n" for a in answers))

    def env(self):
        return {"ECERT_PINENTRY": self.PROGRAM, "ECERT_TEST_PINENTRY_ANSWERS": self.answers_file,
                "ECERT_TEST_PINENTRY_LOG": self.log}

    def getpins(self):
        try:
            with open(self.log, encoding="utf-8") as f:
                return [line.split(" -> ", 1)[1] for line in f.read().splitlines() if line.startswith("GETPIN -> ")]
        except FileNotFoundError:
            return []


def pin_state(box, label, user=None):
    """The `user_pin` object of `ecert-token --json info`: tries_left,
    max_tries, locked, must_change, ..."""
    return cli_ok(box, "--json", "--token", label, "info", user=user).json()["user_pin"]


def tries_left(box, label, user=None):
    return pin_state(box, label, user=user)["tries_left"]


def lock_token(box, label, user=None):
    """Gives `change-pin` wrong current passwords until the token is locked
    (15 with the default policy)."""
    state = pin_state(box, label, user=user)
    for i in range(state["tries_left"]):
        r = cli(box, "--token", label, "change-pin",
                env={"ECERT_TOKEN_PIN": f"Wrong#Pass{i:02d}", "ECERT_TOKEN_NEW_PIN": "Other#Pass2099"}, user=user)
        if r.rc == 0:
            raise AssertionError(f"a wrong password was accepted:\n{r}")
    state = pin_state(box, label, user=user)
    if not state["locked"] or state["tries_left"] != 0:
        raise AssertionError(f"{label!r} is not locked: {state}")


def reissue_envelope(box, label, user=None):
    """The issuer's `unblock`: a new initial password (PIN envelope) that
    the owner must change before the token can be used. Returns it."""
    envelope = box.path(f"envelope-{label.replace(' ', '_')}-2")
    # --yes: the token is not locked, and the issuer means to reset it.
    cli_ok(box, "--token", label, "unblock", "--yes", "--envelope", envelope, env={"ECERT_TOKEN_SO_PIN": SO_PIN},
           user=user)
    initial = read_envelope_pin(envelope)
    if not pin_state(box, label, user=user)["must_change"]:
        raise AssertionError(f"{label!r} does not ask for a password change after unblock")
    return initial


def make_token_set(box, p, user=None):
    """TOKEN (ready), LOCKED_TOKEN and ENVELOPE_TOKEN, each with both
    e-Certs and the owner password OWNER_PIN. Returns the envelope password
    of ENVELOPE_TOKEN (the password its owner would type)."""
    make_token(box, p, TOKEN, user=user)
    make_token(box, p, LOCKED_TOKEN, user=user)
    lock_token(box, LOCKED_TOKEN, user=user)
    make_token(box, p, ENVELOPE_TOKEN, user=user)
    return reissue_envelope(box, ENVELOPE_TOKEN, user=user)


# --- the server ---------------------------------------------------------------------

_SERVER_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def make_server_cert(p):
    """A P-256 server certificate for localhost and 127.0.0.1 from the test
    CA of pki `p`; returns {"cert", "key"} (paths in p["dir"])."""
    d = p["dir"]
    cnf, key, csr, cert = (os.path.join(d, "server" + ext) for ext in (".cnf", ".key", ".csr", ".pem"))
    with open(cnf, "w", encoding="utf-8") as f:
        f.write(_SERVER_CNF)
    for args in (["req", "-new", "-config", cnf, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", key, "-out", csr],
                 ["x509", "-req", "-in", csr, "-CA", p["ca"]["cert"], "-CAkey", p["ca"]["key"], "-set_serial",
                  "0x" + os.urandom(8).hex(), "-days", "30", "-extfile", cnf, "-extensions", "server", "-out", cert]):
        r = subprocess.run(["openssl", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        if r.returncode != 0:
            raise RuntimeError(f"openssl {args[0]} failed:\n{r.stderr.decode()}")
    return {"cert": cert, "key": key}


class Attempt:
    """What the server logged while one client ran.

    connections: how many TLS connections it began (ClientHello read)
    verified:    subjects (RFC 2253) of the client certificates whose chain
                 it verified, in order
    accepted:    subjects of the client certificates it accepted: verified,
                 then the handshake finished (CertificateVerify checked)
    errors:      its error lines
    """

    def __init__(self, text):
        self.text = text
        self.connections = text.count("SSL_accept:SSLv3/TLS read client hello")
        self.verified, self.accepted, self.errors = [], [], []
        peer = None
        for line in text.splitlines():
            if line.startswith("depth=0 "):
                peer = line[len("depth=0 "):]
                self.verified.append(peer)
            elif line.startswith("SSL_accept:before SSL initialization"):
                peer = None
            elif line == "SSL_accept:SSLv3/TLS read finished" and peer is not None:
                self.accepted.append(peer)
                peer = None
            elif ":error:" in line or line.startswith("SSL_accept:error") or line.startswith("verify error"):
                self.errors.append(line)
                peer = None

    def __str__(self):
        return f"--- server log of this attempt\n{self.text}"


class TlsServer:
    """`openssl s_server` for one TLS version ("1.3" or "1.2") with the
    server certificate from make_server_cert() and the test CA of pki `p`;
    with client_auth=False it asks for no client certificate. Use
    start()/stop() or `with`; .url once started."""

    def __init__(self, p, server_cert, version, log_dir, client_auth=True):
        self.version = version
        name = f"s_server-tls{version}" + ("" if client_auth else "-no-client-auth")
        self.log = os.path.join(log_dir, name + ".log")
        self.out = os.path.join(log_dir, name + ".out")
        self.argv = ["openssl", "s_server", "-accept", "127.0.0.1:0",
                     "-cert", server_cert["cert"], "-key", server_cert["key"],
                     "-tls1_3" if version == "1.3" else "-tls1_2",
                     "-www", "-state", "-nameopt", "RFC2253,-esc_msb"]
        if client_auth:
            self.argv += ["-CAfile", p["ca"]["cert"], "-Verify", "1", "-verify_return_error"]
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}/"

    def start(self):
        env = {k: v for k, v in os.environ.items() if k != "OPENSSL_CONF"}
        with open(self.out, "wb") as out, open(self.log, "wb") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=log, env=env,
                                         start_new_session=True)
        atexit.register(self.stop)  # also when a test run is cut short
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.out, encoding="utf-8", errors="replace") as f:
                m = re.search(r"^ACCEPT 127\.0\.0\.1:(\d+)$", f.read(), re.M)
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        with open(self.log, encoding="utf-8", errors="replace") as f:
            raise RuntimeError(f"s_server did not start: {' '.join(self.argv)}\n{f.read()}")

    def stop(self):
        stop_process_group(self.proc)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def read(self, since):
        """The log (stderr) from mark() `since` on."""
        with open(self.log, "rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", "replace")

    def mark(self):
        """Where the log ends now: pass it to attempt() after the client ran."""
        return os.path.getsize(self.log)

    def attempt(self, since):
        """What the server logged since mark() `since`, once it has finished
        with the connections begun (at most 5 s)."""
        deadline = time.monotonic() + 5
        while True:
            text = self.read(since)
            begun = text.count("SSL_accept:before SSL initialization\nSSL_accept:before SSL initialization")
            ended = len(re.findall(r"alert write:warning:close notify|^SSL_accept:error|:error:", text, re.M))
            if begun <= ended or time.monotonic() > deadline or self.proc.poll() is not None:
                time.sleep(0.05)  # the rest of an error report
                return Attempt(self.read(since))
            time.sleep(0.05)


# --- what the server's page says ---------------------------------------------------

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----", re.S)


def page_client_certificate(page):
    """The client certificate (PEM) at the end of s_server's -www page, or
    None when the page says there was none."""
    _, found, rest = page.partition("Client certificate\n")
    if not found:
        return None
    m = _PEM.search(rest)
    return m.group(0) if m else None


def page_protocol(page):
    m = re.search(r"^\s*Protocol\s*:\s*(\S+)", page, re.M)
    return m.group(1) if m else None


def read_pem(path):
    with open(path, encoding="ascii") as f:
        return _PEM.search(f.read()).group(0)


# --- the checks every client test runs ------------------------------------------

class ClientLoginTests:
    """Mix into a unittest.TestCase. The class sets up in setUpClass (call
    setup_login_tests(): sandbox, PKI, tokens, servers) and implements

        login(self, token_label, name, pin, version) -> Run

    which makes its client log in to self.servers[version] (127.0.0.1,
    .port) with certificate and key `name` ("rsa" or "ec", the labels on
    the token) of token `token_label`, giving the token password `pin`, and
    send REQUEST, with run() (timeout CLIENT_TIMEOUT)."""

    maxDiff = None
    run_as = None  # a User, or None for the current one
    # What the client says when it is refused: regexes for "wrong_pin",
    # "locked", "must_change" (a class may leave any out).
    REFUSALS = {}

    @classmethod
    def setup_login_tests(cls, run_as=None):
        cls.run_as = run_as
        cls.box = Sandbox(prefix=f"ecert-clients-{cls.__name__}-")
        cls.servers = {}
        try:
            cls.pki = pki.make_pki(cls.box.path())
            cls.server_cert = make_server_cert(cls.pki)
            cls.module = MODULE
            if run_as:
                cls.module = give_programs(cls.box, run_as)
                run_as.give(cls.box.root)
            cls.envelope_pin = make_token_set(cls.box, cls.pki, user=run_as)
            for v in VERSIONS:
                cls.servers[v] = TlsServer(cls.pki, cls.server_cert, v, cls.box.root).start()
        except BaseException:
            cls.teardown_login_tests()
            raise

    @classmethod
    def teardown_login_tests(cls):
        for s in cls.servers.values():
            s.stop()
        cls.box.cleanup()

    @classmethod
    def setUpClass(cls):
        cls.setup_login_tests()

    @classmethod
    def tearDownClass(cls):
        cls.teardown_login_tests()

    def login(self, token_label, name, pin, version):  # pragma: no cover - each client's own
        raise NotImplementedError

    # helpers

    def attempt(self, label, name, pin, version):
        """Runs login(); returns (Run, Attempt)."""
        server = self.servers[version]
        since = server.mark()
        r = self.login(label, name, pin, version)
        return r, server.attempt(since)

    def check_login(self, name, version):
        before = pin_state(self.box, TOKEN, user=self.run_as)
        r, seen = self.attempt(TOKEN, name, OWNER_PIN, version)
        detail = f"{r}\n{seen}"
        self.assertFalse(r.timed_out, f"the client hung:\n{detail}")
        self.assertEqual(r.rc, 0, f"the client failed:\n{detail}")
        # The server side: it verified and accepted this e-Cert, and only it.
        subject = self.pki[name]["subject"]
        self.assertIn("CN=" + self.pki[name]["common_name"] + ",", subject)
        self.assertEqual(seen.accepted, [subject], f"the server did not accept the {name} e-Cert:\n{detail}")
        # Its page: the protocol, and the very certificate from the PKCS#12 file.
        self.assertEqual(page_protocol(r.out), "TLSv" + version, detail)
        self.assertEqual(page_client_certificate(r.out), read_pem(self.pki[name]["cert"]),
                         f"the server's page shows another client certificate:\n{detail}")
        after = pin_state(self.box, TOKEN, user=self.run_as)
        self.assertEqual(after["tries_left"], after["max_tries"], f"{before} -> {after}")

    def check_refused(self, kind, label, name, pin, version, wrong_pins):
        """The client fails within CLIENT_TIMEOUT, the server accepted no
        client certificate, the token lost exactly `wrong_pins` tries, and
        the client's output matches REFUSALS[kind] (if the class has one)."""
        before = pin_state(self.box, label, user=self.run_as)
        r, seen = self.attempt(label, name, pin, version)
        after = pin_state(self.box, label, user=self.run_as)
        detail = f"{r}\n{seen}\ntoken {label!r}: {before} -> {after}"
        self.assertFalse(r.timed_out, f"the client hung:\n{detail}")
        self.assertNotEqual(r.rc, 0, f"the client reported success:\n{detail}")
        self.assertEqual(seen.accepted, [], f"the server accepted a client certificate:\n{detail}")
        self.assertIsNone(page_client_certificate(r.out), detail)
        self.assertEqual(before["tries_left"] - after["tries_left"], wrong_pins, f"wrong tries counted:\n{detail}")
        if self.REFUSALS.get(kind):
            self.assertRegex(r.out + r.err, self.REFUSALS[kind], f"not the expected reason:\n{detail}")
        return before, after

    # the tests

    def test_rsa_tls13(self):
        self.check_login("rsa", "1.3")

    def test_rsa_tls12(self):
        self.check_login("rsa", "1.2")

    def test_ec_tls13(self):
        self.check_login("ec", "1.3")

    def test_ec_tls12(self):
        self.check_login("ec", "1.2")

    def test_wrong_pin_rsa_tls13(self):
        self.check_refused("wrong_pin", TOKEN, "rsa", WRONG_PIN, "1.3", wrong_pins=1)

    def test_wrong_pin_ec_tls12(self):
        self.check_refused("wrong_pin", TOKEN, "ec", WRONG_PIN, "1.2", wrong_pins=1)

    def test_locked_token(self):
        # The right password: the token is locked all the same.
        _, after = self.check_refused("locked", LOCKED_TOKEN, "rsa", OWNER_PIN, "1.3", wrong_pins=0)
        self.assertTrue(after["locked"], after)

    def test_envelope_pin_unchanged(self):
        # The password from the PIN envelope: C_Login says CKR_PIN_EXPIRED.
        _, after = self.check_refused("must_change", ENVELOPE_TOKEN, "ec", self.envelope_pin, "1.3", wrong_pins=0)
        self.assertTrue(after["must_change"], after)
