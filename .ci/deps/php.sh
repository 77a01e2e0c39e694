#!/usr/bin/env bash
# The Gateway wire-compatibility tests' independent peer: php-cli (Tests/GatewayPHP/peer.php speaks
# GatewayWorker 4's protocol with pack() and serialize()). Under CI those tests fail without it.
set -euo pipefail
if ! command -v php >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli
fi
php -v | head -1
