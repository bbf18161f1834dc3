#!/usr/bin/env bash
# One library compiled with --max-batch 8 against libraries compiled for
# exactly batch 1, 3 and 8 (--static-batch): at each of those batches the
# dynamic library, run in an arena of exactly its batch's size that ends at
# an inaccessible page (slimrun --guard-arena), must give the fixed-batch
# library's outputs to 1e-6 relative (the same kernels on the same data:
# in practice bit for bit).
#
# usage: check_batches.sh SLIMC SLIMRUN WORKDIR MODEL.slim OUTPUT...
#                          [-- SLIMC_ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
slimc=$1 slimrun=$2 work=$3 src=$4
shift 4
outputs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do outputs+=("$1"); shift; done
[ $# -gt 0 ] && shift
rm -rf "$work" && mkdir -p "$work"
"$slimc" "$src" "$@" --max-batch 8 -o "$work/dyn.so"
for b in 1 3 8; do
  "$slimc" "$src" "$@" --batch "$b" --static-batch -o "$work/static$b.so"
done
for b in 1 3 8; do
  "$slimrun" "$work/dyn.so" --init-seed 7 --batch "$b" --guard-arena \
    --output-dir "$work/d$b" >/dev/null 2>&1
  "$slimrun" "$work/static$b.so" --init-seed 7 --output-dir "$work/s$b" \
    >/dev/null 2>&1
  echo "batch $b:"
  python3 "$here/../compare_npy.py" "$work/d$b" "$work/s$b" "${outputs[@]}" \
    --atol 0 --rtol 1e-6
done
