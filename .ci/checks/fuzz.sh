#!/usr/bin/env bash
# Fuzzes the protocol parsers with libFuzzer and AddressSanitizer for a bounded time each: every
# Fuzz/<Name>/main.swift is a target (Http: the request parser; WebSocket: the handshakes and the
# frame decoder). Fails on a crash, a sanitizer report or a leak. The library targets are built by
# SwiftPM with -sanitize=fuzzer,address (instrumented objects, no link); each target is then linked
# against their objects with libFuzzer's main.
#   FUZZ_SECONDS=600  run each target longer (default 60)     FUZZ_KEEP=DIR  keep the grown corpora there
#   FUZZ_TARGETS="Http"  only these targets
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_TO_RUN="${FUZZ_SECONDS:-${HTTP_FUZZ_SECONDS:-60}}"
BUILD="${FUZZ_BUILD:-.build/fuzz}"
swift build --build-path "$BUILD" -c release --target WorkermanProtocols \
    -Xswiftc -sanitize=fuzzer -Xswiftc -sanitize=address >/dev/null
OBJECTS="$BUILD/release"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# One known false positive: the side table that a Swift weak reference gives its target (a
# connection's `weak var worker` to the harness's global Worker) is pointed to only from the object's
# tagged reference count, which LeakSanitizer cannot read as a pointer. Every other leak still fails.
printf 'leak:formWeakReference\n' >"$WORK/lsan.supp"
export LSAN_OPTIONS="suppressions=$WORK/lsan.supp"
failed=0
for target in ${FUZZ_TARGETS:-$(ls Fuzz)}; do
    [ -f "Fuzz/$target/main.swift" ] || continue
    swiftc -sanitize=fuzzer,address -parse-as-library -O "Fuzz/$target/main.swift" \
        -I "$OBJECTS/Modules" \
        -Xcc -fmodule-map-file=Sources/CEpoll/module.modulemap \
        -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap \
        -Xcc -fmodule-map-file="$OBJECTS/CWorkermanBuiltinProtocols.build/module.modulemap" \
        "$OBJECTS"/WorkermanTimer.build/*.o "$OBJECTS"/WorkermanCore.build/*.o \
        "$OBJECTS"/WorkermanProtocols.build/*.o "$OBJECTS"/CWorkermanBuiltinProtocols.build/*.o \
        -lz -o "$WORK/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)

    CORPUS="${FUZZ_KEEP:+$FUZZ_KEEP/$target}"
    CORPUS="${CORPUS:-$WORK/corpus-$target}"
    mkdir -p "$CORPUS" "$WORK/uploads"
    cp "Fuzz/$target/corpus/"* "$CORPUS/" 2>/dev/null || true
    echo "fuzzing $target for $SECONDS_TO_RUN s"
    # Crashes are written to $WORK/ and make libFuzzer exit non-zero: either fails this script.
    set +e
    (cd "$WORK" && "./fuzz-$target" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$WORK/$target-" "$CORPUS") >"$WORK/log-$target" 2>&1
    status=$?
    set -e
    grep -E "^(Done|stat::number_of_executed_units|SUMMARY)|ERROR|==[0-9]+==|^ +#[0-9]+ " "$WORK/log-$target" | head -60 || true
    for artifact in "$WORK/$target"-crash-* "$WORK/$target"-leak-* "$WORK/$target"-timeout-* "$WORK/$target"-oom-*; do
        [ -e "$artifact" ] || continue
        echo "== $artifact (base64):"
        base64 "$artifact"
        status=1
    done
    [ "$status" -eq 0 ] || failed=1
done
exit "$failed"
