#!/usr/bin/env bash
# Per-layer slimc vs ONNX Runtime (issue 13): where a whole-net row of
# bench/nets.sh is behind ORT, this says which layers hold it back. It times
# slimc's library with `slimrun --profile` and ORT on the same ONNX file with
# ORT's profiler (bench/ort_profile.py), then joins the two by TF-Slim scope
# (bench/layer_join.py). Per-layer times of the two profilers are comparable
# (both time each kernel call; slimc's to_blocked and ORT's input transpose
# are rows of their own / of the first conv), their sums are a little below
# each tool's end-to-end latency.
#
# Usage: bench/layer_compare.sh NET BATCH THREADS
#   NET: vgg_16 | resnet_v1_50 | mobilenet_v1; uses the libraries and ONNX
#   files bench/nets.sh left in BUILD_DIR (run it first).
# Environment: SLIMRUN, BUILD_DIR (default /tmp/slim-nets-bench), ORT_VENV
#   (default /tmp/slim-ort-venv), RUNS (default 10).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
[ $# -eq 3 ] || { sed -n '2,16p' "$0"; exit 2; }
net=$1 batch=$2 threads=$3
work=${BUILD_DIR:-/tmp/slim-nets-bench}
venv=${ORT_VENV:-/tmp/slim-ort-venv}
slimrun=${SLIMRUN:-$repo/build/bin/slimrun}
runs=${RUNS:-10}
lib=$work/${net}_b$batch.so
onnx=$work/${net}_b$batch.onnx
for f in "$lib" "$onnx" "$venv/bin/python"; do
  [ -e "$f" ] || { echo "layer_compare.sh: $f missing (run bench/nets.sh first)" >&2; exit 1; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $net batch $batch, $threads thread(s), $runs runs each"
"$slimrun" "$lib" --init-seed 1 --threads "$threads" --bench "$runs" --profile \
  >"$out/slimc.txt" 2>/dev/null
"$venv/bin/python" "$here/ort_profile.py" "$onnx" --threads "$threads" --runs "$runs" \
  >"$out/ort.txt"
grep '^latency' "$out/slimc.txt" | sed 's/^/# slimc /'
python3 "$here/layer_join.py" "$out/slimc.txt" "$out/ort.txt"
