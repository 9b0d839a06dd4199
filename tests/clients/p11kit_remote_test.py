"""The token used from other processes through p11-kit remoting: `p11-kit
server` (p11-kit 0.24.1) serves tokens of the module on a Unix socket;
clients load /usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so with
P11_KIT_SERVER_ADDRESS set and never load the module themselves.

The server runs in the foreground (-f) with a socket path of our choosing
(-n) and serves two of the sandbox's three tokens by PKCS#11 URI:
TOKEN (owner password set, both e-Certs of tests/e2e/pki.py imported) and
LOCKED (locked by wrong passwords); UNSERVED must not be visible. It prints
P11_KIT_SERVER_ADDRESS=...; export ...; in sh syntax, which the test reads.
For each client connection it forks and execs a fresh `p11-kit remote`,
which loads the module: concurrent clients are concurrent processes on one
token store.

Clients run without ECERT_TOKEN_DIR (they can only reach the token through
the server), with no terminal, the PIN from the environment
(`pkcs11-tool --pin env:PIN`), each bounded by 30 s. Signatures are checked
with `openssl` against the public key of the certificate (PEM from pki).

p11-kit-client 0.24.1 only forwards mechanisms on its allow-list: RSA_PKCS,
SHAx_RSA_PKCS, RSA_PKCS_PSS (with parameters), ECDSA, ECDSA_SHA1 pass;
ECDSA_SHA256 and SHAx_RSA_PKCS_PSS do not (CKR_MECHANISM_INVALID from
C_SignInit). So ECDSA is signed as CKM_ECDSA over a SHA-256 hash made by the
client, and RSA-PSS as CKM_RSA_PKCS_PSS over the hash.
"""

import hashlib
import os
import re
import signal
import subprocess
import time
import unittest
import urllib.parse

import pki
import tls_support
from e2e_support import MODULE, OWNER_PIN, Sandbox
from tls_support import CLIENT_TIMEOUT, WRONG_PIN, cli_ok, lock_token, make_token, pin_state, run

CLIENT_MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so"
tls_support.require_programs("p11-kit", "pkcs11-tool", "ssh-keygen", "openssl")
tls_support.require_files(CLIENT_MODULE)

TOKEN = "Remote e-Cert"
LOCKED = "遠端 e-Cert 已鎖"
UNSERVED = "Not Served"
CONCURRENT = 8


def token_uri(label):
    return "pkcs11:token=" + urllib.parse.quote(label, safe="")


class P11KitServer:
    """`p11-kit server -f --provider MODULE -n SOCKET URI...`."""

    def __init__(self, box, uris):
        self.socket = box.path("p11-kit.sock")
        self.out = box.path("p11-kit-server.out")
        self.log = box.path("p11-kit-server.log")
        self.argv = ["p11-kit", "server", "-f", "--provider", MODULE, "-n", self.socket, *uris]
        with open(self.out, "wb") as out, open(self.log, "wb") as log:
            self.proc = subprocess.Popen(self.argv, env=box.environment(), cwd=box.root, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=log, start_new_session=True)
        self.address = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(self.out, encoding="utf-8", errors="replace") as f:
                m = re.search(r"^P11_KIT_SERVER_ADDRESS=(\S+); export P11_KIT_SERVER_ADDRESS;$", f.read(), re.M)
            if m and os.path.exists(self.socket):
                self.address = m.group(1)
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"p11-kit server did not start: {' '.join(self.argv)}\n{self.output()}")

    def output(self):
        text = ""
        for path in (self.out, self.log):
            with open(path, encoding="utf-8", errors="replace") as f:
                text += f"--- {os.path.basename(path)}\n{f.read()}"
        return text

    def stop(self):
        tls_support.stop_process_group(self.proc)


