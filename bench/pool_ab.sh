#!/usr/bin/env bash
# A/B benchmark of two versions of the runtime's thread pool in one process
# (see bench/pool_ab.cpp): builds runtime/src/thread_pool.cpp and common.cpp
# of each version into one binary and runs synthetic layer-shaped jobs.
#
# Usage: bench/pool_ab.sh A B [pool_ab args: --threads=N --batches=N --jobs=N]
#   A, B: a git revision of this repository or "." for the working tree.
# Environment: CXX (default g++), BUILD_DIR (default /tmp/slim-pool-ab).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-/tmp/slim-pool-ab}
cxx=${CXX:-g++}
[ $# -ge 2 ] || { sed -n '2,9p' "$0"; exit 2; }
mkdir -p "$build"

tree() { # $1 = spec, $2 = side -> prints the root of a source tree
  if [ "$1" = . ]; then
    echo "$repo"
  else
    rm -rf "$build/tree-$2" && mkdir -p "$build/tree-$2"
    git -C "$repo" archive "$1" runtime | tar -x -C "$build/tree-$2"
    echo "$build/tree-$2"
  fi
}
flags=(-std=c++17 -O2 -pthread)
for side in A B; do
  if [ $side = A ]; then root=$(tree "$1" A); else root=$(tree "$2" B); fi
  inc=(-I"$root/runtime/src" -I"$root/runtime/include")
  for f in thread_pool common; do
    "$cxx" "${flags[@]}" "${inc[@]}" -Dslimrt=slimrt_$side \
      -c "$root/runtime/src/$f.cpp" -o "$build/$f-$side.o"
  done
  "$cxx" "${flags[@]}" "${inc[@]}" -Dslimrt=slimrt_$side -DVNAME=$side \
    -c "$here/pool_ab_variant.cpp" -o "$build/variant-$side.o"
done
shift 2
"$cxx" "${flags[@]}" -I"$repo/runtime/include" -c "$here/pool_ab.cpp" \
  -o "$build/main.o"
# common.cpp also defines the C API status functions, alike in both.
"$cxx" -pthread "$build"/*.o -o "$build/pool_ab" -Wl,--allow-multiple-definition
echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" \
  "| $(nproc) cpus | load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/pool_ab" "$@"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
