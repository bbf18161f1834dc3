//===- bench/pool_ab_variant.cpp - One thread-pool version for pool_ab ----===//
//
// Compiled twice by bench/pool_ab.sh, each time against one version's
// runtime/src with -Dslimrt=slimrt_A or _B and -DVNAME=A or B, so both
// versions of the runtime's pool live in one process.
//
//===----------------------------------------------------------------------===//
#include "thread_pool.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME(x) CAT(x, CAT(_, VNAME))

extern "C" void *NAME(pool_create)(int threads) {
  return new slimrt::ThreadPool(threads);
}

extern "C" void NAME(pool_run)(void *pool, int64_t n, int64_t grain,
                               slim_task_fn fn, void *ctx) {
  static_cast<slimrt::ThreadPool *>(pool)->parallelFor(n, grain, fn, ctx, 0);
}

extern "C" void NAME(pool_destroy)(void *pool) {
  delete static_cast<slimrt::ThreadPool *>(pool);
}
