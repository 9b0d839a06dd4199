"""A throwaway PKI for the end-to-end tests, made with the `openssl` CLI.

make_pki(dir) writes a root CA and two e-Cert-like certificates issued by it,
each also as a PKCS#12 file; openssl_fields(cert) reads back what `openssl
x509` prints for a certificate, so a test can compare the manager's output
with OpenSSL's. Standard library only.
"""

import os
import re
import secrets
import subprocess

ROOT_CA_NAME = "ecert-token Test Root CA"
# Any OID will do; this one has the shape of Hongkong Post's e-Cert policies.
POLICY_OID = "1.3.6.1.4.1.16030.1.1.6"

_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
# utf8only: UTF8String for non-ASCII text; pkix: BMPString where it fits.
string_mask = {mask}
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ecert]
basicConstraints = CA:FALSE
keyUsage = critical, {key_usage}
extendedKeyUsage = clientAuth, emailProtection
certificatePolicies = {policy}
subjectAltName = email:{email}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

# name -> how to make it. The subject is in openssl's "/A=b/C=d" form, least
# specific RDN first, so RFC 2253 shows it the other way round.
_ECERTS = {
    "rsa": {
        "newkey": ["-newkey", "rsa:2048"],
        "mask": "utf8only",
        "key_usage": ["digitalSignature", "nonRepudiation", "keyEncipherment"],
        "common_name": "陳大文",
        "organization": "香港郵政",
        "email": "chan.taiman@example.hk",
    },
    "ec": {
        "newkey": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "mask": "pkix",
        # An EC key cannot encipher keys.
        "key_usage": ["digitalSignature", "nonRepudiation"],
        "common_name": "李小明",
        "organization": "香港郵政",
        "email": "lee.siuming@example.hk",
    },
}


_KEY_USAGE_TEXT = {
    "digitalSignature": "Digital Signature",
    "nonRepudiation": "Non Repudiation",
    "keyEncipherment": "Key Encipherment",
}


def _openssl(*args, env=None):
    result = subprocess.run(
        ["openssl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        encoding="utf-8",
        errors="strict",
    )
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def _random_serial():
    # 16 bytes, first nibble 1-7: positive, no leading zero byte.
    return "0x" + secrets.choice("1234567") + secrets.token_hex(16)[1:]


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_pki(dir, password="ecert-test-p12"):
    """Creates in `dir` (which must exist) a root CA and the e-Certs "rsa"
    (RSA-2048, UTF8String Chinese subject; key usage digitalSignature+
    nonRepudiation+keyEncipherment) and "ec" (P-256, BMPString Chinese
    subject; digitalSignature+nonRepudiation), each with EKU clientAuth+
    emailProtection, certificatePolicies POLICY_OID and a SAN e-mail address
    (the emailAddress RDN's), valid for 730 days from now.

    Returns {"dir", "password", "ca": {"cert", "key", "der"},
             "rsa"/"ec": {"cert", "key", "der", "p12", "common_name",
                          "organization", "email", "subject", "key_usage"}}
    with absolute paths. Each <name>.p12 holds the key, the certificate and
    the CA certificate, encrypted under `password` (OpenSSL's defaults),
    with the friendly name "<name>"; the password never appears in argv.
    """
    dir = os.path.abspath(dir)
    p = lambda name: os.path.join(dir, name)  # noqa: E731
    out = {"dir": dir, "password": password}

    _write(p("ca.cnf"), _CONFIG.format(mask="utf8only", policy=POLICY_OID, email="ca@example.hk",
                                       key_usage="digitalSignature"))
    _openssl("req", "-x509", "-config", p("ca.cnf"), "-extensions", "ca",
             "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"),
             "-subj", "/CN=" + ROOT_CA_NAME, "-days", "3650", "-set_serial", _random_serial())
    _openssl("x509", "-in", p("ca.pem"), "-outform", "DER", "-out", p("ca.der"))
    out["ca"] = {"cert": p("ca.pem"), "key": p("ca.key"), "der": p("ca.der")}

    env = dict(os.environ, ECERT_PKI_P12_PASSWORD=password)
    for name, spec in _ECERTS.items():
        subject = f"/C=HK/O={spec['organization']}/CN={spec['common_name']}/emailAddress={spec['email']}"
        cnf = p(name + ".cnf")
        _write(cnf, _CONFIG.format(mask=spec["mask"], policy=POLICY_OID, email=spec["email"],
                                   key_usage=", ".join(spec["key_usage"])))
        _openssl("req", "-new", "-utf8", "-config", cnf, *spec["newkey"], "-nodes",
                 "-keyout", p(name + ".key"), "-out", p(name + ".csr"), "-subj", subject)
        _openssl("x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
                 "-set_serial", _random_serial(), "-days", "730",
                 "-extfile", cnf, "-extensions", "ecert", "-out", p(name + ".pem"))
        _openssl("x509", "-in", p(name + ".pem"), "-outform", "DER", "-out", p(name + ".der"))
        _openssl("pkcs12", "-export", "-inkey", p(name + ".key"), "-in", p(name + ".pem"),
                 "-certfile", p("ca.pem"), "-name", name,
                 "-passout", "env:ECERT_PKI_P12_PASSWORD", "-out", p(name + ".p12"), env=env)
        out[name] = {
            "cert": p(name + ".pem"),
            "key": p(name + ".key"),
            "der": p(name + ".der"),
            "p12": p(name + ".p12"),
            "common_name": spec["common_name"],
            "organization": spec["organization"],
            "email": spec["email"],
            # as `openssl x509 -text` names them
            "key_usage": [_KEY_USAGE_TEXT[u] for u in spec["key_usage"]],
            "subject": f"emailAddress={spec['email']},CN={spec['common_name']},"
                       f"O={spec['organization']},C=HK",
        }
    return out


