/*===- bench/bandwidth.c - Streaming read bandwidth of this machine -------===*
 *
 * Prints the memory read bandwidth that the memory-bound layers are judged
 * against (what is measured: bench/bandwidth.h). bench/nets.sh runs it for 1
 * and 2 threads beside the peak-FLOPs probe (bench/peak.c).
 *
 * Build: cc -O2 -march=native bandwidth.c -o bandwidth -lpthread
 * Run:   ./bandwidth [threads] [runs] [MiB]      (defaults 1, 5, 1024)
 * Prints: isa=avx512 threads=T buffer_mib=M runs=R best_gbs=.. median_gbs=..
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#define _ISOC11_SOURCE
#include "bandwidth.h"

#include <stdio.h>

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  long mib = argc > 3 ? atol(argv[3]) : 1024;
  SlimBandwidth bw;
  if (mib < 1 ||
      slimMeasureReadBandwidth(threads, runs, (size_t)mib << 20, &bw) != 0) {
    fprintf(stderr,
            "usage: bandwidth [threads 1-%d] [runs 1-%d] [MiB >= 1] "
            "(and enough memory for the buffer)\n",
            kSlimBwMaxThreads, kSlimBwMaxRuns);
    return 2;
  }
  printf("isa=%s threads=%d buffer_mib=%ld runs=%d best_gbs=%.2f "
         "median_gbs=%.2f\n",
         SLIM_BW_ISA, threads, mib, runs, bw.bestGBs, bw.medianGBs);
  return 0;
}
