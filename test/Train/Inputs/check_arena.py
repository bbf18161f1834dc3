"""Reads `slimc --train --summary` on stdin; prints whether the train arena
reuses bytes: `reuse ok` when the planned arena is smaller than the sum of
its slices by at least the given factor (argv[1]), else the numbers."""
import re
import sys

factor = float(sys.argv[1])
m = re.search(r"train arena: (\d+) bytes \((\d+) slices, (\d+) bytes without "
              r"reuse\)", sys.stdin.read())
if not m:
    sys.exit("no 'train arena:' line")
planned, slices, unplanned = (int(g) for g in m.groups())
if planned * factor <= unplanned and planned % 64 == 0 and slices > 0:
    print("reuse ok")
else:
    print(f"no reuse: {planned} bytes planned, {unplanned} without reuse")
