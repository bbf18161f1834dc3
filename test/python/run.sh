#!/usr/bin/env bash
# Installs the Python package from source into a fresh virtual environment,
# exactly as a user does (`pip install ./python`: a PEP 517 build through
# scikit-build-core and the project's CMake), then runs its pytest suite and
# the Dask batch-inference example's test against that installation.
#
# The package's CMake build lives in BUILD-python next to the project's build
# directory (same depth below the repository, so ccache hits the objects the
# main build compiled; a warm tree only relinks what changed). The venv is
# BUILD-python-venv, recreated every run; pip's cache makes that cheap.
# Usage: test/python/run.sh [build-dir]     (SLIM_SKIP_PYTHON=1: skipped)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
build=$(cd "$build" && pwd)

if [ "${SLIM_SKIP_PYTHON:-0}" = 1 ]; then
  echo "test/python/run.sh: SLIM_SKIP_PYTHON=1: the Python package tests are SKIPPED"
  exit 0
fi

pkg_build="$build-python"
venv="$build-python-venv"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
# The compilers scripts/build.sh's CMake picks by default (scikit-build-core
# would otherwise take Python's own, gcc/g++): ccache keys on the compiler's
# name, so only the same names reuse the main build's objects.
export CC="${CC:-cc}" CXX="${CXX:-c++}"

start=$(date +%s)
rm -rf "$venv"
python3 -m venv "$venv"
echo "test/python/run.sh: pip install ./python (build dir $pkg_build)"
if ! (cd "$root" && "$venv/bin/pip" install -q --disable-pip-version-check \
        ./python --config-settings=build-dir="$pkg_build"); then
  echo "test/python/run.sh: pip install ./python FAILED" >&2
  exit 1
fi
"$venv/bin/pip" install -q --disable-pip-version-check \
  -r "$root/test/python/requirements.txt"
installed=$(date +%s)
echo "test/python/run.sh: installed in $((installed - start)) s"

# From outside the source tree, so `import slimc` is the installed package.
cd "$build"
status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider \
  "$root/test/python" || status=1
echo "test/python/run.sh: pytest took $(( $(date +%s) - installed )) s"
exit $status
