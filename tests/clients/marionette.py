"""A small client of Firefox's Marionette protocol (standard library only).

Debian has no geckodriver, so the Firefox tests talk to Firefox directly:
start it with `--marionette` (and `marionette.port` set in the profile's
user.js), connect to 127.0.0.1:PORT, and send commands.

Wire format: every message is `LENGTH:JSON` (LENGTH = bytes of the UTF-8
JSON). On connect Firefox sends a hello object ({"applicationType": "gecko",
"marionetteProtocol": 3}). A command is `[0, id, "Name", {params}]`, its
answer `[1, id, error-or-null, result-or-null]`.

Commands used here: WebDriver:NewSession, WebDriver:Navigate,
WebDriver:GetCurrentURL, WebDriver:GetTitle, WebDriver:GetPageSource,
WebDriver:ExecuteScript, WebDriver:TakeScreenshot, Marionette:SetContext
("content" or "chrome"; chrome needs Firefox started with
--remote-allow-system-access), WebDriver:DeleteSession, Marionette:Quit.

Marionette answers one command at a time: while a WebDriver:Navigate waits
for the page load, no other command of this connection is read. So a test
that must answer a dialog during a page load navigates with
`navigate(url, wait=False)` (the command returns at once, pageLoadStrategy
"none") and then works in chrome context while the page loads.
"""

import base64
import json
import socket
import time


class MarionetteError(Exception):
    """An error answer: .error (WebDriver error code), .message, .stacktrace."""

    def __init__(self, command, error):
        self.command = command
        if isinstance(error, dict):
            self.error = error.get("error", "")
            self.message = error.get("message", "")
            self.stacktrace = error.get("stacktrace", "")
        else:
            self.error, self.message, self.stacktrace = str(error), "", ""
        super().__init__(f"{command}: {self.error}: {self.message}")


class Marionette:
    """One connection to a Firefox Marionette server.

    connect() retries until Firefox listens (or `timeout` runs out);
    every later command waits at most `command_timeout` seconds for its
    answer (socket timeout), so a hung Firefox fails the test instead of
    hanging it."""

    def __init__(self, port, host="127.0.0.1", command_timeout=60):
        self.host, self.port = host, port
        self.command_timeout = command_timeout
        self.sock = None
        self.buffer = b""
        self.next_id = 0
        self.hello = None
        self.session_id = None
        self.capabilities = None

    # --- transport ----------------------------------------------------------

    def connect(self, timeout=60, alive=None):
        """Connects and reads the hello. `alive` (a callable) is asked while
        waiting; if it returns False (Firefox exited), gives up at once."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                raise ConnectionError("Firefox exited before Marionette listened")
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError as e:
                last = e
                time.sleep(0.2)
                continue
            sock.settimeout(self.command_timeout)
            self.sock = sock
            self.buffer = b""
            try:
                self.hello = self._receive()
            except (OSError, ValueError) as e:
                # Firefox accepted but closed (still starting): try again.
                last = e
                self.close()
                time.sleep(0.2)
                continue
            return self.hello
        raise ConnectionError(f"no Marionette server on {self.host}:{self.port} within {timeout} s: {last}")

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _send(self, message):
        data = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.sock.sendall(str(len(data)).encode("ascii") + b":" + data)

    def _receive(self):
        while b":" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b":")
        if not head.isdigit():
            raise ValueError(f"bad Marionette frame header {head[:20]!r}")
        length = int(head)
        self.buffer = rest
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return json.loads(body.decode("utf-8"))

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("Marionette connection closed by Firefox")
        self.buffer += chunk

    def command(self, name, params=None, timeout=None):
        """Sends one command and returns its result (the "value" member if the
        result is {"value": ...}). Raises MarionetteError on an error answer,
        socket.timeout if none comes within `timeout` (default:
        command_timeout)."""
        if self.sock is None:
            raise ConnectionError("not connected")
        self.next_id += 1
        msg_id = self.next_id
        self._send([0, msg_id, name, params or {}])
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            while True:
                reply = self._receive()
                if isinstance(reply, list) and len(reply) == 4 and reply[0] == 1 and reply[1] == msg_id:
                    break
                # An answer to an earlier command that timed out: skip it.
        finally:
            if timeout is not None and self.sock is not None:
                self.sock.settimeout(self.command_timeout)
        _, _, error, result = reply
        if error is not None:
            raise MarionetteError(name, error)
        if isinstance(result, dict) and set(result) == {"value"}:
            return result["value"]
        return result

    # --- WebDriver commands --------------------------------------------------

    def new_session(self, capabilities=None):
        caps = {"acceptInsecureCerts": False, "pageLoadStrategy": "normal"}
        caps.update(capabilities or {})
        # Marionette takes the capabilities themselves as the parameters
        # (not WebDriver's {"capabilities": {"alwaysMatch": ...}}).
        result = self.command("WebDriver:NewSession", caps)
        self.session_id = result.get("sessionId")
        self.capabilities = result.get("capabilities")
        return result

    def set_context(self, context):
        """"content" (the web page) or "chrome" (the browser's own windows)."""
        self.command("Marionette:SetContext", {"value": context})

    def set_timeouts(self, page_load_ms=None, script_ms=None, implicit_ms=None):
        params = {}
        if page_load_ms is not None:
            params["pageLoad"] = page_load_ms
        if script_ms is not None:
            params["script"] = script_ms
        if implicit_ms is not None:
            params["implicit"] = implicit_ms
        self.command("WebDriver:SetTimeouts", params)

    def navigate(self, url, timeout=None):
        """WebDriver:Navigate; with pageLoadStrategy "none" it returns at
        once, otherwise when the page has loaded."""
        self.command("WebDriver:Navigate", {"url": url}, timeout=timeout)

    def current_url(self):
        return self.command("WebDriver:GetCurrentURL")

    def title(self):
        return self.command("WebDriver:GetTitle")

    def page_source(self):
        return self.command("WebDriver:GetPageSource")

    def execute_script(self, script, args=None, timeout=None):
        """Runs `script` (a function body; `arguments` holds `args`) in the
        current context and returns its return value."""
        return self.command("WebDriver:ExecuteScript",
                            {"script": script, "args": args or [], "newSandbox": True},
                            timeout=timeout)

    def screenshot_png(self, full=True):
        """The current page (content context) as PNG bytes."""
        data = self.command("WebDriver:TakeScreenshot", {"full": full, "hash": False})
        return base64.b64decode(data)

    def delete_session(self):
        try:
            self.command("WebDriver:DeleteSession", timeout=10)
        finally:
            self.session_id = None

    def quit(self, timeout=30):
        """Asks Firefox to quit (Marionette:Quit); the connection then
        closes."""
        try:
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]}, timeout=timeout)
        except (ConnectionError, OSError, MarionetteError):
            pass
        finally:
            self.close()
