/*===- bench/peak.c - Peak FP32 FMA throughput of this machine ------------===*
 *
 * The denominator of every "% of peak" the benchmarks print. Each thread
 * keeps kChains independent FMA accumulators in vector registers (more than
 * latency x issue width, so the FMA pipes never wait) and runs them for a
 * fixed number of iterations; the best of several trials is reported, since
 * anything else on the machine can only make a trial slower. Two rates are
 * printed: per wall-clock second, and per second of CPU time the thread
 * actually got (on a shared machine the scheduler takes cores away; the
 * CPU-time rate is the core's own speed, the one to compare kernels with).
 *
 * Build: cc -O2 -march=native peak.c -o peak -lpthread
 * Run:   ./peak [threads] [trials]
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec_t;
#define VEC_FLOATS 16
#define VSET(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VADD(a, b) _mm512_add_ps(a, b)
#define ISA "avx512"
#elif defined(__FMA__)
typedef __m256 vec_t;
#define VEC_FLOATS 8
#define VSET(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VADD(a, b) _mm256_add_ps(a, b)
#define ISA "avx2"
#else
#error "peak.c measures FMA throughput: build with -mfma or -march=native"
#endif

enum { kChains = 10, kIters = 50000000 };

typedef struct {
  double seconds, cpuSeconds;
  float sink;
} Result;

static double clockSeconds(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static double now(void) { return clockSeconds(CLOCK_MONOTONIC); }
static double cpuNow(void) { return clockSeconds(CLOCK_THREAD_CPUTIME_ID); }

static void *spin(void *arg) {
  Result *r = (Result *)arg;
  /* Named variables, not an array: they must live in registers. */
  vec_t m = VSET(0.999999f), a = VSET(1e-6f);
  vec_t c0 = VSET(0), c1 = VSET(1), c2 = VSET(2), c3 = VSET(3), c4 = VSET(4);
  vec_t c5 = VSET(5), c6 = VSET(6), c7 = VSET(7), c8 = VSET(8), c9 = VSET(9);
  double t0 = now(), c0t = cpuNow();
  for (long it = 0; it < kIters; ++it) {
    c0 = VFMA(c0, m, a);
    c1 = VFMA(c1, m, a);
    c2 = VFMA(c2, m, a);
    c3 = VFMA(c3, m, a);
    c4 = VFMA(c4, m, a);
    c5 = VFMA(c5, m, a);
    c6 = VFMA(c6, m, a);
    c7 = VFMA(c7, m, a);
    c8 = VFMA(c8, m, a);
    c9 = VFMA(c9, m, a);
    /* An empty asm that "changes" two chains stops the compiler from
       folding iterations together. */
    __asm__ volatile("" : "+x"(c0), "+x"(c9));
  }
  r->seconds = now() - t0;
  r->cpuSeconds = cpuNow() - c0t;
  vec_t s = VADD(VADD(VADD(c0, c1), VADD(c2, c3)), VADD(c4, c5));
  s = VADD(s, VADD(VADD(c6, c7), VADD(c8, c9)));
  float out[VEC_FLOATS];
  __builtin_memcpy(out, &s, sizeof(out));
  r->sink = out[0];
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  int trials = argc > 2 ? atoi(argv[2]) : 3;
  if (threads < 1 || threads > 256 || trials < 1)
    return 2;
  double flopsPerThread = 2.0 * VEC_FLOATS * kChains * (double)kIters;
  double best = 0.0, bestCpu = 0.0;
  for (int t = 0; t < trials; ++t) {
    pthread_t tid[256];
    Result res[256];
    for (int i = 0; i < threads; ++i)
      pthread_create(&tid[i], NULL, spin, &res[i]);
    double slowest = 0.0, slowestCpu = 0.0;
    for (int i = 0; i < threads; ++i) {
      pthread_join(tid[i], NULL);
      if (res[i].seconds > slowest)
        slowest = res[i].seconds;
      if (res[i].cpuSeconds > slowestCpu)
        slowestCpu = res[i].cpuSeconds;
    }
    double gflops = flopsPerThread / slowest * 1e-9;
    double cpuGflops = flopsPerThread / slowestCpu * 1e-9;
    if (gflops > best)
      best = gflops;
    if (cpuGflops > bestCpu)
      bestCpu = cpuGflops;
  }
  printf("isa=%s threads=%d peak_gflops_per_thread=%.2f total=%.2f "
         "peak_gflops_per_cpu_second=%.2f\n",
         ISA, threads, best, best * threads, bestCpu);
  return 0;
}
