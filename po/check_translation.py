#!/usr/bin/env python3
"""Checks the Chinese text of a catalogue against the rules in po/README.md
that a complete catalogue can still break (po-zh_HK-complete only finds
strings with no translation):

  parentheses   ASCII ( ) in a Chinese sentence, where （ ） belong;
  space         a blank after 。 ， ； 、 ！ ？ (full-width punctuation
                carries its own space);
  english       English words left in a translation, other than names that
                stay in English (commands, options, programs, PKCS#11 and
                algorithm names: ALLOWED_WORDS);
  plural        a count of things ("%u tries left", "%lu days") in a string
                that is not an ngettext plural entry (tr_n), which reads
                "1 tries" in English;
  header        the header's Plural-Forms is not nplurals=1 (Chinese has one
                form).

Usage: check_translation.py FILE.po    (exit 1 and one line per fault)
       check_translation.py --self-test (each check catches its example)

The entries are read by gettext's own msgexec, not by a parser of ours.
"""

import re
import subprocess
import sys

# Words that stay in English in the Chinese text (po/README.md: commands,
# options, file and program names, PKCS#11 and algorithm names, values the
# user types). Compared case-sensitively, whole words.
ALLOWED_WORDS = {
    # product, programs, browsers, formats
    "Token", "Tokens", "e-Cert", "ecert-token", "PKCS", "SO", "Firefox", "Chromium", "Google", "Chrome", "Thunderbird",
    "NSS", "p11-kit", "modutil", "libnss3-tools", "apt-get", "snap", "flatpak", "SoftHSM", "OpenSSL", "OpenSC",
    "JSON", "PEM", "DER", "UTF-8", "X.509", "ID", "SHA-1", "SHA-256", "ESR", "PKCS#10", "PKCS#11", "PKCS#12",
    "certutil", "pinentry", "Debian", "root", "ASCII", "Microsoft",
    # algorithms and units
    "RSA", "EC", "P-256", "P-384", "GiB", "MiB", "KiB", "TiB", "UTC", "CRL", "OCSP", "TLS", "IPSec",
    # values the user types and placeholders in help
    "yes", "no", "y", "N", "FILE", "LABEL", "LIST", "PIN", "pem", "der", "rsa2048", "rsa3072", "rsa4096", "p256", "p384",
    "HK", "A-Z", "a-z",
    # PKCS#11 function names are matched by C_PATTERN; CKR_/CKA_ names by CK_PATTERN
}
C_PATTERN = re.compile(r"\bC_[A-Za-z]+\b")
CK_PATTERN = re.compile(r"\bCK[A-Z]?_[A-Z0-9_]+\b")
# Spans that are not prose: printf directives, `quoted commands`, --options,
# file names and paths, "ecert-token command" and a man page reference.
NOT_PROSE = [
    re.compile(r"%(\d+\$)?[-+ #0]*\d*(\.\d+)?(hh|h|ll|l|z|j|t)?[diouxXeEfgGcsp%]"),
    re.compile(r"`[^`]*`"),
    re.compile(r"(?<![\w])--?[A-Za-z][\w-]*"),
    re.compile(r"\becert-token(\s+(?!\()[a-z][a-z0-9-]*)*(\(\d\))?"),
    re.compile(r"[~\w./-]*/[\w./-]+"),
    re.compile(r"\b[\w-]+\.(module|so|p12|pfx|pem|txt|db|ini)\b"),
    re.compile(r"\b0x%?[0-9a-fA-F]*"),
    re.compile(r"\$[A-Z_]+|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b"),
    re.compile(r"\[y/N\]"),
]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
SPACE_AFTER = re.compile(r"[。，；、！？] ")
# A number followed by what it counts, in English.
COUNTED = re.compile(r"%(\d+\$)?[-+ #0]*\d*(hh|h|ll|l|z|j|t)?[diu]\s+(of\s+%[a-z]+\s+)?"
                     r"(tries|try|days?|bytes?|characters?|times|certificates?|objects?|tokens?|slots?)\b")


