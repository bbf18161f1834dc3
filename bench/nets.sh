#!/usr/bin/env bash
# Whole-network benchmark (issues 5, 13): in one run on this machine it measures
#   - the peak FP32 FMA rate (bench/peak.c) for 1 and 2 threads,
#   - the streaming memory read bandwidth (bench/bandwidth.c) for 1 and 2
#     threads over 1 GiB (the % of bandwidth below) and over 64 MiB,
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
#   - optionally OpenVINO (bench/ov_bench.py) on the same ONNX files, when
#     the same venv also holds openvino: f32 inference precision, the same
#     thread count, latency mode with one stream,
# and prints one table: latency medians, ratios, achieved GFLOP/s
# (2 * MACs from `slimc --summary` / median time) and fraction of peak.
# Every ONNX file is written with TensorFlow's logits for the fixed input
# (bench/tf_ref.py); ORT and OpenVINO check their output against them first
# (max |peer - TF| <= 1e-4 max |logit|) and a peer that disagrees gets no
# column for that row.
# Then it profiles VGG-16 batch 1 per layer (slimrun --profile) and prints
# GFLOP/s and % of peak for every conv layer and for all 3x3 convs together,
# and for fc6-fc8 (memory-bound at batch 1: every weight is read once per
# run) the weight bytes streamed per second and % of the 1 GiB bandwidth.
#
# Usage: bench/nets.sh            (about 15 minutes on the 2-core VM)
# Environment:
#   SLIMC, SLIMRUN  the tools (default /work/build/bin/{slimc,slimrun},
#                   else build/bin/ in the repository)
#   BUILD_DIR       scratch directory (default /tmp/slim-nets-bench)
#   NETS            subset, e.g. "vgg_16 mobilenet_v1" (default: all three)
#   ORT_VENV        the peers' venv: onnxruntime, tf2onnx, onnx, openvino and
#                   the TF of scripts/tf-venv.sh (default /tmp/slim-ort-venv;
#                   used only if it exists; ORT=make creates it, or installs
#                   what it lacks, e.g. openvino into an older ORT venv)
#   OV              OV=0 leaves OpenVINO out even when the venv has it
#   OUT             a file to tee everything into
#
# Fraction of peak: achieved GFLOP/s divided by (threads x the single-core
# peak per CPU second). The machine is a shared VM; the peak per CPU second is
# the core's own speed, while the wall-clock peaks printed at the top show how
# much of the machine other jobs left us during this run. Not part of CI.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
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

peer_packages=("onnxruntime==1.32.0" "tf2onnx==1.17.0" "onnx==1.17.0"
  "openvino==2026.4.1" "tensorflow-cpu==2.12.1" "tf-slim==1.1.0" "numpy==1.24.3")
if [ "${ORT:-}" = make ] && ! "$ort_venv/bin/python" -c \
  'import onnxruntime, tf2onnx, onnx, openvino, tf_slim' 2>/dev/null; then
  [ -x "$ort_venv/bin/python" ] || python3 -m venv "$ort_venv"
  "$ort_venv/bin/pip" install -q --disable-pip-version-check "${peer_packages[@]}"
