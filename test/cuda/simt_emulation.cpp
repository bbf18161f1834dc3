//===- simt_emulation.cpp - Fiber scheduler and runtime API emulation -----===//
//
// See simt_emulation.h for what is emulated and what is not.
//
//===----------------------------------------------------------------------===//
#include "simt_emulation.h"

#include <ucontext.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

// The built-in variable macros would rewrite this file's member names.
#undef threadIdx
#undef blockIdx
#undef blockDim
#undef gridDim

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kFiberStackBytes = 64 * 1024;
constexpr size_t kMaxDynamicShared = 48 * 1024;
constexpr size_t kSharedGuardBytes = 256;
constexpr unsigned kWarp = 32;
constexpr uint32_t kPoisonBits = 0x7fc00000u; // a quiet float NaN

thread_local cudaError_t lastError = cudaSuccess;

cudaError_t record(cudaError_t err) {
  if (err != cudaSuccess)
    lastError = err;
  return err;
}

//===----------------------------------------------------------------------===//
// Fibers and the block scheduler
//===----------------------------------------------------------------------===//

enum class FiberState { Runnable, AtBarrier, AtWarpBarrier, Done };

struct Fiber {
  ucontext_t context;
  slim_emu::ThreadCoords coords;
  unsigned linear = 0;
  FiberState state = FiberState::Runnable;
  uint64_t shuffleSlot = 0;
};

/// Stacks survive across blocks and launches: allocating 1024 of them per
/// block would dominate the run time of small kernels.
struct StackPool {
  std::vector<std::unique_ptr<unsigned char[]>> stacks;
  unsigned char *get(size_t i) {
    while (stacks.size() <= i)
      stacks.emplace_back(new unsigned char[kFiberStackBytes]);
    return stacks[i].get();
  }
};

/// The block being run on this OS thread.
struct BlockRun {
  std::vector<Fiber> fibers;
  ucontext_t scheduler;
  const std::function<void()> *kernel = nullptr;
  Fiber *current = nullptr;
  unsigned numThreads = 0;
  unsigned atBarrier = 0;
  std::vector<unsigned> atWarpBarrier;
  unsigned char *shared = nullptr;
  const char *failure = nullptr;
};

thread_local StackPool stackPool;
thread_local BlockRun *running = nullptr;

unsigned warpSizeOf(const BlockRun &run, unsigned warp) {
  unsigned first = warp * kWarp;
  return run.numThreads - first < kWarp ? run.numThreads - first : kWarp;
}

/// Gives control back to the scheduler until the fiber is runnable again.
void yieldToScheduler() {
  Fiber *self = running->current;
  swapcontext(&self->context, &running->scheduler);
}

void fiberEntry() {
  (*running->kernel)();
  running->current->state = FiberState::Done;
  // Returning resumes uc_link, the scheduler.
}

void fail(const char *why) {
  if (!running->failure)
    running->failure = why;
}

/// Runs one block to completion; false if it could not finish.
bool runBlock(BlockRun &run, dim3 grid, dim3 block, uint3 blockIndex) {
  run.numThreads = block.x * block.y * block.z;
  run.fibers.assign(run.numThreads, Fiber());
  run.atBarrier = 0;
  run.atWarpBarrier.assign((run.numThreads + kWarp - 1) / kWarp, 0);
  for (unsigned t = 0; t < run.numThreads; ++t) {
    Fiber &f = run.fibers[t];
    f.linear = t;
    f.coords.threadIdx = {t % block.x, (t / block.x) % block.y,
                          t / (block.x * block.y)};
    f.coords.blockIdx = blockIndex;
    f.coords.blockDim = block;
    f.coords.gridDim = grid;
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stackPool.get(t);
    f.context.uc_stack.ss_size = kFiberStackBytes;
    f.context.uc_link = &run.scheduler;
    makecontext(&f.context, fiberEntry, 0);
  }
  unsigned done = 0;
  while (done < run.numThreads && !run.failure) {
    bool progressed = false;
    for (Fiber &f : run.fibers) {
      if (f.state != FiberState::Runnable)
        continue;
      run.current = &f;
      swapcontext(&run.scheduler, &f.context);
      progressed = true;
      if (f.state == FiberState::Done) {
        ++done;
        if (run.atBarrier)
          fail("a thread exited while others wait at __syncthreads()");
        if (run.atWarpBarrier[f.linear / kWarp])
          fail("a lane exited while its warp waits in a shuffle/__syncwarp");
      }
      if (run.failure)
        break;
    }
    if (!progressed && done < run.numThreads)
      fail("deadlock: no thread of the block can make progress");
  }
  run.current = nullptr;
  return !run.failure;
}

} // namespace

