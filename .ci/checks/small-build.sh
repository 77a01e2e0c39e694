#!/usr/bin/env bash
# The small static build (Deploy/small-build.sh) still links and serves: builds http-hello with it,
# starts it on a free port, fails unless GET / answers "Hello, World!", and prints the worker's
# VmRSS and RssAnon (for the record; `Benchmarks/run.sh memory` is where memory is compared).
# Bounded: 30 s for the server to answer; the server is killed by its pid on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=/dev/null
source Deploy/hello-server.sh

binary=$(bash Deploy/small-build.sh http-hello)
start_hello "$(free_port)" "$binary"
sleep 1
worker=$(pgrep -P "$HELLO_PID" | head -1)
echo "small build: http-hello answers; idle worker $(grep -E 'VmRSS|RssAnon' "/proc/$worker/status" | tr -s ' \t\n' ' ')"
stop_hello
