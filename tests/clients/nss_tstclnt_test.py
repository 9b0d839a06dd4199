"""TLS client-certificate login with the token through NSS's tstclnt.

As a user sets up NSS (docs/CLIENTS.md): a certificate database
(`certutil -N --empty-password`), the module added as the security device
"e-Cert Token" (`modutil -add`), the test CA trusted for servers
(`certutil -A -t "C,,"`). tstclnt picks the certificate by its nickname
"<token label>:<certificate label>" and reads the token password from a file
(-W), not from argv. The request comes from a file (-A): with a pipe on
stdin tstclnt never notices the end of its input and does not exit.
"""

import os
import unittest

import tls_support
from e2e_support import MODULE
from tls_support import CLIENT_TIMEOUT, REQUEST, run, write_secret

tls_support.require_programs("tstclnt", "certutil", "modutil", "openssl")


class NssTstclntTest(tls_support.ClientLoginTests, unittest.TestCase):
    # A password file is tried once; on a locked token or an unchanged
    # envelope password NSS just finds no usable certificate.
    REFUSALS = {"wrong_pin": r"Incorrect password/PIN entered",
                "locked": r"Failed to load a suitable client certificate",
                "must_change": r"Failed to load a suitable client certificate"}

    @classmethod
    def setUpClass(cls):
        cls.setup_login_tests()
        try:
            cls.db = cls.box.path("nssdb")
            os.mkdir(cls.db, 0o700)
            env = cls.box.environment()
            for argv in (["certutil", "-N", "--empty-password", "-d", "sql:" + cls.db],
                         ["modutil", "-add", "e-Cert Token", "-libfile", MODULE, "-dbdir", "sql:" + cls.db, "-force"],
                         ["certutil", "-A", "-n", "ecert-token Test Root CA", "-t", "C,,", "-i",
                          cls.pki["ca"]["cert"], "-d", "sql:" + cls.db]):
                r = run(argv, env, cls.box.root)
                if r.rc != 0 or r.timed_out:
                    raise AssertionError(f"NSS database set-up failed:\n{r}")
            cls.request = cls.box.path("request.txt")
            with open(cls.request, "wb") as f:
                f.write(REQUEST)
        except BaseException:
            cls.teardown_login_tests()
            raise

    def login(self, token_label, name, pin, version):
        pin_file = write_secret(self.box.path("tstclnt-pin"), pin)
        try:
            return run(["tstclnt", "-h", "127.0.0.1", "-p", str(self.servers[version].port),
                        "-d", "sql:" + self.db, "-n", f"{token_label}:{name}", "-W", pin_file,
                        "-V", f"tls{version}:tls{version}", "-A", self.request],
                       self.box.environment(), self.box.root, timeout=CLIENT_TIMEOUT)
        finally:
            os.unlink(pin_file)

    def test_nss_sees_both_e_certs(self):
        # What a user checks first: certutil lists the token's certificates.
        r = run(["certutil", "-L", "-d", "sql:" + self.db, "-h", "all"], self.box.environment(), self.box.root)
        self.assertEqual(r.rc, 0, r)
        for name in ("rsa", "ec"):
            self.assertRegex(r.out, rf"(?m)^{tls_support.TOKEN}:{name}\s+u,u,u\s*$", r)


if __name__ == "__main__":
    unittest.main()
