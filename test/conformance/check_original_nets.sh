#!/usr/bin/env bash
# Compiles TF-Slim's own model files (research/slim/nets/ in tensorflow/models)
# with slimc and compares their variables with the goldens recorded from the
# real TF-Slim. We do not ship TensorFlow's code: save the files yourself into
# one directory, as .slim (or keep .py: they are copied to .slim), with only
# their import lines changed where slimc needs it (drop `import google3`):
#
#   vgg alexnet inception_utils inception_v1 inception_v3
#   resnet_utils resnet_v1 mobilenet_v1
#
#   test/conformance/check_original_nets.sh DIR [SLIMC]
#
# For each net the script copies the directory, appends to the net's file only
# an input declaration and a call in the net's own arg_scope, with the image
# size and class count of the goldens (golden/README in ../conformance), runs
# `slimc --emit=variables` and diffs the result with golden/<net>.vars.txt.
# Exit status: 0 when every net whose file is present matches; a missing file
# is reported and counts as a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=${1:?usage: check_original_nets.sh DIR [SLIMC]}
slimc=${2:-${SLIMC:-$root/../build/bin/slimc}}
[ -x "$slimc" ] || { echo "slimc not found at $slimc (pass it as 2nd argument)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$src"/*.slim "$src"/*.py; do
  [ -e "$f" ] || continue
  base=$(basename "$f"); base=${base%.*}
  [ -e "$tmp/$base.slim" ] || cp "$f" "$tmp/$base.slim"
done

# net file size classes arg_scope-call net-call
nets=(
  "vgg_16 vgg 224 1000 vgg_arg_scope() vgg_16"
  "alexnet_v2 alexnet 224 1000 alexnet_v2_arg_scope() alexnet_v2"
  "inception_v1 inception_v1 224 1001 inception_v1_arg_scope() inception_v1"
  "inception_v3 inception_v3 299 1001 inception_v3_arg_scope() inception_v3"
  "resnet_v1_50 resnet_v1 224 1000 resnet_arg_scope() resnet_v1_50"
  "mobilenet_v1 mobilenet_v1 224 1001 mobilenet_v1_arg_scope(is_training=False) mobilenet_v1"
)

failed=0
for entry in "${nets[@]}"; do
  read -r net file size classes scope fn <<<"$entry"
  if [ ! -e "$tmp/$file.slim" ]; then
    echo "$net: MISSING ($file.slim not in $src)"
    failed=1
    continue
  fi
  check="$tmp/check_$net.slim"
  cp "$tmp/$file.slim" "$check"
  # `slim` is defined by every net file; the declaration only adds names.
  cat >>"$check" <<EOF

inputs = tf.placeholder(tf.float32, [None, $size, $size, 3], name='input')
with slim.arg_scope($scope):
  logits, _ = $fn(inputs, num_classes=$classes, is_training=False)
tf.identity(logits, name='logits')
EOF
  out="$tmp/$net.vars"
  if ! "$slimc" "$check" -I "$tmp" --emit=variables >"$out" 2>"$tmp/$net.err"; then
    echo "$net: FAIL (slimc error)"
    sed 's/^/    /' "$tmp/$net.err" | head -20
    failed=1
    continue
  fi
  if diff <(grep -v '^#' "$here/golden/$net.vars.txt") "$out" >"$tmp/$net.diff"; then
    echo "$net: OK ($(wc -l <"$out") variables match golden/$net.vars.txt)"
  else
    echo "$net: FAIL (differs from golden/$net.vars.txt)"
    sed 's/^/    /' "$tmp/$net.diff" | head -20
    failed=1
  fi
done
exit $failed
