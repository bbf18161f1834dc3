#!/usr/bin/env bash
# Installs, builds and runs every test: lit (compiler tools and conformance of
# variable names with TF-Slim's goldens), GoogleTest unit tests (frontend,
# runtime, kernels, transforms), all through ctest.
# Usage: scripts/test.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

bash "$root/scripts/build.sh" "$build"
cd "$build"
ctest --output-on-failure -j 2
