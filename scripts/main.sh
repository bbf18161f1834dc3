#!/usr/bin/env bash
# The main job: build slimc, compile TF-Slim model files to shared libraries,
# and classify an image with the embedding example.
#   1. the seed document's VGG-16 (examples/vgg16.slim): its variables, its
#      layer summary, and `slimc examples/vgg16.slim -o vgg16.so`;
#   2. TF-Slim's vgg_16 (examples/vgg_16.slim) compiled the same way, given
#      weights, and used by examples/embed to classify an image.
# No pretrained checkpoint can be downloaded here, so the weights come from
# the model's own initializers (seed 1): the pipeline is real, the top-5 is
# not meaningful. With the TF-Slim zoo's vgg_16.ckpt, pass it instead:
#   build/bin/slim-embed-example out/vgg_16.so vgg_16.ckpt IMAGE --preprocess vgg
# Usage: scripts/main.sh [build-dir] [image]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
image=${2:-$root/test/runtime/fixtures/image.png}

bash "$root/scripts/build.sh" "$build" >&2
bin="$build/bin"
out="$root/out"
mkdir -p "$out"

echo "== slimc examples/vgg16.slim --emit=variables"
"$bin/slimc" "$root/examples/vgg16.slim" --emit=variables
echo "== slimc examples/vgg16.slim --summary"
"$bin/slimc" "$root/examples/vgg16.slim" --summary
echo "== slimc examples/vgg16.slim -o out/vgg16.so"
"$bin/slimc" "$root/examples/vgg16.slim" -o "$out/vgg16.so" -v

echo "== slimc examples/vgg_16.slim -o out/vgg_16.so"
"$bin/slimc" "$root/examples/vgg_16.slim" -I "$root/examples" -o "$out/vgg_16.so" -v
echo "== slimrun: initialize vgg_16's variables (seed 1), save a safetensors checkpoint"
"$bin/slimrun" "$out/vgg_16.so" --init-seed 1 --save-checkpoint "$out/vgg_16.safetensors" \
  --bench 3 --warmup 1
echo "== slim-embed-example: classify $image"
"$bin/slim-embed-example" "$out/vgg_16.so" "$out/vgg_16.safetensors" "$image" --preprocess vgg
