#!/bin/sh
# Compiles nvcc_compile.cu (every CUDA kernel header) for sm_80 and sm_90.
# Usage: nvcc_compile.sh NVCC SOURCE INCLUDE_DIR OUT_DIR
# Exits 77 (ctest's skip code) with a reason when nvcc is not available.
nvcc=$1 source=$2 include=$3 out=$4
if [ -z "$nvcc" ] || ! [ -x "$nvcc" ]; then
  echo "SKIPPED: nvcc not found (set CUDACXX or put nvcc on PATH and" \
       "reconfigure); the CUDA kernels were not compiled for a GPU"
  exit 77
fi
set -e
for arch in "-arch=sm_80" "-gencode=arch=compute_90,code=sm_90"; do
  echo "$nvcc -std=c++17 $arch -Werror all-warnings -c $source"
  "$nvcc" -std=c++17 "$arch" -Werror all-warnings -I"$include" -c "$source" \
    -o "$out/nvcc_compile.o"
done
echo "nvcc compiled every CUDA kernel for sm_80 and sm_90"
