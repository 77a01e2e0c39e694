#!/usr/bin/env bash
# The gateway-chat example (Register, 2 Gateway processes, 4 BusinessWorkers, the HTTP push API) in a
# real browser: builds and starts `gateway-chat`, opens its page in two headless chromium tabs (driven
# through the DevTools protocol by Python `websockets`, lib/devtools.py) and uses it as two users would,
# with clicks and typing: alice (groups lobby, swift) and bob (lobby) log in on different gateway
# processes, and alice's page says "bob joined lobby"; the page's count and online buttons see both;
# alice says something in lobby and bob's log must show it, bob's reply (sent with Enter) must reach
# alice; alice's message in swift and her private push to bob (through the HTTP API) reach only their
# addressees. alice closes her tab: bob's page says "alice left lobby" (not swift, not his group);
# she comes back: "alice joined lobby". Then the server stops: both pages say disconnected, and
# bob's "say" is refused, not logged as sent; the server starts again on the same ports and both
# pages reconnect and log in by themselves, and talk again. Saves a screenshot of bob's tab and prints
# its path.
#   GATEWAY_CHAT_SCREENSHOT=FILE  where the screenshot goes (default .build/gateway-chat-browser.png)
#   SWIFT_SCRATCH_PATH=DIR        the build directory
# Bounded in time (GATEWAY_CHAT_BROWSER_TIMEOUT, 120 s); kills the server and the browser it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
CHECK=gateway-chat-browser
source .ci/checks/lib/browser-common.sh
SCREENSHOT="${GATEWAY_CHAT_SCREENSHOT:-$SCRATCH/gateway-chat-browser.png}"
TIMEOUT="${GATEWAY_CHAT_BROWSER_TIMEOUT:-120}"

SERVER="$(build_example gateway-chat)"

# The page and the clients' websocket are on port 0 (every process learns the ports the master bound,
# so /config.js tells the page the real one). The register's port is written into the other processes'
# settings before it is bound, and gateway process i listens inside on GATEWAY_START_PORT + i: those
# are found free.
REGISTER_PORT="$(free_port)"
GATEWAY_START_PORT="$(free_ports 2)"
start_server "$WORK/server.log" env WORKERMAN_RUNTIME_DIR="$WORK" HTTP_PORT=0 WS_PORT=0 \
    REGISTER_PORT="$REGISTER_PORT" GATEWAY_COUNT=2 GATEWAY_START_PORT="$GATEWAY_START_PORT" BUSINESS_COUNT=4 \
    "$SERVER" start
export WORKERMAN_RUNTIME_DIR="$WORK" REGISTER_PORT GATEWAY_START_PORT  # for the Python's restart
{ HTTP_PORT="$(log_port "$WORK/server.log" http)" && WS_PORT="$(log_port "$WORK/server.log" websocket)" &&
    wait_port "$WS_PORT" && wait_port "$GATEWAY_START_PORT" && wait_port "$((GATEWAY_START_PORT + 1))"; } ||
    { say "gateway-chat did not start"; cat "$WORK/server.log"; exit 1; }
say "gateway-chat on http $HTTP_PORT, websocket $WS_PORT, register $REGISTER_PORT," \
    "gateways inside on $GATEWAY_START_PORT and $((GATEWAY_START_PORT + 1))"

start_browser

run_devtools "$TIMEOUT" "http://127.0.0.1:$HTTP_PORT" "$SCREENSHOT" "$GATEWAY_START_PORT" \
    "$SERVER" "$SERVER_PID" "$WS_PORT" "$WORK" <<'PY'
import json, os, signal, socket, subprocess, sys, time
from devtools import Browser, fail, run, say

