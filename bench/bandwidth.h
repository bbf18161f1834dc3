/*===- bench/bandwidth.h - Streaming read bandwidth of this machine -------===*
 *
 * The denominator of every "% of bandwidth" the benchmarks print (the
 * memory-bound layers: VGG's fc6-fc8 at batch 1 stream their weights once
 * per run). One probe, shared by bench/bandwidth.c (the command nets.sh runs)
 * and bench/conv_bench.cpp.
 *
 * What it measures: `threads` threads each sum their own contiguous slice of
 * one buffer much larger than the last-level cache (default 1 GiB, L3 here
 * is 32 MiB) with 64-byte (AVX-512) or 32-byte (AVX2) aligned vector loads
 * into 8 independent accumulators, so the loads, not the adds, limit the
 * rate. A run's rate is the buffer's bytes divided by the wall time from the
 * first thread's start to the last thread's end (all threads wait on a
 * barrier first). The buffer is written once before the runs (page faults
 * are not timed) and read `runs` times; the best and the median rate are
 * reported in GB/s (10^9 bytes per second). Best is the machine's own
 * bandwidth (anything else running can only make a run slower), median shows
 * what this run got.
 *
 * Plain C99 and C++17; include it into one translation unit.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLIM_BENCH_BANDWIDTH_H
#define SLIM_BENCH_BANDWIDTH_H

#include <immintrin.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define SLIM_BW_ISA "avx512"
#define SLIM_BW_FLOATS 16
typedef __m512 SlimBwVec;
#define SLIM_BW_ZERO() _mm512_setzero_ps()
#define SLIM_BW_LOAD(p) _mm512_load_ps(p)
#define SLIM_BW_ADD(a, b) _mm512_add_ps(a, b)
#define SLIM_BW_STORE(p, v) _mm512_store_ps(p, v)
#elif defined(__AVX__)
#define SLIM_BW_ISA "avx2"
#define SLIM_BW_FLOATS 8
typedef __m256 SlimBwVec;
#define SLIM_BW_ZERO() _mm256_setzero_ps()
#define SLIM_BW_LOAD(p) _mm256_load_ps(p)
#define SLIM_BW_ADD(a, b) _mm256_add_ps(a, b)
#define SLIM_BW_STORE(p, v) _mm256_store_ps(p, v)
#else
#error "bandwidth.h reads with AVX loads: build with -march=native"
#endif

enum { kSlimBwMaxThreads = 256, kSlimBwMaxRuns = 1000 };

typedef struct {
  double bestGBs, medianGBs;
} SlimBandwidth;

typedef struct {
  const float *begin;
  size_t floats;
  pthread_barrier_t *start;
  double t0, t1;
  float sink;
} SlimBwSlice;

static double slimBwNow(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *slimBwRead(void *arg) {
  SlimBwSlice *s = (SlimBwSlice *)arg;
  pthread_barrier_wait(s->start);
  s->t0 = slimBwNow();
  SlimBwVec a0 = SLIM_BW_ZERO(), a1 = SLIM_BW_ZERO(), a2 = SLIM_BW_ZERO();
  SlimBwVec a3 = SLIM_BW_ZERO(), a4 = SLIM_BW_ZERO(), a5 = SLIM_BW_ZERO();
  SlimBwVec a6 = SLIM_BW_ZERO(), a7 = SLIM_BW_ZERO();
  const float *p = s->begin;
  const size_t step = 8 * SLIM_BW_FLOATS;
  for (size_t i = 0; i + step <= s->floats; i += step) {
    a0 = SLIM_BW_ADD(a0, SLIM_BW_LOAD(p + i));
    a1 = SLIM_BW_ADD(a1, SLIM_BW_LOAD(p + i + SLIM_BW_FLOATS));
    a2 = SLIM_BW_ADD(a2, SLIM_BW_LOAD(p + i + 2 * SLIM_BW_FLOATS));
    a3 = SLIM_BW_ADD(a3, SLIM_BW_LOAD(p + i + 3 * SLIM_BW_FLOATS));
    a4 = SLIM_BW_ADD(a4, SLIM_BW_LOAD(p + i + 4 * SLIM_BW_FLOATS));
    a5 = SLIM_BW_ADD(a5, SLIM_BW_LOAD(p + i + 5 * SLIM_BW_FLOATS));
    a6 = SLIM_BW_ADD(a6, SLIM_BW_LOAD(p + i + 6 * SLIM_BW_FLOATS));
    a7 = SLIM_BW_ADD(a7, SLIM_BW_LOAD(p + i + 7 * SLIM_BW_FLOATS));
  }
  s->t1 = slimBwNow();
  SlimBwVec sum =
      SLIM_BW_ADD(SLIM_BW_ADD(SLIM_BW_ADD(a0, a1), SLIM_BW_ADD(a2, a3)),
                  SLIM_BW_ADD(SLIM_BW_ADD(a4, a5), SLIM_BW_ADD(a6, a7)));
  float out[SLIM_BW_FLOATS] __attribute__((aligned(64)));
  SLIM_BW_STORE(out, sum);
  s->sink = out[0];
  return NULL;
}

static int slimBwCompare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/// Measures the streaming read bandwidth of `threads` threads over `bytes`
/// bytes (rounded down to whole 512-byte steps per thread), `runs` times.
/// Returns 0 and fills *out on success, -1 on bad arguments or no memory.
static int slimMeasureReadBandwidth(int threads, int runs, size_t bytes,
                                    SlimBandwidth *out) {
  if (threads < 1 || threads > kSlimBwMaxThreads || runs < 1 ||
      runs > kSlimBwMaxRuns)
    return -1;
  const size_t step = 8 * SLIM_BW_FLOATS;
  size_t perThread = bytes / sizeof(float) / (size_t)threads / step * step;
  if (perThread == 0)
    return -1;
  size_t floats = perThread * (size_t)threads;
  float *buf = (float *)aligned_alloc(64, floats * sizeof(float));
  if (!buf)
    return -1;
  for (size_t i = 0; i < floats; ++i)
    buf[i] = 1.0f;
  double rates[kSlimBwMaxRuns];
  float sink = 0.0f;
  for (int r = 0; r < runs; ++r) {
    pthread_t tid[kSlimBwMaxThreads];
    SlimBwSlice slice[kSlimBwMaxThreads];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (int i = 0; i < threads; ++i) {
      slice[i].begin = buf + (size_t)i * perThread;
      slice[i].floats = perThread;
      slice[i].start = &start;
      pthread_create(&tid[i], NULL, slimBwRead, &slice[i]);
    }
    double first = 0.0, last = 0.0;
    for (int i = 0; i < threads; ++i) {
      pthread_join(tid[i], NULL);
      if (i == 0 || slice[i].t0 < first)
        first = slice[i].t0;
      if (i == 0 || slice[i].t1 > last)
        last = slice[i].t1;
      sink += slice[i].sink;
    }
    pthread_barrier_destroy(&start);
    rates[r] = (double)(floats * sizeof(float)) / (last - first) * 1e-9;
  }
  free(buf);
  qsort(rates, (size_t)runs, sizeof(double), slimBwCompare);
  out->bestGBs = rates[runs - 1];
  out->medianGBs = runs % 2 ? rates[runs / 2]
                            : 0.5 * (rates[runs / 2 - 1] + rates[runs / 2]);
  /* Every element is 1.0f: the sums are positive, so this never fires, but
     the compiler cannot know it and must do the loads. */
  if (sink < 0.0f)
    out->bestGBs = -1.0;
  return 0;
}

#endif /* SLIM_BENCH_BANDWIDTH_H */
