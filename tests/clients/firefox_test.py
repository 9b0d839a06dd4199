"""Firefox ESR logs in to a TLS site with the e-Cert on the token.

As a user does it (docs/CLIENTS.md, Firefox): the token is made with
`ecert-token init` (the issuer; the PIN envelope), its owner changes the
envelope PIN with `change-pin` and imports the e-Cert (`import rsa.p12`);
`ecert-token browser install` registers the module in the user's Firefox
profile (a fresh profile listed in a scratch HOME's profiles.ini). Firefox
(headless) visits https://127.0.0.1:PORT/, an `openssl s_server -Verify 1
-www` whose certificate comes from the test CA (trusted in the profile with
`certutil -A -t "C,,"`). Firefox asks for the token password in its own
dialog (commonDialog.xhtml, a window-modal promptPassword); the test types
it there and clicks "Sign in", as a person would. The certificate is chosen
automatically (security.default_personal_cert = "Select Automatically"),
the server's page shows it, and a screenshot of the page is saved in
$ECERT_ARTIFACTS.

Debian has no geckodriver: Firefox runs with --marionette and
--remote-allow-system-access, and marionette.py (our own client) drives it.
Marionette refuses commands to a window while a dialog is open over it, so
the test switches to the dialog's own chrome window (WebDriver:
GetWindowHandles in chrome context lists it) and answers it there.

Failures: a wrong password typed in the dialog, a locked token, and a token
whose envelope PIN is unchanged (C_Login: CKR_PIN_EXPIRED) each end in
Firefox's error page within 30 s; the server accepted no client
certificate; the token lost exactly one try per wrong password typed. A
site that asks for no client certificate makes no C_Login (NSS's own log
of the module's calls: NSS_DEBUG_PKCS11_MODULE).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import pki
from e2e_support import BIN, MODULE, OWNER_PIN, SO_PIN, Sandbox, read_envelope_pin
from marionette import Marionette, MarionetteError
import tls_support

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
DEVICE = "e-Cert Token"          # the security device `browser install` adds
WRONG_PIN = "Wrong#Pass2024"     # meets the password rules: only the token refuses it
PAGE_TIMEOUT = 30                # a visit must end (page or error page) within this
# The window Firefox shows while a token with a protected authentication path
# logs in by itself (PSM's ShowProtectedAuthPrompt).
PROTECTED_AUTH_DIALOG = "chrome://pippki/content/protectedAuth.xhtml"
ARTIFACTS = os.environ.get("ECERT_ARTIFACTS") or os.path.join(tempfile.gettempdir(), "ecert-test-artifacts")

_missing = [n for n in ("openssl", "certutil", "modutil") if shutil.which(n) is None]
_missing += [p for p in (BIN, MODULE) if not os.path.exists(p)]
if FIREFOX is None:
    _missing.append("firefox-esr")
if _missing:
    tls_support.cannot_run(f"not installed or not built: {', '.join(_missing)}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the user's side: token, profile, Firefox --------------------------------------

USER_JS = """\
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("marionette.port", {port});
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.page", 0);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.auto", false);
user_pref("app.update.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("security.OCSP.enabled", 0);
"""

PROFILES_INI = """\
[Profile0]
Name=default-release
IsRelative=1
Path=ecert.default-release
Default=1

[General]
StartWithLastProfile=1
Version=2
"""


class User:
    """One person: a scratch HOME and token directory (Sandbox), a token in
    it, and a fresh Firefox profile listed in ~/.mozilla/firefox."""

    def __init__(self, name):
        self.box = Sandbox(prefix=f"ecert-firefox-{name}-")
        self.profile = os.path.join(self.box.home, ".mozilla", "firefox", "ecert.default-release")
        os.makedirs(self.profile, mode=0o700)
        self.pinentry = tls_support.TestPinentry(self.box)
        with open(os.path.join(os.path.dirname(self.profile), "profiles.ini"), "w") as f:
            f.write(PROFILES_INI)

    def cli(self, *args, env=None):
        r = self.box.run(*args, env=env)
        if r.rc != 0:
            raise AssertionError(f"expected exit 0:\n{r}")
        return r

    def make_token(self, p):
        """init (issuer) -> change-pin from the envelope (owner) -> import rsa.p12."""
        envelope = self.box.path("envelope")
        self.cli("init", "--label", DEVICE, "--envelope", envelope, env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        initial = read_envelope_pin(envelope)
        self.cli("change-pin", env={"ECERT_TOKEN_PIN": initial, "ECERT_TOKEN_NEW_PIN": OWNER_PIN})
        self.cli("import", p["rsa"]["p12"],
                 env={"ECERT_TOKEN_PIN": OWNER_PIN, "ECERT_TOKEN_P12_PASSWORD": p["password"]})

    def lock_token(self):
        """Wrong current passwords to change-pin until the token locks."""
        for i in range(self.pin_state()["tries_left"]):
            r = self.box.run("change-pin", env={"ECERT_TOKEN_PIN": f"Wrong#Pass{i:02d}",
                                                "ECERT_TOKEN_NEW_PIN": "Other#Pass2099"})
            if r.rc == 0:
                raise AssertionError(f"a wrong password was accepted:\n{r}")
        state = self.pin_state()
        if not state["locked"]:
            raise AssertionError(f"the token is not locked: {state}")

    def reissue_envelope(self):
        """The issuer's `unblock`: a new PIN envelope that must be changed."""
        envelope = self.box.path("envelope-2")
        self.cli("unblock", "--yes", "--envelope", envelope, env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        initial = read_envelope_pin(envelope)
        if not self.pin_state()["must_change"]:
            raise AssertionError("the token does not ask for a password change after unblock")
        return initial

    def pin_state(self):
        return self.cli("--json", "info").json()["user_pin"]

    def set_protected_path(self):
        """The issuer turns the token's protected authentication path on
        (`policy set --protected-path yes`): C_Login with no PIN then asks
        through pinentry, here tests/pinentry/test-pinentry.py
        (self.pinentry)."""
        self.cli("policy", "set", "--protected-path", "yes", env={"ECERT_TOKEN_SO_PIN": SO_PIN})
        if not self.cli("--json", "policy", "show").json()["protected_path"]:
            raise AssertionError("policy set --protected-path yes did not turn it on")

    def browser_install(self):
        r = self.cli("browser", "install")
        if f'the security device "{DEVICE}" is loaded' not in r.out:
            raise AssertionError(f"browser install did not load the module:\n{r}")

    def nss(self, *argv, env=None):
        r = self.box.run_tool(list(argv), env=env)
        if r.rc != 0:
            raise AssertionError(f"{argv} failed:\n{r}")
        return r.out

    def trust_ca(self, p):
        self.nss("certutil", "-A", "-n", pki.ROOT_CA_NAME, "-t", "C,,", "-i", p["ca"]["cert"],
                 "-d", "sql:" + self.profile)

    def cleanup(self):
        self.box.cleanup()


class Visit:
    """What happened while Firefox loaded one URL: the dialogs it showed
    (their text) and how each was answered, the document it ended on
    (about:neterror?... for its error page), the page's title and text
    (content context), the time it took."""

    def __init__(self, url):
        self.url = url
        self.dialogs = []      # [(text, answer)], answer a password or None (cancelled)
        self.device_dialogs = []  # texts of "authenticate on the device" windows (protected path)
        self.document = None
        self.title = None
        self.page = ""
        self.error_code = None  # e.g. SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT on an error page
        self.seconds = None
        self.ended = False

    @property
    def error_page(self):
        return bool(self.document) and self.document.startswith(("about:neterror", "about:certerror"))

    def __str__(self):
        dialogs = [(t, "cancelled" if a is None else "answered") for t, a in self.dialogs]
        when = f"{self.seconds:.1f} s" if self.seconds is not None else "?"
        return (f"visit {self.url}: ended={self.ended} after {when}, document={self.document}, "
                f"title={self.title!r}, error code={self.error_code}, dialogs={dialogs}, "
                f"device dialogs={self.device_dialogs}\n--- page (start)\n{self.page[:1500]}")


_BROWSER_STATE = """
const b = gBrowser.selectedBrowser;
return {current: b.currentURI.spec, document: b.documentURI ? b.documentURI.spec : null,
        loading: b.webProgress.isLoadingDocument, title: b.contentTitle};
"""

# Runs in the page (content): its state, text (with the shadow roots of the
# body's elements: the error page's card) and, on an error page, the error
# code that Firefox shows ("Error Code: SSL_ERROR_...").
_PAGE_SHOWN = """
let error = null;
try { error = document.getNetErrorInfo().errorCodeString || null; } catch (e) {}
let text = document.documentElement ? document.documentElement.innerText : '';
for (const el of document.body ? document.body.children : [])
  if (el.shadowRoot) text += '\\n' + el.shadowRoot.textContent.replace(/[ \\t]*\\n\\s*/g, '\\n');
return {ready: document.readyState, title: document.title, text, error};
"""

# Runs in the dialog's own chrome window (commonDialog.xhtml): what a person
# does, i.e. read the text, click into the password field, type, press the
# button. null while the dialog has not finished loading.
_ANSWER_DIALOG = """
const [password] = arguments;
if (document.readyState != 'complete') return null;
const uri = document.documentURI;
if (uri != 'chrome://global/content/commonDialog.xhtml')  // not a prompt: leave it alone
  return {type: null, uri, text: document.documentElement.textContent.replace(/\s+/g, ' ').trim()};
const dialog = document.getElementById('commonDialog');
const field = document.getElementById('password1Textbox');
if (!dialog || !field || !window.args) return null;
const type = window.args.promptType;
const text = document.getElementById('infoBody').textContent;
if (type != 'promptPassword') return {type, uri, text};
if (password === null) {
  dialog.getButton('cancel').click();
} else {
  field.focus();
  field.value = '';
  for (const ch of password) {
    field.value += ch;
    field.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: ch}));
  }
  dialog.getButton('accept').click();
}
return {type, uri, text};
"""


class Firefox:
    """firefox-esr --headless --marionette --remote-allow-system-access with
    the user's profile, HOME and token directory, driven over Marionette."""

    def __init__(self, user, name, env=None):
        self.user = user
        self.name = name
        self.port = free_port()
        with open(os.path.join(user.profile, "user.js"), "w") as f:
            f.write(USER_JS.format(port=self.port))
        self.log = user.box.path(f"firefox-{name}.log")
        self.module_log = user.box.path(f"firefox-{name}-pkcs11.log")
        # NSS's own PKCS #11 logger (debug_module.c) around our module: every
        # call with its arguments (PIN pointers, not PINs) and its result;
        # "sync": written at once, so the test can read it while Firefox runs.
        env = user.box.environment({"NSS_DEBUG_PKCS11_MODULE": DEVICE, "NSPR_LOG_MODULES": "timestamp,sync,nss_mod_log:4",
                                    "NSPR_LOG_FILE": self.module_log, **(env or {})})
        env.pop("ECERT_TOKEN_MODULE", None)  # Firefox knows the module only from its profile
        env["MOZ_CRASHREPORTER_DISABLE"] = "1"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [FIREFOX, "--headless", "--marionette", "--remote-allow-system-access",
                 "--profile", user.profile, "--no-remote"],
                env=env, cwd=user.box.root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.exit_code = None
        self.m = Marionette(self.port, command_timeout=PAGE_TIMEOUT)
        try:
            self.m.connect(timeout=60, alive=lambda: self.proc.poll() is None)
            # pageLoadStrategy none: Navigate returns at once, so the test can
            # answer the password dialog while the page loads. "ignore": a
            # dialog is left to the test, never dismissed by Marionette.
            self.m.new_session({"pageLoadStrategy": "none", "unhandledPromptBehavior": {"default": "ignore"}})
            self.m.set_context("chrome")
            self.main_window = self.m.command("WebDriver:GetWindowHandle")
        except BaseException:
            self.kill()
            raise

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def visit(self, url, answers=(), timeout=PAGE_TIMEOUT):
        """Opens `url` and waits (at most `timeout` s) until the page or the
        error page has loaded. Each password dialog that appears gets the
        next of `answers` typed in (None: Cancel); a dialog beyond them is
        cancelled too. Returns a Visit."""
        answers = list(answers)
        visit = Visit(url)
        start = time.monotonic()
        deadline = start + timeout
        self.m.set_context("content")
        self.m.navigate(url)
        self.m.set_context("chrome")
        while time.monotonic() < deadline:
            handles = self.m.command("WebDriver:GetWindowHandles")
            others = [h for h in handles if h != self.main_window]
            if others:
                self._answer(others[0], answers, visit, deadline)
                continue
            try:
                state = self.m.execute_script(_BROWSER_STATE)
            except MarionetteError as e:
                if e.error != "unexpected alert open":
                    raise
                continue  # a dialog has just opened over the window
            if state["current"] == url and not state["loading"] and state["document"] not in (None, "about:blank"):
                visit.ended = True
                visit.document, visit.title = state["document"], state["title"]
                break
            time.sleep(0.1)
        visit.seconds = time.monotonic() - start
        if visit.ended:
            # The page as shown. Firefox's error page is a <net-error-card>
            # whose text is in its shadow root and appears after the load;
            # wait for it (or for a normal page's load) at most 10 s.
            self.m.set_context("content")
            try:
                until = time.monotonic() + 10
                while True:
                    shown = self.m.execute_script(_PAGE_SHOWN)
                    if time.monotonic() > until or (
                            (shown["error"] and shown["error"] in shown["text"])
                            or (not shown["error"] and shown["ready"] == "complete")):
                        break
                    time.sleep(0.1)
                visit.title, visit.page, visit.error_code = shown["title"], shown["text"], shown["error"]
            finally:
                self.m.set_context("chrome")
        return visit

    def _answer(self, handle, answers, visit, deadline):
        """Answers the dialog in chrome window `handle`: a password prompt
        gets the first of `answers` (taken from the list; Cancel when none
        is left); Firefox's "authenticate on the device" window (a token
        with a protected authentication path) is only noted: it closes by
        itself when C_Login returns. Switching to the window also clears
        Marionette's note of a dialog over the browser window, so it is
        done again until the dialog has loaded."""
        answer = answers[0] if answers else None
        device_dialog = False
        try:
            while time.monotonic() < deadline:
                try:
                    self.m.command("WebDriver:SwitchToWindow", {"handle": handle, "focus": True})
                    result = self.m.execute_script(_ANSWER_DIALOG, [answer])
                except MarionetteError as e:
                    if e.error == "no such window":
                        return  # it closed by itself
                    if e.error != "unexpected alert open":
                        raise
                    result = None
                if result is not None:
                    if result["uri"] == PROTECTED_AUTH_DIALOG:
                        visit.device_dialogs.append(result["text"])
                        device_dialog = True
                        break
                    if result["type"] != "promptPassword":
                        raise AssertionError(f"Firefox showed another window than its password prompt: {result}")
                    visit.dialogs.append((result["text"], answer))
                    if answers:
                        answers.pop(0)
                    break
                time.sleep(0.1)
        finally:
            # Firefox does not give the focus back to the browser window
            # while its (modal) device window is open: wait for that to close.
            if device_dialog:
                self._wait_closed(handle, deadline)
            self._back_to_main_window()
        # Wait for the dialog window to close before looking again.
        self._wait_closed(handle, deadline)

    def _back_to_main_window(self):
        # While a dialog window is being destroyed Marionette may, for a
        # moment, fail to find the browser window too (seen once in 20 runs).
        for _ in range(20):
            try:
                self.m.command("WebDriver:SwitchToWindow", {"handle": self.main_window, "focus": True})
                return
            except MarionetteError as e:
                if e.error != "no such window":
                    raise
                time.sleep(0.1)
        self.m.command("WebDriver:SwitchToWindow", {"handle": self.main_window, "focus": True})

    def _wait_closed(self, handle, deadline):
        while time.monotonic() < deadline and handle in self.m.command("WebDriver:GetWindowHandles"):
            time.sleep(0.05)

    def pkcs11_calls(self):
        """[(function, rv, arguments)] of the module's calls so far, from
        NSS's log (lines "TIME UTC - THREAD[ADDR]: C_Login", "...:   pPin =
        0x0", "...:   rv = CKR_OK"; the threads' lines may interleave).
        arguments: {name: value as logged}."""
        calls, current = [], {}
        try:
            with open(self.module_log, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return calls
        for line in text.splitlines():
            line = line.partition(" UTC - ")[2] or line  # NSPR_LOG_MODULES=timestamp
            thread, sep, rest = line.partition("]: ")
            if not sep:
                continue
            if rest.startswith("C_"):
                current[thread] = len(calls)
                calls.append((rest.split()[0], [None], {}))
            elif rest.startswith("  rv = ") and thread in current:
                calls[current.pop(thread)][1][0] = rest[len("  rv = "):].strip()
            elif rest.startswith("  ") and " = " in rest and thread in current:
                name, _, value = rest.strip().partition(" = ")
                calls[current[thread]][2][name] = value
        return [(fn, rv[0], args) for fn, rv, args in calls]

    def logins(self):
        """The results of the module's C_Login calls so far."""
        return [rv for fn, rv, _ in self.pkcs11_calls() if fn == "C_Login"]

    def logins_without_pin(self):
        """Whether each C_Login so far had no PIN (pPin NULL: the token's
        protected authentication path)."""
        return [args.get("pPin") in ("0x0", "(nil)", "0x00000000") for fn, _, args in self.pkcs11_calls()
                if fn == "C_Login"]

    def token_logged_in(self):
        """Whether NSS believes the token is logged in (nsIPK11Token)."""
        return self.m.execute_script(
            "return (async () => {"
            "  const db = Cc['@mozilla.org/security/pkcs11moduledb;1'].getService(Ci.nsIPKCS11ModuleDB);"
            "  for (const module of await db.listModules())"
            "    for (const slot of module.slots)"
            "      if (slot.tokenName == arguments[0]) return slot.getToken().isLoggedIn;"
            "  return null;"
            "})();", [DEVICE])

    def screenshot(self, filename):
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.m.set_context("content")
        try:
            png = self.m.screenshot_png()
        finally:
            self.m.set_context("chrome")
        path = os.path.join(ARTIFACTS, filename)
        with open(path, "wb") as f:
            f.write(png)
        return path, png

    def quit(self, timeout=30):
        """Marionette:Quit; Firefox must then exit by itself within `timeout`
        s (a module that blocks C_Finalize or crashes would show here).
        Returns its exit code."""
        self.m.quit()
        try:
            self.exit_code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"Firefox did not exit within {timeout} s of Marionette:Quit:\n{self.log_text()}")
        self.kill()  # content processes left behind, if any
        return self.exit_code

    def kill(self):
        self.m.close()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass


# --- the tests ------------------------------------------------------------------------

PKI = None
SERVER = None        # asks for a client certificate
PLAIN_SERVER = None  # does not


def setUpModule():
    global PKI, SERVER, PLAIN_SERVER
    d = tempfile.mkdtemp(prefix="ecert-firefox-pki-")
    try:
        PKI = pki.make_pki(d)
        cert = tls_support.make_server_cert(PKI)
        SERVER = tls_support.TlsServer(PKI, cert, "1.3", d).start()
        PLAIN_SERVER = tls_support.TlsServer(PKI, cert, "1.3", d, client_auth=False).start()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    for s in (SERVER, PLAIN_SERVER):
        if s is not None:
            s.stop()
    if PKI is not None and not os.environ.get("ECERT_KEEP_SANDBOX"):
        shutil.rmtree(PKI["dir"], ignore_errors=True)


class FirefoxTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.user = User(self.id().rsplit(".", 1)[-1])
        self.firefox = None

    def tearDown(self):
        if self.firefox is not None:
            self.firefox.kill()
        self.user.cleanup()

    def start_firefox(self, env=None):
        """Firefox with the profile as `browser install` left it (plus the
        test CA and user.js)."""
        self.user.trust_ca(PKI)
        self.firefox = Firefox(self.user, self.id().rsplit(".", 1)[-1], env)
        return self.firefox

    def detail(self, visit, since=None):
        all_calls = self.firefox.pkcs11_calls()
        calls = ", ".join(f"{fn}={rv}" for fn, rv, _ in all_calls if fn in ("C_Login", "C_Logout"))
        text = (f"{visit}\n--- module calls that NSS logged: {len(all_calls)}; C_Login/C_Logout: {calls or 'none'}"
                f"\n--- Firefox log\n{self.firefox.log_text()}")
        if since is not None:
            text += f"\n--- server log\n{SERVER.read(since)[-3000:]}"
        return text

    def assertPasswordDialogs(self, visit, count):
        """`count` dialogs (an int, or a range), each the token's."""
        counts = count if isinstance(count, range) else [count]
        self.assertIn(len(visit.dialogs), counts, self.detail(visit))
        for text, _ in visit.dialogs:
            self.assertIn(f"({DEVICE})", text, "the password dialog names the token")

    def assertRefused(self, answers, screenshot, env=None, password_dialog=True):
        """Visits the client-auth site answering the dialogs with `answers`
        (then Cancel): Firefox shows its error page within PAGE_TIMEOUT,
        the server accepted no client certificate, the token lost exactly
        one try per wrong password typed (whatever Firefox asked), and
        Firefox quits cleanly; with password_dialog=False Firefox must not
        have asked (the token asks itself). Returns (visit, C_Login
        results, pin state)."""
        before = self.user.pin_state()
        firefox = self.start_firefox(env)
        since = SERVER.mark()
        visit = firefox.visit(SERVER.url, answers)
        detail = self.detail(visit, since)
        self.assertTrue(visit.ended, f"Firefox did not finish loading within {PAGE_TIMEOUT} s:\n{detail}")
        self.assertTrue(visit.error_page, f"not Firefox's error page:\n{detail}")
        # The server wanted a certificate and got none.
        self.assertEqual(visit.error_code, "SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT", detail)
        self.assertIn("Secure Connection Failed", visit.page, detail)
        self.assertIsNone(tls_support.page_client_certificate(visit.page), detail)
        if password_dialog:
            self.assertTrue(visit.dialogs, f"Firefox did not ask for the token password:\n{detail}")
        else:
            self.assertPasswordDialogs(visit, 0)
        firefox.screenshot(screenshot)
        self.assertEqual(SERVER.attempt(since).accepted, [], f"the server accepted a client certificate:\n{detail}")
        self.assertIs(firefox.token_logged_in(), False, detail)
        logins = firefox.logins()
        wrong_typed = sum(1 for _, answer in visit.dialogs if answer == WRONG_PIN)
        after = self.user.pin_state()
        self.assertEqual(before["tries_left"] - after["tries_left"], wrong_typed,
                         f"tries {before} -> {after} after {wrong_typed} wrong passwords:\n{detail}")
        self.assertEqual(firefox.quit(), 0, f"Firefox's exit code:\n{firefox.log_text()}")
        return visit, logins, after


class LoginTest(FirefoxTestCase):

    def test_login_with_the_e_cert(self):
        self.user.make_token(PKI)
        self.user.browser_install()
        firefox = self.start_firefox()

        # A site that asks for no certificate: no dialog, no C_Login.
        plain = firefox.visit(PLAIN_SERVER.url)
        self.assertTrue(plain.ended and not plain.error_page, self.detail(plain))
        self.assertIn("Protocol  : TLSv1.3", plain.page, self.detail(plain))
        self.assertPasswordDialogs(plain, 0)
        calls = [fn for fn, _, _ in firefox.pkcs11_calls()]
        self.assertIn("C_GetTokenInfo", calls, "NSS's log of the module is empty: was the module loaded?")
        self.assertNotIn("C_Login", calls, "a C_Login for a site without client authentication")
        self.assertIs(firefox.token_logged_in(), False)

        # The e-Cert site: one password dialog, answered with the password.
        since = SERVER.mark()
        visit = firefox.visit(SERVER.url, [OWNER_PIN])
        detail = self.detail(visit, since)
        self.assertTrue(visit.ended, f"Firefox did not finish loading within {PAGE_TIMEOUT} s:\n{detail}")
        self.assertPasswordDialogs(visit, 1)
        self.assertFalse(visit.error_page, detail)
        path, png = firefox.screenshot("firefox-e-cert-login.png")
        self.assertTrue(png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10000, path)
        # The page: TLS 1.3 and the very certificate of rsa.p12.
        self.assertIn("Protocol  : TLSv1.3", visit.page, detail)
        self.assertEqual(tls_support.page_client_certificate(visit.page), tls_support.read_pem(PKI["rsa"]["cert"]), detail)
        # The server side: it accepted that e-Cert (Chinese subject), only it.
        accepted = SERVER.attempt(since).accepted
        self.assertTrue(accepted, f"the server accepted no client certificate:\n{detail}")
        self.assertEqual(set(accepted), {PKI["rsa"]["subject"]}, detail)
        self.assertIn("CN=陳大文", accepted[0])
        self.assertEqual(firefox.logins(), ["CKR_OK"], detail)
        self.assertIs(firefox.token_logged_in(), True)
        state = self.user.pin_state()
        self.assertEqual(state["tries_left"], state["max_tries"], state)
        self.assertEqual(firefox.quit(), 0, f"Firefox's exit code:\n{firefox.log_text()}")


class FailureTest(FirefoxTestCase):

    def test_wrong_pin(self):
        self.user.make_token(PKI)
        self.user.browser_install()
        # Firefox asks again after a wrong password; the person types a
        # wrong one twice, then gives up (Cancel).
        visit, logins, after = self.assertRefused([WRONG_PIN, WRONG_PIN, None], "firefox-wrong-pin.png")
        # Firefox may make a second connection after the failure and ask
        # once more: that dialog is cancelled too.
        answers = [answer for _, answer in visit.dialogs]
        self.assertEqual(answers[:3], [WRONG_PIN, WRONG_PIN, None], self.detail(visit))
        self.assertEqual(set(answers[3:]), set() if len(answers) == 3 else {None}, self.detail(visit))
        self.assertEqual(logins, ["CKR_PIN_INCORRECT"] * 2, self.detail(visit))
        self.assertEqual(after["tries_left"], after["max_tries"] - 2, after)

    def test_locked_token(self):
        self.user.make_token(PKI)
        self.user.lock_token()
        self.user.browser_install()
        # The right password: the token is locked all the same.
        visit, logins, after = self.assertRefused([OWNER_PIN], "firefox-locked-token.png")
        self.assertTrue(logins and set(logins) == {"CKR_PIN_LOCKED"}, self.detail(visit))
        self.assertTrue(after["locked"], after)

    def test_envelope_pin_unchanged(self):
        self.user.make_token(PKI)
        envelope_pin = self.user.reissue_envelope()
        self.user.browser_install()
        # The password from the PIN envelope: C_Login says CKR_PIN_EXPIRED.
        visit, logins, after = self.assertRefused([envelope_pin], "firefox-envelope-pin.png")
        self.assertTrue(logins and set(logins) == {"CKR_PIN_EXPIRED"}, self.detail(visit))
        self.assertTrue(after["must_change"], after)


class ProtectedPathTest(FirefoxTestCase):
    """The token's protected authentication path on: Firefox shows no
    password dialog of its own; it calls C_Login with no PIN (from a thread,
    with its "authenticate on the device" window open) and the token asks
    through pinentry."""

    def test_login_through_pinentry(self):
        self.user.make_token(PKI)
        self.user.set_protected_path()
        self.user.browser_install()
        # The person types a wrong password into the token's dialog, then
        # the right one when it asks again.
        self.user.pinentry.answers(WRONG_PIN, OWNER_PIN)
        firefox = self.start_firefox(self.user.pinentry.env())
        since = SERVER.mark()
        visit = firefox.visit(SERVER.url)
        detail = self.detail(visit, since)
        self.assertTrue(visit.ended, f"Firefox did not finish loading within {PAGE_TIMEOUT} s:\n{detail}")
        self.assertFalse(visit.error_page, detail)
        self.assertPasswordDialogs(visit, 0)
        self.assertEqual(self.user.pinentry.getpins(), ["pin", "pin"], detail)
        self.assertEqual(firefox.logins(), ["CKR_PIN_INCORRECT", "CKR_OK"], detail)
        self.assertEqual(firefox.logins_without_pin(), [True, True], detail)
        self.assertEqual(tls_support.page_client_certificate(visit.page), tls_support.read_pem(PKI["rsa"]["cert"]), detail)
        self.assertEqual(set(SERVER.attempt(since).accepted), {PKI["rsa"]["subject"]}, detail)
        firefox.screenshot("firefox-protected-path-login.png")
        # A right password after a wrong one: the count is full again.
        state = self.user.pin_state()
        self.assertEqual(state["tries_left"], state["max_tries"], state)
        self.assertEqual(firefox.quit(), 0, f"Firefox's exit code:\n{firefox.log_text()}")

    def test_locked_token(self):
        self.user.make_token(PKI)
        self.user.set_protected_path()
        self.user.lock_token()
        self.user.browser_install()
        self.user.pinentry.answers(OWNER_PIN)
        visit, logins, after = self.assertRefused([], "firefox-protected-path-locked.png",
                                                  env=self.user.pinentry.env(), password_dialog=False)
        # The token refuses before it asks: pinentry never ran.
        self.assertEqual(self.user.pinentry.getpins(), [], self.detail(visit))
        self.assertTrue(logins and set(logins) == {"CKR_PIN_LOCKED"}, self.detail(visit))
        self.assertTrue(all(self.firefox.logins_without_pin()), self.detail(visit))
        self.assertTrue(after["locked"], after)


if __name__ == "__main__":
    unittest.main()