devtools, site, screenshot, gateway_start_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
server, server_pid, ws_port, work = sys.argv[5], int(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
browser = Browser(devtools, "gateway-chat-browser")

# The page logs each websocket message it receives as a line of class "in": "<time>  <- <JSON>".
RECEIVED = ("[...document.querySelectorAll('#log .in')]"
            ".map(e => { try { return JSON.parse(e.textContent.slice(e.textContent.indexOf('<- ') + 3)); }"
            " catch (error) { return null; } }).filter(m => m)")


def receives(condition):
    """JavaScript: the first received message `m` for which `condition` holds, or undefined."""
    return f"{RECEIVED}.find(m => {condition})"


def said(sender, text):
    return receives(f"m.type === 'say' && m.from === {json.dumps(sender)} && m.msg === {json.dumps(text)}")


def http_answer(path_start):
    """JavaScript: the JSON answer of the page's last GET whose path starts with `path_start`."""
    return (f"[...document.querySelectorAll('#log .http')].map(e => e.textContent)"
            f".filter(t => t.includes('GET ' + {json.dumps(path_start)})).map(t => t.slice(t.indexOf(' -> ') + 4)).pop()")


async def shows(tab, sender, text):
    """Waits until `tab` shows `sender`'s message `text`."""
    await tab.until(said(sender, text), what=f"{tab.name}'s page to show {sender}'s message {json.dumps(text)}")


def notice(text):
    """JavaScript: whether the page shows the notice line `text` ("bob joined lobby")."""
    return f"[...document.querySelectorAll('#log .notice')].some(e => e.textContent.endsWith('  ' + {json.dumps(text)}))"


def accepts(port):
    """Whether something accepts TCP connections on 127.0.0.1:`port`."""
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def wait_for(condition, what, seconds=15):
    """Waits until `condition()` holds (checked every 0.1 s); fails after `seconds` saying `what` it waited for."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            fail(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def stop_server():
    """Stops the server (SIGINT to its master, as Ctrl-C would) and waits until its websocket port is closed."""
    os.kill(server_pid, signal.SIGINT)
    wait_for(lambda: not accepts(ws_port), "the stopped server's websocket port to close")


def start_server_again():
    """The same server on the same websocket, register and gateway ports (the page keeps its websocket
    port); browser-common.sh stops it at the end (started-pids)."""
    wait_for(lambda: not os.path.exists(f"/proc/{server_pid}") or open(f"/proc/{server_pid}/stat").read().split()[2] == "Z",
             "the stopped server's master to exit")
    log = open(os.path.join(work, "server-again.log"), "w")
    process = subprocess.Popen([server, "start"], env=dict(os.environ, HTTP_PORT="0", WS_PORT=str(ws_port)),
                               stdout=log, stderr=subprocess.STDOUT)
    with open(os.path.join(work, "started-pids"), "a") as pids:
        pids.write(f"{process.pid}\n")
    wait_for(lambda: accepts(ws_port) or process.poll() is not None, "the restarted server's websocket port")
    if process.poll() is not None:
        fail("the server did not start again: " + open(os.path.join(work, "server-again.log")).read())


async def log_in(tab, uid, groups):
    """Fills in the log-in form, clicks the button, answers the client id the server sent back."""
    await tab.type("uid", uid)
    await tab.type("groups", groups)
    await tab.click("login")
    return await logged_in(tab, uid)


async def logged_in(tab, uid, count=1, seconds=10):
    """Waits until `tab` received `count` log-in answers (each with a client id) and says connected;
    answers the last client id."""
    login = await tab.until(f"(a => a.length >= {count} && a.pop())({RECEIVED}"
                            ".filter(m => m.type === 'login' && /^[0-9a-f]{20}$/.test(m.client_id)))",
                            seconds, what=f"the server's answer to {uid}'s log-in")
    if await tab.js("document.getElementById('state').textContent") != "connected":
        fail(f"{uid}'s page does not say connected")
    return login["client_id"]


def gateway_process(client_id):
    """The gateway process holding the client: its id carries the gateway's internal port (startPort + id)."""
    return int(client_id[8:12], 16) - gateway_start_port


async def say_in(tab, group, text):
    await tab.type("group", group)
    await tab.type("msg", text)
    await tab.click("say")


async def ask(tab, button, path_start):
    """Clicks one of the page's HTTP API buttons and answers the JSON it shows for that request."""
    await tab.click(button)
    return json.loads(await tab.until(http_answer(path_start), what=f"the answer to GET {path_start}"))


async def main():
    alice = await browser.open(site + "/", name="alice")
    alice_id = await log_in(alice, "alice", "lobby, swift")
    bob = await browser.open(site + "/", name="bob")
    for attempt in range(30):  # a new page and log-in until the other gateway process holds bob
        bob_id = await log_in(bob, "bob", "lobby")
        if gateway_process(bob_id) != gateway_process(alice_id):
            break
        await bob.reload()
    if gateway_process(bob_id) == gateway_process(alice_id):
        fail(f"both tabs always on gateway process {gateway_process(alice_id)}")
    say(f"alice ({alice_id}) on gateway process {gateway_process(alice_id)}, "
        f"bob ({bob_id}) on gateway process {gateway_process(bob_id)} (after {attempt} reloads)")
    for process in (gateway_process(alice_id), gateway_process(bob_id)):
        if process not in (0, 1):
            fail(f"client ids name gateway process {process}, not 0 or 1")

    # Presence through the page's HTTP API buttons (the web process asks both gateways).
    await alice.type("pgroup", "lobby")
    count = await ask(alice, "count", "/count?group=lobby")
    await alice.type("puid", "bob")
    online = await ask(alice, "online", "/online?uid=bob")
    say(f"alice's page: /count?group=lobby -> {json.dumps(count)}, /online?uid=bob -> {json.dumps(online)}")
    if count != {"count": 2} or online != {"online": True}:
        fail("the page does not see both users in lobby")

    first = "Hi bob! This went from gateway to business worker to the other gateway."
    await say_in(alice, "lobby", first)
    await shows(bob, "alice", first)
    await alice.until(notice("bob joined lobby"), what="alice's page to say bob joined lobby")
    if await bob.js(notice("bob joined lobby")):
        fail("bob's page tells bob he joined")

    reply = "Got it, alice. Gateway API carried it over."
    await bob.type("msg", reply)
    await bob.press_enter()  # Enter in the message field says it
    await shows(alice, "bob", reply)
    await shows(bob, "bob", reply)

    # alice alone is in swift; a private push reaches bob alone.
    among_swift = "Only swift members read this."
    await say_in(alice, "swift", among_swift)
    await shows(alice, "alice", among_swift)
    private = "A private note for bob, pushed over HTTP."
    await alice.type("pgroup", "")
    await alice.type("ptext", private)
    if await ask(alice, "push", "/push?uid=bob") != {"ok": True}:
        fail("/push did not answer ok")
    await bob.until(receives(f"m.type === 'push' && m.msg === {json.dumps(private)}"), what="bob's page to show the push")
    # One more round trip through both gateways, then nothing misaddressed may have arrived.
    last = "Still here."
    await say_in(bob, "lobby", last)
    await shows(alice, "bob", last)
    await shows(bob, "bob", last)
    if await bob.js(said("alice", among_swift)):
        fail("bob, not in swift, got alice's message to swift")
    if await alice.js(receives("m.type === 'push'")):
        fail("alice got bob's private push")

    # alice closes her page: bob (lobby) is told, about lobby alone; she comes back and he is told again.
    await browser.close_tab(alice)
    await bob.until(notice("alice left lobby"), what="bob's page to say alice left lobby")
    alice = await browser.open(site + "/", name="alice")
    await log_in(alice, "alice", "lobby, swift")
    await bob.until(notice("alice joined lobby"), what="bob's page to say alice joined lobby")
    if await bob.js(notice("alice left swift") + " || " + notice("alice joined swift")):
        fail("bob, not in swift, was told about alice in swift")

    # The server stops: the pages say so and send nothing; it comes back: they log in again by themselves.
    stop_server()
    for tab in (alice, bob):
        await tab.until("document.getElementById('state').textContent.startsWith('disconnected')",
                        what=f"{tab.name}'s page to say disconnected")
    lost = "Is anyone there?"
    await say_in(bob, "lobby", lost)
    await bob.until("[...document.querySelectorAll('#log .error')].some(e => e.textContent.includes('not sent'))",
                    what="bob's page to say his message was not sent")
    if await bob.js(f"[...document.querySelectorAll('#log .me')].some(e => e.textContent.includes({json.dumps(lost)}))"):
        fail("bob's page logs a message as sent while disconnected")
    say("server stopped: both pages say " + json.dumps(await bob.js("document.getElementById('state').textContent")))
    start_server_again()
    await logged_in(alice, "alice", count=2, seconds=20)  # the pages retry after at most 5 s
    await logged_in(bob, "bob", count=2, seconds=20)
    back = "Back again."
    await say_in(alice, "lobby", back)
    await shows(bob, "alice", back)
    say("server started again: both pages reconnected and logged in, and talk again")

    shown = await bob.js(f"{RECEIVED}.map(m => m.type + (m.from ? ' from ' + m.from : '') + (m.msg ? ': ' + m.msg : ''))")
    say("bob's page shows " + json.dumps(shown, ensure_ascii=False))
    await browser.finish(bob, screenshot)

run(main)
PY
say "ok"
