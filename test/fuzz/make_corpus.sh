#!/usr/bin/env bash
# Makes the seed corpora of the fuzz targets with the project's own files and
# tools: model files from the repository, checkpoints written by the runtime
# (slimrun --save-checkpoint, slim-ckpt convert) beside the TensorFlow
# fixtures the runtime tests read, .npy files written by slimrun.
#
#   test/fuzz/make_corpus.sh BUILD OUT
#
# BUILD is a normal (gcc or clang) build of the project with its tests
# (scripts/build.sh); OUT/<target>/ receives each target's seeds.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: make_corpus.sh BUILD OUT}
out=${2:?usage: make_corpus.sh BUILD OUT}
build=$(cd "$build" && pwd)
slimrun=$build/bin/slimrun
ckpt=$build/bin/slim-ckpt
model=$build/test/runtime/models/test_dense.so
fixtures=$root/test/runtime/fixtures
for tool in "$slimrun" "$ckpt" "$model"; do
  [ -e "$tool" ] || { echo "make_corpus: $tool missing: build first (scripts/build.sh)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"/{frontend,safetensors,tf_v1,tf_v2,npy,restore}_fuzzer

# Model files: every .slim of the tests and examples, named by content so
# that reruns do not duplicate them.
find "$root/test" "$root/examples" -name '*.slim' -size -64k -print0 |
  while IFS= read -r -d '' f; do
    cp "$f" "$out/frontend_fuzzer/$(sha1sum "$f" | cut -c1-16).slim"
  done

# Checkpoints the runtime writes: the test model initialized and saved, and
# every fixture converted to safetensors.
"$slimrun" "$model" --init-seed 1 --save-checkpoint "$tmp/saved.safetensors" \
  --output-dir "$tmp/npy" >/dev/null
cp "$tmp/saved.safetensors" "$out/safetensors_fuzzer/saved.safetensors"
cp "$fixtures"/*.safetensors "$out/safetensors_fuzzer/"
for src in "$fixtures"/*_v1*.ckpt "$fixtures"/*_v2/*.index; do
  name=$(basename "$(dirname "$src")")_$(basename "$src" .index)
  "$ckpt" convert "${src%.index}" "$out/safetensors_fuzzer/$name.safetensors" >/dev/null
done

# TensorFlow V1 files as they are; V2 checkpoints packed as tf_v2_fuzzer reads
# them: a 4-byte little-endian index length, the index, the data shard.
cp "$fixtures"/*_v1*.ckpt "$out/tf_v1_fuzzer/"
pack_v2() { # INDEX DATA OUT
  python3 - "$@" <<'PY'
import struct, sys
index = open(sys.argv[1], 'rb').read()
data = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(struct.pack('<I', len(index)) + index + data)
PY
}
for index in "$fixtures"/*_v2/*.index; do
  pack_v2 "$index" "${index%.index}.data-00000-of-00001" \
    "$out/tf_v2_fuzzer/$(basename "$(dirname "$index")").v2"
done

# .npy: slimrun's outputs, plus one file per dtype the reader accepts.
cp "$tmp"/npy/*.npy "$out/npy_fuzzer/"
python3 - "$out/npy_fuzzer" <<'PY'
import struct, sys
def npy(path, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr, '(%s)' % ''.join('%d, ' % d for d in shape) if len(shape) != 1
        else '(%d,)' % shape[0])
    header += ' ' * (63 - (10 + len(header)) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)))
        f.write(header.encode('latin1') + payload)
out = sys.argv[1]
npy(out + '/f8.npy', '<f8', [2, 2], struct.pack('<4d', 1, -2, 3.5, 0))
npy(out + '/i4.npy', '<i4', [3], struct.pack('<3i', 1, -2, 3))
npy(out + '/i8.npy', '<i8', [1, 2], struct.pack('<2q', 7, -9))
npy(out + '/u1.npy', '|u1', [2, 2, 1], bytes([0, 1, 254, 255]))
npy(out + '/scalar.npy', '<f4', [], struct.pack('<f', 0.25))
PY

# restore_fuzzer: byte 0 = format (0 safetensors, 1 V1, 2 V2 packed),
# byte 1 = restore options (see restore_fuzzer.cpp).
prefixed() { # FORMAT OPTIONS FILE OUT
  { printf "\\x$(printf %02x "$1")\\x$(printf %02x "$2")"; cat "$3"; } >"$4"
}
prefixed 0 0 "$tmp/saved.safetensors" "$out/restore_fuzzer/saved"
prefixed 0 1 "$fixtures/dense_expected.safetensors" "$out/restore_fuzzer/dense-st"
prefixed 1 0 "$fixtures/dense_v1.ckpt" "$out/restore_fuzzer/dense-v1"
prefixed 2 0 "$out/tf_v2_fuzzer/dense_v2.v2" "$out/restore_fuzzer/dense-v2"
prefixed 2 16 "$out/tf_v2_fuzzer/dense_scoped_v2.v2" "$out/restore_fuzzer/scoped-v2"

for d in "$out"/*; do
  echo "make_corpus: $(basename "$d"): $(ls "$d" | wc -l) seeds"
done
