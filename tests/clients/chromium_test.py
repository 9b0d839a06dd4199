"""Chromium logs in to a TLS site with the e-Cert on a token whose protected
authentication path is on.

The user's side, as docs/CLIENTS.md tells it: the token is made with
`ecert-token` (init, change-pin, import rsa.p12), the issuer turns the
protected path on (`policy set --protected-path yes`) and `ecert-token
browser install` registers the module in ~/.pki/nssdb, the NSS database
Chromium reads on Linux. The certificate is chosen by the managed policy
AutoSelectCertificateForUrls, written to /etc/chromium/policies/managed/
for the server's URL and removed by the test afterwards.

Chromium (Debian `chromium`, driven by `chromedriver` through
python3-selenium) shows its own "Unlock Security Device" window for every
token that needs a login, protected path or not: it never asks NSS whether
the slot has one. Headless, nothing can answer that window (it is not a
page: WebDriver cannot reach it) and the page load hangs; so Chromium runs
in a real window on Xvfb and the test answers as a person does, with the
keyboard (xdotool). For a protected-path slot NSS drops whatever was typed
there and calls C_Login with no PIN; the token then asks through pinentry
(here tests/pinentry/test-pinentry.py). The test types a wrong password
into Chromium's window to show that it never reaches the token.

Checks: the page shows the e-Cert and the server accepted it; pinentry was
asked once; no try lost. Refusals (Chromium's error page within 30 s, no
certificate accepted): a wrong password then Cancel in pinentry (one try
lost); a locked token (pinentry never runs); a new PIN envelope password
(refused as expired, no try lost).
Screenshots (the unlock window, the page) go to $ECERT_ARTIFACTS.
"""

import atexit
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

import pki
import tls_support
from e2e_support import BIN, MODULE, OWNER_PIN, SO_PIN, Sandbox
from tls_support import WRONG_PIN

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
POLICY_DIR = "/etc/chromium/policies/managed"
UNLOCK_WINDOW = "Unlock Security Device"   # Chromium's own PIN window (en-US)
PAGE_TIMEOUT = 30
ARTIFACTS = os.environ.get("ECERT_ARTIFACTS") or os.path.join(tempfile.gettempdir(), "ecert-test-artifacts")
LABEL = "e-Cert Token"

_missing = [n for n in ("chromium", "chromedriver", "Xvfb", "xdotool", "xwd", "certutil", "openssl")
            if shutil.which(n) is None]
_missing += [p for p in (BIN, MODULE) if not os.path.exists(p)]
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import TimeoutException
except ImportError:
    _missing.append("python3-selenium")
if _missing:
    tls_support.cannot_run(f"not installed or not built: {', '.join(_missing)}")
# Installing chromium makes no /etc/chromium/policies: as root the test makes
# what it needs (and removes it afterwards, see AutoSelectPolicy).
if os.geteuid() != 0 and not os.access(POLICY_DIR, os.W_OK):
    tls_support.cannot_run(f"{POLICY_DIR} is not writable (the test sets a managed policy): run as root")


# --- the screen --------------------------------------------------------------------

class Xvfb:
    """A virtual X display for Chromium's windows."""

    def __init__(self):
        read, write = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten",
                                      "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            tls_support.stop_process_group(self.proc)
            raise RuntimeError("Xvfb did not start")
        self.display = ":" + number

    def run(self, *argv):
        return subprocess.run(argv, env={**os.environ, "DISPLAY": self.display}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30)

    def find_window(self, name, timeout):
        """The id of a visible window called `name`, or None after `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.run("xdotool", "search", "--onlyvisible", "--name", f"^{name}$")
            if r.returncode == 0 and r.stdout.split():
                return r.stdout.split()[0].decode()
            time.sleep(0.2)
        return None

    def window_exists(self, window):
        return self.run("xdotool", "getwindowname", window).returncode == 0

    def type_into(self, window, text):
        """Keyboard input as a person gives it (XTEST): focus, type, Enter."""
        self.run("xdotool", "windowfocus", "--sync", window)
        if text:
            self.run("xdotool", "type", "--delay", "20", text)
        self.run("xdotool", "key", "Return")

    def screenshot_png(self):
        """The whole screen as PNG (xwd's 32-bit ZPixmap, converted here)."""
        data = self.run("xwd", "-root", "-silent").stdout
        header = struct.unpack(">25I", data[:100])
        size, width, height, line, colours = header[0], header[4], header[5], header[12], header[19]
        pixels = data[size + colours * 12:]
        rows = bytearray()
        for y in range(height):
            row = pixels[y * line:y * line + width * 4]
            rows.append(0)
            for x in range(0, width * 4, 4):
                rows += bytes((row[x + 2], row[x + 1], row[x]))

        def chunk(kind, body):
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))

    def stop(self):
        tls_support.stop_process_group(self.proc)


def save_artifact(name, png):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    with open(path, "wb") as f:
        f.write(png)
    return path


# --- the managed policy -----------------------------------------------------------

