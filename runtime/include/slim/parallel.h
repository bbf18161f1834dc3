/*===- slim/parallel.h - Work-sharing interface between runtime and kernels -===*
 *
 * The runtime owns the thread pool; kernels and generated code only see this
 * table of function pointers, so they never depend on how the pool is built.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLIM_PARALLEL_H
#define SLIM_PARALLEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A task body: processes the half-open index range [begin, end).
typedef void (*slim_task_fn)(void *ctx, int64_t begin, int64_t end);

/// Splits [0, n) into chunks of at least `grain` indices and runs `fn` on
/// them, possibly on several threads; returns when every chunk is done.
/// A null `parallel_for` (or num_threads == 1) means: run serially.
typedef struct slim_parallel {
  void *pool;
  void (*parallel_for)(void *pool, int64_t n, int64_t grain, slim_task_fn fn,
                       void *ctx);
  int num_threads;
} slim_parallel;

/// Runs fn over [0, n) through `par`, or serially when `par` is null or has
/// no pool.
static inline void slim_parallel_run(const slim_parallel *par, int64_t n,
                                     int64_t grain, slim_task_fn fn,
                                     void *ctx) {
  if (n <= 0)
    return;
  if (!par || !par->parallel_for || par->num_threads <= 1) {
    fn(ctx, 0, n);
    return;
  }
  par->parallel_for(par->pool, n, grain, fn, ctx);
}

#ifdef __cplusplus
}
#endif

#endif /* SLIM_PARALLEL_H */
