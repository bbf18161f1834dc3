//===- slim/cuda/kernels.cuh - Every CUDA kernel of slimc -------*- C++ -*-===//
//
// The one header a generated .cu file includes. Each launcher takes a params
// struct (or plain sizes), device pointers and a stream, enqueues its work
// and returns the launch error; see docs/cuda-kernels.md.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_KERNELS_CUH
#define SLIM_CUDA_KERNELS_CUH

#include "slim/cuda/arith.cuh"
#include "slim/cuda/conv2d.cuh"
#include "slim/cuda/conv3d.cuh"
#include "slim/cuda/depthwise.cuh"
#include "slim/cuda/eltwise.cuh"
#include "slim/cuda/fully_connected.cuh"
#include "slim/cuda/group_norm.cuh"
#include "slim/cuda/pool.cuh"
#include "slim/cuda/reduce.cuh"
#include "slim/cuda/spatial.cuh"
#include "slim/cuda/tensor_core.cuh"

#endif // SLIM_CUDA_KERNELS_CUH
