#!/usr/bin/env python3
"""Symbol lists for Deploy/workerman.order, from valgrind runs of a worker.

  order-symbols.py code CALLGRIND_OUT...       functions the runs executed, in first-file order
  order-symbols.py data BINARY LACKEY_LOG...   data symbols of BINARY the runs read or wrote
"""
import bisect
import re
import subprocess
import sys


def code(files):
    seen = {}
    for path in files:
        for line in open(path, errors="replace"):
            match = re.match(r"^c?fn=\(\d+\) (.+)$", line)
            if match:
                name = re.sub(r"'\d+$", "", match.group(1))  # callgrind's recursion-depth suffix
                if name != "(below main)":
                    seen.setdefault(name)
    return list(seen)


def sections(binary):
    """(start, end, name) of the sections loaded into memory."""
    found = []
    for line in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True).stdout.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 7 and fields[0].startswith("[") and fields[0] != "[Nr]" and "A" in fields[7]:
            start, size = int(fields[3], 16), int(fields[5], 16)
            found.append((start, start + size, fields[1]))
    return found


def data(binary, logs):
    symbols = []
    listing = subprocess.run(["nm", "-n", "-S", "--defined-only", binary], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "dDrRbBvV":
            symbols.append((int(fields[0], 16), max(int(fields[1], 16), 1), fields[3]))
    starts = [s[0] for s in symbols]
    loaded = [s for s in sections(binary) if s[2] != ".text"]
    low, high = min(s[0] for s in loaded), max(s[1] for s in loaded)
    seen = {}
    for path in logs:
        for line in open(path, errors="replace"):
            if line[:3] not in (" L ", " S ", " M "):  # lackey: load, store, modify
                continue
            address = int(line[3:line.index(",")], 16)
            if not low <= address < high:
                continue
            index = bisect.bisect_right(starts, address) - 1
            if index >= 0 and address < symbols[index][0] + symbols[index][1]:
                seen.setdefault(symbols[index][2])
    return list(seen)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "code":
        names = code(sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "data":
        names = data(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
    print("\n".join(names))