fi
have_ort=0 have_ov=0
if [ -x "$ort_venv/bin/python" ] &&
  "$ort_venv/bin/python" -c 'import onnxruntime, tf2onnx, onnx, tf_slim' 2>/dev/null; then
  have_ort=1
  if [ "${OV:-1}" != 0 ] && "$ort_venv/bin/python" -c 'import openvino' 2>/dev/null; then
    have_ov=1
  fi
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
  bench_header
  "${CC:-gcc}" -O2 -march=native "$here/bandwidth.c" -o "$build/bandwidth" -lpthread
  bench_peak "$build" 2
  local core=$bench_core_peak
  echo "# peak used for %: $core GFLOP/s per core x threads"
  # Memory read bandwidth: 1 GiB (far beyond L3) is what fc6-fc8 are judged
  # against; 64 MiB beside it for context: on a shared VM the shorter runs
  # meet less of the co-runners' memory traffic (docs/performance.md).
  local bw1 bw2 b
  for t in 1 2; do
    b=$("$build/bandwidth" "$t" 7 1024)
    echo "# bandwidth $t thread(s), 1 GiB:  $b"
    echo "# bandwidth $t thread(s), 64 MiB: $("$build/bandwidth" "$t" 7 64)"
    b=$(sed -n 's/.*best_gbs=\([0-9.]*\).*/\1/p' <<<"$b")
    if [ "$t" = 1 ]; then bw1=$b; else bw2=$b; fi
  done
  # Two threads can always read at least as fast as one (one could idle): a
  # lower 2-thread figure means another job held a core during the probe.
  bw2=$(awk -v a="$bw1" -v b="$bw2" 'BEGIN { print (b > a) ? b : a }')
  echo "# bandwidth used for %: $bw1 GB/s (1 thread), $bw2 GB/s (2 threads: the larger of the" \
    "1- and 2-thread figures), best of 7 over 1 GiB"
  [ "$have_ort" = 1 ] && echo "# ORT: $("$ort_venv/bin/python" -c \
    'import onnxruntime, tf2onnx, onnx; print("onnxruntime", onnxruntime.__version__, "tf2onnx", tf2onnx.__version__, "onnx", onnx.__version__)')"
  [ "$have_ov" = 1 ] && echo "# OpenVINO: $("$ort_venv/bin/python" -c \
    'import openvino; print(openvino.__version__)') (CPU plugin, INFERENCE_PRECISION_HINT=f32, INFERENCE_NUM_THREADS=threads, PERFORMANCE_HINT=LATENCY, NUM_STREAMS=1)"
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
      # The ONNX file and TensorFlow's logits for the fixed input (ref).
      local onnx=$build/${net}_b$b.onnx ref=$build/${net}_b$b.tf.npz
      if [ "$have_ort" = 1 ] && [ -s "$onnx" ] && [ -s "$ref" ]; then
        echo "# reusing $onnx"
      elif [ "$have_ort" = 1 ] && [ "$(onnx_via "$net")" = direct ]; then
        local e
        if e=$("$ort_venv/bin/python" "$here/onnx_export.py" "$net" --batch "$b" \
          --onnx "$onnx" --ref "$ref" 2>&1); then
          echo "# $(grep '^onnx_export' <<<"$e")"
        else
          echo "# ONNX export of $net batch $b failed: $(tail -n1 <<<"$e")"
          rm -f "$onnx" "$ref"
        fi
      elif [ "$have_ort" = 1 ]; then
        "$ort_venv/bin/python" "$here/tf_bench.py" "$net" --batch "$b" \
          --onnx "$onnx" --ref "$ref" >/dev/null 2>&1 || {
          echo "# ONNX export of $net batch $b (tf2onnx) failed"
          rm -f "$onnx" "$ref"
        }
      fi
      for c in $configs; do
        [ "${c%%:*}" = "$b" ] || continue
        local t=${c##*:} n
        n=$(runs_for "$net" "$b")
        # Wall-clock medians (sl tl ol vl) and CPU-time medians (sc tc oc vc).
        local s tfl sl tl ol=- vl=- sc tc oc=- vc=- pc
        s=$("$slimrun" "$so" --init-seed 1 --bench "$n" --warmup 1 \
          --threads "$t" 2>/dev/null)
        sl=$(sed -n 's/^latency.*median \([0-9.]*\).*/\1/p' <<<"$s")
        sc=$(sed -n 's/^cpu ms: median \([0-9.]*\).*/\1/p' <<<"$s")
        echo "# slimc $net b$b t$t: $(grep latency <<<"$s"); cpu ms median $sc"
        tfl=$("$py" "$here/tf_bench.py" "$net" --batch "$b" --threads "$t" \
          --runs "$n" --warmup 1)
        echo "# $tfl"
        tl=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$tfl")
        tc=$(sed -n 's/.*cpu_ms=\([0-9.]*\).*/\1/p' <<<"$tfl")
        # A peer whose output disagrees with TF's exits 1: no column.
        local o peer
        for peer in ort ov; do
          if [ "$have_ort" = 0 ] || [ ! -s "$onnx" ] ||
            { [ "$peer" = ov ] && [ "$have_ov" = 0 ]; }; then
            break
          fi
          if o=$("$ort_venv/bin/python" "$here/${peer}_bench.py" "$onnx" \
            --threads "$t" --runs "$n" --warmup 1 --ref "$ref" 2>&1); then
            echo "# $o"
            pc=$(sed -n 's/.*cpu_ms=\([0-9.]*\).*/\1/p' <<<"$o")
            o=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$o")
          else
            echo "# $peer rejected: $(tail -n1 <<<"$o")"
            o=- pc=-
          fi
          if [ "$peer" = ort ]; then ol=$o oc=$pc; else vl=$o vc=$pc; fi
        done
        rows+=("$net $b $t $n $sl $tl $ol $vl $macs $sc $tc $oc $vc")
      done
    done
  done

  echo
  printf '%-13s %5s %7s %5s %10s %10s %8s %10s %9s %10s %8s %8s %6s\n' net batch \
    threads runs slimc_ms tf_ms tf/slimc ort_ms ort/slimc ov_ms ov/slimc GFLOP/s %peak
  for r in "${rows[@]}"; do
    awk -v core="$core" '
      function ms(x) { return x == "-" ? "-" : sprintf("%.1f", x) }
      function ratio(x) { return x == "-" ? "-" : sprintf("%.2f", x / $5) }
      {
        g = 2 * $9 / ($5 * 1e6)
        printf "%-13s %5d %7d %5d %10.1f %10.1f %8.2f %10s %9s %10s %8s %8.1f %5.0f%%\n",
          $1, $2, $3, $4, $5, $6, $6 / $5, ms($7), ratio($7), ms($8), ratio($8), g,
          100 * g / (core * $3)
      }' <<<"$r"
  done
  echo "# ratios > 1: slimc is faster than the peer"
  # The same runs by process CPU time (all threads, median per run): on a
  # shared machine this is the work each peer did, whatever share of the
  # cores it got. Spinning or idle-polling worker threads count too, so the
  # 2-thread rows overstate a peer whose workers spin while waiting.
  echo
  echo "# CPU time per run (process, all threads; medians of the same runs)"
  printf '%-13s %5s %7s %10s %10s %8s %10s %9s %10s %8s\n' net batch threads \
    slimc_cpu tf_cpu tf/slimc ort_cpu ort/slimc ov_cpu ov/slimc
  for r in "${rows[@]}"; do
    awk '
      function ms(x) { return x == "-" ? "-" : sprintf("%.1f", x) }
      function ratio(x) { return (x == "-" || $10 == 0) ? "-" : sprintf("%.2f", x / $10) }
      {
        printf "%-13s %5d %7d %10.1f %10.1f %8s %10s %9s %10s %8s\n",
          $1, $2, $3, $10, $11, ratio($11), ms($12), ratio($12), ms($13), ratio($13)
      }' <<<"$r"
  done

  # Per-layer profile of VGG-16 batch 1.
  if [[ " $nets " == *" vgg_16 "* ]]; then
    for t in 1 2; do
      echo
      echo "# VGG-16 batch 1, $t thread(s), slimrun --profile (3 runs)"
      "$slimrun" "$build/vgg_16_b1.so" --init-seed 1 --bench 3 --warmup 1 \
        --threads "$t" --profile 2>/dev/null |
        awk -v peak="$(awk -v c="$core" -v t="$t" 'BEGIN{print c*t}')" \
          -v bw="$(if [ "$t" = 1 ]; then echo "$bw1"; else echo "$bw2"; fi)" '
          # fc layers at batch 1 read each f32 weight once: weight bytes =
          # 4 x MACs = 2 x flops, so GB/s = 2 x GFLOP/s.
          $(NF-1) !~ /%$/ || $1 == "total" { next }
          $2 ~ /^conv2d/ || $2 ~ /^depthwise/ {
            ms = $(NF-2); g = $NF; op = $2
            for (i = 3; i <= NF - 3; i++) op = op " " $i
            if ($1 ~ /\/fc[678]$/) {
              printf "%-28s %-26s %9.2f ms %8.1f GB/s    %5.0f%% of bandwidth (%.0f MB of weights)\n",
                $1, op, ms, 2*g, 100*2*g/bw, 2*g*ms
              tf += ms; ff += ms * g
              next
            }
            printf "%-28s %-26s %9.2f ms %8.1f GFLOP/s %5.0f%% of peak\n", $1, op, ms, g, 100*g/peak
            if ($1 ~ /\/conv[1-5]\//) { t3 += ms; f3 += ms * g }
            next
          }
          { other += $(NF-2) }
          END {
            printf "%-55s %9.2f ms %8.1f GFLOP/s %5.0f%% of peak\n", "all 3x3 convs (conv1_1..conv5_3)", t3, f3/t3, 100*f3/t3/peak
            printf "%-55s %9.2f ms %8.1f GB/s    %5.0f%% of bandwidth\n", "fc6..fc8", tf, 2*ff/tf, 100*2*ff/tf/bw
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
