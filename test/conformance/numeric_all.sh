#!/usr/bin/env bash
# The numeric conformance suite, part of scripts/test.sh: every zoo net,
# compiled by slimc with the fast kernels, restores a checkpoint written by
# the real TF-Slim and must reproduce TensorFlow's outputs and regularization
# loss (numeric.sh). Each net runs at batch 1 and batch 4; one net restores a
# V1 checkpoint; three run at a non-default input size (cases/). Then the
# seed document's snippets run through both (seed.py), the feature
# programs of features/ (features.py), and TensorFlow restoring the V2
# checkpoints slimc's runtime writes (tf_checkpoint.py).
#
# SLIM_SKIP_TF=1 skips the suite explicitly and says so. If the TensorFlow
# virtual environment cannot be created (no access to the Python package
# index), the suite fails: it is never skipped silently.
# Usage: numeric_all.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: numeric_all.sh BUILD_DIR}

if [ "${SLIM_SKIP_TF:-0}" = 1 ]; then
  echo "conformance: SKIPPED because SLIM_SKIP_TF=1; TensorFlow conformance was not checked"
  exit 0
fi
if ! venv=$("$root/scripts/tf-venv.sh"); then
  echo "conformance: FAILED: could not create the TensorFlow/TF-Slim virtual environment" \
       "(is the Python package index reachable?); set SLIM_SKIP_TF=1 to skip explicitly" >&2
  exit 1
fi
export PY="$venv/bin/python" SLIMC_BIN="$build/bin" TF_CPP_MIN_LOG_LEVEL=2
export WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cases=(
  "alexnet_v2 alexnet_v2.slim"
  "vgg_16 vgg_16.slim"
  "vgg_19 vgg_19.slim"
  "inception_v1 inception_v1.slim"
  "inception_v3 inception_v3.slim"
  "resnet_v1_50 resnet_v1.slim"
  "resnet_v2_50 resnet_v2.slim"
  "mobilenet_v1 mobilenet_v1.slim"
  "alexnet_v2 alexnet_v2.slim --batch 4"
  "vgg_16 vgg_16.slim --batch 4"
  "vgg_19 vgg_19.slim --batch 4"
  "inception_v1 inception_v1.slim --batch 4"
  "inception_v3 inception_v3.slim --batch 4"
  "resnet_v1_50 resnet_v1.slim --batch 4"
  "resnet_v2_50 resnet_v2.slim --batch 4"
  "mobilenet_v1 mobilenet_v1.slim --batch 4"
  "alexnet_v2 alexnet_v2.slim --v1"
  # Non-default sizes (cases/*.slim import the zoo net and build it so; the
  # options make TensorFlow build the same): a spatial map of VGG logits,
  # dense ResNet with atrous block4 at an odd size, a thin MobileNet whose
  # final pool shrinks.
  "vgg_16 cases/vgg_16_256.slim --size 256 --no-squeeze"
  "resnet_v1_50 cases/resnet_v1_50_dense.slim --size 225 --net-arg global_pool=False --net-arg output_stride=16"
  "mobilenet_v1 cases/mobilenet_v1_050_160.slim --size 160 --net-arg depth_multiplier=0.5 --batch 2"
)
passed=0 failed=0 start=$SECONDS
# The net cases run SLIM_CONFORMANCE_JOBS at a time (default 2: most of a case
# is the host compiler building its library, one core each), each in its own
# scratch directory; their reports print in the list's order.
run_case() {
  local i=$1 t0=$SECONDS out status=ok
  shift
  mkdir -p "$WORK/case$i"
  out=$(WORK=$WORK/case$i bash "$here/numeric.sh" "$@" 2>&1) || status=FAIL
  # Written whole, then renamed: print_finished never reads half a report.
  { echo "$status $((SECONDS - t0))"; printf '%s\n' "$out"; } >"$WORK/.result$i"
  mv "$WORK/.result$i" "$WORK/result$i"
  rm -rf "$WORK/case$i"
}
# Prints the reports of the finished cases, in order, up to the first one
# still running.
next=0
print_finished() {
  local status secs
  while [ "$next" -lt "${#cases[@]}" ] && [ -f "$WORK/result$next" ]; do
    read -r status secs <"$WORK/result$next"
    if [ "$status" = ok ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
    echo "conformance: $(printf '%-4s' "$status") ${cases[$next]} ($secs s)"
    tail -n +2 "$WORK/result$next" | sed 's/^/    /' | tail -6
    next=$((next + 1))
  done
}
lanes=${SLIM_CONFORMANCE_JOBS:-2}
for i in "${!cases[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$lanes" ]; do
    wait -n || true
    print_finished
  done
  # shellcheck disable=SC2086 # a case is words: net, file, options
  run_case "$i" ${cases[$i]} &
done
wait
print_finished
rm -rf "$WORK"/*
# The seed document's snippets, through TensorFlow and slimc (seed.py): the
# full report, as it says per snippet what was compared.
t0=$SECONDS
if out=$("$PY" "$here/seed.py" --slimc-bin "$SLIMC_BIN" --work "$WORK/seed" 2>&1); then
  passed=$((passed + 1))
  echo "conformance: ok   seed snippets ($((SECONDS - t0)) s)"
else
  failed=$((failed + 1))
  echo "conformance: FAIL seed snippets ($((SECONDS - t0)) s)"
fi
printf '%s\n' "$out" | sed 's/^/    /'
rm -rf "$WORK"/*
# The feature programs of features/ (features.py): small self-written
# programs, one or a few language features each, through TensorFlow and slimc
# at batch 1 and 2. The report ends with a table, one row per program.
t0=$SECONDS
if out=$("$PY" "$here/features.py" --slimc-bin "$SLIMC_BIN" --work "$WORK/features" 2>&1); then
  passed=$((passed + 1))
  echo "conformance: ok   feature programs ($((SECONDS - t0)) s)"
else
  failed=$((failed + 1))
  echo "conformance: FAIL feature programs ($((SECONDS - t0)) s)"
fi
printf '%s\n' "$out" | sed 's/^/    /'
rm -rf "$WORK"/*
# TensorFlow restores the V2 checkpoints the runtime writes (slimrun
# --save-format tf, slim-ckpt convert --to tf) and computes slimc's logits
# (tf_checkpoint.py; TensorFlow's half is cached by the bundles' bytes).
t0=$SECONDS
if out=$("$PY" "$here/tf_checkpoint.py" --slimc-bin "$SLIMC_BIN" --work "$WORK/ckpt" 2>&1); then
  passed=$((passed + 1))
  echo "conformance: ok   TensorFlow restores slimc's checkpoints ($((SECONDS - t0)) s)"
else
  failed=$((failed + 1))
  echo "conformance: FAIL TensorFlow restores slimc's checkpoints ($((SECONDS - t0)) s)"
fi
printf '%s\n' "$out" | sed 's/^/    /'
rm -rf "$WORK"/*
echo "conformance: $((SECONDS - start)) s in all"
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
