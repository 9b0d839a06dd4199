"""SSH login with keys on the token: OpenSSH 9.2 (`ssh -I`, `ssh-keygen -D`,
`ssh-agent` + `ssh-add -s`) against a real `sshd` on 127.0.0.1.

The token is made as its owner has it (tls_support.make_token: `init`,
`change-pin` from the PIN envelope, `import rsa.p12` and `import ec.p12`
from tests/e2e/pki.py); a second token, in a second sandbox (so ssh sees
only it), gets a key from `ecert-token keygen --type p256` and is then
locked by wrong passwords.

sshd runs with its own configuration (-f, -D -e): own ed25519 host key, a
free loopback port, AuthorizedKeysFile in the test directory (rewritten per
test: one key authorised at a time), StrictModes no, UsePAM no,
PasswordAuthentication no, PermitRootLogin prohibit-password, AllowUsers
the test's own account. Run as root (CI), sshd runs as root and the login is
root (it needs /run/sshd, which the test creates if missing and removes
again); run as another user, sshd runs unprivileged and the login is that
user. Its log (-e: stderr) says which key it accepted ("Accepted publickey
... RSA SHA256:...").

ssh asks the token password itself ("Enter PIN for '<label>': ", on the
terminal): every ssh and ssh-add runs in a pseudo-terminal (pexpect), the
password is typed there and must not be echoed. Each client gets
`-o IdentitiesOnly=yes -o IdentityFile=<dir>/id_<name>` where
id_<name>.pub is the public key from the PEM files of pki (no private key
file): with IdentitiesOnly, OpenSSH uses a PKCS#11 (or agent) key only when
an IdentityFile names it (sshconnect2.c pubkey_prepare), so this both
chooses the key and checks that the token's key is the one in the PEM file.

ssh-agent accepts PKCS#11 modules only below the paths of its -P allowlist
(default /usr/lib*/*,/usr/local/lib*/*), where a package installs the module.
As root (CI) the test installs the built module there, in a directory of its
own under /usr/local/lib that it removes afterwards, and starts
`ssh-agent -D -a <socket>` with the default allowlist, as a user has it.
Without root it copies the module to <sandbox>/agent-lib/ and allows that
with -P '<sandbox>/agent-lib/*' (see docs/CLIENTS.md, SSH).
"""

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from io import StringIO

import pexpect

import pki
import tls_support
from e2e_support import MODULE, OWNER_PIN, Sandbox
from tls_support import CLIENT_TIMEOUT, WRONG_PIN, lock_token, make_token, pin_state, run

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
tls_support.require_programs("ssh", "ssh-keygen", "ssh-agent", "ssh-add", "openssl")
tls_support.require_files(SSHD)

TOKEN = "SSH e-Cert"
LOCKED = "陳大文的 SSH 匙"
GEN_LABEL = "ssh-p256"           # the keygen key on LOCKED
PIN_PROMPT = re.compile(r"Enter PIN for '([^'\r\n]*)': ")
ADD_PROMPT = re.compile(r"Enter passphrase for PKCS#11: ")
MARK = "ECERT-SSH-LOGGED-IN"


def user_name():
    return pwd.getpwuid(os.geteuid()).pw_name


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def checked(argv, env=None, cwd=None, input=b""):
    r = run(argv, env if env is not None else dict(os.environ), cwd or "/", input=input)
    if r.rc != 0 or r.timed_out:
        raise AssertionError(f"expected exit 0:\n{r}")
    return r.out


def key_blob(line):
    """("ssh-rsa", "AAAA...") of an OpenSSH public key line."""
    parts = line.split()
    return (parts[0], parts[1])


def openssh_public_of(pem_public_key):
    """The OpenSSH line of a PEM public key (SubjectPublicKeyInfo)."""
    return checked(["ssh-keygen", "-i", "-m", "PKCS8", "-f", pem_public_key]).strip()


def cert_public_key(cert, out):
    with open(out, "w", encoding="ascii") as f:
        f.write(checked(["openssl", "x509", "-in", cert, "-noout", "-pubkey"]))
    return out


