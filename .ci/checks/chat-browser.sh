#!/usr/bin/env bash
# The chat example in a real browser: builds and starts `chat`, opens its page in two headless
# chromium tabs (driven through the DevTools protocol by Python `websockets`, lib/devtools.py) served
# by different websocket processes, types a message in one tab and reads the other tab's DOM: it fails
# unless the message is shown there. Saves a screenshot of the receiving tab and prints its path.
#   CHAT_SCREENSHOT=FILE    where the screenshot goes (default .build/chat-browser.png)
#   SWIFT_SCRATCH_PATH=DIR  the build directory
# Bounded in time (CHAT_BROWSER_TIMEOUT, 120 s); kills the server and the browser it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
CHECK=chat-browser
source .ci/checks/lib/browser-common.sh
SCREENSHOT="${CHAT_SCREENSHOT:-$SCRATCH/chat-browser.png}"
TIMEOUT="${CHAT_BROWSER_TIMEOUT:-120}"

SERVER="$(build_example chat)"

# Every port is 0: the master picks the websocket port for its reusePort processes and every process
# learns it, so the http process's /config.js tells the page the real one.
start_server "$WORK/server.log" env WORKERMAN_RUNTIME_DIR="$WORK" HTTP_PORT=0 WS_PORT=0 CHANNEL_PORT=0 "$SERVER" start
{ HTTP_PORT="$(log_port "$WORK/server.log" http)" && WS_PORT="$(log_port "$WORK/server.log" websocket)" &&
    wait_port "$WS_PORT"; } || { say "chat did not start"; cat "$WORK/server.log"; exit 1; }
say "chat on http $HTTP_PORT, websocket $WS_PORT"

start_browser

run_devtools "$TIMEOUT" "http://127.0.0.1:$HTTP_PORT" "$SCREENSHOT" <<'PY'
import asyncio, json, sys
from devtools import Browser, fail, run, say

devtools, site, screenshot = sys.argv[1], sys.argv[2], sys.argv[3]
browser = Browser(devtools, "chat-browser")


async def type_and_send(tab, text):
    """Types into the composer as a user would, then presses Enter."""
    await tab.type("composer-input", text)
    await tab.press_enter()


async def worker(tab):
    return await tab.until("document.body && document.body.dataset.worker")


async def texts(tab):
    return await tab.js("[...document.querySelectorAll('#messages .message .text')].map(e => e.textContent)")


async def main():
    alice = await browser.open(site + "/?name=Alice&room=lobby", name="Alice")
    alice_worker = await worker(alice)
    await alice.until("[...document.querySelectorAll('.notice')].some(e => e.textContent.startsWith('You joined'))")
    bob = await browser.open(site + "/?name=Bob&room=lobby", name="Bob")
    for attempt in range(30):  # reload Bob's page until another websocket process serves it
        bob_worker = await worker(bob)
        if bob_worker != alice_worker:
            break
        await bob.js("delete document.body.dataset.worker; location.reload()")
        await asyncio.sleep(0.2)
    if bob_worker == alice_worker:
        fail("both tabs always on process " + alice_worker)
    say(f"Alice's tab on websocket process {alice_worker}, Bob's on {bob_worker}")
    await bob.until("[...document.querySelectorAll('.notice')].some(e => e.textContent.startsWith('You joined'))")
    await alice.until("[...document.querySelectorAll('.notice')].some(e => e.textContent === 'Bob joined')")

    first = "Hi Bob! This crossed from one worker process to another."
    await type_and_send(alice, first)
    await bob.until(f"[...document.querySelectorAll('#messages .message .text')].some(e => e.textContent === {json.dumps(first)})")
    reply = "Got it, Alice. Channel carried it over."
    await type_and_send(bob, reply)
    await alice.until(f"[...document.querySelectorAll('#messages .message .text')].some(e => e.textContent === {json.dumps(reply)})")
    await bob.until(f"[...document.querySelectorAll('#messages .message.mine .text')].some(e => e.textContent === {json.dumps(reply)})")

    shown = await texts(bob)
    say("Bob's page shows " + json.dumps(shown, ensure_ascii=False))
    if first not in shown or reply not in shown:
        fail("the messages are not in Bob's DOM")
    if await bob.js("document.getElementById('composer-input').value") != "":
        fail("the composer was not cleared after sending")

    await browser.finish(bob, screenshot)

run(main)
PY
say "ok"
