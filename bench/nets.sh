#!/usr/bin/env bash
# Whole-network benchmark (issue 5): in one run on this machine it measures
#   - the peak FP32 FMA rate (bench/peak.c) for 1 and 2 threads,
#   - VGG-16, ResNet-50 and MobileNet-v1 compiled by slimc at batch 1 and 8
#     (slimrun --bench, medians),
#   - the same nets in TensorFlow running the TF-Slim model itself
#     (bench/tf_bench.py, same thread count),
#   - optionally ONNX Runtime (bench/ort_bench.py) on the same network with the
#     same weights, when ORT_VENV holds onnxruntime + tf2onnx + onnx. VGG-16's
#     ONNX file is written directly by bench/onnx_export.py from the TF-Slim
#     net's session (tf2onnx needs more than the VM's 23 GB for it) and checked
#     against TF (max |ORT - TF| <= 1e-4 max |logit|, else no ORT column);
#     the other nets' files come from tf2onnx (bench/tf_bench.py --onnx),
# and prints one table: latency medians, ratios, achieved GFLOP/s
# (2 * MACs from `slimc --summary` / median time) and fraction of peak.
# Then it profiles VGG-16 batch 1 per layer (slimrun --profile) and prints
# GFLOP/s and % of peak for every conv layer and for all 3x3 convs together.
#
# Usage: bench/nets.sh            (about 10-15 minutes on the 2-core VM)
# Environment:
#   SLIMC, SLIMRUN  the tools (default /work/build/bin/{slimc,slimrun},
#                   else build/bin/ in the repository)
#   BUILD_DIR       scratch directory (default /tmp/slim-nets-bench)
#   NETS            subset, e.g. "vgg_16 mobilenet_v1" (default: all three)
#   ORT_VENV        venv with onnxruntime, tf2onnx, onnx and the TF of
#                   scripts/tf-venv.sh (default /tmp/slim-ort-venv; used
#                   only if it exists; ORT=make creates it first)
#   OUT             a file to tee everything into
#
# Fraction of peak: achieved GFLOP/s divided by (threads x the single-core
# peak per CPU second). The machine is a shared VM; the peak per CPU second is
# the core's own speed, while the wall-clock peaks printed at the top show how
# much of the machine other jobs left us during this run. Not part of CI.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-/tmp/slim-nets-bench}
slimc=${SLIMC:-/work/build/bin/slimc}
slimrun=${SLIMRUN:-/work/build/bin/slimrun}
[ -x "$slimc" ] || slimc=$repo/build/bin/slimc
[ -x "$slimrun" ] || slimrun=$repo/build/bin/slimrun
nets=${NETS:-"vgg_16 resnet_v1_50 mobilenet_v1"}
ort_venv=${ORT_VENV:-/tmp/slim-ort-venv}
mkdir -p "$build"

# net -> slim file; runs per configuration (batch 1 / batch 8).
slim_file() {
  case "$1" in
  vgg_16) echo vgg_16.slim ;;
  resnet_v1_50) echo resnet_v1.slim ;;
  mobilenet_v1) echo mobilenet_v1.slim ;;
  esac
}
runs_for() { # net batch
  case "$1:$2" in
  vgg_16:1) echo 5 ;;
  vgg_16:8) echo 3 ;;
  resnet_v1_50:1) echo 10 ;;
  resnet_v1_50:8) echo 5 ;;
  mobilenet_v1:1) echo 30 ;;
  mobilenet_v1:8) echo 10 ;;
  esac
}
# (batch threads) configurations: batch 1 on one and both cores, batch 8 on both.
configs="1:1 1:2 8:2"

if [ "${ORT:-}" = make ] && [ ! -x "$ort_venv/bin/python" ]; then
  python3 -m venv "$ort_venv"
  "$ort_venv/bin/pip" install -q --disable-pip-version-check "onnxruntime==1.32.0" \
    "tf2onnx==1.17.0" "onnx==1.17.0" "tensorflow-cpu==2.12.1" "tf-slim==1.1.0" \
    "numpy==1.24.3"
