#!/usr/bin/env bash
# GPU benchmark of issue 10, on the machine with the GPU, in one run:
#   - the GPU's measured FP32 FMA peak and copy bandwidth (bench/gpu_peak.cu),
#   - VGG-16, ResNet-50 v1 and MobileNet-v1 compiled by slimc --target=cuda
#     at batch 1 and 64 (slimrun --bench, medians): replayed as a CUDA Graph
#     (the default) and launched eagerly (SLIM_CUDA_GRAPHS=0),
#   - the same nets in PyTorch with cuDNN (bench/gpu_torch.py: channels_last,
#     cudnn.benchmark, same precision; eager and CUDA-graph latency),
# and prints one table: medians, ratios and achieved TFLOP/s (2 x MACs per
# image from slimc --summary x batch / median) against the measured peak.
# slimrun's times include copying the input to the device and the output
# back (pageable memory); PyTorch's input already lives on the device. The
# slimc column is therefore the conservative one.
#
# Usage: bench/gpu.sh [PACK]  (PACK from test/gpu/prepare.sh; test/gpu/run.sh
#        calls this after its numerics with LIBS set to the built libraries)
# Environment: SLIMRUN, LIBS (default PACK/lib; .so files are built from
#   PACK/bench/*.cu with nvcc if missing), ITERS (default 50).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
pack=${1:-$repo/gpu-pack}
libs=${LIBS:-$pack/lib}
slimrun=${SLIMRUN:-$repo/build-gpu/bin/slimrun}
iters=${ITERS:-50}
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== GPU benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv,noheader 2>/dev/null
"$nvcc" -O3 -arch=sm_80 -o "$tmp/gpu_peak" "$repo/bench/gpu_peak.cu" || exit 1
"$tmp/gpu_peak" | tee "$tmp/peak.txt"
peak=$(awk '/^peak_fp32_tflops/ {print $2}' "$tmp/peak.txt")

mkdir -p "$libs"
printf '\n%-14s %-5s %-5s %10s %10s %10s %10s %8s %8s %8s\n' net batch prec \
  slimc_ms slimc_eager torch_ms torch_graph slimc/pt TFLOP/s %peak
for cu in "$pack"/bench/*.cu; do
  n=$(basename "$cu" .cu)           # NAME.bB.PREC
  prec=${n##*.} rest=${n%.*} b=${rest##*.b} net=${rest%.b*}
  so=$libs/$n.so
  if [ ! -f "$so" ]; then
    "$nvcc" -std=c++17 -O3 -shared -Xcompiler -fPIC -Xcompiler -fvisibility=hidden -cudart static \
      -gencode arch=compute_80,code=sm_80 \
      -gencode "arch=compute_90,code=[sm_90,compute_90]" \
      -I "$repo/runtime/include" "$cu" -o "$so" 2> "$tmp/$n.nvcc" ||
      { echo "$n: nvcc failed: $(head -c 400 "$tmp/$n.nvcc")"; continue; }
  fi
  med() { sed -n 's/^latency.*median \([0-9.]*\).*/\1/p'; }
  g=$("$slimrun" "$so" --init-seed 1 --bench "$iters" 2>/dev/null | med)
  e=$(SLIM_CUDA_GRAPHS=0 "$slimrun" "$so" --init-seed 1 --bench "$iters" 2>/dev/null | med)
  t=$(python3 "$repo/bench/gpu_torch.py" --net "$net" --batch "$b" \
        --precision "$prec" --iters "$iters" 2>/dev/null | tail -1)
  te=$(echo "$t" | sed -n 's/.*"eager_ms": \([0-9.]*\).*/\1/p')
  tg=$(echo "$t" | sed -n 's/.*"graph_ms": \([0-9.]*\).*/\1/p')
  macs=$(awk -v n="$net" '$1 == n {print $2}' "$pack/bench/macs.txt")
  awk -v net="$net" -v b="$b" -v p="$prec" -v g="${g:-nan}" -v e="${e:-nan}" \
      -v te="${te:-nan}" -v tg="${tg:-nan}" -v macs="${macs:-0}" -v peak="${peak:-0}" 'BEGIN {
    tf = (g > 0) ? 2 * macs * b / (g * 1e-3) / 1e12 : 0
    printf "%-14s %-5s %-5s %10s %10s %10s %10s %8.2f %8.2f %7.1f%%\n", net, b, p, g, e, te, tg,
      (te > 0 && g > 0) ? g / te : 0, tf, (peak > 0) ? 100 * tf / peak : 0 }'
done
echo "(slimc/pt = slimc graph latency / PyTorch eager latency; below 1 is slimc faster."
echo " %peak is against the measured FP32 peak, also for reduced precisions.)"
