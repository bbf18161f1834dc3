#!/usr/bin/env bash
# Training benchmark (issue 15): in one run on this machine, the training step of
#   ResNet-50 v1 and MobileNet-v1 at batch 32 and VGG-16 at batch 8 (224x224, 1000/1001
#   classes, SGD with momentum 0.9, batch norm in training mode, the nets' own dropout),
# compiled by slimc (`slimc --train`, timed by `slimrun --train --steps K`) and in TensorFlow
# 2.12 (oneDNN) running the same training script as Python (bench/tf_train_bench.py), with the
# same thread count and the same synthetic data (one .npy pair per net, fed in order, as
# slimrun reads it). It prints one table: median step time, steps/s, the ratio, and the
# achieved GFLOP/s of each (6 x the forward MACs from `slimc --summary` per step: forward,
# backward data and backward filter each cost about the forward's MACs, 2 flops per MAC) and
# its fraction of peak (bench/peak.c, as bench/nets.sh: threads x the single-core peak per CPU
# second).
#
# The training scripts are bench/train/train_NET.slim (each imports its net from examples/).
#
# Usage: bench/train.sh            (about 10-15 minutes on the 2-core VM; not part of CI)
# Environment:
#   SLIMC, SLIMRUN  the tools (default /work/build/bin/{slimc,slimrun}, else build/bin/ in
#                   the repository)
#   BUILD_DIR       scratch directory (default /tmp/slim-train-bench)
#   NETS            subset, e.g. "mobilenet_v1" (default: resnet_v1_50 mobilenet_v1 vgg_16)
#   THREADS         threads of both (default: nproc)
#   STEPS           timed steps per net for both (default: resnet 5, mobilenet 10, vgg 3)
#   BATCH           overrides every net's batch (default 32, VGG-16 8)
#   SLIMC_FLAGS     extra slimc flags for the train library, e.g. --train-forward=fast
#   TF_ONLY=1       TensorFlow's half only (no slimc needed: checks the script and the feed)
#   OUT             a file to tee everything into
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-/tmp/slim-train-bench}
slimc=${SLIMC:-/work/build/bin/slimc}
slimrun=${SLIMRUN:-/work/build/bin/slimrun}
[ -x "$slimc" ] || slimc=$repo/build/bin/slimc
[ -x "$slimrun" ] || slimrun=$repo/build/bin/slimrun
nets=${NETS:-"resnet_v1_50 mobilenet_v1 vgg_16"}
threads=${THREADS:-$(nproc)}
tf_only=${TF_ONLY:-0}
mkdir -p "$build"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

batch_for() {
  if [ -n "${BATCH:-}" ]; then echo "$BATCH"; return; fi
  case "$1" in vgg_16) echo 8 ;; *) echo 32 ;; esac
}
steps_for() {
  if [ -n "${STEPS:-}" ]; then echo "$STEPS"; return; fi
  case "$1" in resnet_v1_50) echo 5 ;; mobilenet_v1) echo 10 ;; vgg_16) echo 3 ;; esac
}

run() {
  local py
  py=$(bash "$repo/scripts/tf-venv.sh")/bin/python
  bench_header
  echo "# threads: $threads (slimrun --threads; TensorFlow intra/inter op threads)"
  echo "# slimc flags: --train ${SLIMC_FLAGS:-}"
  bench_peak "$build" "$threads"
  local core=$bench_core_peak
  echo "# peak used for %: $core GFLOP/s per core x $threads threads"

  local rows=()
  for net in $nets; do
    local b k script x y
    b=$(batch_for "$net")
    k=$(steps_for "$net")
    # (train_NET.slim: a file named like the module it imports would import itself)
    script=$here/train/train_$net.slim
    x=$build/${net}_b${b}_x.npy
    y=$build/${net}_b${b}_y.npy
    # Synthetic data: 2 batches of U(-1, 1) images and random class ids, fixed seed.
    "$py" - "$script" "$b" "$x" "$y" <<'PY'
import re, sys
import numpy as np
script, b, x, y = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
text = open(script).read()
classes = int(re.search(r'num_classes=(\d+)', text).group(1))
rng = np.random.RandomState(1)
np.save(x, rng.uniform(-1, 1, (2 * b, 224, 224, 3)).astype(np.float32))
np.save(y, rng.randint(0, classes, 2 * b).astype(np.int64))
PY
    local macs=- sl=- s
    if [ "$tf_only" != 1 ]; then
      local so=$build/${net}_train_b$b.so
      # shellcheck disable=SC2086 # SLIMC_FLAGS is a list of flags
      "$slimc" "$script" -I "$repo/examples" --train --batch "$b" ${SLIMC_FLAGS:-} -o "$so"
      # The forward's MACs: without --train slimc compiles @main, the net in inference mode.
      macs=$("$slimc" "$script" -I "$repo/examples" --batch "$b" --summary |
        sed -n 's/^MACs per run: *\([0-9,]*\).*/\1/p' | tr -d ,)
      echo "# $net batch $b: forward MACs $macs"
      s=$("$slimrun" "$so" --train --data "$x" --labels "$y" --batch "$b" --steps "$k" \
        --threads "$threads" --init-seed 1 --log-every "$k" 2>&1)
      echo "$s" | sed "s/^/# slimc $net: /"
      # The final summary's median step time (the first number after "median").
      sl=$(grep -i 'median' <<<"$s" | sed -n 's/.*[Mm]edian[^0-9]*\([0-9][0-9.]*\).*/\1/p' |
        head -n1)
      [ -n "$sl" ] || { echo "# slimrun printed no median step time" >&2; sl=-; }
    fi
    local t tl
    t=$("$py" "$here/tf_train_bench.py" "$script" -I "$repo/examples" --batch "$b" \
      --threads "$threads" --steps "$k" --warmup 1 --data "$x" --labels "$y")
    echo "# $t"
    tl=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$t")
    rows+=("$net $b $threads $k $sl $tl $macs")
  done

  echo
  printf '%-13s %5s %7s %5s %10s %10s %8s %9s %9s %9s %6s %9s %6s\n' net batch threads \
    steps slimc_ms tf_ms tf/slimc slimc_st/s tf_st/s slimc_GF/s %peak tf_GF/s %peak
  for r in "${rows[@]}"; do
    awk -v core="$core" '
      function num(x) { return x != "-" }
      {
        s = $5; t = $6; m = $7
        sps = num(s) ? sprintf("%.3f", 1000 / s) : "-"
        tps = sprintf("%.3f", 1000 / t)
        ratio = num(s) ? sprintf("%.2f", t / s) : "-"
        sg = (num(s) && num(m)) ? 6 * m / (s * 1e6) : -1
        tg = num(m) ? 6 * m / (t * 1e6) : -1
        printf "%-13s %5d %7d %5d %10s %10.1f %8s %9s %9s %9s %5s%% %9s %5s%%\n",
          $1, $2, $3, $4, num(s) ? sprintf("%.1f", s) : "-", t, ratio, sps, tps,
          sg < 0 ? "-" : sprintf("%.1f", sg), sg < 0 ? "-" : sprintf("%.0f", 100 * sg / (core * $3)),
          tg < 0 ? "-" : sprintf("%.1f", tg), tg < 0 ? "-" : sprintf("%.0f", 100 * tg / (core * $3))
      }' <<<"$r"
  done
  echo "# tf/slimc > 1: slimc's step is faster; GFLOP/s = 6 x forward MACs / median step time"
  bench_footer
}

if [ -n "${OUT:-}" ]; then
  run | tee "$OUT"
else
  run
fi