def _extensions(text):
    """{"X509v3 Key Usage": [value lines], ...} from `openssl x509 -text`."""
    sections = {}
    current = None
    inside = False
    for line in text.splitlines():
        if line.strip() == "X509v3 extensions:":
            inside = True
            continue
        if not inside:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent <= 8:  # "Signature Algorithm:" ends the extensions
            break
        if indent == 12:
            # "X509v3 Key Usage: critical" -> "X509v3 Key Usage"
            current = line.strip().rsplit(":", 1)[0]
            sections[current] = []
        elif current is not None:
            sections[current].append(line.strip())
    return sections


def openssl_fields(cert_path):
    """What `openssl x509` prints for a PEM or DER certificate:
    subject, issuer (RFC 2253, UTF-8 kept), serial (uppercase hex without
    colons), not_before, not_after (as -text prints them, e.g.
    "Nov 27 16:57:28 2026 GMT"), key_bits (int), sha1, sha256 ("AB:CD:..."),
    key_usage, extended_key_usage, policies, emails (lists; empty when the
    extension is absent)."""
    with open(cert_path, "rb") as f:
        form = "DER" if f.read(1) == b"\x30" else "PEM"
    base = ["x509", "-in", cert_path, "-inform", form, "-noout", "-nameopt", "RFC2253,-esc_msb"]
    fields = {}
    for line in _openssl(*base, "-subject", "-issuer", "-serial").splitlines():
        key, _, value = line.partition("=")
        fields[key] = value
    for digest in ("sha1", "sha256"):
        line = _openssl(*base, "-fingerprint", "-" + digest).strip()
        fields[digest] = line.partition("=")[2]

    text = _openssl(*base, "-text")
    fields["not_before"] = re.search(r"Not Before: (.*)", text).group(1).strip()
    fields["not_after"] = re.search(r"Not After : (.*)", text).group(1).strip()
    bits = re.search(r"Public-Key: \((\d+) bit\)", text)
    fields["key_bits"] = int(bits.group(1)) if bits else 0

    ext = _extensions(text)
    split = lambda name: ext[name][0].split(", ") if ext.get(name) else []  # noqa: E731
    fields["key_usage"] = split("X509v3 Key Usage")
    fields["extended_key_usage"] = split("X509v3 Extended Key Usage")
    fields["policies"] = [line[len("Policy: "):] for line in ext.get("X509v3 Certificate Policies", [])
                          if line.startswith("Policy: ")]
    fields["emails"] = [entry[len("email:"):] for entry in split("X509v3 Subject Alternative Name")
                        if entry.startswith("email:")]
    return fields
