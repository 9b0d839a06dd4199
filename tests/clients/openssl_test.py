"""TLS client-certificate login with the token through OpenSSL: `openssl
s_client` and curl, both with Debian's PKCS#11 engine (libp11,
libengine-pkcs11-openssl).

The engine is configured as a user configures it: an OpenSSL configuration
file (OPENSSL_CONF) that loads engine "pkcs11" from
/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so with MODULE_PATH set to the
module. The private key is a PKCS#11 URI (type=private). The token password
never appears in argv:
  s_client  -pass env:VAR (the engine asks the application's UI for the PIN,
            and s_client's UI answers with the -pass password);
  curl      `pass = "..."` in a curl config file read with -K (the same
            --pass that curl hands to the engine's UI).
s_client takes the client certificate from a file only: the user writes
their e-Cert from the token with `ecert-token export-cert`. curl takes it
from the token (--cert-type ENG, a type=cert URI).
"""

import os
import unittest
import urllib.parse

import tls_support
from e2e_support import MODULE
from tls_support import CLIENT_TIMEOUT, REQUEST, TOKEN, cli_ok, run, write_secret

ENGINE = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so"
tls_support.require_programs("openssl", "curl")
tls_support.require_files(ENGINE)

_OPENSSL_CNF = f"""\
openssl_conf = openssl_init

[openssl_init]
engines = engine_section

[engine_section]
pkcs11 = pkcs11_section

[pkcs11_section]
engine_id = pkcs11
dynamic_path = {ENGINE}
MODULE_PATH = {MODULE}
init = 0
"""


def uri(token_label, name, kind):
    q = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731
    return f"pkcs11:token={q(token_label)};object={q(name)};type={kind}"


class _EngineTests(tls_support.ClientLoginTests):

    @classmethod
    def setUpClass(cls):
        cls.setup_login_tests()
        try:
            cls.openssl_cnf = cls.box.path("openssl.cnf")
            with open(cls.openssl_cnf, "w", encoding="utf-8") as f:
                f.write(_OPENSSL_CNF)
            cls.cert_files = {}
            for name in ("rsa", "ec"):
                path = cls.box.path(f"my-{name}.pem")
                cli_ok(cls.box, "--token", TOKEN, "export-cert", name, "-o", path)
                cls.cert_files[name] = path
        except BaseException:
            cls.teardown_login_tests()
            raise

    def environment(self, extra=None):
        return self.box.environment({"OPENSSL_CONF": self.openssl_cnf, **(extra or {})})


class SClientTest(_EngineTests, unittest.TestCase):
    # libp11 names the PKCS#11 error of C_Login.
    REFUSALS = {"wrong_pin": r"PIN incorrect", "locked": r"PIN locked", "must_change": r"PIN expired"}

    def login(self, token_label, name, pin, version):
        argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{self.servers[version].port}",
                "-tls1_3" if version == "1.3" else "-tls1_2",
                "-engine", "pkcs11", "-keyform", "engine", "-key", uri(token_label, name, "private"),
                "-pass", "env:ECERT_TEST_PIN", "-cert", self.cert_files[name],
                "-CAfile", self.pki["ca"]["cert"], "-verify_return_error", "-verify_ip", "127.0.0.1",
                "-quiet"]
        return run(argv, self.environment({"ECERT_TEST_PIN": pin}), self.box.root, input=REQUEST,
                   timeout=CLIENT_TIMEOUT)


class CurlTest(_EngineTests, unittest.TestCase):
    # curl does not pass on libp11's PKCS#11 error, only libp11's messages.
    REFUSALS = {kind: r"Login failed[\s\S]*curl: \(58\) failed to load private key from crypto engine"
                for kind in ("wrong_pin", "locked", "must_change")}

    def login(self, token_label, name, pin, version):
        config = self.box.path("curl-pin.cfg")
        # curl's config syntax: a quoted string with \ and " escaped.
        write_secret(config, 'pass = "' + pin.replace("\\", "\\\\").replace('"', '\\"') + '"')
        try:
            argv = ["curl", "--silent", "--show-error", "--config", config,
                    "--engine", "pkcs11",
                    "--cert-type", "ENG", "--cert", uri(token_label, name, "cert"),
                    "--key-type", "ENG", "--key", uri(token_label, name, "private"),
                    "--cacert", self.pki["ca"]["cert"],
                    f"--tlsv{version}", "--tls-max", version,
                    f"https://127.0.0.1:{self.servers[version].port}/"]
            return run(argv, self.environment(), self.box.root, timeout=CLIENT_TIMEOUT)
        finally:
            os.unlink(config)


del _EngineTests  # only the concrete classes are tests

if __name__ == "__main__":
    unittest.main()
