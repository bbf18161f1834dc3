#!/usr/bin/env bash
# The main job: build slimc and compile the seed document's VGG-16
# (examples/vgg16.slim), printing its slim-dialect MLIR, its variables and its
# layer summary after the inference pipeline.
# Usage: scripts/main.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

bash "$root/scripts/build.sh" "$build" >&2
slimc="$build/bin/slimc"
model="$root/examples/vgg16.slim"
echo "== slimc $model --emit=mlir" >&2
"$slimc" "$model" --emit=mlir
echo "== slimc $model --emit=variables" >&2
"$slimc" "$model" --emit=variables
echo "== slimc $model --summary" >&2
"$slimc" "$model" --summary