def fingerprint(pub_file):
    """"SHA256:..." of an OpenSSH public key file."""
    return checked(["ssh-keygen", "-l", "-E", "sha256", "-f", pub_file]).split()[1]


class Talk:
    """One run of a program in a pseudo-terminal that asks for a password:
    rc, out (the terminal), prompts (the labels/texts asked), seconds,
    timed_out."""

    def __init__(self, argv, rc, out, prompts, seconds, timed_out):
        self.argv, self.rc, self.out, self.prompts = argv, rc, out, prompts
        self.seconds, self.timed_out = seconds, timed_out

    def __str__(self):
        what = "did not end (killed)" if self.timed_out else f"exit {self.rc}"
        return (f"{' '.join(self.argv)}\n-> {what} after {self.seconds:.1f} s, prompts {self.prompts}\n"
                f"--- terminal\n{self.out[-6000:]}")


def converse(argv, env, cwd, prompt, pin, max_prompts=3, timeout=CLIENT_TIMEOUT):
    """Runs argv in a new pseudo-terminal; types `pin` at each `prompt` (a
    regex) - at most max_prompts times, then stops answering. The whole run
    is bounded by `timeout` seconds. Fails if the typed password shows up
    in the terminal."""
    start = time.monotonic()
    transcript = StringIO()
    child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=cwd, encoding="utf-8", codec_errors="replace",
                          dimensions=(50, 250), echo=True)
    child.logfile_read = transcript
    child.delaybeforesend = None
    prompts, timed_out = [], False
    try:
        while True:
            remaining = timeout - (time.monotonic() - start)
            if remaining <= 0:
                raise pexpect.TIMEOUT("deadline")
            i = child.expect([prompt, pexpect.EOF], timeout=remaining)
            if i == 1:
                break
            prompts.append(child.match.group(1) if child.match.groups() else child.match.group(0))
            if len(prompts) <= max_prompts:
                child.send(pin + "\r")
    except pexpect.TIMEOUT:
        timed_out = True
    child.close(force=True)
    rc = child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
    talk = Talk([str(a) for a in argv], rc, transcript.getvalue(), prompts, time.monotonic() - start, timed_out)
    if pin and pin in talk.out:
        raise AssertionError(f"the typed password appears in the terminal:\n{talk}")
    return talk