//===----------------------------------------------------------------------===//
// Device-side entry points
//===----------------------------------------------------------------------===//

namespace slim_emu {

const ThreadCoords &coords() { return running->current->coords; }

void failLaunch(const char *why) { fail(why); }

unsigned char *dynamicShared() { return running->shared; }

unsigned laneId() { return running->current->linear % kWarp; }

void syncThreads() {
  BlockRun &run = *running;
  Fiber *self = run.current;
  if (++run.atBarrier == run.numThreads) {
    // Last to arrive: release everyone and keep going.
    run.atBarrier = 0;
    for (Fiber &f : run.fibers)
      if (f.state == FiberState::AtBarrier)
        f.state = FiberState::Runnable;
    return;
  }
  self->state = FiberState::AtBarrier;
  yieldToScheduler();
}

void syncWarp(unsigned mask) {
  BlockRun &run = *running;
  Fiber *self = run.current;
  unsigned warp = self->linear / kWarp;
  unsigned size = warpSizeOf(run, warp);
  unsigned present = size == kWarp ? 0xffffffffu : (1u << size) - 1;
  if ((mask & present) != present) {
    fail("partial-warp masks are not emulated");
    yieldToScheduler();
  }
  if (++run.atWarpBarrier[warp] == size) {
    run.atWarpBarrier[warp] = 0;
    for (unsigned l = 0; l < size; ++l) {
      Fiber &f = run.fibers[warp * kWarp + l];
      if (f.state == FiberState::AtWarpBarrier)
        f.state = FiberState::Runnable;
    }
    return;
  }
  self->state = FiberState::AtWarpBarrier;
  yieldToScheduler();
}

uint64_t shuffle(unsigned mask, uint64_t value, int srcLane) {
  BlockRun &run = *running;
  Fiber *self = run.current;
  unsigned warp = self->linear / kWarp;
  self->shuffleSlot = value;
  syncWarp(mask); // every lane has published
  uint64_t got = value;
  if (srcLane >= 0 && static_cast<unsigned>(srcLane) < warpSizeOf(run, warp))
    got = run.fibers[warp * kWarp + srcLane].shuffleSlot;
  syncWarp(mask); // every lane has read before slots are reused
  return got;
}

namespace {

cudaError_t runGrid(dim3 grid, dim3 block, size_t smemBytes,
                    const std::function<void()> &kernel) {
  std::vector<unsigned char> shared(smemBytes + kSharedGuardBytes);
  BlockRun run;
  run.kernel = &kernel;
  run.shared = shared.data();
  BlockRun *outer = running;
  running = &run;
  cudaError_t err = cudaSuccess;
  for (unsigned bz = 0; bz < grid.z && err == cudaSuccess; ++bz)
    for (unsigned by = 0; by < grid.y && err == cudaSuccess; ++by)
      for (unsigned bx = 0; bx < grid.x && err == cudaSuccess; ++bx) {
        for (size_t i = 0; i + 4 <= shared.size(); i += 4)
          std::memcpy(&shared[i], &kPoisonBits, 4);
        if (!runBlock(run, grid, block, {bx, by, bz})) {
          err = cudaErrorLaunchFailure;
          break;
        }
        for (size_t i = smemBytes; i + 4 <= shared.size(); i += 4)
          if (std::memcmp(&shared[i], &kPoisonBits, 4) != 0) {
            run.failure = "write past the end of dynamic shared memory";
            err = cudaErrorLaunchFailure;
            break;
          }
      }
  if (err != cudaSuccess)
    std::fprintf(stderr, "simt emulation: block failed: %s\n", run.failure);
  running = outer;
  return err;
}

} // namespace

} // namespace slim_emu

