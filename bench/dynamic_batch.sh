#!/usr/bin/env bash
# Run-time batch benchmark (issue 14 part 1): for VGG-16, ResNet-50 and
# MobileNet-v1 (examples/, 224x224) it compiles one library with
# --max-batch 8 and two libraries for exactly batch 1 and batch 8
# (--static-batch), then times batch 1 and batch 8 of the dynamic library
# against the fixed library of that batch with slimrun --bench: interleaved
# (fixed, dynamic, dynamic, fixed, ... for ROUNDS rounds) so that both see
# the same machine load and neither always runs first. Per pair it prints
# the median over rounds of each round's median latency and median CPU time
# (process CPU per run, all threads), and the dynamic/fixed ratios of both;
# on a shared machine the ratios of the same run are the numbers to read.
#
# Usage: bench/dynamic_batch.sh
# Environment:
#   SLIMC, SLIMRUN  the tools (default build/bin/ in the repository)
#   BUILD_DIR       scratch directory (default /tmp/slim-dynamic-batch-bench)
#   NETS            subset, e.g. "mobilenet_v1" (default: vgg_16 resnet_v1_50
#                   mobilenet_v1)
#   ROUNDS          interleaved rounds (default 3)
#   RUNS1, RUNS8    slimrun --bench runs per round at batch 1 / 8 (default
#                   10 / 3)
#   THREADS         slimrun --threads (default: the runtime's, one per CPU)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
slimc=${SLIMC:-$repo/build/bin/slimc}
slimrun=${SLIMRUN:-$repo/build/bin/slimrun}
work=${BUILD_DIR:-/tmp/slim-dynamic-batch-bench}
nets=${NETS:-"vgg_16 resnet_v1_50 mobilenet_v1"}
rounds=${ROUNDS:-3}
runs1=${RUNS1:-10}
runs8=${RUNS8:-3}
threads=()
[ -n "${THREADS:-}" ] && threads=(--threads "$THREADS")
mkdir -p "$work"

file_of() {
  case $1 in
    vgg_16) echo vgg_16.slim ;;
    resnet_v1_50) echo resnet_v1.slim ;;
    mobilenet_v1) echo mobilenet_v1.slim ;;
    *) echo "unknown net $1" >&2; exit 1 ;;
  esac
}

# "latency_median cpu_median" of one slimrun --bench.
measure() {
  local out
  out=$("$slimrun" "$@" --init-seed 1 "${threads[@]}" 2>/dev/null)
  echo "$(sed -n 's/^latency ms: .*median \([0-9.]*\) .*/\1/p' <<<"$out")" \
       "$(sed -n 's/^cpu ms: median \([0-9.]*\) .*/\1/p' <<<"$out")"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs;" \
  "ISA: $(grep -o -w 'avx512f\|avx2\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-14s %5s %12s %12s %7s %12s %12s %7s\n" net batch \
  "fixed ms" "dynamic ms" ratio "fixed cpu" "dynamic cpu" ratio
for net in $nets; do
  src=$repo/examples/$(file_of "$net")
  "$slimc" "$src" -I "$repo/examples" --max-batch 8 -o "$work/$net.dyn.so"
  "$slimc" "$src" -I "$repo/examples" --batch 1 -o "$work/$net.b1.so"
  "$slimc" "$src" -I "$repo/examples" --batch 8 --static-batch \
    -o "$work/$net.b8.so"
  # The kernels are out-of-line functions taking their parameters at run
  # time: the dynamic library should differ from the fixed ones only in
  # `run` (literals become multiples of the batch). Noise-free evidence.
  for l in dyn b1 b8; do
    nm -C -S --defined-only "$work/$net.$l.so" | awk '$3 ~ /^[tT]$/' |
      grep -v -e '::run(' -e '_get_def$' | cut -d' ' -f2- | sort       >"$work/$net.$l.syms"
  done
  if cmp -s "$work/$net.dyn.syms" "$work/$net.b1.syms" &&
     cmp -s "$work/$net.dyn.syms" "$work/$net.b8.syms"; then
    echo "# $net: $(wc -l <"$work/$net.dyn.syms") functions besides run," \
      "each the same size in the dynamic and both fixed libraries"
  else
    echo "# $net: the libraries' functions besides run differ in size"
  fi
  for b in 1 8; do
    runs=$runs1
    [ "$b" = 8 ] && runs=$runs8
    : >"$work/$net.$b.fixed"
    : >"$work/$net.$b.dyn"
    # ABBA order: odd rounds run the dynamic library first, so that a
    # systematic first/second position effect cancels out.
    for ((r = 0; r < rounds; r++)); do
      if ((r % 2 == 0)); then
        measure "$work/$net.b$b.so" --bench "$runs" >>"$work/$net.$b.fixed"
        measure "$work/$net.dyn.so" --batch "$b" --bench "$runs" \
          >>"$work/$net.$b.dyn"
      else
        measure "$work/$net.dyn.so" --batch "$b" --bench "$runs" \
          >>"$work/$net.$b.dyn"
        measure "$work/$net.b$b.so" --bench "$runs" >>"$work/$net.$b.fixed"
      fi
    done
    fl=$(cut -d' ' -f1 "$work/$net.$b.fixed" | median)
    dl=$(cut -d' ' -f1 "$work/$net.$b.dyn" | median)
    fc=$(cut -d' ' -f2 "$work/$net.$b.fixed" | median)
    dc=$(cut -d' ' -f2 "$work/$net.$b.dyn" | median)
    printf "%-14s %5s %12.2f %12.2f %7.3f %12.2f %12.2f %7.3f\n" "$net" "$b" \
      "$fl" "$dl" "$(echo "$dl / $fl" | bc -l)" "$fc" "$dc" \
      "$(echo "$dc / $fc" | bc -l)"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
