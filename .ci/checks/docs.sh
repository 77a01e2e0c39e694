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
# The public surface is the API: no internals, no PHP-style twin the README's Workerman table does not name,
# no counter a program could set.
python3 - "$out/graphs/Workerman/Workerman.symbols.json" "$out/graphs/WorkermanTLS/WorkermanTLS.symbols.json" <<'PY'
import json, re, sys
readme = open("README.md").read()
table = readme[readme.index("## The API beside Workerman's"):]
table = table[:table.index("\n\n", table.index("| Workerman (PHP) |"))]
internals = {"Sys", "IOResult", "ProtocolRegistry", "TransportSecurityDefaults", "TransportSecuritySession",
             "TransportSecurityProvider"}
problems = []
for path in sys.argv[1:]:
    for symbol in json.load(open(path))["symbols"]:
        names = symbol["pathComponents"]
        where = ".".join(names)
        if names[0] in internals:
            problems.append(f"{where}: internal, should be package")
        title = names[-1].split("(")[0]
        twin = re.fullmatch(r"(get[A-Z]\w*|reConnect)", title)
        if twin and f"{title}(" not in table:
            problems.append(f"{where}: a PHP-style twin the README's Workerman table does not name")
        if names[0] == "ConnectionStatistics" and symbol["kind"]["identifier"].endswith("property"):
            fragments = "".join(f["spelling"] for f in symbol["declarationFragments"])
            if not fragments.rstrip().endswith("{ get }"):  # a settable property shows no accessor list
                problems.append(f"{where}: a statistics counter programs can set")
for problem in problems:
    print("public surface:", problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
echo "docs: the public surface has no internals, no unnamed PHP twin, no settable counter"

