#!/usr/bin/env bash
# Peers of the HTTP tests: Python h11 (a strict HTTP/1.1 client), curl, and the openssl CLI (the
# https test's certificate).
set -euo pipefail
if ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
    apt-get update -qq && apt-get install -y -qq curl openssl
fi
python3 -c 'import h11' 2>/dev/null || python3 -m pip install --quiet h11