class AutoSelectPolicy:
    """/etc/chromium/policies/managed/<file>: AutoSelectCertificateForUrls
    for `url`, certificates issued by the test CA. Removed by remove() and
    at exit, so it never outlives the test."""

    def __init__(self, url, issuer_cn):
        # The directories this test makes, deepest first, to remove again.
        self.made = []
        d = POLICY_DIR
        while not os.path.isdir(d):
            self.made.append(d)
            d = os.path.dirname(d)
        os.makedirs(POLICY_DIR, 0o755, exist_ok=True)
        self.path = os.path.join(POLICY_DIR, f"ecert-token-test-{os.getpid()}.json")
        rule = json.dumps({"pattern": url, "filter": {"ISSUER": {"CN": issuer_cn}}})
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump({"AutoSelectCertificateForUrls": [rule]}, f)
        atexit.register(self.remove)

    def remove(self):
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
        for d in self.made:
            try:
                os.rmdir(d)
            except OSError:  # gone, or something else was put there meanwhile
                break
        self.made = []


# --- the user's side ------------------------------------------------------------------

class Person:
    """A scratch HOME and token directory with a token as its owner has it,
    the protected path on, the module registered by `browser install`."""

    def __init__(self, name, p):
        self.box = Sandbox(prefix=f"ecert-chromium-{name}-")
        self.pinentry = tls_support.TestPinentry(self.box)
        tls_support.make_token(self.box, p, LABEL, names=("rsa",))
        self.cli("policy", "set", "--protected-path", "yes", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        r = self.cli("browser", "install")
        if f'the security device "{LABEL}" is loaded' not in r.out or ".pki/nssdb" not in r.out:
            raise AssertionError(f"browser install did not register the module in ~/.pki/nssdb:\n{r}")
        nssdb = "sql:" + os.path.join(self.box.home, ".pki", "nssdb")
        r = self.box.run_tool(["certutil", "-A", "-n", pki.ROOT_CA_NAME, "-t", "C,,", "-i", p["ca"]["cert"],
                               "-d", nssdb])
        if r.rc != 0:
            raise AssertionError(f"certutil -A failed:\n{r}")

    def cli(self, *args, env=None):
        return tls_support.cli_ok(self.box, *args, env=env)

    def pin_state(self):
        return tls_support.pin_state(self.box, LABEL)

    def cleanup(self):
        self.box.cleanup()


class Chromium:
    """chromium in a window on the Xvfb display, with the person's HOME (so
    ~/.pki/nssdb) and token directory, driven by chromedriver. Page loads
    do not block (pageLoadStrategy none): the unlock window must be
    answered while the page loads."""

    def __init__(self, person, screen):
        env = person.box.environment({
            "DISPLAY": screen.display, "LANG": "C.UTF-8", "LANGUAGE": "en", **person.pinentry.env()})
        env.pop("ECERT_TOKEN_MODULE", None)  # Chromium knows the module only from ~/.pki/nssdb
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--no-sandbox",  # root in CI; the renderer sandbox needs user namespaces
                    "--lang=en-US", "--no-first-run", "--disable-gpu", "--password-store=basic",
                    "--window-size=1200,850", f"--user-data-dir={person.box.path('chromium-profile')}"):
            options.add_argument(arg)
        options.page_load_strategy = "none"
        service = Service(CHROMEDRIVER, env=env, log_path=person.box.path("chromedriver.log"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_script_timeout(1)

    def page(self):
        """[url, readyState, text] of the page shown now; None while a
        navigation has not committed yet (the script cannot run then)."""
        try:
            return self.driver.execute_script(
                "return [location.href, document.readyState,"
                " document.body ? document.body.innerText : '']")
        except TimeoutException:
            return None

    def quit(self):
        try:
            self.driver.quit()
        except Exception:  # a browser that already died is fine here
            pass


# --- the tests ---------------------------------------------------------------------------

PKI = None
SERVER = None
SCREEN = None
POLICY = None


def setUpModule():
    global PKI, SERVER, SCREEN, POLICY
    d = tempfile.mkdtemp(prefix="ecert-chromium-pki-")
    try:
        PKI = pki.make_pki(d)
        SERVER = tls_support.TlsServer(PKI, tls_support.make_server_cert(PKI), "1.3", d).start()
        POLICY = AutoSelectPolicy(f"https://127.0.0.1:{SERVER.port}", pki.ROOT_CA_NAME)
        SCREEN = Xvfb()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    for thing in (POLICY, SERVER, SCREEN):
        if thing is not None:
            thing.remove() if thing is POLICY else thing.stop()
    if PKI is not None and not os.environ.get("ECERT_KEEP_SANDBOX"):
        shutil.rmtree(PKI["dir"], ignore_errors=True)


class ChromiumTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.person = Person(self.id().rsplit(".", 1)[-1], PKI)
        self.chromium = None

    def tearDown(self):
        if self.chromium is not None:
            self.chromium.quit()
        self.person.cleanup()

    def visit(self, typed):
        """Opens the site; when Chromium's unlock window appears, types
        `typed` into it and presses Enter (each time it appears, at most
        3). Returns (url, text, seconds, unlock windows answered) once the
        page or the error page has loaded, or fails after PAGE_TIMEOUT."""
        self.chromium = Chromium(self.person, SCREEN)
        url = SERVER.url
        start = time.monotonic()
        self.chromium.driver.get(url)
        answered, shown = 0, None
        while time.monotonic() - start < PAGE_TIMEOUT:
            window = SCREEN.find_window(UNLOCK_WINDOW, timeout=0.5)
            if window and answered < 3:
                if answered == 0:
                    save_artifact(f"chromium-unlock-window-{self.id().rsplit('.', 1)[-1]}.png",
                                  SCREEN.screenshot_png())
                SCREEN.type_into(window, typed)
                answered += 1
                while SCREEN.window_exists(window) and time.monotonic() - start < PAGE_TIMEOUT:
                    time.sleep(0.1)
                continue
            shown = self.chromium.page() or shown
            # The site's page, or Chromium's error page (chrome-error://).
            if (shown and shown[0].startswith((url, "chrome-error://")) and shown[1] == "complete"
                    and shown[2].strip()):
                return shown[0], shown[2], time.monotonic() - start, answered
            time.sleep(0.2)
        self.fail(f"Chromium did not finish loading {url} within {PAGE_TIMEOUT} s "
                  f"(unlock windows answered: {answered}, page: {shown})")

    def test_login_through_pinentry(self):
        self.person.pinentry.answers(OWNER_PIN)
        since = SERVER.mark()
        url, text, seconds, answered = self.visit(WRONG_PIN)
        seen = SERVER.attempt(since)
        detail = f"after {seconds:.1f} s, unlock windows {answered}\n--- page\n{text[-3000:]}\n{seen}"
        self.assertEqual(answered, 1, detail)
        self.assertEqual(self.person.pinentry.getpins(), ["pin"], detail)
        self.assertEqual(tls_support.page_protocol(text), "TLSv1.3", detail)
        self.assertEqual(tls_support.page_client_certificate(text), tls_support.read_pem(PKI["rsa"]["cert"]), detail)
        self.assertEqual(seen.accepted, [PKI["rsa"]["subject"]], detail)
        save_artifact("chromium-e-cert-login.png", self.chromium.driver.get_screenshot_as_png())
        # What was typed into Chromium's window never reached the token.
        state = self.person.pin_state()
        self.assertEqual(state["tries_left"], state["max_tries"], state)

    def refused(self, screenshot):
        """Visits the site (typing into Chromium's unlock window whatever:
        it is not used): Chromium's error page within PAGE_TIMEOUT, and the
        server accepted no certificate. Returns the detail text."""
        since = SERVER.mark()
        url, text, seconds, answered = self.visit("ignored")
        seen = SERVER.attempt(since)
        detail = (f"after {seconds:.1f} s, unlock windows {answered}, pinentry {self.person.pinentry.getpins()}"
                  f"\n--- page\n{text[-3000:]}\n{seen}")
        self.assertGreaterEqual(answered, 1, detail)
        self.assertIsNone(tls_support.page_client_certificate(text), detail)
        self.assertTrue(url.startswith("chrome-error://"), f"not Chromium's error page:\n{detail}")
        self.assertRegex(text, r"\bERR_[A-Z_]+\b", detail)
        self.assertEqual(seen.accepted, [], detail)
        save_artifact(screenshot, self.chromium.driver.get_screenshot_as_png())
        return detail

    def test_wrong_pin_then_cancel(self):
        # A wrong password in the token's window, then Cancel when it asks
        # again (Chromium shows its unlock window again in between).
        self.person.pinentry.answers(WRONG_PIN, "cancel")
        detail = self.refused("chromium-wrong-pin.png")
        self.assertEqual(self.person.pinentry.getpins(), ["pin", "cancel"], detail)
        state = self.person.pin_state()
        self.assertEqual(state["tries_left"], state["max_tries"] - 1, f"{state}\n{detail}")

    def test_locked_token(self):
        tls_support.lock_token(self.person.box, LABEL)
        self.person.pinentry.answers(OWNER_PIN)
        detail = self.refused("chromium-locked-token.png")
        # The token refuses before it asks: pinentry never ran.
        self.assertEqual(self.person.pinentry.getpins(), [], detail)
        state = self.person.pin_state()
        self.assertTrue(state["locked"], state)
        self.assertEqual(state["tries_left"], 0, state)

    def test_envelope_pin_unchanged(self):
        # A new PIN envelope from the issuer: its password is refused at
        # login (CKR_PIN_EXPIRED) until the owner changes it; no try counted.
        envelope_pin = tls_support.reissue_envelope(self.person.box, LABEL)
        self.person.pinentry.answers(envelope_pin)
        detail = self.refused("chromium-envelope-pin.png")
        self.assertEqual(self.person.pinentry.getpins(), ["pin"], detail)
        state = self.person.pin_state()
        self.assertTrue(state["must_change"], state)
        self.assertEqual(state["tries_left"], state["max_tries"], f"{state}\n{detail}")


if __name__ == "__main__":
    unittest.main()
