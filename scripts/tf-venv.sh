#!/usr/bin/env bash
# Creates (once) and prints the path of the Python virtual environment that holds the reference
# TensorFlow and TF-Slim used by conformance tests, fixture generators and benchmarks. The venv lives
# outside the source tree so fresh clones on the same machine reuse it; delete it to rebuild.
# Usage: PY=$(scripts/tf-venv.sh)/bin/python
set -euo pipefail

# Versions that work together (checked by building every zoo net, test/conformance/make_goldens.py):
# tf-slim 1.1.0's batch_norm takes its non-fused path (every batch_norm in the zoo's arg_scopes) through
# tensorflow.python.layers.normalization. In TF 2.15.1 that module lazily imports
# tf_keras.legacy_tf_layers, a path no tf-keras release ships (2.15.1-2.17.0 have it under
# tf_keras/src/), so inception/resnet/mobilenet fail to build with "No module named 'tf_keras...'".
# TF 2.12.1 with its keras 2.12 works and has Python 3.11 wheels (2.13/2.14 not tried).
requirements=(
  "tensorflow-cpu==2.12.1"
  "tf-slim==1.1.0"
  "numpy==1.24.3"
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
