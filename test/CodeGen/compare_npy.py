#!/usr/bin/env python3
"""Compares the float32 .npy outputs of two slimrun --output-dir runs.

usage: compare_npy.py DIR_A DIR_B NAME... [--rtol R] [--atol A]

Every NAME.npy must exist in both directories with the same shape, and each
element must satisfy |a - b| <= atol + rtol * |b| (defaults 1e-4, 1e-5, the
issue's tolerance). Fails too when an output is all zeros or not finite, so
a model that computes nothing cannot pass. Needs no numpy.
"""
import ast
import math
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit(f"{path}: not an .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header["descr"] != "<f4" or header["fortran_order"]:
        raise SystemExit(f"{path}: expected C-order float32, got {header}")
    shape = tuple(header["shape"])
    count = 1
    for d in shape:
        count *= d
    body = data[start + hlen:]
    values = struct.unpack(f"<{count}f", body[:4 * count])
    return shape, values


def main(argv):
    rtol, atol = 1e-4, 1e-5
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--rtol":
            rtol = float(argv[i + 1])
            i += 2
        elif argv[i] == "--atol":
            atol = float(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) < 3:
        raise SystemExit(__doc__)
    dir_a, dir_b, names = args[0], args[1], args[2:]
    ok = True
    for name in names:
        sa, a = load(f"{dir_a}/{name}.npy")
        sb, b = load(f"{dir_b}/{name}.npy")
        if sa != sb:
            print(f"{name}: shape {sa} != {sb}")
            ok = False
            continue
        worst, where, bad = 0.0, -1, 0
        for k, (x, y) in enumerate(zip(a, b)):
            if not (math.isfinite(x) and math.isfinite(y)):
                bad += 1
                continue
            err = abs(x - y) - (atol + rtol * abs(y))
            if err > 0:
                bad += 1
            if err > worst or where < 0:
                worst, where = err, k
        nonzero = sum(1 for y in b if y != 0.0)
        peak = max((abs(y) for y in b), default=0.0)
        print(f"{name}: shape {list(sa)}, {len(a)} values, {nonzero} nonzero, "
              f"max |ref| {peak:.6g}, {bad} outside tolerance")
        if bad:
            print(f"  first worst at {where}: {a[where]!r} vs {b[where]!r}")
            ok = False
        if nonzero == 0:
            print(f"  {name} is all zeros: the comparison proves nothing")
            ok = False
    if ok:
        print("MATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