class P11KitRemoteTest(unittest.TestCase):
    maxDiff = None
    box = None
    server = None

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox(prefix=f"ecert-clients-{cls.__name__}-")
        try:
            cls.pki = pki.make_pki(cls.box.path())
            make_token(cls.box, cls.pki, TOKEN)
            make_token(cls.box, cls.pki, LOCKED, names=())
            lock_token(cls.box, LOCKED)
            make_token(cls.box, cls.pki, UNSERVED, names=())
            certs = cli_ok(cls.box, "--json", "--token", TOKEN, "certs").json()
            cls.ids = {c["label"]: c["id"] for c in certs}
            cls.public = {}
            for name in ("rsa", "ec"):
                path = cls.box.path(f"{name}-pub.pem")
                r = run(["openssl", "x509", "-in", cls.pki[name]["cert"], "-noout", "-pubkey"], os.environ.copy(),
                        cls.box.root)
                with open(path, "w", encoding="ascii") as f:
                    f.write(r.out)
                cls.public[name] = path
            cls.server = P11KitServer(cls.box, [token_uri(TOKEN), token_uri(LOCKED)])
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.stop()
        if cls.box is not None:
            cls.box.cleanup()

    # --- helpers -----------------------------------------------------------------

    def client_env(self, pin=None):
        """A client's environment: the server's address, no token directory
        (the store is reachable only through the server), PIN in $PIN."""
        return self.box.environment({"P11_KIT_SERVER_ADDRESS": self.server.address, "ECERT_TOKEN_DIR": None,
                                     "ECERT_TOKEN_MODULE": None, "PIN": pin})

    def detail(self, r):
        return f"{r}\n{self.server.output()}"

    def write(self, name, data):
        path = self.box.path(name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def sign_argv(self, label, key, mechanism, data, sig, *extra):
        return ["pkcs11-tool", "--module", CLIENT_MODULE, "--token-label", label, "--login", "--pin", "env:PIN",
                "--sign", "--id", self.ids[key], "-m", mechanism, "-i", data, "-o", sig, *extra]

    def sign_job(self, tag, key):
        """(client argv, openssl verify argv) for one signature
        by `key` ("rsa": SHA256-RSA-PKCS; "ec": ECDSA over SHA-256 made here)."""
        message = f"signed through p11-kit remoting: {tag} {os.urandom(8).hex()}\n".encode()
        data = self.write(f"data-{tag}", message)
        sig = self.box.path(f"sig-{tag}")
        if key == "rsa":
            argv = self.sign_argv(TOKEN, "rsa", "SHA256-RSA-PKCS", data, sig)
        else:
            digest = self.write(f"digest-{tag}", hashlib.sha256(message).digest())
            argv = self.sign_argv(TOKEN, "ec", "ECDSA", digest, sig, "--signature-format", "openssl")
        verify = ["openssl", "dgst", "-sha256", "-verify", self.public[key], "-signature", sig, data]
        return argv, verify

    def verified(self, verify):
        r = run(verify, os.environ.copy(), self.box.root)
        return r.rc == 0 and "Verified OK" in r.out, r

    def sign_and_verify(self, tag, key):
        argv, verify = self.sign_job(tag, key)
        r = run(argv, self.client_env(OWNER_PIN), self.box.root)
        self.assertFalse(r.timed_out, f"the client hung:\n{self.detail(r)}")
        self.assertEqual(r.rc, 0, self.detail(r))
        ok, v = self.verified(verify)
        self.assertTrue(ok, f"the signature does not verify:\n{v}\n{r}")

    def assert_full_tries(self, label=TOKEN):
        state = pin_state(self.box, label)
        self.assertEqual(state["tries_left"], state["max_tries"], state)

    # --- tests -------------------------------------------------------------------

    def test_server_address(self):
        self.assertEqual(self.server.address, f"unix:path={self.server.socket}", self.server.output())

    def test_served_tokens_only(self):
        r = run(["pkcs11-tool", "--module", CLIENT_MODULE, "-L"], self.client_env(), self.box.root)
        self.assertEqual(r.rc, 0, self.detail(r))
        labels = re.findall(r"(?m)^\s*token label\s*:\s*(.*?)\s*$", r.out)
        self.assertEqual(sorted(labels), sorted([TOKEN, LOCKED]), r)
        # Public objects without login: both e-Certs, with the IDs the manager shows.
        r = run(["pkcs11-tool", "--module", CLIENT_MODULE, "--token-label", TOKEN, "-O", "--type", "cert"],
                self.client_env(), self.box.root)
        self.assertEqual(r.rc, 0, self.detail(r))
        for name in ("rsa", "ec"):
            self.assertRegex(r.out, rf"label:\s+{name}\n(?:.*\n)*?\s+ID:\s+{self.ids[name]}", r)

    def test_rsa_pkcs1_signature(self):
        self.sign_and_verify("rsa-pkcs1", "rsa")
        self.assert_full_tries()

    def test_ecdsa_signature(self):
        self.sign_and_verify("ecdsa", "ec")
        self.assert_full_tries()

    def test_rsa_pss_signature(self):
        # CKM_RSA_PKCS_PSS over a SHA-256 hash (TLS 1.3 client authentication
        # with RSA needs it), salt = hash length.
        message = b"PSS through p11-kit remoting\n"
        data = self.write("data-pss", message)
        digest = self.write("digest-pss", hashlib.sha256(message).digest())
        sig = self.box.path("sig-pss")
        r = run(self.sign_argv(TOKEN, "rsa", "RSA-PKCS-PSS", digest, sig, "--hash-algorithm", "SHA256",
                               "--mgf", "MGF1-SHA256", "--salt-len", "-1"),
                self.client_env(OWNER_PIN), self.box.root)
        self.assertEqual(r.rc, 0, self.detail(r))
        ok, v = self.verified(["openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss",
                               "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256",
                               "-verify", self.public["rsa"], "-signature", sig, data])
        self.assertTrue(ok, f"the PSS signature does not verify:\n{v}\n{r}")

    def test_concurrent_clients(self):
        # CONCURRENT pkcs11-tool processes at once (half RSA, half ECDSA): one
        # `p11-kit remote` and one module instance each, one token store.
        jobs = [self.sign_job(f"concurrent-{i}", "rsa" if i % 2 else "ec") for i in range(CONCURRENT)]
        env = self.client_env(OWNER_PIN)
        procs = [subprocess.Popen(argv, env=env, cwd=self.box.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True) for argv, _ in jobs]
        deadline = time.monotonic() + CLIENT_TIMEOUT
        results = []
        for p in procs:
            try:
                out, err = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
                results.append((p.returncode, out.decode(errors="replace") + err.decode(errors="replace")))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                out, err = p.communicate()
                results.append((None, out.decode(errors="replace") + err.decode(errors="replace")))
        report = "\n".join(f"client {i}: rc {rc}\n{text}" for i, (rc, text) in enumerate(results))
        self.assertEqual([rc for rc, _ in results], [0] * CONCURRENT,
                         f"not every client signed (None = hung):\n{report}\n{self.server.output()}")
        for i, (_, verify) in enumerate(jobs):
            ok, v = self.verified(verify)
            self.assertTrue(ok, f"signature of client {i} does not verify:\n{v}")
        self.assert_full_tries()

    def test_ssh_keygen_through_the_server(self):
        r = run(["ssh-keygen", "-D", CLIENT_MODULE], self.client_env(), self.box.root)
        self.assertEqual(r.rc, 0, self.detail(r))
        for name in ("rsa", "ec"):
            conv = run(["ssh-keygen", "-i", "-m", "PKCS8", "-f", self.public[name]], os.environ.copy(), self.box.root)
            self.assertEqual(conv.rc, 0, conv)
            self.assertIn(f"{conv.out.strip()} {name}", r.out.splitlines(), r)
        # The same as the module lists itself (this sandbox's served token has
        # the only keys).
        direct = run(["ssh-keygen", "-D", MODULE], self.box.environment(), self.box.root)
        self.assertEqual(direct.rc, 0, direct)
        self.assertEqual(sorted(r.out.splitlines()), sorted(direct.out.splitlines()))

    def test_wrong_pin(self):
        before = pin_state(self.box, TOKEN)
        argv, _ = self.sign_job("wrong-pin", "rsa")
        r = run(argv, self.client_env(WRONG_PIN), self.box.root)
        after = pin_state(self.box, TOKEN)
        detail = f"{self.detail(r)}\n{before} -> {after}"
        self.assertFalse(r.timed_out, f"the client hung:\n{detail}")
        self.assertNotEqual(r.rc, 0, detail)
        self.assertIn("C_Login failed: rv = CKR_PIN_INCORRECT", r.err, detail)
        self.assertEqual(before["tries_left"] - after["tries_left"], 1, detail)
        # The right password afterwards signs and restores the count.
        self.sign_and_verify("after-wrong-pin", "rsa")
        self.assert_full_tries()

    def test_concurrent_wrong_pins(self):
        # Wrong passwords from 4 processes at once: each is refused with
        # CKR_PIN_INCORRECT and each is counted (no lost update of the counter).
        n = 4
        before = pin_state(self.box, TOKEN)
        argv = ["pkcs11-tool", "--module", CLIENT_MODULE, "--token-label", TOKEN, "--login", "--pin", "env:PIN", "-O"]
        env = self.client_env(WRONG_PIN)
        procs = [subprocess.Popen(argv, env=env, cwd=self.box.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True) for _ in range(n)]
        errors = []
        for p in procs:
            try:
                errors.append(p.communicate(timeout=CLIENT_TIMEOUT)[1].decode(errors="replace"))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                errors.append("(hung) " + p.communicate()[1].decode(errors="replace"))
        after = pin_state(self.box, TOKEN)
        detail = "\n".join(errors) + f"\n{before} -> {after}\n{self.server.output()}"
        for p, err in zip(procs, errors):
            self.assertNotEqual(p.returncode, 0, detail)
            self.assertIn("C_Login failed: rv = CKR_PIN_INCORRECT", err, detail)
        self.assertEqual(before["tries_left"] - after["tries_left"], n, detail)
        self.sign_and_verify("after-wrong-pins", "ec")
        self.assert_full_tries()

    def test_locked_token(self):
        before = pin_state(self.box, LOCKED)
        self.assertTrue(before["locked"], before)
        r = run(["pkcs11-tool", "--module", CLIENT_MODULE, "--token-label", LOCKED, "--login", "--pin", "env:PIN",
                 "-O"], self.client_env(OWNER_PIN), self.box.root)
        after = pin_state(self.box, LOCKED)
        detail = f"{self.detail(r)}\n{before} -> {after}"
        self.assertFalse(r.timed_out, f"the client hung:\n{detail}")
        self.assertNotEqual(r.rc, 0, detail)
        self.assertIn("C_Login failed: rv = CKR_PIN_LOCKED", r.err, detail)
        self.assertEqual(after, before)


if __name__ == "__main__":
    unittest.main()
