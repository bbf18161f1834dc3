#!/usr/bin/env bash
# Builds and runs the backward-kernel benchmark: the peak FP32 FMA rate of
# one core (bench/peak.c, per CPU second, best of 5), then bench/backward_bench.cpp
# (conv / depthwise gradients of VGG-16, ResNet-50 and MobileNet-v1 layers,
# fast vs reference, GFLOP/s and % of that peak x threads).
#
# Usage: bench/backward_bench.sh [--march=native|x86-64-v3|x86-64-v4] [bench args]
#   e.g. bench/backward_bench.sh --batch=8 --threads=1,2 --repeats=5
# Environment: CXX, CC (default g++ / gcc), BUILD_DIR (default
# /tmp/slim-backward-bench), OUT (a file to tee the results into).
# Run it on demand on a quiet machine (medians are printed, with the load
# average before and after); a full run takes a few minutes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-/tmp/slim-backward-bench}
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
"$cxx" -std=c++17 -O3 -march="$march" -I"$repo/runtime/include" \
  -I"$repo/test/kernels" "$here/backward_bench.cpp" -o "$build/backward_bench" \
  -lpthread

run() {
  bench_header
  CC=$cc BENCH_MARCH=$march bench_peak "$build"
  "$build/backward_bench" --peak="$bench_core_peak" "${args[@]+"${args[@]}"}"
  bench_footer
}

if [ -n "${OUT:-}" ]; then
  run | tee "$OUT"
else
  run
fi
