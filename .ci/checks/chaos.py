"""The chaos check (run by chaos.sh): faults under load, with every request accounted for.

Part 1: http-server with 4 worker processes under steady keep-alive load from this client (N
threads, one keep-alive connection each, recording every request's outcome and the worker pid that
answered it, from the X-Worker-Pid header the server adds with WORKER_PID_HEADER=1), while the
script does `reload`, kill -9 of a worker, `reload -g`, SIGSTOP/SIGCONT of a worker (a stall,
not a failure), then SIGTERM to the master. It prints requests sent, answered and failed, and fails
on any failed request that was not on the killed worker's connections.

Part 2: the chat example with websocket clients in one room; the Channel server's process is killed
(kill -9) and comes back (the master restarts it): every client must get room messages again
within 5 s of the server's return.

Usage: python3 chaos.py BIN_DIR   (the directory holding http-server and chat)
"""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
CONNECTIONS = int(os.environ.get("CHAOS_CONNECTIONS", "40"))
REQUEST_TIMEOUT = 30.0  # a stalled (SIGSTOPped) worker is slow, not failed
failures = []


def say(message):
    print(f"chaos: {message}", flush=True)


def check(condition, message):
    if not condition:
        failures.append(message)
        say(f"FAIL: {message}")


def children(pid):
    """The live child processes of `pid`."""
    result = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[1]) == pid:
                result.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return sorted(result)


