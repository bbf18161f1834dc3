#!/usr/bin/env bash
# Creates (once) and prints the path of the Python virtual environment that holds the reference
# TensorFlow and TF-Slim used by conformance tests, fixture generators and benchmarks. The venv lives
# outside the source tree so fresh clones on the same machine reuse it; delete it to rebuild.
# Usage: PY=$(scripts/tf-venv.sh)/bin/python
set -euo pipefail

# Versions that work together: tf-slim 1.1.0 needs TF's Keras-2 era internals, which 2.15 still has.
requirements=(
  "tensorflow-cpu==2.15.1"
  "tf-slim==1.1.0"
  "numpy<2"
  "safetensors==0.4.5"
)
key=$(printf '%s\n' "${requirements[@]}" | sha256sum | cut -c1-12)
venv="${SLIM_TF_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/slimc/tf-venv-$key}"

if [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ]; then
  echo "$venv"
  exit 0
fi

rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv" >&2
if ! "$venv/bin/pip" install -q --disable-pip-version-check "${requirements[@]}" >&2; then
  echo "tf-venv: could not install ${requirements[*]} from the Python package index;" \
       "the conformance suite needs them (set SLIM_SKIP_TF=1 to skip it explicitly)" >&2
  rm -rf "$venv"
  exit 1
fi
touch "$venv/.complete"
echo "$venv"