def prose(text):
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def check_entry(msgid, msgid_plural, msgstr):
    """The faults of one entry: a list of (check, explanation)."""
    faults = []
    if not msgid_plural and COUNTED.search(msgid):
        faults.append(("plural", "a count in English without tr_n()/ngettext"))
    if not msgstr:
        return faults  # not translated: po-zh_HK-complete says so
    text = prose(msgstr)
    # Punctuation is only judged in Chinese sentences; English left over is
    # looked for everywhere (a "translation" may be the English copied).
    if CJK.search(msgstr) and re.search(r"[()]", text):
        faults.append(("parentheses", "ASCII ( ) in Chinese text; use （ ）"))
    if SPACE_AFTER.search(msgstr):
        faults.append(("space", "a blank after full-width punctuation"))
    text = C_PATTERN.sub(" ", CK_PATTERN.sub(" ", text))
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9.#-]*[A-Za-z0-9]|[A-Za-z]", text)
             if w not in ALLOWED_WORDS and w.rstrip(".") not in ALLOWED_WORDS]
    words = [w for w in words if len(w) > 1 or w not in "sS"]
    if words:
        faults.append(("english", "English left in the translation: " + " ".join(sorted(set(words)))))
    return faults


def check_header(header):
    m = re.search(r"^Plural-Forms:\s*(.*)$", header, re.M)
    if not m or not re.match(r"nplurals=1;\s*plural=0;?", m.group(1).strip()):
        return [("header", "Plural-Forms must be 'nplurals=1; plural=0;' for Chinese")]
    return []


def read_entries(po):
    """(location, msgid, msgid_plural, msgstr) of each entry, by msgexec."""
    script = r'printf "%s\037%s\037%s\037" "$MSGEXEC_LOCATION" "$MSGEXEC_MSGID" "$MSGEXEC_MSGID_PLURAL"; cat; printf "\036"'
    out = subprocess.run(["msgexec", "-i", po, "sh", "-c", script], check=True, stdout=subprocess.PIPE).stdout
    entries = []
    for record in out.decode("utf-8").split("\036"):
        if record:
            entries.append(tuple(record.split("\037", 3)))
    return entries


def check_file(po):
    faults = []
    for location, msgid, msgid_plural, msgstr in read_entries(po):
        found = check_header(msgstr) if msgid == "" else check_entry(msgid, msgid_plural, msgstr)
        faults += [f"{location}: {check}: {why}\n    msgid  {msgid!r}\n    msgstr {msgstr!r}" for check, why in found]
    return faults


# One example per check that it must catch, and text it must leave alone.
BAD = [
    ("parentheses", "Key (%s)", "", "密碼匙 (%s)"),
    ("space", "Done. Next.", "", "完成。 下一步。"),
    ("space", "a, b", "", "甲， 乙"),
    ("english", "Usage:", "", "Usage：用法"),
    ("english", "RSA %d bits", "", "RSA %d bits"),
    ("plural", "%u of %u tries left", "", "尚餘 %u 次（共 %u 次）"),
    ("plural", "%lu days left", "", "尚餘 %lu 日"),
]
GOOD = [
    ("Run ecert-token change-pin (see ecert-token(1)).", "", "請執行 ecert-token change-pin（見 ecert-token(1)）。"),
    ("%u try left", "%u tries left", "尚餘 %u 次嘗試機會。"),
    ("Read it with --pin-file FILE.", "", "以 --pin-file FILE 讀取。"),
    ("Label:   ", "", "標籤：   "),
    ("C_Initialize failed: %s", "", "C_Initialize 失敗：%s"),
    ("%s %d bits", "", "%s %d 位元"),
    ("in `ecert-token certs (--login)`", "", "在 `ecert-token certs (--login)` 中"),
]


def self_test():
    failures = []
    for check, msgid, plural, msgstr in BAD:
        if check not in [c for c, _ in check_entry(msgid, plural, msgstr)]:
            failures.append(f"the {check} check missed {msgstr!r} (msgid {msgid!r})")
    for msgid, plural, msgstr in GOOD:
        if check_entry(msgid, plural, msgstr):
            failures.append(f"{msgstr!r} (msgid {msgid!r}) flagged: {check_entry(msgid, plural, msgstr)}")
    if not check_header("Plural-Forms: nplurals=2; plural=(n != 1);\n"):
        failures.append("the header check missed nplurals=2")
    if check_header("Plural-Forms: nplurals=1; plural=0;\n"):
        failures.append("the header check refused nplurals=1")
    return failures


def main(argv):
    if argv[1:] == ["--self-test"]:
        faults = self_test()
    elif len(argv) == 2:
        faults = check_file(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for fault in faults:
        print(fault)
    if faults:
        print(f"{len(faults)} fault(s)", file=sys.stderr)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
