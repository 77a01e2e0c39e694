#!/usr/bin/env bash
# Names that cannot clash: a scratch package outside the tree depends on this one by path and declares
# targets named like every example, benchmark server, fixture and library folder of this package
# (UidPush, Chat, ..., Timer, Channel, Protocols, TLS, TestSupport, WorkerCore, CEpoll, ...). SwiftPM
# refuses a graph where two packages declare the same target name, so the build alone proves there is
# no clash; then the scratch `Hello` (a text server on the Workerman product, importing the scratch
# `Channel` and `Timer` modules) is started, answers one line, and is stopped.
# Bounded: the build has 25 minutes, the server 30 s to answer; it is killed by its pid on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
server_pid=""
cleanup() {
    [[ -z $server_pid ]] || kill -KILL "$server_pid" $(pgrep -P "$server_pid" || true) 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT

# Every folder under Sources/, Sources/Examples/, Benchmarks/ and Tests/ that holds a target, by name.
executables=(Hello)
libraries=()
for dir in "$root"/Sources/Examples/*/ "$root"/Benchmarks/*/ "$root"/Tests/Fixtures/*/; do
    name=$(basename "$dir")
    # A name taken by two folders (Sources/Examples/TextEcho, Benchmarks/TextEcho) is declared once.
    [[ -f $dir/main.swift && " ${executables[*]} " != *" $name "* ]] && executables+=("$name")
done
for dir in "$root"/Sources/*/ "$root"/Tests/*/; do
    name=$(basename "$dir")
    [[ $name == Examples || $name == Fixtures || $name == Workerman ]] && continue
    libraries+=("$name")
done
echo "scratch targets: ${executables[*]} ${libraries[*]}"

{
    echo '// swift-tools-version:6.0'
    echo 'import PackageDescription'
    echo 'let package = Package('
    echo '    name: "scratch",'
    echo '    dependencies: [.package(path: "deps/swift-workerman")],'
    echo '    targets: ['
    echo '        .executableTarget(name: "Hello", dependencies: ["Channel", "Timer", .product(name: "Workerman", package: "swift-workerman")]),'
    for name in "${executables[@]:1}"; do echo "        .executableTarget(name: \"$name\"),"; done
    for name in "${libraries[@]}"; do echo "        .target(name: \"$name\"),"; done
    echo '    ]'
    echo ')'
} >"$scratch/Package.swift"
# SwiftPM names a path dependency after its directory: a clone named otherwise is reached by a link.
mkdir -p "$scratch/deps"
ln -s "$root" "$scratch/deps/swift-workerman"
for name in "${executables[@]:1}"; do
    mkdir -p "$scratch/Sources/$name"
    echo "print(\"$name\")" >"$scratch/Sources/$name/main.swift"
done
for name in "${libraries[@]}"; do
    mkdir -p "$scratch/Sources/$name"
    echo "public let ${name}Name = \"$name\"" >"$scratch/Sources/$name/$name.swift"
done
mkdir -p "$scratch/Sources/Hello"
cat >"$scratch/Sources/Hello/main.swift" <<'SWIFT'
import Channel
import Glibc
import Timer
import Workerman

let port = getenv("PORT").map { String(cString: $0) } ?? "5678"
let worker = Worker("text://127.0.0.1:\(port)")
worker.onMessage = { connection, data in
    connection.send("hello \(data) from \(ChannelName) and \(TimerName)")
}
Worker.runAll()
SWIFT

echo "== scratch build (depends on $root by path)"
(cd "$scratch" && timeout 1500 swift build --product Hello 2>&1 | tail -3)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORKERMAN_RUNTIME_DIR="$scratch" PORT="$port" "$scratch/.build/debug/Hello" start >"$scratch/out.log" 2>&1 &
server_pid=$!
answer=""
for _ in $(seq 300); do
    answer=$(python3 - "$port" <<'PY' 2>/dev/null || true
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.sendall(b"scratch\n")
print(s.makefile().readline().strip())
PY
)
    [[ -n $answer ]] && break
    sleep 0.1
done
kill -INT "$server_pid" 2>/dev/null || true
wait "$server_pid" || true
server_pid=""
if [[ $answer != "hello scratch from Channel and Timer" ]]; then
    echo "the scratch Hello did not answer as expected (got '$answer'):" >&2
    cat "$scratch/out.log" >&2
    exit 1
fi
echo "scratch package: ${#executables[@]} executables and ${#libraries[@]} libraries named like this package's folders build beside it; Hello answered '$answer'"
