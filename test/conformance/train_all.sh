#!/usr/bin/env bash
# The training conformance suite (issue 15): every case of train/ (train_check.py: slimc's
# compiled train step against TensorFlow 2.12 + tf_slim running the same script: gradients,
# the variables after 10 steps, losses, TensorFlow restoring slimc's checkpoint), then the
# dropout statistics of `slimrun --train` (train_dropout.py, no TensorFlow).
#
# SLIM_SKIP_TF=1 skips the suite explicitly and says so (the dropout check too: it runs with
# the same venv's numpy). If the TensorFlow virtual environment cannot be created, the suite
# fails: it is never skipped silently. The cases: 8 LeNet-sized scripts, the seed's VGG-16 and
# the zoo nets at batch 2 (MobileNet v1, ResNet-50 v1/v2, Inception v1/v3, AlexNet v2; sizes and
# limits in docs/training.md "How it is checked"); the zoo nets compile at -O1. VGG-16 at
# 224x224 is heavy (train_check.py --heavy zoo_vgg_16) and not run here.
# Usage: train_all.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: train_all.sh BUILD_DIR}

if [ "${SLIM_SKIP_TF:-0}" = 1 ]; then
  echo "training conformance: SKIPPED because SLIM_SKIP_TF=1; training was not checked" \
       "against TensorFlow"
  exit 0
fi
if ! venv=$("$root/scripts/tf-venv.sh"); then
  echo "training conformance: FAILED: could not create the TensorFlow/TF-Slim virtual" \
       "environment (is the Python package index reachable?); set SLIM_SKIP_TF=1 to skip" \
       "explicitly" >&2
  exit 1
fi
export TF_CPP_MIN_LOG_LEVEL=2
status=0 start=$SECONDS
t0=$SECONDS
if "$venv/bin/python" "$here/train_check.py" --slimc-bin "$build/bin"; then
  echo "training conformance: ok   train_check.py ($((SECONDS - t0)) s)"
else
  echo "training conformance: FAIL train_check.py ($((SECONDS - t0)) s)"
  status=1
fi
t0=$SECONDS
if "$venv/bin/python" "$here/train_dropout.py" --slimc-bin "$build/bin"; then
  echo "training conformance: ok   dropout statistics ($((SECONDS - t0)) s)"
else
  echo "training conformance: FAIL dropout statistics ($((SECONDS - t0)) s)"
  status=1
fi
echo "training conformance: $((SECONDS - start)) s in all"
exit $status
