#!/usr/bin/env bash
# Numeric conformance of one net: TensorFlow runs the real TF-Slim net with
# fixed random weights (BN statistics included) and saves a V2 (or V1)
# checkpoint, the input and the outputs; slimc compiles our .slim version
# (fast kernels), slimrun restores the TensorFlow checkpoint by name and runs
# the same input; the outputs and the regularization loss must match.
#
# Usage: numeric.sh NET SLIM_FILE [--v1] [--batch N] [--size S] [--no-squeeze]
#                   [--net-arg KEY=VALUE ...]
#   NET is a tfnets.NETS name (vgg_16, resnet_v1_50, ...). SLIM_FILE is our
#   file: a zoo file in examples/ (vgg_16.slim), or cases/NAME.slim in
#   test/conformance/cases/, which imports a zoo net and builds it at another
#   size or with other arguments. --size, --no-squeeze and --net-arg tell
#   make_reference.py to build the same variant in TensorFlow.
# Env: PY (venv python), SLIMC_BIN (dir with slimc and slimrun), WORK (scratch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
net=$1 slimfile=$2
shift 2
v1="" batch=1 refargs=()
while [ $# -gt 0 ]; do
  case $1 in
    --v1) v1=--v1 ;;
    --batch) batch=$2; shift ;;
    --size|--net-arg) refargs+=("$1" "$2"); shift ;;
    --no-squeeze) refargs+=("$1") ;;
    *) echo "numeric.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case $slimfile in
  cases/*) src="$here/$slimfile" ;;
  *) src="$root/examples/$slimfile" ;;
esac
[ -f "$src" ] || { echo "numeric.sh: no such file $src" >&2; exit 2; }
work=${WORK:-$(mktemp -d)}/$(basename "$slimfile" .slim)-b$batch${v1:+-v1}
mkdir -p "$work"

"$PY" "$here/make_reference.py" "$net" "$work/ref" --batch "$batch" $v1 ${refargs[@]+"${refargs[@]}"} \
  >"$work/tf.log" 2>&1 || { cat "$work/tf.log" >&2; exit 1; }
ckpt="$work/ref/model.ckpt"
"$SLIMC_BIN/slimc" "$src" -I "$root/examples" --batch "$batch" -o "$work/model.so"
# The model's variable list must equal TF-Slim's, name by name, shape by shape.
"$SLIMC_BIN/slimc" "$src" -I "$root/examples" --batch "$batch" --emit=variables >"$work/ours.vars"
"$PY" "$here/compare.py" variables "$work/ref/reference.json" "$work/ours.vars"
"$SLIMC_BIN/slimrun" "$work/model.so" --checkpoint "$ckpt" --input "input=$work/ref/input.npy" \
  --output-dir "$work/out" --regularization-loss >"$work/run.log"
# Every output against TensorFlow's, and the regularization loss (compare.py).
"$PY" "$here/compare.py" outputs "$work"
