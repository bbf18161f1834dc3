#!/usr/bin/env bash
# Installs the Debian dependencies (if missing), configures and builds slimc.
# Usage: scripts/build.sh [build-dir]   (default: build/ in the repository)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

bash "$root/scripts/install-deps.sh"
# Let ccache share objects between clones in different directories.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$(llvm-config-19 --libdir 2>/dev/null || echo /usr/lib/llvm-19/lib)/cmake/mlir"
fi
# Two cores: more jobs only thrash memory while MLIR headers compile.
ninja -C "$build" -j "${SLIMC_JOBS:-2}"
