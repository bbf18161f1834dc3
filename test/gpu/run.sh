#!/usr/bin/env bash
# The GPU check of issue 10, in one command, on a machine with an NVIDIA GPU,
# nvcc and CMake but no MLIR (the `device` machine): builds the runtime and
# slimrun, builds every prepared .cu into a model library with nvcc, runs
# every zoo net at batch 1 and 8 and compares its outputs with the CPU
# library's (max|gpu - cpu| <= 1e-4 of max|cpu| per output, FP32), then runs
# bench/gpu.sh. Needs the folder test/gpu/prepare.sh writes (on a machine
# with slimc) first. Under 8 minutes on one H100 with 16 cores.
# Usage: test/gpu/run.sh [PACK] [LOG_DIR]   (BENCH=0 skips the benchmark)
# Exit status: nonzero if any net fails or does not build.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
pack=${1:-$repo/gpu-pack}
logdir=${2:-${OUT:-$repo/out}}
mkdir -p "$logdir"
log="$logdir/gpu-run.log"
exec > >(tee "$log") 2>&1
[ -d "$pack/nets" ] || { echo "run.sh: no $pack/nets (run test/gpu/prepare.sh first)"; exit 2; }
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
jobs=$(nproc)
start=$(date +%s)

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"
echo "== pack: $(tr '\n' ' ' < "$pack/MANIFEST")"
echo "== nvcc: $("$nvcc" --version | tail -1)"

build=$repo/build-gpu
cmake -G Ninja -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DSLIMC_BUILD_COMPILER=OFF -DSLIMC_BUILD_TESTS=OFF >/dev/null || exit 1
ninja -C "$build" slimrun >/dev/null || exit 1
slimrun=$build/bin/slimrun

# The same command slimc --target=cuda -o X.so runs (slimc -v prints it).
nvcc_flags=(-std=c++17 -O3 -shared -Xcompiler -fPIC -Xcompiler -fvisibility=hidden -cudart static
  -gencode arch=compute_80,code=sm_80
  -gencode "arch=compute_90,code=[sm_90,compute_90]"
  -I "$repo/runtime/include")
libs=$pack/lib
mkdir -p "$libs"
echo "== building $(ls "$pack"/nets/*.cu "$pack"/bench/*.cu 2>/dev/null | wc -l) model libraries with $jobs jobs"
ls "$pack"/nets/*.cu "$pack"/bench/*.cu 2>/dev/null |
  xargs -P "$jobs" -I{} sh -c 'f={}; n=$(basename "$f" .cu); "$0" "$@" "$f" -o "'"$libs"'/$n.so" 2> "'"$libs"'/$n.log" || echo "BUILD FAILED: $n (see $n.log)"' \
  "$nvcc" "${nvcc_flags[@]}"
echo "== built in $(( $(date +%s) - start )) s"

fail=0
mkdir -p "$logdir/nets"
printf '%-16s %-5s %-8s %s\n' net batch result detail
for cu in "$pack"/nets/*.cu; do
  n=$(basename "$cu" .cu) net=${n%.b*} b=${n##*.b}
  out=$logdir/nets/$n
  rm -rf "$out"
  if [ ! -f "$libs/$n.so" ]; then
    printf '%-16s %-5s %-8s %s\n' "$net" "$b" FAIL "did not build: $(head -c 300 "$libs/$n.log")"
    fail=1; continue
  fi
  if ! "$slimrun" "$libs/$n.so" --init-seed 1 --output-dir "$out" > "$out.log" 2>&1; then
    printf '%-16s %-5s %-8s %s\n' "$net" "$b" FAIL "slimrun: $(tail -1 "$out.log")"
    fail=1; continue
  fi
  if cmp=$(python3 "$repo/test/gpu/compare_max.py" "$pack/nets/$n.ref" "$out"); then
    printf '%-16s %-5s %-8s %s\n' "$net" "$b" ok "$(echo "$cmp" | tr '\n' ';')"
  else
    printf '%-16s %-5s %-8s %s\n' "$net" "$b" FAIL "$(echo "$cmp" | tr '\n' ';')"
    fail=1
  fi
done
echo "== numerics done in $(( $(date +%s) - start )) s: $([ $fail = 0 ] && echo ALL PASS || echo FAILURES)"

if [ "${BENCH:-1}" != 0 ]; then
  SLIMRUN=$slimrun LIBS=$libs bash "$repo/bench/gpu.sh" "$pack" | tee "$logdir/gpu-bench.txt"
fi
echo "== total $(( $(date +%s) - start )) s"
exit $fail
