"""A small Chrome DevTools Protocol client for Audify's browser tests.

Launches headless Chromium (`--headless=new --remote-debugging-port=0`), reads the port it chose
from DevToolsActivePort in a throw-away profile, and drives one page over a single WebSocket
(python3-websocket) in flat session mode. Needs no network and no npm; works as root (adds
--no-sandbox, as Chromium refuses to run sandboxed as root).

    with Browser() as browser:
        page = browser.new_page()
        page.call("Page.navigate", url="http://127.0.0.1:8080/")
        page.wait_for(lambda: page.evaluate("document.readyState") == "complete")
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

import websocket  # python3-websocket (Debian), a.k.a. websocket-client


class CdpError(RuntimeError):
    pass


def find_chromium():
    """The first Chromium or Chrome executable on the PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, executable=None, timeout=30.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise CdpError("no chromium executable on the PATH")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="audify-cdp-")
        self.process = None
        self.ws = None
        self._next_id = 0
        self._pending = []  # messages read while waiting for something else

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        args = [
            self.executable,
            "--headless=new",
            "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--mute-audio",
            "about:blank",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while True:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                    break
            if self.process.poll() is not None:
                raise CdpError(f"chromium exited with {self.process.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise CdpError(f"chromium wrote no DevToolsActivePort in {self.timeout} s")
            time.sleep(0.05)
        url = f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
        self.ws = websocket.create_connection(url, timeout=self.timeout, suppress_origin=True)

    def log_tail(self, chars=2000):
        try:
            with open(os.path.join(self.profile, "chromium.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")[-chars:]
        except OSError:
            return ""

    def close(self):
        if self.ws:
            try:
                self.call("Browser.close", timeout=5)
            except Exception:  # already gone: nothing to close
                pass
            self.ws.close()
            self.ws = None
        if self.process:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        shutil.rmtree(self.profile, ignore_errors=True)

    # ---- the protocol ----

    def _read(self, timeout):
        if self._pending:
            return self._pending.pop(0)
        self.ws.settimeout(max(timeout, 0.01))
        try:
            return json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None

    def call(self, method, session_id=None, timeout=None, **params):
        """Sends one command and returns its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session_id:
            message["sessionId"] = session_id
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.timeout)
        skipped = []
        try:
            while time.monotonic() < deadline:
                reply = self._read(deadline - time.monotonic())
                if reply is None:
                    continue
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise CdpError(f"{method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
                skipped.append(reply)
        finally:
            self._pending[:0] = skipped
        raise CdpError(f"{method}: no answer in {timeout or self.timeout} s")

    def events(self, timeout=0.0):
        """Every event received so far, plus those arriving within `timeout` seconds."""
        out = [m for m in self._pending if "method" in m]
        self._pending = [m for m in self._pending if "method" not in m]
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            message = self._read(remaining) if remaining > 0 else self._poll()
            if message is None:
                return out
            if "method" in message:
                out.append(message)

    def _poll(self):
        self.ws.settimeout(0.01)
        try:
            return json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None

    def new_page(self):
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        return Page(self, session)


class Page:
    """One tab, addressed through its flat-mode session. Records console errors as they come."""

    def __init__(self, browser, session_id):
        self.browser = browser
        self.session_id = session_id
        self.errors = []  # console errors, uncaught exceptions, failed loads
        for domain in ("Page", "Runtime", "Log", "DOM"):
            self.call(f"{domain}.enable")

    def call(self, method, timeout=None, **params):
        result = self.browser.call(method, session_id=self.session_id, timeout=timeout, **params)
        self._collect(0.0)
        return result

    def _collect(self, timeout):
        for event in self.browser.events(timeout):
            if event.get("sessionId") != self.session_id:
                continue
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                self.errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                text = details.get("exception", {}).get("description") or details.get("text")
                self.errors.append(f"uncaught: {text}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                self.errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}")

    def evaluate(self, expression):
        """The value of a JavaScript expression (awaited when it is a promise)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise CdpError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, condition, timeout=30.0, what="condition"):
        """Polls `condition()` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            self._collect(0.05)
        raise CdpError(f"timed out after {timeout} s waiting for {what}")

    def navigate(self, url, timeout=30.0):
        self.call("Page.navigate", url=url)
        self.wait_for(lambda: self.evaluate("document.readyState") == "complete", timeout, f"{url} to load")

    def set_file(self, selector, path):
        """Puts a file into an <input type=file>, as choosing it would (fires input and change)."""
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise CdpError(f"no element {selector}")
        self.call("DOM.setFileInputFiles", nodeId=node, files=[os.path.abspath(path)])

    def press(self, key, code, key_code):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=key_code, nativeVirtualKeyCode=key_code)

    def set_viewport(self, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def screenshot(self, path):
        """A PNG of the whole page, however long."""
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
