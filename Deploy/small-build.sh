#!/usr/bin/env bash
# Builds one product of this package as a small static executable and prints its path:
#
#   bash Deploy/small-build.sh PRODUCT [more swift build arguments]
#
# The program is linked statically (-static-executable: the Swift runtime, the standard library,
# glibc, OpenSSL and zlib inside it, no shared libraries to load) by lld with Deploy/workerman.order,
# which puts the functions and data a worker uses side by side. The kernel maps executable pages in
# 64 KiB blocks around each page touched, so a worker's resident size follows how many blocks its
# code is spread over: 3.8 MiB for an idle http-hello worker this way, against 10.5 MiB for the
# default dynamic build (Benchmarks/run.sh memory measures both). Products that import Foundation
# or TLS link those too and grow accordingly.
#
# Environment: SMALL_SCRATCH (default .build-small) is the build folder; ORDER_FILE (default
# Deploy/workerman.order, made by Deploy/make-order-file.sh) the symbol order, "" for none.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PRODUCT=${1:?usage: bash Deploy/small-build.sh PRODUCT [swift build arguments]}
shift
SCRATCH=${SMALL_SCRATCH:-$ROOT/.build-small}
ORDER=${ORDER_FILE-$ROOT/Deploy/workerman.order}

flags=(-c release --package-path "$ROOT" --scratch-path "$SCRATCH" --product "$PRODUCT"
    -Xswiftc -static-executable -Xswiftc -use-ld=lld)
if [[ -n $ORDER ]]; then
    flags+=(-Xlinker "--symbol-ordering-file=$ORDER" -Xlinker --no-warn-symbol-ordering)
fi
binary="$(swift build "${flags[@]}" "$@" --show-bin-path)/$PRODUCT"
rm -f "$binary"   # relink even when only the order file changed
# glibc warns that getaddrinfo in a static program loads NSS modules of the same glibc at run time.
swift build "${flags[@]}" "$@" 2>&1 | { grep -v "statically linked applications requires at runtime" || true; } >&2
echo "$binary"
