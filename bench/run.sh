#!/usr/bin/env bash
# Builds and runs the kernel benchmark: measures this machine's peak FP32 FMA
# rate (bench/peak.c), then every benchmark layer (bench/conv_bench.cpp) at
# batch 1 and 8, 1 and 2 threads, printing GFLOP/s and % of that peak.
#
# Usage: bench/run.sh [--march=native|x86-64-v3|x86-64-v4] [conv_bench args]
#   e.g. bench/run.sh --nets=vgg --batches=1 --threads=1 --repeats=9
# Environment: CXX, CC (default g++ / gcc), BUILD_DIR (default
# /tmp/slim-bench), OUT (a file to tee the results into).
#
# The machine may be shared: the script reports medians, and rates per CPU
# second next to wall-clock ones (see conv_bench.cpp). Run it on demand,
# not in CI: a full run takes a few minutes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-/tmp/slim-bench}
cxx=${CXX:-g++}
cc=${CC:-gcc}
march=native
args=()
for a in "$@"; do
  case "$a" in
  --march=*) march=${a#--march=} ;;
  *) args+=("$a") ;;
  esac
done

mkdir -p "$build"
echo "# building with $cxx -O3 -march=$march" >&2
"$cc" -O2 -march="$march" "$here/peak.c" -o "$build/peak" -lpthread
"$cxx" -std=c++17 -O3 -march="$march" -I"$repo/runtime/include" \
  -I"$repo/test/kernels" "$here/conv_bench.cpp" -o "$build/conv_bench" \
  -lpthread

run() {
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" \
    "| $(nproc) cpus | $(uname -r)"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$build/peak" 1 5
  "$build/peak" 2 3
  # Per-core peak = the best per-CPU-second rate of the single-thread runs.
  peak=$("$build/peak" 1 5 | sed -n 's/.*peak_gflops_per_cpu_second=\([0-9.]*\).*/\1/p')
  # The shared reference implementation, when it is next to the repo.
  shared="$repo/../shared/bench/peak_flops.c"
  if [ -f "$shared" ] && [ "$march" = native ] && ! grep -q avx512f /proc/cpuinfo; then
    "$cc" -O2 -march=native -DW=256 "$shared" -o "$build/peak_flops" -lpthread
    echo "# ../shared/bench/peak_flops.c (wall clock): $("$build/peak_flops" 1)"
  fi
  echo "# peak used for %: $peak GFLOP/s per core"
  "$build/conv_bench" --peak="$peak" "${args[@]+"${args[@]}"}"
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

if [ -n "${OUT:-}" ]; then
  run | tee "$OUT"
else
  run
fi
