#!/bin/sh
# Compiles CUDA sources (nvcc_compile.cu: every kernel header; the GPU-only
# test programs) for sm_80 and sm_90, with warnings and register spills as
# errors. Nothing is run.
# Usage: nvcc_compile.sh NVCC INCLUDE_DIR OUT_DIR SOURCE...
# Exits 77 (ctest's skip code) with a reason when nvcc is not available.
nvcc=$1 include=$2 out=$3
shift 3
if [ -z "$nvcc" ] || ! [ -x "$nvcc" ]; then
  echo "SKIPPED: nvcc not found (set CUDACXX or put nvcc on PATH and" \
       "reconfigure); the CUDA kernels were not compiled for a GPU"
  exit 77
fi
set -e
for source in "$@"; do
  for arch in "-arch=sm_80" "-gencode=arch=compute_90,code=sm_90"; do
    echo "$nvcc -std=c++17 $arch -Werror all-warnings -Xptxas -warn-spills" \
         "-c $source"
    "$nvcc" -std=c++17 "$arch" -Werror all-warnings -Xptxas -warn-spills \
      -I"$include" -c "$source" -o "$out/nvcc_compile.o"
  done
done
echo "nvcc compiled $# source(s) for sm_80 and sm_90 without warnings or" \
     "spills"
