#!/usr/bin/env python3
"""Compares every NAME.npy of a reference directory with the same file of a
result directory: passes when max|result - reference| <= TOL * max|reference|
for every output (issue 10's FP32 criterion, TOL = 1e-4), and the reference
is not all zeros. Prints one line per output with the worst error relative
to max|reference|. No numpy needed.

usage: compare_max.py REF_DIR RESULT_DIR [--tol T]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "CodeGen"))
from compare_npy import load  # noqa: E402


def main(argv):
    tol = 1e-4
    if "--tol" in argv:
        i = argv.index("--tol")
        tol = float(argv[i + 1])
        del argv[i:i + 2]
    ref_dir, out_dir = argv
    names = sorted(f for f in os.listdir(ref_dir) if f.endswith(".npy"))
    if not names:
        print(f"FAIL: no outputs in {ref_dir}")
        return 1
    ok = True
    for name in names:
        path = os.path.join(out_dir, name)
        if not os.path.exists(path):
            print(f"{name}: FAIL missing in {out_dir}")
            ok = False
            continue
        rshape, ref = load(os.path.join(ref_dir, name))
        oshape, out = load(path)
        if rshape != oshape:
            print(f"{name}: FAIL shape {oshape}, expected {rshape}")
            ok = False
            continue
        scale = max(abs(v) for v in ref)
        worst = max(abs(a - b) for a, b in zip(out, ref))
        rel = worst / scale if scale > 0 else float("inf")
        good = scale > 0 and rel <= tol
        ok = ok and good
        print(f"{name}: {'ok' if good else 'FAIL'} max|diff| = {worst:.3g}"
              f" = {rel:.3g} of max|expected| ({scale:.4g}), shape {rshape}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
