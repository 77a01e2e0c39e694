#!/usr/bin/env bash
# Fuzzes the HTTP request parser with libFuzzer and AddressSanitizer for a bounded time; fails on a
# crash, a sanitizer report or a leak of the input. The library targets are built by SwiftPM with
# -sanitize=fuzzer,address (instrumented objects, no link); Fuzz/Http/main.swift is then linked
# against their objects with libFuzzer's main.
#   HTTP_FUZZ_SECONDS=600  run longer (default 60)     HTTP_FUZZ_KEEP=DIR  keep the grown corpus there
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_TO_RUN="${HTTP_FUZZ_SECONDS:-60}"
BUILD="${HTTP_FUZZ_BUILD:-.build/fuzz}"
swift build --build-path "$BUILD" -c release --target Protocols \
    -Xswiftc -sanitize=fuzzer -Xswiftc -sanitize=address >/dev/null
OBJECTS="$BUILD/release"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
swiftc -sanitize=fuzzer,address -parse-as-library -O Fuzz/Http/main.swift \
    -I "$OBJECTS/Modules" \
    -Xcc -fmodule-map-file=Sources/CEpoll/module.modulemap \
    -Xcc -fmodule-map-file=Sources/COpenSSL/module.modulemap \
    -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap \
    -Xcc -fmodule-map-file="$OBJECTS/CBuiltinProtocols.build/module.modulemap" \
    "$OBJECTS"/Timer.build/*.o "$OBJECTS"/WorkerCore.build/*.o "$OBJECTS"/TLS.build/*.o \
    "$OBJECTS"/Protocols.build/*.o "$OBJECTS"/CBuiltinProtocols.build/*.o \
    -lssl -lcrypto -lz -o "$WORK/fuzz-http" 2> >(grep -v "Cannot export local symbol" >&2)

CORPUS="${HTTP_FUZZ_KEEP:-$WORK/corpus}"
mkdir -p "$CORPUS"
cp Fuzz/Http/corpus/* "$CORPUS/"
mkdir -p "$WORK/uploads"
echo "fuzzing the HTTP parser for $SECONDS_TO_RUN s"
# Crashes are written to $WORK/ and make libFuzzer exit non-zero: either fails this script.
set +e
(cd "$WORK" && ./fuzz-http -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$WORK/" "$CORPUS") >"$WORK/log" 2>&1
status=$?
set -e
grep -E "^(Done|stat::number_of_executed_units|SUMMARY)|ERROR|==[0-9]+==" "$WORK/log" | head -40 || true
for artifact in "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* "$WORK"/oom-*; do
    [ -e "$artifact" ] || continue
    echo "== $artifact (base64):"
    base64 "$artifact"
    status=1
done
exit "$status"