def title(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    check(False, f"timed out after {timeout} s waiting for {what}")
    return False


class Server:
    """An example program started with `start` in its own runtime directory."""

    def __init__(self, product, environment):
        self.directory = tempfile.mkdtemp(prefix=f"chaos-{product}-")
        self.executable = os.path.join(BIN, product)
        self.environment = dict(os.environ, WORKERMAN_RUNTIME_DIR=self.directory, **environment)
        self.output = open(os.path.join(self.directory, "output.log"), "w+")
        self.process = subprocess.Popen(
            [self.executable, "start"], env=self.environment, stdout=self.output, stderr=subprocess.STDOUT
        )

    def log(self):
        with open(self.output.name) as f:
            return f.read()

    def port(self, scheme):
        found = []

        def look():
            match = re.search(rf"{scheme}://0\.0\.0\.0:(\d+)", self.log())
            if match and int(match.group(1)) > 0:
                found.append(int(match.group(1)))
                return True
            return False

        wait_for(look, 30, f"the {scheme} port in the banner")
        return found[0] if found else 0

    def command(self, *arguments):
        result = subprocess.run(
            [self.executable, *arguments], env=self.environment, capture_output=True, text=True, timeout=60
        )
        check(result.returncode == 0, f"{' '.join(arguments)}: {result.stdout}{result.stderr}")

    def workers(self):
        return children(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            for pid in self.workers():
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()


class Connection:
    def __init__(self, serial):
        self.serial = serial
        self.opened = time.monotonic()
        self.pid = None  # the worker that answered on it, once one has


class Load:
    """Steady keep-alive load; records every request's outcome."""

    def __init__(self, port, connections):
        self.port = port
        self.running = True
        self.lock = threading.Lock()
        self.sent = 0
        self.answered = 0
        self.closed_by_server = 0
        self.by_pid = {}
        self.failed = []  # (time, connection, error)
        self.serial = 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(connections)]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join(REQUEST_TIMEOUT + 5)

    def connect(self):
        with self.lock:
            self.serial += 1
            serial = self.serial
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=REQUEST_TIMEOUT)
        sock.settimeout(REQUEST_TIMEOUT)
        return sock, Connection(serial)

    def run(self):
        sock = None
        connection = None
        request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        while self.running:
            if sock is None:
                try:
                    sock, connection = self.connect()
                except OSError as error:
                    with self.lock:
                        self.sent += 1
                        self.failed.append((time.monotonic(), None, f"connect: {error}"))
                    time.sleep(0.05)
                    continue
            with self.lock:
                self.sent += 1
            try:
                sock.sendall(request)
                head, closes = self.read_response(sock)
                pid = re.search(rb"\r\nX-Worker-Pid: (\d+)", head, re.IGNORECASE)
                if pid:
                    connection.pid = int(pid.group(1))
                with self.lock:
                    self.answered += 1
                    self.by_pid[connection.pid] = self.by_pid.get(connection.pid, 0) + 1
                    if closes:
                        self.closed_by_server += 1
                if closes:
                    sock.close()
                    sock = None
            except OSError as error:
                with self.lock:
                    self.failed.append((time.monotonic(), connection, f"{type(error).__name__}: {error}"))
                sock.close()
                sock = None
        if sock is not None:
            sock.close()

    @staticmethod
    def read_response(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed before a complete response head" if data else "closed before a response")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise ConnectionError(f"unexpected response {head[:40]!r}")
        length = re.search(rb"\r\nContent-Length: (\d+)", head, re.IGNORECASE)
        remaining = (int(length.group(1)) if length else 0) - len(body)
        while remaining > 0:
            chunk = sock.recv(remaining)
            if not chunk:
                raise ConnectionError("closed inside a body")
            remaining -= len(chunk)
        return head, re.search(rb"\r\nConnection: close", head, re.IGNORECASE) is not None


def http_part():
    say("part 1: http-server, 4 processes, reload / kill -9 / reload -g / SIGSTOP+SIGCONT / SIGTERM under load")
    server = Server(
        "http-server", {"HTTP_PORT": "0", "HTTP_PROCESSES": "4", "WORKER_PID_HEADER": "1", "STOP_TIMEOUT_S": "5"}
    )
    try:
        port = server.port("http")
        wait_for(lambda: len(server.workers()) == 4, 30, "4 worker processes")
        load = Load(port, CONNECTIONS)
        time.sleep(3)

        def reload(arguments, count):
            old = server.workers()
            server.command(*arguments)
            wait_for(lambda: server.log().count("reload finished") >= count, 60, f"{' '.join(arguments)} to finish")
            wait_for(lambda: not set(old) & set(server.workers()), 30, "the old processes to leave")
            say(f"{' '.join(arguments)}: done, answered so far {load.answered}")
            time.sleep(2)

        reload(["reload"], 1)
        victim = max(server.workers(), key=lambda pid: load.by_pid.get(pid, 0))
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        say(f"kill -9 {victim} (it had answered {load.by_pid.get(victim, 0)})")
        wait_for(lambda: len(server.workers()) == 4 and victim not in server.workers(), 30, "a replacement")
        time.sleep(2)
        reload(["reload", "-g"], 2)
        stalled = server.workers()[0]
        os.kill(stalled, signal.SIGSTOP)
        say(f"SIGSTOP {stalled} for 3 s")
        time.sleep(3)
        os.kill(stalled, signal.SIGCONT)
        time.sleep(3)
        load.stop()

        # A failure belongs to the killed worker when its connection was answered by that worker, or
        # had not been answered by anyone yet when the kill came (it may have been accepted by it).
        def on_victim(failure):
            at, connection, _ = failure
            if connection is None:
                return False
            if connection.pid == victim:
                return True
            return connection.pid is None and connection.opened <= killed_at <= at

        victims = [f for f in load.failed if on_victim(f)]
        others = [f for f in load.failed if not on_victim(f)]
        say(
            f"requests sent {load.sent}, answered {load.answered}, failed {len(load.failed)} "
            f"({len(victims)} on the killed worker's connections, {len(others)} elsewhere); "
            f"Connection: close {load.closed_by_server}; processes that answered {len(load.by_pid)}"
        )
        for at, connection, error in others[:10]:
            who = connection.pid if connection else "-"
            say(f"  failed elsewhere: {error} (pid {who}, {at - killed_at:+.2f} s from the kill)")
        check(not others, f"{len(others)} failed requests not on the killed worker's connections")
        check(len(victims) <= CONNECTIONS, "more failures than connections on the killed worker")
        check(load.answered >= 1000, f"the load was too thin to mean anything ({load.answered} answered)")
        check(load.sent == load.answered + len(load.failed), "every request is accounted for")

        stopped_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            status = server.process.wait(5 + 10)
            say(f"SIGTERM: master exited with {status} after {time.monotonic() - stopped_at:.2f} s")
            check(status == 0, f"SIGTERM: exit status {status}")
        except subprocess.TimeoutExpired:
            check(False, "SIGTERM: the master did not exit within stopTimeout + 10 s")
    finally:
        log = server.log()
        server.stop()
        if failures:
            say("server log (tail):\n" + "\n".join(log.splitlines()[-40:]))


async def channel_part():
    import websockets

    say("part 2: chat with its clients connected; kill -9 of the Channel server")
    channel_port = socket.socket()
    channel_port.bind(("127.0.0.1", 0))
    fixed = channel_port.getsockname()[1]
    channel_port.close()
    server = Server("chat", {"HTTP_PORT": "0", "WS_PORT": "0", "CHANNEL_PORT": str(fixed)})
    clients = []
    try:
        ws_port = server.port("websocket")
        wait_for(lambda: len(server.workers()) == 6, 30, "6 processes (4 websocket, 1 http, 1 Channel)")
        heard = {}  # client -> monotonic times of 'say' events

        async def listen(index, ws):
            try:
                async for raw in ws:
                    event = json.loads(raw)
                    if event.get("type") == "say":
                        heard.setdefault(index, []).append(time.monotonic())
            except websockets.ConnectionClosed:
                pass

        for index in range(8):
            for _ in range(100):
                try:
                    ws = await websockets.connect(f"ws://127.0.0.1:{ws_port}/", open_timeout=5)
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            await ws.send(json.dumps({"type": "join", "room": "chaos", "name": f"c{index}"}))
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
            check(welcome.get("type") == "welcome", f"client {index}: {welcome}")
            clients.append(ws)
        listeners = [asyncio.create_task(listen(i, ws)) for i, ws in enumerate(clients)]

        async def talk():
            n = 0
            while True:
                n += 1
                await clients[0].send(json.dumps({"type": "say", "text": f"tick {n}"}))
                await asyncio.sleep(0.1)

        talker = asyncio.create_task(talk())
        await asyncio.sleep(2)
        check(len(heard) == len(clients), f"before the kill every client hears the room ({len(heard)} do)")
        channel = [pid for pid in server.workers() if "ChannelServer" in title(pid)]
        check(len(channel) == 1, f"one Channel server process: {[title(p) for p in server.workers()]}")
        if channel:
            os.kill(channel[0], signal.SIGKILL)
            say(f"kill -9 of the Channel server {channel[0]}")

            def back():
                try:
                    socket.create_connection(("127.0.0.1", fixed), 0.2).close()
                    return any("ChannelServer" in title(p) and p != channel[0] for p in server.workers())
                except OSError:
                    return False

            loop = asyncio.get_running_loop()
            ok = await loop.run_in_executor(None, wait_for, back, 30, "the Channel server's return")
            returned = time.monotonic()
            await asyncio.sleep(5)
            late = []
            for index in range(len(clients)):
                after = [t for t in heard.get(index, []) if t > returned]
                delay = (after[0] - returned) if after else None
                if delay is None or delay > 5:
                    late.append((index, delay))
            firsts = [min([t for t in heard.get(i, []) if t > returned], default=None) for i in range(len(clients))]
            delays = [f"{t - returned:.2f}" if t else "none" for t in firsts]
            say(f"Channel server back; first room message per client after its return (s): {', '.join(delays)}")
            check(ok and not late, f"clients without room messages within 5 s of the Channel server's return: {late}")
        talker.cancel()
        for task in listeners:
            task.cancel()
    finally:
        for ws in clients:
            try:
                await asyncio.wait_for(ws.close(), 2)
            except Exception:
                pass
        log = server.log()
        server.stop()
        if failures:
            say("chat log (tail):\n" + "\n".join(log.splitlines()[-30:]))


def main():
    # `timeout` stops this script with SIGTERM: unwind, so that the servers it started are killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))
    started = time.monotonic()
    http_part()
    asyncio.run(channel_part())
    say(f"finished in {time.monotonic() - started:.1f} s: {'FAILED' if failures else 'ok'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
