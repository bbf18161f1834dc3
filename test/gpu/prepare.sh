#!/usr/bin/env bash
# Prepares, on a machine with slimc (LLVM/MLIR) but no GPU, everything the
# GPU machine needs for test/gpu/run.sh and bench/gpu.sh, into one
# git-ignored folder (default: gpu-pack/ in the repository) small enough to
# carry (the .cu sources, not the libraries: the GPU machine has nvcc but no
# MLIR, and builds them there):
#   PACK/nets/NAME.bB.cu    slimc --target=cuda --emit=cu, every net of
#                           test/gpu/nets.txt at batch 1 and 8
#   PACK/nets/NAME.bB.ref/  its outputs from the CPU library of the same
#                           model (fast kernels, conformant with TensorFlow),
#                           weights from --init-seed 1 and slimrun's fixed
#                           pseudo-random inputs, both reproducible there
#   PACK/bench/NAME.bB.PREC.cu  VGG-16, ResNet-50 v1, MobileNet-v1 at batch 1
#                           and 64 for bench/gpu.sh (fp32, plus the reduced
#                           precisions slimc --precision offers)
#   PACK/bench/macs.txt     MACs per image of each bench net (slimc --summary)
#   PACK/MANIFEST           commit, date, slimc flags
# Usage: test/gpu/prepare.sh [PACK]     (SLIMC/SLIMRUN override the tools)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
pack=${1:-$repo/gpu-pack}
slimc=${SLIMC:-$repo/build/bin/slimc}
slimrun=${SLIMRUN:-$repo/build/bin/slimrun}
for tool in "$slimc" "$slimrun"; do
  [ -x "$tool" ] || { echo "prepare.sh: $tool not built (bash scripts/build.sh)" >&2; exit 1; }
done
rm -rf "$pack"
mkdir -p "$pack/nets" "$pack/bench"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

while IFS='|' read -r name file flags; do
  case "$name" in ''|'#'*) continue ;; esac
  for b in 1 8; do
    f=${flags//@B@/$b}
    batch=()
    [ -z "$f" ] && batch=(--batch "$b")
    # shellcheck disable=SC2086
    "$slimc" "$repo/examples/$file" -I "$repo/examples" "${batch[@]}" $f \
      --target=cuda --emit=cu -o "$pack/nets/$name.b$b.cu"
    # shellcheck disable=SC2086
    "$slimc" "$repo/examples/$file" -I "$repo/examples" "${batch[@]}" $f \
      -o "$tmp/$name.b$b.so"
    "$slimrun" "$tmp/$name.b$b.so" --init-seed 1 \
      --output-dir "$pack/nets/$name.b$b.ref" >/dev/null 2>&1
    echo "prepared $name batch $b"
  done
done < "$repo/test/gpu/nets.txt"

precisions="fp32"
if "$slimc" --help 2>/dev/null | grep -q -- '--precision'; then
  precisions="fp32 tf32 bf16 fp16"
fi
for spec in vgg_16:vgg_16.slim resnet_v1_50:resnet_v1.slim mobilenet_v1:mobilenet_v1.slim; do
  name=${spec%%:*} file=${spec#*:}
  macs=$("$slimc" "$repo/examples/$file" -I "$repo/examples" --target=cuda --summary |
    sed -n 's/^MACs per run: *\([0-9,]*\).*/\1/p' | tr -d ,)
  echo "$name $macs" >> "$pack/bench/macs.txt"
  for b in 1 64; do
    for p in $precisions; do
      pflag=()
      [ "$p" != fp32 ] && pflag=(--precision="$p")
      "$slimc" "$repo/examples/$file" -I "$repo/examples" --batch "$b" \
        --target=cuda "${pflag[@]}" --emit=cu -o "$pack/bench/$name.b$b.$p.cu"
    done
  done
  echo "prepared bench $name ($precisions)"
done

{
  echo "commit $(git -C "$repo" rev-parse HEAD)$(git -C "$repo" diff --quiet || echo ' (dirty)')"
  echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host $(lscpu | sed -n 's/^Model name: *//p')"
  echo "precisions $precisions"
} > "$pack/MANIFEST"
du -sh "$pack"
