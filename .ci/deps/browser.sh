#!/usr/bin/env bash
# The browser of .ci/checks/*-browser.sh: Debian's chromium (headless, driven through the DevTools
# protocol by Python `websockets`, which .ci/deps/websocket.sh installs). Idempotent.
set -euo pipefail
if ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium
fi
chromium --version
python3 -c 'import websockets' 2>/dev/null || python3 -m pip install --quiet --root-user-action=ignore websockets