//===----------------------------------------------------------------------===//
// Streams, events, graphs
//===----------------------------------------------------------------------===//

struct SlimEmuGraph {
  std::vector<std::function<cudaError_t()>> nodes;
};

struct SlimEmuGraphExec {
  std::vector<std::function<cudaError_t()>> nodes;
};

struct SlimEmuStream {
  SlimEmuGraph *capture = nullptr; ///< Non-null while capturing.
};

struct SlimEmuEvent {
  Clock::time_point when{};
  bool recorded = false;
};

namespace {

SlimEmuStream defaultStream;

SlimEmuStream *streamOf(cudaStream_t stream) {
  return stream ? stream : &defaultStream;
}

/// Runs `op` now, or records it when `stream` is capturing.
cudaError_t enqueue(cudaStream_t stream, std::function<cudaError_t()> op) {
  SlimEmuStream *s = streamOf(stream);
  if (s->capture) {
    s->capture->nodes.push_back(std::move(op));
    return cudaSuccess;
  }
  return record(op());
}

} // namespace

int slim_emu::launch(dim3 grid, dim3 block, size_t smemBytes, void *stream,
                     std::function<void()> kernel) {
  unsigned threads = block.x * block.y * block.z;
  if (!threads || threads > 1024 || block.z > 64 || !grid.x || !grid.y ||
      !grid.z || grid.y > 65535 || grid.z > 65535)
    return record(cudaErrorInvalidConfiguration);
  if (smemBytes > kMaxDynamicShared)
    return record(cudaErrorInvalidValue);
  return enqueue(static_cast<cudaStream_t>(stream),
                 [=]() { return runGrid(grid, block, smemBytes, kernel); });
}

const char *cudaGetErrorName(cudaError_t error) {
  switch (error) {
  case cudaSuccess:
    return "cudaSuccess";
  case cudaErrorInvalidValue:
    return "cudaErrorInvalidValue";
  case cudaErrorMemoryAllocation:
    return "cudaErrorMemoryAllocation";
  case cudaErrorInvalidConfiguration:
    return "cudaErrorInvalidConfiguration";
  case cudaErrorInvalidDevice:
    return "cudaErrorInvalidDevice";
  case cudaErrorNoDevice:
    return "cudaErrorNoDevice";
  case cudaErrorInvalidResourceHandle:
    return "cudaErrorInvalidResourceHandle";
  case cudaErrorStreamCaptureUnsupported:
    return "cudaErrorStreamCaptureUnsupported";
  case cudaErrorStreamCaptureInvalidated:
    return "cudaErrorStreamCaptureInvalidated";
  case cudaErrorLaunchFailure:
    return "cudaErrorLaunchFailure";
  }
  return "cudaErrorUnknown";
}

