#!/usr/bin/env bash
# WebSocket peers: Python `websockets` (the integration tests' independent client and server) and
# the Autobahn|Testsuite (`wstest`, Python 2.7 only) for .ci/checks/autobahn.sh. Idempotent: a
# second run finds everything in place and returns in a second or two.
set -euo pipefail
cd "$(dirname "$0")/../.."

python3 -m pip install --quiet --root-user-action=ignore websockets

AUTOBAHN_HOME="${AUTOBAHN_HOME:-$HOME/.cache/swift-workerman/autobahn}"
PYTHON27="${PYTHON27:-/root/.pyenv/versions/2.7.18/bin/python2.7}"
if [ -x "$AUTOBAHN_HOME/venv27/bin/wstest" ] && "$AUTOBAHN_HOME/venv27/bin/wstest" -a >/dev/null 2>&1; then
    echo "autobahn: $("$AUTOBAHN_HOME/venv27/bin/wstest" -a 2>&1 | tail -1)"
    exit 0
fi
if [ ! -x "$PYTHON27" ]; then
    echo "autobahn: no Python 2.7 at $PYTHON27 (set PYTHON27); wstest not installed" >&2
    exit 1
fi
mkdir -p "$AUTOBAHN_HOME"
# virtualenv (from a Python 3 venv) makes the 2.7 environment; 20.21.1 is the last release that can.
VIRTUALENV_VERSION=20.21.1
if [ "$("$AUTOBAHN_HOME/venv3/bin/python" -c 'import virtualenv; print(virtualenv.__version__)' 2>/dev/null)" \
    != "$VIRTUALENV_VERSION" ]; then
    python3 -m venv "$AUTOBAHN_HOME/venv3"
    "$AUTOBAHN_HOME/venv3/bin/pip" install --quiet --disable-pip-version-check "virtualenv==$VIRTUALENV_VERSION"
fi
rm -rf "$AUTOBAHN_HOME/venv27"
"$AUTOBAHN_HOME/venv3/bin/virtualenv" --quiet -p "$PYTHON27" "$AUTOBAHN_HOME/venv27"
"$AUTOBAHN_HOME/venv27/bin/pip" install --quiet --disable-pip-version-check \
    -r .ci/autobahn/requirements-py27.txt 2>&1 | grep -v -i "deprecat\|python 2.7" || true
"$AUTOBAHN_HOME/venv27/bin/wstest" -a