fi
have_ort=0
if [ -x "$ort_venv/bin/python" ] &&
  "$ort_venv/bin/python" -c 'import onnxruntime, tf2onnx, onnx, tf_slim' 2>/dev/null; then
  have_ort=1
fi
# How each net's ONNX file is made: "direct" (bench/onnx_export.py) or "tf2onnx".
onnx_via() {
  case "$1" in
  vgg_16) echo direct ;;
  *) echo tf2onnx ;;
  esac
}
onnx_how() {
  local net direct="" conv=""
  for net in $nets; do
    if [ "$(onnx_via "$net")" = direct ]; then direct+=" $net"; else conv+=" $net"; fi
  done
  [ -n "$direct" ] && printf '%s written directly by bench/onnx_export.py %s' "${direct# }" \
    "(TF-Slim net + the TF session's weights, checked against TF)"
  [ -n "$direct" ] && [ -n "$conv" ] && printf '; '
  [ -n "$conv" ] && printf '%s' "${conv# } converted by tf2onnx from the frozen graph (opset 13)"
  echo
}

run() {
  local py
  py=$(bash "$repo/scripts/tf-venv.sh")/bin/python
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" \
    "| $(nproc) cpus | $(uname -r)"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "${CC:-gcc}" -O2 -march=native "$here/peak.c" -o "$build/peak" -lpthread
  local p1 p2
  p1=$("$build/peak" 1 5)
  p2=$("$build/peak" 2 3)
  echo "# peak 1 thread:  $p1"
  echo "# peak 2 threads: $p2"
  local core
  core=$(sed -n 's/.*peak_gflops_per_cpu_second=\([0-9.]*\).*/\1/p' <<<"$p1")
  echo "# peak used for %: $core GFLOP/s per core x threads"
  [ "$have_ort" = 1 ] && echo "# ORT: $("$ort_venv/bin/python" -c \
    'import onnxruntime, tf2onnx, onnx; print("onnxruntime", onnxruntime.__version__, "tf2onnx", tf2onnx.__version__, "onnx", onnx.__version__)')"
  [ "$have_ort" = 1 ] && echo "# ONNX files: $(onnx_how)"

  local rows=()
  for net in $nets; do
    for b in 1 8; do
      local so=$build/${net}_b$b.so
      "$slimc" "$repo/examples/$(slim_file "$net")" -I "$repo/examples" \
        --batch "$b" -o "$so"
      local summary macs arena
      summary=$("$slimc" "$repo/examples/$(slim_file "$net")" \
        -I "$repo/examples" --batch "$b" --summary)
      macs=$(sed -n 's/^MACs per run: *\([0-9,]*\).*/\1/p' <<<"$summary" | tr -d ,)
      arena=$(sed -n 's/^Activation arena: *\([0-9,]*\).*/\1/p' <<<"$summary" | tr -d ,)
      echo "# $net batch $b: MACs $macs, activation arena $arena bytes"
      # The runtime's accounting after freeze (weights held once) and the
      # process's resident memory beside it.
      "$slimrun" "$so" --init-seed 1 --memory 2>/dev/null |
        sed -n "s/^memory: /# $net batch $b memory: /p"
      local onnx=$build/${net}_b$b.onnx
      if [ "$have_ort" = 1 ] && [ -s "$onnx" ]; then
        echo "# reusing $onnx"
      elif [ "$have_ort" = 1 ] && [ "$(onnx_via "$net")" = direct ]; then
        local e
        if e=$("$ort_venv/bin/python" "$here/onnx_export.py" "$net" --batch "$b" \
          --onnx "$onnx" 2>&1); then
          echo "# $(grep '^onnx_export' <<<"$e")"
        else
          echo "# ONNX export of $net batch $b failed: $(tail -n1 <<<"$e")"
          rm -f "$onnx"
        fi
      elif [ "$have_ort" = 1 ]; then
        "$ort_venv/bin/python" "$here/tf_bench.py" "$net" --batch "$b" \
          --onnx "$onnx" >/dev/null 2>&1 || {
          echo "# ONNX export of $net batch $b (tf2onnx) failed"
          rm -f "$onnx"
        }
      fi
      for c in $configs; do
        [ "${c%%:*}" = "$b" ] || continue
        local t=${c##*:} n
        n=$(runs_for "$net" "$b")
        local s tfl sl tl ol=-
        s=$("$slimrun" "$so" --init-seed 1 --bench "$n" --warmup 1 \
          --threads "$t" 2>/dev/null)
        sl=$(sed -n 's/.*median \([0-9.]*\).*/\1/p' <<<"$s")
        echo "# slimc $net b$b t$t: $(grep latency <<<"$s")"
        tfl=$("$py" "$here/tf_bench.py" "$net" --batch "$b" --threads "$t" \
          --runs "$n" --warmup 1)
        echo "# $tfl"
        tl=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$tfl")
        if [ "$have_ort" = 1 ] && [ -s "$onnx" ]; then
          local o
          o=$("$ort_venv/bin/python" "$here/ort_bench.py" "$onnx" \
            --threads "$t" --runs "$n" --warmup 1)
          echo "# $o"
          ol=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$o")
        fi
        rows+=("$net $b $t $n $sl $tl $ol $macs")
      done
    done
  done

  echo
  printf '%-13s %5s %7s %5s %10s %10s %8s %10s %8s %8s %6s\n' net batch \
    threads runs slimc_ms tf_ms tf/slimc ort_ms ort/slimc GFLOP/s %peak
  for r in "${rows[@]}"; do
    awk -v core="$core" '{
      g = 2 * $8 / ($5 * 1e6)
      ort = ($7 == "-") ? "-" : sprintf("%.1f", $7)
      ortr = ($7 == "-") ? "-" : sprintf("%.2f", $7 / $5)
      printf "%-13s %5d %7d %5d %10.1f %10.1f %8.2f %10s %8s %8.1f %5.0f%%\n",
        $1, $2, $3, $4, $5, $6, $6 / $5, ort, ortr, g, 100 * g / (core * $3)
    }' <<<"$r"
  done
  echo "# ratios > 1: slimc is faster than the peer"

  # Per-layer profile of VGG-16 batch 1.
  if [[ " $nets " == *" vgg_16 "* ]]; then
    for t in 1 2; do
      echo
      echo "# VGG-16 batch 1, $t thread(s), slimrun --profile (3 runs)"
      "$slimrun" "$build/vgg_16_b1.so" --init-seed 1 --bench 3 --warmup 1 \
        --threads "$t" --profile 2>/dev/null |
        awk -v peak="$(awk -v c="$core" -v t="$t" 'BEGIN{print c*t}')" '
          $(NF-1) !~ /%$/ || $1 == "total" { next }
          $2 ~ /^conv2d/ || $2 ~ /^depthwise/ {
            ms = $(NF-2); g = $NF; op = $2
            for (i = 3; i <= NF - 3; i++) op = op " " $i
            printf "%-28s %-26s %9.2f ms %8.1f GFLOP/s %5.0f%%\n", $1, op, ms, g, 100*g/peak
            if ($1 ~ /\/conv[1-5]\//) { t3 += ms; f3 += ms * g }
            if ($1 ~ /\/fc[678]$/) { tf += ms; ff += ms * g }
            next
          }
          { other += $(NF-2) }
          END {
            printf "%-55s %9.2f ms %8.1f GFLOP/s %5.0f%%\n", "all 3x3 convs (conv1_1..conv5_3)", t3, f3/t3, 100*f3/t3/peak
            printf "%-55s %9.2f ms %8.1f GFLOP/s %5.0f%%\n", "fc6..fc8", tf, ff/tf, 100*ff/tf/peak
            printf "%-55s %9.2f ms\n", "everything else (pools, layout)", other
          }'
    done
  fi
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

if [ -n "${OUT:-}" ]; then
  run | tee "$OUT"
else
  run
fi
