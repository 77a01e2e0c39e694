#!/usr/bin/env bash
# The chat example in a real browser: builds and starts `chat`, opens its page in two headless
# chromium tabs (driven through the DevTools protocol by Python `websockets`) served by different
# websocket processes, types a message in one tab and reads the other tab's DOM: it fails unless
# the message is shown there. Saves a screenshot of the receiving tab and prints its path.
#   CHAT_SCREENSHOT=FILE    where the screenshot goes (default .build/chat-browser.png)
#   SWIFT_SCRATCH_PATH=DIR  the build directory
# Bounded in time (CHAT_BROWSER_TIMEOUT, 120 s); kills the server and the browser it started.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v chromium >/dev/null || bash .ci/deps/browser.sh
SCRATCH="${SWIFT_SCRATCH_PATH:-.build}"
SCREENSHOT="${CHAT_SCREENSHOT:-$PWD/$SCRATCH/chat-browser.png}"
TIMEOUT="${CHAT_BROWSER_TIMEOUT:-120}"

swift build --scratch-path "$SCRATCH" --product chat >/dev/null 2>&1 || swift build --scratch-path "$SCRATCH" --product chat
SERVER="$(swift build --scratch-path "$SCRATCH" --show-bin-path 2>/dev/null)/chat"

WORK="$(mktemp -d)"
SERVER_PID=""
BROWSER_PID=""
stop_pid() {  # SIGINT (the server's stop; the browser's quit), then SIGKILL after 5 s
    local pid="$1"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$BROWSER_PID"
    stop_pid "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The websocket port is fixed (the page learns it from /config.js, served by the http process, which
# cannot see a port the websocket processes each pick for themselves); the others are port 0.
WS_PORT="$(free_port)"
WORKERMAN_RUNTIME_DIR="$WORK" HTTP_PORT=0 WS_PORT="$WS_PORT" CHANNEL_PORT=0 "$SERVER" start >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
HTTP_PORT=""
for _ in $(seq 100); do
    HTTP_PORT="$(grep -o 'http://0.0.0.0:[0-9]*' "$WORK/server.log" | head -1 | cut -d: -f3 || true)"
    [ -n "$HTTP_PORT" ] && python3 -c "import socket; socket.create_connection(('127.0.0.1', $WS_PORT), 0.2)" 2>/dev/null && break
    sleep 0.1
done
[ -n "$HTTP_PORT" ] || { echo "chat-browser: chat did not start"; cat "$WORK/server.log"; exit 1; }
echo "chat-browser: chat on http $HTTP_PORT, websocket $WS_PORT"

chromium --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
    --user-data-dir="$WORK/profile" --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 \
    --window-size=1120,700 about:blank >"$WORK/browser.log" 2>&1 &
BROWSER_PID=$!
DEVTOOLS=""
for _ in $(seq 150); do
    DEVTOOLS="$(grep -o 'ws://127.0.0.1:[0-9]*/' "$WORK/browser.log" | head -1 || true)"
    [ -n "$DEVTOOLS" ] && break
    sleep 0.1
done
[ -n "$DEVTOOLS" ] || { echo "chat-browser: chromium did not start"; cat "$WORK/browser.log"; exit 1; }
echo "chat-browser: $(chromium --version 2>/dev/null), DevTools at $DEVTOOLS"

timeout "$TIMEOUT" python3 - "$DEVTOOLS" "http://127.0.0.1:$HTTP_PORT" "$SCREENSHOT" <<'PY'
import asyncio, base64, itertools, json, sys, time, urllib.request
import websockets

devtools, site, screenshot = sys.argv[1], sys.argv[2], sys.argv[3]
http_devtools = devtools.replace("ws://", "http://").rstrip("/")
ids = itertools.count(1)


class Tab:
    """One page, driven through its own DevTools websocket."""

    @classmethod
    async def open(cls, url):
        request = urllib.request.Request(http_devtools + "/json/new?" + url, method="PUT")
        target = json.load(urllib.request.urlopen(request, timeout=10))
        tab = cls()
        tab.ws = await websockets.connect(target["webSocketDebuggerUrl"], max_size=2**26)
        await tab.call("Emulation.setDeviceMetricsOverride",
                       width=1120, height=700, deviceScaleFactor=1, mobile=False)
        return tab

    async def call(self, method, **params):
        number = next(ids)
        await self.ws.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            reply = json.loads(await asyncio.wait_for(self.ws.recv(), 15))
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    async def js(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def until(self, expression, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                value = await self.js(expression)
            except RuntimeError:  # the page is still loading (no body yet, or a reload under way)
                value = None
            if value:
                return value
            await asyncio.sleep(0.1)
        raise SystemExit(f"chat-browser: timed out waiting for {expression}")

    async def type_and_send(self, text):
        """Types into the composer as a user would, then presses Enter."""
        await self.js("document.getElementById('composer-input').focus()")
        await self.call("Input.insertText", text=text)
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                            windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")

    async def worker(self):
        return await self.until("document.body && document.body.dataset.worker")

    async def texts(self):
        return await self.js("[...document.querySelectorAll('#messages .message .text')].map(e => e.textContent)")


async def main():
    alice = await Tab.open(site + "/?name=Alice&room=lobby")
    alice_worker = await alice.worker()
    await alice.until("[...document.querySelectorAll('.notice')].some(e => e.textContent.startsWith('You joined'))")
    bob = await Tab.open(site + "/?name=Bob&room=lobby")
    for attempt in range(30):  # reload Bob's page until another websocket process serves it
        bob_worker = await bob.worker()
        if bob_worker != alice_worker:
            break
        await bob.js("delete document.body.dataset.worker; location.reload()")
        await asyncio.sleep(0.2)
    if bob_worker == alice_worker:
        raise SystemExit("chat-browser: both tabs always on process " + alice_worker)
    print(f"chat-browser: Alice's tab on websocket process {alice_worker}, Bob's on {bob_worker}")
    await bob.until("[...document.querySelectorAll('.notice')].some(e => e.textContent.startsWith('You joined'))")
    await alice.until("[...document.querySelectorAll('.notice')].some(e => e.textContent === 'Bob joined')")

    first = "Hi Bob! This crossed from one worker process to another."
    await alice.type_and_send(first)
    await bob.until(f"[...document.querySelectorAll('#messages .message .text')].some(e => e.textContent === {json.dumps(first)})")
    reply = "Got it, Alice. Channel carried it over."
    await bob.type_and_send(reply)
    await alice.until(f"[...document.querySelectorAll('#messages .message .text')].some(e => e.textContent === {json.dumps(reply)})")
    await bob.until(f"[...document.querySelectorAll('#messages .message.mine .text')].some(e => e.textContent === {json.dumps(reply)})")

    shown = await bob.texts()
    print("chat-browser: Bob's page shows", json.dumps(shown, ensure_ascii=False))
    if first not in shown or reply not in shown:
        raise SystemExit("chat-browser: the messages are not in Bob's DOM")
    if await bob.js("document.getElementById('composer-input').value") != "":
        raise SystemExit("chat-browser: the composer was not cleared after sending")

    image = await bob.call("Page.captureScreenshot", format="png")
    with open(screenshot, "wb") as file:
        file.write(base64.b64decode(image["data"]))
    print("chat-browser: screenshot of Bob's tab:", screenshot)
    for tab in (alice, bob):
        await tab.ws.close()

asyncio.run(main())
PY
echo "chat-browser: ok"
