#!/usr/bin/env bash
# The DocC catalog builds with the toolchain's own `docc` (no plugin package), and every symbol link in
# it and in the doc comments resolves: any warning fails the check. The umbrella module `Workerman` only
# re-exports, so its symbol graph is extracted following those re-exports (the symbols live in
# WorkermanCore, WorkermanProtocols, ...); WorkermanTLS, which Workerman leaves out, is converted on its
# own. Output: .build/docs/Workerman.doccarchive and .build/docs/WorkermanTLS.doccarchive.
# Bounded: one debug build (a no-op after .ci/run's), then a few seconds of extraction and conversion.
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build --target Workerman >/dev/null
swift build --target WorkermanTLS >/dev/null
bin=$(swift build --show-bin-path)
out=.build/docs
rm -rf "$out"
mkdir -p "$out/graphs/Workerman" "$out/graphs/WorkermanTLS"

module_maps=()
for map in Sources/*/module.modulemap "$bin"/*.build/module.modulemap; do
    [[ -f $map ]] && module_maps+=(-Xcc "-fmodule-map-file=$map")
done
# The modules `import Workerman` re-exports (its @_exported imports), and what they re-export in turn.
reexported=$(sed -n 's/^@_exported import \(.*\)$/\1/p' Sources/Workerman/Workerman.swift Sources/*/ComponentWireExport.swift |
    sort -u | paste -sd, -)
extract() {
    swift-symbolgraph-extract -module-name "$1" -I "$bin/Modules" "${module_maps[@]}" \
        -target "$(uname -m)-unknown-linux-gnu" -minimum-access-level public -skip-inherited-docs \
        -output-dir "$out/graphs/$1" "${@:2}"
}
extract Workerman -experimental-allowed-reexported-modules="$reexported"
extract WorkermanTLS

# convert MODULE [CATALOG]
convert() {
    docc convert "${@:2}" --additional-symbol-graph-dir "$out/graphs/$1" --output-path "$out/$1.doccarchive" \
        --fallback-display-name "$1" --fallback-bundle-identifier "swift-workerman.$1" --warnings-as-errors \
        >"$out/$1.log" 2>&1 || {
        cat "$out/$1.log" >&2
        echo "docs: $1 has broken links or other DocC warnings (above)" >&2
        exit 1
    }
    echo "docs: $1: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['symbols']))" \
        "$out/graphs/$1/$1.symbols.json") symbols, archive in $out/$1.doccarchive"
}
convert Workerman Sources/Workerman/Workerman.docc
convert WorkermanTLS
