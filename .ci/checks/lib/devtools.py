"""Headless chromium driven through the DevTools protocol, for the browser checks (.ci/checks/*-browser.sh).

A check's script runs as `python3 - DEVTOOLS_URL ...` (browser-common.sh's `run_devtools`), makes a
`Browser` from the DevTools websocket address chromium printed, opens `Tab`s on the example's page,
acts as a user would (typing, Enter, mouse clicks) and waits for what the page's DOM must show.
Every wait has a deadline; a failed wait ends the check with `fail`.
"""

import asyncio
import base64
import itertools
import json
import time
import urllib.request

import websockets

check_name = "browser-check"


def fail(message):
    """Ends the check with `message` (prefixed with the check's name) and a non-zero status."""
    raise SystemExit(f"{check_name}: {message}")


def say(message):
    """One line of the check's output."""
    print(f"{check_name}: {message}", flush=True)


class Browser:
    """A running chromium, reached at its DevTools websocket address (ws://127.0.0.1:PORT/)."""

    def __init__(self, devtools, name):
        global check_name
        check_name = name
        self.http = devtools.replace("ws://", "http://").split("/devtools/")[0].rstrip("/")
        self.ids = itertools.count(1)
        self.tabs = []

    async def open(self, url, name="tab"):
        """A new tab showing `url`, with the checks' window size; `name` (the user, say) is for messages."""
        request = urllib.request.Request(self.http + "/json/new?" + url, method="PUT")
        target = json.load(urllib.request.urlopen(request, timeout=10))
        tab = Tab(self, target, name)
        self.tabs.append(tab)
        tab.ws = await asyncio.wait_for(websockets.connect(target["webSocketDebuggerUrl"], max_size=2**26), 15)
        await tab.call("Emulation.setDeviceMetricsOverride", width=1120, height=700, deviceScaleFactor=1, mobile=False)
        return tab

    async def close_tab(self, tab):
        """Closes `tab`'s page, as a user closing it would (its connections close with it)."""
        await tab.close()
        self.tabs.remove(tab)
        urllib.request.urlopen(self.http + "/json/close/" + tab.target["id"], timeout=10).read()

    async def finish(self, tab, screenshot):
        """Saves a screenshot of `tab` to `screenshot`, says where, and closes every tab's DevTools link."""
        await tab.screenshot(screenshot)
        say(f"screenshot of {tab.name}'s tab: {screenshot}")
        for each in self.tabs:
            await each.close()


class Tab:
    """One page, driven through its own DevTools websocket."""

    def __init__(self, browser, target, name):
        self.browser = browser
        self.target = target
        self.name = name
        self.ws = None

    async def call(self, method, **params):
        """Sends one DevTools command and answers its result (events in between are dropped)."""
        number = next(self.browser.ids)
        await self.ws.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            reply = json.loads(await asyncio.wait_for(self.ws.recv(), 15))
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    async def js(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def until(self, expression, seconds=10, what=None):
        """Waits until `expression` is truthy in the page and answers its value; fails after `seconds`
        saying what it waited for (`what`, or the expression)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                value = await self.js(expression)
            except RuntimeError:  # the page is still loading (no body yet, or a reload under way)
                value = None
            if value:
                return value
            await asyncio.sleep(0.1)
        fail(f"timed out after {seconds} s waiting for {what or expression}")

    async def type(self, element_id, text):
        """Focuses the input `element_id`, selects what it holds and types `text` over it."""
        await self.until(f"!!document.getElementById({json.dumps(element_id)})")
        await self.js(f"(e => {{ e.focus(); e.select(); }})(document.getElementById({json.dumps(element_id)}))")
        await self.call("Input.insertText", text=text)

    async def press_enter(self):
        """Presses and releases Enter in the focused element."""
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                            windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")

    async def click(self, element_id):
        """Clicks the middle of element `element_id` with the mouse, as a user would."""
        box = await self.until(
            f"(r => r.width > 0 && [r.x + r.width / 2, r.y + r.height / 2])"
            f"(document.getElementById({json.dumps(element_id)}).getBoundingClientRect())")
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    async def reload(self):
        """Reloads the page and waits until the new document has loaded."""
        await self.js("window.__beforeReload = true; location.reload()")
        await self.until("!window.__beforeReload && document.readyState === 'complete'")

    async def screenshot(self, path):
        """Saves a PNG of the page to `path` (brought to the front first: a hidden tab is not painted)."""
        await self.call("Page.bringToFront")
        image = await self.call("Page.captureScreenshot", format="png")
        with open(path, "wb") as file:
            file.write(base64.b64decode(image["data"]))

    async def close(self):
        await self.ws.close()


def run(main):
    """Runs the check's `async def main()`."""
    asyncio.run(main())
