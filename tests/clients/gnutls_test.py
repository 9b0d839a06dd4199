"""TLS client-certificate login with the token through GnuTLS's gnutls-cli.

GnuTLS finds PKCS#11 modules through p11-kit. The module is registered as
p11-kit-aware desktops register a user's module: a file
$XDG_CONFIG_HOME/pkcs11/modules/ecert-token.module with `module: PATH` (the
file `ecert-token browser install` writes; the same name as the system
registration /usr/share/p11-kit/modules/ecert-token.module, which it
overrides). The certificate and key are PKCS#11 URIs
(pkcs11:token=...;object=...;type=cert|private); the token password comes
from the GNUTLS_PIN environment variable, not from argv.

p11-kit (0.24.1) ignores the user's configuration in a process running as
root ("skipping user config in program running as root"; there is no
variable to allow it, only P11_KIT_NO_USER_CONFIG to forbid it). When the
tests run as root (CI), this test therefore runs everything that touches the
token - ecert-token and gnutls-cli - as the unprivileged user "nobody",
with the sandbox given to that user and copies of ecert-token and the module
in it (the checkout may be in a 0700 /root); the server runs as root.
"""

import os
import unittest
import urllib.parse

import tls_support
from tls_support import CLIENT_TIMEOUT, REQUEST, run

tls_support.require_programs("gnutls-cli", "p11tool", "openssl")


def uri(token_label, name, kind):
    q = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731
    return f"pkcs11:token={q(token_label)};object={q(name)};type={kind}"


class GnutlsTest(tls_support.ClientLoginTests, unittest.TestCase):
    # gnutls-cli names the PKCS#11 error (CKR_PIN_LOCKED, CKR_PIN_EXPIRED)
    # and stops at a wrong GNUTLS_PIN instead of trying it again.
    REFUSALS = {"wrong_pin": r"Cannot continue with a wrong password in the environment",
                "locked": r"PIN locked", "must_change": r"PIN expired"}

    @classmethod
    def setUpClass(cls):
        user = tls_support.unprivileged_user()
        cls.setup_login_tests(run_as=user)
        try:
            cls.config_home = cls.box.path("config")
            modules = os.path.join(cls.config_home, "pkcs11", "modules")
            os.makedirs(modules, 0o700)
            with open(os.path.join(modules, "ecert-token.module"), "w", encoding="utf-8") as f:
                f.write(f"module: {cls.module}\n")
            if cls.run_as:
                cls.run_as.give(cls.config_home)
        except BaseException:
            cls.teardown_login_tests()
            raise

    def environment(self, extra=None):
        return self.box.environment({"XDG_CONFIG_HOME": self.config_home, **(extra or {})})

    def login(self, token_label, name, pin, version):
        argv = ["gnutls-cli", "--x509certfile", uri(token_label, name, "cert"),
                "--x509keyfile", uri(token_label, name, "private"),
                "--x509cafile", self.pki["ca"]["cert"],
                "--priority", f"NORMAL:-VERS-ALL:+VERS-TLS{version}",
                "-p", str(self.servers[version].port), "127.0.0.1"]
        return run(argv, self.environment({"GNUTLS_PIN": pin}), self.box.root, input=REQUEST,
                   user=self.run_as, timeout=CLIENT_TIMEOUT)

    def test_p11kit_loads_the_module(self):
        # The registration works for this user: p11tool lists the tokens
        # through p11-kit, from the build's module (not an installed one).
        r = run(["p11tool", "--list-tokens"], self.environment(), self.box.root, user=self.run_as)
        self.assertEqual(r.rc, 0, r)
        for label in (tls_support.TOKEN, tls_support.LOCKED_TOKEN, tls_support.ENVELOPE_TOKEN):
            self.assertIn(f"token={urllib.parse.quote(label, safe='')}", r.out.replace(" ", "%20"), r)
        r = run(["p11-kit", "list-modules"], self.environment(), self.box.root, user=self.run_as)
        self.assertRegex(r.out, rf"(?m)^ecert-token: {self.module}$", r)


if __name__ == "__main__":
    unittest.main()
