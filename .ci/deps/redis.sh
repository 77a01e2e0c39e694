#!/usr/bin/env bash
# Peer of the Redis tests (Tests/RedisTests, the Channel and GlobalData Redis backends): redis-server
# and redis-cli from apt. The tests start their own servers on free ports; no system service is used.
set -euo pipefail
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    apt-get update -qq && apt-get install -y -qq redis-server redis-tools
fi
