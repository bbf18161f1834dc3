#!/usr/bin/env bash
# Installs, builds and runs every test: lit (compiler tools, code generation,
# variable names against TF-Slim's goldens), GoogleTest unit tests (frontend,
# runtime, kernels, transforms) through ctest, then the numeric conformance
# suite against the real TensorFlow/TF-Slim (SLIM_SKIP_TF=1 skips only that
# suite, and says so).
# Usage: scripts/test.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

bash "$root/scripts/build.sh" "$build"
status=0
(cd "$build" && ctest --output-on-failure -j 2) || status=1
bash "$root/test/conformance/numeric_all.sh" "$build" || status=1
exit $status
