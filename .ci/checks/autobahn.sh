#!/usr/bin/env bash
# WebSocket conformance: the Autobahn|Testsuite fuzzing client against the ws-echo example.
# Sections 1-7, 9 and 10 (framing, pings, reserved bits, opcodes, fragmentation, UTF-8, close,
# limits and performance, misc) and 12-13 (permessage-deflate). Fails unless every case passes:
# behavior OK, NON-STRICT or INFORMATIONAL, and behaviorClose OK or INFORMATIONAL.
# Sections 12-13 run their first nine cases of each group (messages up to 4 KiB) by default: the
# larger ones spend ten minutes in wstest's own Python 2 deflate while the server idles.
#   AUTOBAHN_FULL=1  every case of 12-13 too           AUTOBAHN_CASES="1.* 2.*"  only these cases
#   AUTOBAHN_REPORT=DIR  keep the reports there         SWIFT_SCRATCH_PATH=DIR  the build directory
set -euo pipefail
set -f  # the case patterns are not file names
cd "$(dirname "$0")/../.."

AUTOBAHN_HOME="${AUTOBAHN_HOME:-$HOME/.cache/swift-workerman/autobahn}"
WSTEST="$AUTOBAHN_HOME/venv27/bin/wstest"
[ -x "$WSTEST" ] || bash .ci/deps/websocket.sh
SCRATCH="${SWIFT_SCRATCH_PATH:-.build}"
DEFLATE_CASES="12.*.[1-9]$ 13.*.[1-9]$"  # wstest matches patterns as regular expressions
[ "${AUTOBAHN_FULL:-0}" = 1 ] && DEFLATE_CASES="12.* 13.*"
CASES="${AUTOBAHN_CASES:-1.* 2.* 3.* 4.* 5.* 6.* 7.* 9.* 10.* $DEFLATE_CASES}"

swift build -c release --scratch-path "$SCRATCH" --product ws-echo >/dev/null 2>&1 || swift build -c release --scratch-path "$SCRATCH" --product ws-echo
SERVER="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path 2>/dev/null)/ws-echo"

WORK="$(mktemp -d)"
REPORT="${AUTOBAHN_REPORT:-$WORK/report}"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
WORKERMAN_RUNTIME_DIR="$WORK" WS_PORT="$PORT" "$SERVER" start >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
    sleep 0.1
done
kill -0 "$SERVER_PID" 2>/dev/null || { echo "autobahn: ws-echo did not start"; cat "$WORK/server.log"; exit 1; }

python3 - "$WORK/spec.json" "$PORT" "$REPORT" $CASES <<'PY'
import json, sys
path, port, report, cases = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
json.dump({"outdir": report, "servers": [{"agent": "swift-workerman", "url": "ws://127.0.0.1:%s" % port}],
           "cases": cases, "exclude-cases": [], "exclude-agent-cases": {}}, open(path, "w"))
PY

(cd "$WORK" && timeout 600 "$WSTEST" -m fuzzingclient -s "$WORK/spec.json" >"$WORK/wstest.log" 2>&1) || {
    echo "autobahn: wstest failed"; tail -20 "$WORK/wstest.log"; tail -20 "$WORK/server.log"; exit 1
}

python3 - "$REPORT/index.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["swift-workerman"]
passing, passing_close = {"OK", "NON-STRICT", "INFORMATIONAL"}, {"OK", "INFORMATIONAL"}
counts, failed = {}, []
for case, result in results.items():
    behavior, close = result["behavior"], result["behaviorClose"]
    counts[behavior] = counts.get(behavior, 0) + 1
    if behavior not in passing or close not in passing_close:
        failed.append((case, behavior, close))
key = lambda case: [int(part) for part in case.split(".")]
for case, behavior, close in sorted(failed, key=lambda item: key(item[0])):
    print("autobahn: FAILED %s behavior=%s close=%s" % (case, behavior, close))
print("autobahn: %d cases, %d passed (%s), %d failed" % (
    len(results), len(results) - len(failed),
    ", ".join("%s %d" % item for item in sorted(counts.items())), len(failed)))
sys.exit(1 if failed else 0)
PY