class SshServer:
    """sshd -D -e with a configuration of its own in `dir`."""

    def __init__(self, dir):
        self.dir = dir
        self.user = user_name()
        self.authorized = os.path.join(dir, "authorized_keys")
        self.known_hosts = os.path.join(dir, "known_hosts")
        self.log = os.path.join(dir, "sshd.log")
        self.proc = None
        self.port = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        host_key = os.path.join(self.dir, "host_ed25519")
        checked(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", host_key])
        self.authorize()
        for _ in range(5):
            self.port = free_port()
            config = os.path.join(self.dir, "sshd_config")
            with open(config, "w", encoding="utf-8") as f:
                f.write(f"""\
ListenAddress 127.0.0.1
Port {self.port}
HostKey {host_key}
PidFile {os.path.join(self.dir, "sshd.pid")}
AuthorizedKeysFile {self.authorized}
StrictModes no
UsePAM no
UseDNS no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthenticationMethods publickey
PermitRootLogin prohibit-password
AllowUsers {self.user}
MaxAuthTries 10
PrintMotd no
X11Forwarding no
LogLevel INFO
""")
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=log, start_new_session=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.proc.poll() is None:
                if f"Server listening on 127.0.0.1 port {self.port}." in self.read_log(0):
                    with open(host_key + ".pub", encoding="ascii") as f, \
                            open(self.known_hosts, "w", encoding="ascii") as out:
                        out.write(f"[127.0.0.1]:{self.port} {f.read()}")
                    return self
                time.sleep(0.05)
            self.stop()
            if "Address already in use" not in self.read_log(0):
                break
        raise RuntimeError(f"sshd did not start:\n{self.read_log(0)}")

    def stop(self):
        tls_support.stop_process_group(self.proc)
        self.proc = None

    def authorize(self, *pub_files):
        """Only these public keys (files) may log in."""
        with open(self.authorized, "w", encoding="ascii") as out:
            for path in pub_files:
                with open(path, encoding="ascii") as f:
                    out.write(f.read().strip() + "\n")

    def read_log(self, since):
        with open(self.log, "rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", "replace")

    def mark(self):
        return os.path.getsize(self.log)

    def accepted(self, since):
        """["RSA SHA256:...", ...]: the keys sshd accepted a login with since mark()."""
        time.sleep(0.1)  # the log line is written as the session starts
        return re.findall(rf"Accepted publickey for {re.escape(self.user)} from 127\.0\.0\.1 port \d+ ssh2: "
                          r"(\S+ SHA256:\S+)", self.read_log(since))

    def ssh_args(self, identity):
        """ssh options for this server, using only the key named by `identity`
        (a path whose .pub file is the public key)."""
        return ["-F", "/dev/null", "-p", str(self.port),
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10",
                "-o", "IdentitiesOnly=yes", "-o", f"IdentityFile={identity}",
                f"{self.user}@127.0.0.1", "echo", MARK]


SERVER = None
_MADE_PRIVSEP_DIR = False


def setUpModule():
    global SERVER, _MADE_PRIVSEP_DIR
    # sshd running as root needs its privilege separation directory (the
    # systemd unit creates it; in a container nothing may have).
    if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
        os.makedirs("/run/sshd", mode=0o755)
        _MADE_PRIVSEP_DIR = True
    work = Sandbox(prefix="ecert-clients-sshd-")
    SERVER = SshServer(work.path("sshd"))
    SERVER.sandbox = work
    try:
        SERVER.start()
    except BaseException:
        work.cleanup()
        raise


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
        SERVER.sandbox.cleanup()
    if _MADE_PRIVSEP_DIR:
        try:
            os.rmdir("/run/sshd")
        except OSError:
            pass


class SshTestCase(unittest.TestCase):
    maxDiff = None
    box = None

    @classmethod
    def tearDownClass(cls):
        if cls.box is not None:
            cls.box.cleanup()

    def env(self, extra=None):
        """The sandbox environment (ECERT_TOKEN_DIR, ...), with no askpass
        program and no agent unless given."""
        return self.box.environment({"SSH_ASKPASS": None, "SSH_ASKPASS_REQUIRE": None, "SSH_AUTH_SOCK": None,
                                     "DISPLAY": None, **(extra or {})})

    def ssh_with_module(self, identity, pin, max_prompts=3):
        """ssh -I MODULE, typing `pin` at ssh's PIN prompt."""
        argv = ["ssh", "-I", MODULE, "-o", "BatchMode=no", *SERVER.ssh_args(identity)]
        return converse(argv, self.env(), self.box.root, PIN_PROMPT, pin, max_prompts=max_prompts)

    def login_with_module(self, label, identity, key_type):
        """ssh -I with the right password logs in with exactly that key."""
        before = pin_state(self.box, label)
        since = SERVER.mark()
        r = self.ssh_with_module(identity, OWNER_PIN)
        accepted = SERVER.accepted(since)
        self.assertFalse(r.timed_out, f"ssh hung:\n{r}")
        self.assertEqual(r.rc, 0, f"ssh failed:\n{r}\n--- sshd\n{SERVER.read_log(since)}")
        self.assertIn(MARK, r.out, r)
        self.assertEqual(r.prompts, [label], f"ssh should ask once for the password of {label!r}:\n{r}")
        self.assertEqual(accepted, [f"{key_type} {fingerprint(identity + '.pub')}"], f"{r}\n{SERVER.read_log(since)}")
        after = pin_state(self.box, label)
        self.assertEqual(after["tries_left"], after["max_tries"], f"{before} -> {after}")

    def refused_with_module(self, label, identity, pin, reason):
        """ssh -I with `pin` does not log in, fails within CLIENT_TIMEOUT,
        says `reason`; returns (pin state before, after)."""
        before = pin_state(self.box, label)
        since = SERVER.mark()
        r = self.ssh_with_module(identity, pin)
        accepted = SERVER.accepted(since)
        after = pin_state(self.box, label)
        detail = f"{r}\n--- sshd\n{SERVER.read_log(since)}\ntoken {label!r}: {before} -> {after}"
        self.assertFalse(r.timed_out, f"ssh hung:\n{detail}")
        self.assertNotEqual(r.rc, 0, f"ssh reported success:\n{detail}")
        self.assertNotIn(MARK, r.out, detail)
        self.assertEqual(accepted, [], detail)
        self.assertEqual(r.prompts, [label], f"one password prompt expected:\n{detail}")
        self.assertIn(reason, r.out, detail)
        return before, after


SYSTEM_LIB = "/usr/local/lib"  # in ssh-agent's default allowlist


class Agent:
    """ssh-agent -D with a socket in the sandbox. As root: the module
    installed in a directory of its own under /usr/local/lib (removed by
    stop()) and the default allowlist; else the module copied to
    <sandbox>/agent-lib/ and -P allowing just that."""

    def __init__(self, box, env):
        self.box = box
        argv = ["ssh-agent", "-D"]
        if os.geteuid() == 0 and os.access(SYSTEM_LIB, os.W_OK):
            self.lib = tempfile.mkdtemp(prefix="ecert-token-test-", dir=SYSTEM_LIB)
            os.chmod(self.lib, 0o755)
        else:
            self.lib = box.path("agent-lib")
            os.makedirs(self.lib, exist_ok=True)
            argv += ["-P", f"{self.lib}/*"]
        self.module = os.path.join(self.lib, os.path.basename(MODULE))
        shutil.copy2(MODULE, self.module)
        self.socket = box.path(f"agent-{time.monotonic_ns()}.sock")
        self.log = box.path("ssh-agent.log")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([*argv, "-a", self.socket], env=env,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.log, encoding="utf-8", errors="replace") as f:
                    raise RuntimeError(f"ssh-agent did not start:\n{f.read()}")
            time.sleep(0.05)

    def stop(self):
        tls_support.stop_process_group(self.proc)
        if self.lib.startswith(SYSTEM_LIB + "/"):
            shutil.rmtree(self.lib, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class SshImportedKeysTest(SshTestCase):
    """The owner's token with both imported e-Certs."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox(prefix=f"ecert-clients-{cls.__name__}-")
        try:
            cls.pki = pki.make_pki(cls.box.path())
            make_token(cls.box, cls.pki, TOKEN)
            # id_<name>.pub: the OpenSSH form of the public key of the PEM
            # key (RSA) and of the certificate (EC), made without the token.
            cls.identity = {name: cls.box.path(f"id_{name}") for name in ("rsa", "ec", "ca")}
            lines = {
                "rsa": checked(["ssh-keygen", "-y", "-f", cls.pki["rsa"]["key"]]).strip(),
                "ec": openssh_public_of(cert_public_key(cls.pki["ec"]["cert"], cls.box.path("ec-pub.pem"))),
                "ca": openssh_public_of(cert_public_key(cls.pki["ca"]["cert"], cls.box.path("ca-pub.pem"))),
            }
            for name, line in lines.items():
                with open(cls.identity[name] + ".pub", "w", encoding="ascii") as f:
                    f.write(f"{line} {name}\n")
            cls.blob = {name: key_blob(line) for name, line in lines.items()}
        except BaseException:
            cls.tearDownClass()
            raise

    def agent_env(self, agent):
        return self.env({"SSH_AUTH_SOCK": agent.socket})

    def ssh_add(self, agent, pin):
        return converse(["ssh-add", "-s", agent.module], self.agent_env(agent), self.box.root, ADD_PROMPT, pin,
                        max_prompts=1)

    def agent_keys(self, agent):
        r = run(["ssh-add", "-l", "-E", "sha256"], self.agent_env(agent), self.box.root)
        self.assertFalse(r.timed_out, r)
        return r

    def ssh_through_agent(self, agent, identity):
        # BatchMode=yes: ssh itself can ask nothing, so the key must come from the agent.
        argv = ["ssh", "-o", "BatchMode=yes", *SERVER.ssh_args(identity)]
        return run(argv, self.agent_env(agent), self.box.root)

    # --- ssh-keygen -D ---------------------------------------------------------

    def test_keygen_lists_the_token_keys(self):
        r = run(["ssh-keygen", "-D", MODULE], self.env(), self.box.root)
        self.assertEqual(r.rc, 0, r)
        listed = {}
        for line in r.out.splitlines():
            parts = line.split(None, 2)
            listed[(parts[0], parts[1])] = parts[2] if len(parts) > 2 else ""
        # Each e-Cert's key, with its label as the comment.
        self.assertEqual(self.blob["rsa"][0], "ssh-rsa")
        self.assertEqual(self.blob["ec"][0], "ecdsa-sha2-nistp256")
        self.assertEqual(listed.get(self.blob["rsa"]), "rsa", r)
        self.assertEqual(listed.get(self.blob["ec"]), "ec", r)
        # Anything else is the key of another certificate on the token (the
        # CA certificate from the PKCS#12 files, which has a CKA_ID).
        others = set(listed) - {self.blob["rsa"], self.blob["ec"]}
        self.assertLessEqual(others, {self.blob["ca"]}, r)
        # Listing needs no password: nothing was asked (no terminal at all).
        self.assertNotIn("PIN", r.err, r)

    # --- ssh -I ------------------------------------------------------------------

    def test_ssh_rsa_key(self):
        SERVER.authorize(self.identity["rsa"] + ".pub")
        self.login_with_module(TOKEN, self.identity["rsa"], "RSA")

    def test_ssh_ecdsa_key(self):
        SERVER.authorize(self.identity["ec"] + ".pub")
        self.login_with_module(TOKEN, self.identity["ec"], "ECDSA")

    def test_ssh_other_key_not_authorised(self):
        # Only the EC key is authorised: the RSA key is refused by sshd
        # before any signature, so no password is even asked.
        SERVER.authorize(self.identity["ec"] + ".pub")
        since = SERVER.mark()
        r = self.ssh_with_module(self.identity["rsa"], OWNER_PIN)
        self.assertFalse(r.timed_out, r)
        self.assertNotEqual(r.rc, 0, r)
        self.assertEqual(r.prompts, [], r)
        self.assertEqual(SERVER.accepted(since), [], r)

    def test_ssh_wrong_pin(self):
        SERVER.authorize(self.identity["rsa"] + ".pub")
        before, after = self.refused_with_module(TOKEN, self.identity["rsa"], WRONG_PIN,
                                                 "PKCS#11 login failed: PIN incorrect")
        self.assertEqual(before["tries_left"] - after["tries_left"], 1, f"{before} -> {after}")
        # The right password afterwards logs in and restores the count.
        self.login_with_module(TOKEN, self.identity["rsa"], "RSA")

    # --- ssh-agent ----------------------------------------------------------------

    def test_agent(self):
        SERVER.authorize(self.identity["rsa"] + ".pub", self.identity["ec"] + ".pub")
        with Agent(self.box, self.env()) as agent:
            # A wrong password: the agent refuses the card, one try is gone.
            before = pin_state(self.box, TOKEN)
            r = self.ssh_add(agent, WRONG_PIN)
            after = pin_state(self.box, TOKEN)
            self.assertFalse(r.timed_out, r)
            self.assertNotEqual(r.rc, 0, r)
            self.assertEqual(r.prompts, ["Enter passphrase for PKCS#11: "], r)
            self.assertIn("Could not add card", r.out, r)
            self.assertEqual(before["tries_left"] - after["tries_left"], 1, f"{r}\n{before} -> {after}")
            self.assertIn("no identities", self.agent_keys(agent).out)

            # The right password: the agent holds both keys.
            r = self.ssh_add(agent, OWNER_PIN)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("Card added", r.out, r)
            keys = self.agent_keys(agent)
            self.assertEqual(keys.rc, 0, keys)
            for name, kind in (("rsa", "RSA"), ("ec", "ECDSA")):
                self.assertRegex(keys.out, rf"(?m)^\d+ {re.escape(fingerprint(self.identity[name] + '.pub'))} "
                                           rf"{name} \({kind}\)$", keys)
            after = pin_state(self.box, TOKEN)
            self.assertEqual(after["tries_left"], after["max_tries"], after)

            # ssh logs in through the agent, with each key.
            for name, kind in (("rsa", "RSA"), ("ec", "ECDSA")):
                since = SERVER.mark()
                r = self.ssh_through_agent(agent, self.identity[name])
                accepted = SERVER.accepted(since)
                self.assertEqual(r.rc, 0, f"{r}\n--- sshd\n{SERVER.read_log(since)}")
                self.assertIn(MARK, r.out, r)
                self.assertEqual(accepted, [f"{kind} {fingerprint(self.identity[name] + '.pub')}"],
                                 SERVER.read_log(since))


class SshLockedTokenTest(SshTestCase):
    """A token (own sandbox) with a key made by `ecert-token keygen`,
    used once, then locked by wrong passwords."""

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox(prefix=f"ecert-clients-{cls.__name__}-")
        try:
            make_token(cls.box, None, LOCKED, names=())
            env = {"ECERT_TOKEN_PIN": OWNER_PIN}
            tls_support.cli_ok(cls.box, "--token", LOCKED, "keygen", "--type", "p256", "--label", GEN_LABEL, env=env)
            # The public key, independently of ssh: from a certificate request
            # the token signs (`ecert-token csr`), checked by openssl.
            csr = cls.box.path("gen.csr")
            tls_support.cli_ok(cls.box, "--token", LOCKED, "csr", GEN_LABEL, "--common-name", "SSH user",
                               "-o", csr, env=env)
            pem = cls.box.path("gen-pub.pem")
            with open(pem, "w", encoding="ascii") as f:
                f.write(checked(["openssl", "req", "-in", csr, "-verify", "-noout", "-pubkey"]))
            cls.identity = cls.box.path("id_gen")
            with open(cls.identity + ".pub", "w", encoding="ascii") as f:
                f.write(openssh_public_of(pem) + f" {GEN_LABEL}\n")
        except BaseException:
            cls.tearDownClass()
            raise

    def test_keygen_key_then_locked(self):
        SERVER.authorize(self.identity + ".pub")
        with open(self.identity + ".pub", encoding="ascii") as f:
            blob = key_blob(f.read())
        r = run(["ssh-keygen", "-D", MODULE], self.env(), self.box.root)
        self.assertEqual(r.rc, 0, r)
        self.assertIn(f"{blob[0]} {blob[1]} {GEN_LABEL}", r.out.splitlines(), r)

        # The generated key logs in.
        self.login_with_module(LOCKED, self.identity, "ECDSA")

        # Locked: even the right password logs in no more, and nothing is counted.
        lock_token(self.box, LOCKED)
        before, after = self.refused_with_module(LOCKED, self.identity, OWNER_PIN, "PKCS#11 login failed: PIN locked")
        self.assertEqual(after, before)
        self.assertTrue(after["locked"], after)

        # Nor through the agent.
        with Agent(self.box, self.env()) as agent:
            r = converse(["ssh-add", "-s", agent.module], self.env({"SSH_AUTH_SOCK": agent.socket}), self.box.root,
                         ADD_PROMPT, OWNER_PIN, max_prompts=1)
            self.assertFalse(r.timed_out, r)
            self.assertNotEqual(r.rc, 0, r)
            self.assertIn("Could not add card", r.out, r)
            keys = run(["ssh-add", "-l"], self.env({"SSH_AUTH_SOCK": agent.socket}), self.box.root)
            self.assertIn("no identities", keys.out, keys)
        self.assertEqual(pin_state(self.box, LOCKED), before)


if __name__ == "__main__":
    unittest.main()
