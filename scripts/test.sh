#!/usr/bin/env bash
# Installs, builds and runs every test: lit (compiler tools, code generation,
# variable names against TF-Slim's goldens), GoogleTest unit tests (frontend,
# runtime, kernels, transforms, fuzz-target regression inputs) through ctest,
# a short libFuzzer run of every fuzz target over its corpus (scripts/fuzz.sh
# --smoke; SLIM_SKIP_FUZZ=1 skips it, and says so), then the numeric
# conformance suite against the real TensorFlow/TF-Slim (SLIM_SKIP_TF=1 skips
# only that suite, and says so) and the training conformance suite
# (test/conformance/train_all.sh, same switch), then the Python package: `pip install ./python`
# into a fresh venv and its pytest suite with the Dask example's test
# (test/python/run.sh; SLIM_SKIP_PYTHON=1 skips it, and says so).
# Usage: scripts/test.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

bash "$root/scripts/build.sh" "$build"
status=0
(cd "$build" && ctest --output-on-failure -j 2) || status=1
if [ "${SLIM_SKIP_FUZZ:-0}" = 1 ]; then
  echo "test.sh: SLIM_SKIP_FUZZ=1: the fuzz smoke run is SKIPPED"
else
  SLIMC_BUILD="$build" bash "$root/scripts/fuzz.sh" --smoke || status=1
fi
bash "$root/test/conformance/numeric_all.sh" "$build" || status=1
bash "$root/test/conformance/train_all.sh" "$build" || status=1
bash "$root/test/python/run.sh" "$build" || status=1
exit $status