const char *cudaGetErrorString(cudaError_t error) {
  switch (error) {
  case cudaSuccess:
    return "no error";
  case cudaErrorInvalidValue:
    return "invalid argument";
  case cudaErrorMemoryAllocation:
    return "out of memory";
  case cudaErrorInvalidConfiguration:
    return "invalid configuration argument";
  case cudaErrorInvalidDevice:
    return "invalid device ordinal";
  case cudaErrorNoDevice:
    return "no CUDA-capable device is detected";
  case cudaErrorInvalidResourceHandle:
    return "invalid resource handle";
  case cudaErrorStreamCaptureUnsupported:
    return "operation not permitted when stream is capturing";
  case cudaErrorStreamCaptureInvalidated:
    return "operation failed due to a previous error during capture";
  case cudaErrorLaunchFailure:
    return "unspecified launch failure";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError() {
  cudaError_t err = lastError;
  lastError = cudaSuccess;
  return err;
}

cudaError_t cudaPeekAtLastError() { return lastError; }

cudaError_t cudaGetDeviceCount(int *count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device) {
  if (device != 0)
    return record(cudaErrorInvalidDevice);
  std::memset(prop, 0, sizeof(*prop));
  std::snprintf(prop->name, sizeof(prop->name), "SIMT emulation (host CPU)");
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  prop->totalGlobalMem =
      pages > 0 && pageSize > 0 ? size_t(pages) * size_t(pageSize) : 0;
  prop->sharedMemPerBlock = kMaxDynamicShared;
  prop->maxThreadsPerBlock = 1024;
  // An A100's (CC 8.0): launch heuristics such as split-K see a GPU-sized
  // device, so the tests exercise the paths a GPU takes.
  prop->multiProcessorCount = 108;
  prop->warpSize = kWarp;
  prop->major = 8;
  prop->minor = 0;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  return device == 0 ? cudaSuccess : record(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDevice(int *device) {
  *device = 0;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

cudaError_t cudaMalloc(void **ptr, size_t bytes) {
  *ptr = nullptr;
  if (!bytes)
    return cudaSuccess;
  // The exact size, not rounded up: under AddressSanitizer a kernel reading
  // past the end of its buffer is then caught.
  if (posix_memalign(ptr, 256, bytes) != 0) {
    *ptr = nullptr;
    return record(cudaErrorMemoryAllocation);
  }
  return cudaSuccess;
}

cudaError_t cudaFree(void *ptr) {
  std::free(ptr);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes,
                       cudaMemcpyKind) {
  if (bytes)
    std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemset(void *ptr, int value, size_t bytes) {
  if (bytes)
    std::memset(ptr, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes,
                            cudaMemcpyKind kind, cudaStream_t stream) {
  return enqueue(stream, [=]() { return cudaMemcpy(dst, src, bytes, kind); });
}

cudaError_t cudaMemsetAsync(void *ptr, int value, size_t bytes,
                            cudaStream_t stream) {
  return enqueue(stream, [=]() { return cudaMemset(ptr, value, bytes); });
}

cudaError_t cudaStreamCreate(cudaStream_t *stream) {
  *stream = new SlimEmuStream();
  return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned) {
  return cudaStreamCreate(stream);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  if (!stream)
    return record(cudaErrorInvalidResourceHandle);
  delete stream->capture;
  delete stream;
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (streamOf(stream)->capture)
    return record(cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *event) {
  *event = new SlimEmuEvent();
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete event;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  if (!event)
    return record(cudaErrorInvalidResourceHandle);
  return enqueue(stream, [=]() {
    event->when = Clock::now();
    event->recorded = true;
    return cudaSuccess;
  });
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  return event ? cudaSuccess : record(cudaErrorInvalidResourceHandle);
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start,
                                 cudaEvent_t end) {
  if (!start || !end || !start->recorded || !end->recorded)
    return record(cudaErrorInvalidResourceHandle);
  *ms =
      std::chrono::duration<float, std::milli>(end->when - start->when).count();
  return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode) {
  // The legacy default stream cannot be captured on a GPU either.
  if (!stream || stream->capture)
    return record(cudaErrorStreamCaptureUnsupported);
  stream->capture = new SlimEmuGraph();
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *graph) {
  if (!stream || !stream->capture)
    return record(cudaErrorInvalidValue);
  *graph = stream->capture;
  stream->capture = nullptr;
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph,
                                 unsigned long long) {
  if (!graph)
    return record(cudaErrorInvalidValue);
  *exec = new SlimEmuGraphExec{graph->nodes};
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (!exec)
    return record(cudaErrorInvalidResourceHandle);
  return enqueue(stream, [exec]() {
    for (auto &node : exec->nodes)
      if (cudaError_t err = node(); err != cudaSuccess)
        return err;
    return cudaSuccess;
  });
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete exec;
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete graph;
  return cudaSuccess;
}

size_t slim_emu::graphNodeCount(cudaGraph_t graph) {
  return graph ? graph->nodes.size() : 0;
}
