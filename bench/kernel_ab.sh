#!/usr/bin/env bash
# A/B benchmark of two versions of the conv and fc kernels in one process (see
# bench/kernel_ab.cpp for why): builds bench/peak.c and kernel_ab against two
# include trees, measures the peak, then runs the layers.
#
# Usage: bench/kernel_ab.sh A B [kernel_ab args: --reps=N --batch=N LAYER...]
#   A, B: a git revision of this repository (its runtime/include is
#   extracted with `git archive`), a directory holding slim/kernels.h, or
#   "." for the working tree.
#   e.g. bench/kernel_ab.sh HEAD . --reps=9 vgg r_b
#        bench/kernel_ab.sh HEAD . --threads=1,2 fc
# Environment: CXX (default g++), BUILD_DIR (default /tmp/slim-kernel-ab),
# CXXFLAGS_A / CXXFLAGS_B (extra flags per side, e.g. -DSLIM_CONV_TILE_W=5).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-/tmp/slim-kernel-ab}
cxx=${CXX:-g++}
[ $# -ge 2 ] || { sed -n '2,14p' "$0"; exit 2; }
mkdir -p "$build"

tree() { # $1 = spec, $2 = side -> prints an include directory
  if [ "$1" = . ]; then
    echo "$repo/runtime/include"
  elif [ -f "$1/slim/kernels.h" ]; then
    (cd "$1" && pwd)
  else
    rm -rf "$build/tree-$2" && mkdir -p "$build/tree-$2"
    git -C "$repo" archive "$1" runtime/include | tar -x -C "$build/tree-$2"
    echo "$build/tree-$2/runtime/include"
  fi
}
incA=$(tree "$1" A)
incB=$(tree "$2" B)
shift 2

flags=(-std=c++17 -O3 -march=native)
# shellcheck disable=SC2086
"$cxx" "${flags[@]}" -I"$incA" -Dslim=slim_A -DVNAME=A ${CXXFLAGS_A:-} \
  -c "$here/kernel_ab_variant.cpp" -o "$build/a.o" &
# shellcheck disable=SC2086
"$cxx" "${flags[@]}" -I"$incB" -Dslim=slim_B -DVNAME=B ${CXXFLAGS_B:-} \
  -c "$here/kernel_ab_variant.cpp" -o "$build/b.o" &
"$cxx" "${flags[@]}" -I"$repo/runtime/include" -I"$repo/test/kernels" \
  -c "$here/kernel_ab.cpp" -o "$build/main.o" &
wait
"$cxx" "$build/main.o" "$build/a.o" "$build/b.o" -o "$build/kernel_ab" -lpthread
echo "# A = $incA ${CXXFLAGS_A:-}"
echo "# B = $incB ${CXXFLAGS_B:-}"
bench_header
bench_peak "$build"
"$build/kernel_ab" --peak="$bench_core_peak" "$@"
bench_footer
