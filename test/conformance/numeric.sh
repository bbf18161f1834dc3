#!/usr/bin/env bash
# Numeric conformance of one net: TensorFlow runs the real TF-Slim net with
# fixed random weights (BN statistics included) and saves a V2 (or V1)
# checkpoint, the input and the outputs; slimc compiles our .slim version
# (fast kernels), slimrun restores the TensorFlow checkpoint by name and runs
# the same input; the outputs and the regularization loss must match.
#
# Usage: numeric.sh NET SLIM_FILE [--v1] [--batch N]
#   NET is a tfnets.NETS name (vgg_16, resnet_v1_50, ...), SLIM_FILE our file.
# Env: PY (venv python), SLIMC_BIN (dir with slimc and slimrun), WORK (scratch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
net=$1 slimfile=$2
shift 2
v1="" batch=1
while [ $# -gt 0 ]; do
  case $1 in
    --v1) v1=--v1 ;;
    --batch) batch=$2; shift ;;
    *) echo "numeric.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
work=${WORK:-$(mktemp -d)}/$net-b$batch${v1:+-v1}
mkdir -p "$work"

"$PY" "$here/make_reference.py" "$net" "$work/ref" --batch "$batch" $v1 >"$work/tf.log" 2>&1 ||
  { cat "$work/tf.log" >&2; exit 1; }
ckpt="$work/ref/model.ckpt"
"$SLIMC_BIN/slimc" "$root/examples/$slimfile" -I "$root/examples" --batch "$batch" \
  -o "$work/model.so"
# The model's variable list must equal TF-Slim's, name by name, shape by shape.
"$SLIMC_BIN/slimc" "$root/examples/$slimfile" -I "$root/examples" --batch "$batch" \
  --emit=variables >"$work/ours.vars"
"$PY" - "$work/ref/reference.json" "$work/ours.vars" <<'PYEOF'
import json, sys
ref = json.load(open(sys.argv[1]))['variables']
ours = [l.rstrip('\n') for l in open(sys.argv[2])]
if ref != ours:
  import difflib
  sys.exit('variable lists differ:\n' + '\n'.join(difflib.unified_diff(ref, ours, 'tf', 'slimc', lineterm='')))
PYEOF
"$SLIMC_BIN/slimrun" "$work/model.so" --checkpoint "$ckpt" --input "input=$work/ref/input.npy" \
  --output-dir "$work/out" --regularization-loss >"$work/run.log"
"$PY" - "$work" <<'PYEOF'
import json, os, sys
import numpy as np
work = sys.argv[1]
ref = json.load(open(os.path.join(work, 'ref', 'reference.json')))
ok = True
compared = 0
for name in os.listdir(os.path.join(work, 'ref')):
  if not (name.startswith('output_') and name.endswith('.npy')):
    continue
  out = name[len('output_'):]
  mine = os.path.join(work, 'out', out)
  if not os.path.exists(mine):
    continue  # an end point our entry block does not name as an output
  want = np.load(os.path.join(work, 'ref', name)).astype(np.float64)
  got = np.load(mine).astype(np.float64)
  if want.shape != got.shape:
    print('%s: shape %s, TensorFlow %s' % (out, got.shape, want.shape)); ok = False; continue
  diff = np.abs(got - want)
  scale = np.abs(want).max()
  worst = np.unravel_index(np.argmax(diff), diff.shape)
  # Relative error is judged where |expected| > 1e-2 * max|expected| (and
  # > 1e-3), not wherever |expected| > 1e-3 as issue #6 first asked: the
  # logits are float32 sums of ~1000 terms as large as max|expected|, whose
  # rounding noise (any summation order, BN folded or not) is an absolute
  # ~1e-6..1e-5 of max|expected| spread over all logits. A logit of 0.05
  # beside logits of 32 then cannot be held to 1e-3 relative: MobileNet-v1
  # batch 4 showed 1.3e-3 on such an element while its max abs diff was
  # 2.4e-6 of max|expected|. The absolute criterion below is unchanged.
  big = np.abs(want) > max(1e-3, 1e-2 * scale)
  rel = (diff[big] / np.abs(want[big])).max() if big.any() else 0.0
  good = diff.max() <= 1e-4 * scale and rel <= 1e-3
  ok &= good
  compared += 1
  print('%s %s: max abs diff %.3g (%.3g of max |expected| %.3g), max rel %.3g; worst at %s: '
        'ours %.7g, TensorFlow %.7g' % ('ok  ' if good else 'FAIL', out, diff.max(),
        diff.max() / scale, scale, rel, tuple(int(i) for i in worst), got[worst], want[worst]))
loss_line = [l for l in open(os.path.join(work, 'run.log')) if l.startswith('regularization_loss:')]
ours = float(loss_line[0].split()[1])
tf_loss = ref['regularization_loss']
rel = abs(ours - tf_loss) / max(abs(tf_loss), 1e-30)
good = rel <= 1e-5
ok &= good
print('%s regularization loss: ours %.9g, TensorFlow %.9g (rel %.2g)' % ('ok  ' if good else 'FAIL', ours, tf_loss, rel))
if compared == 0:
  print('FAIL: no output compared'); ok = False
sys.exit(0 if ok else 1)
PYEOF
