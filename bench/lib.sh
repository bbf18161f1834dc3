# Shared by the bench/*.sh scripts (source it): the header every result file
# starts with (machine, load) and the FP32 FMA peak probe that fractions of
# peak are taken against.

# The CPU model, CPU count and kernel, then the load average.
bench_header() {
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" \
    "| $(nproc) cpus | $(uname -r)"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_footer() {
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_peak BUILD_DIR [THREADS]: builds bench/peak.c into BUILD_DIR, prints
# the probe for 1 thread (best of 5) and, when THREADS > 1, for THREADS
# threads (best of 3), and sets bench_core_peak to the single-thread rate per
# CPU second: the core's own speed, which on a shared VM stays put when the
# wall-clock rate drops with the co-runners' load (docs/performance.md).
bench_peak() {
  local build=$1 threads=${2:-1} here line
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  "${CC:-gcc}" -O2 -march="${BENCH_MARCH:-native}" "$here/peak.c" \
    -o "$build/peak" -lpthread
  line=$("$build/peak" 1 5)
  echo "# peak 1 thread:  $line"
  if [ "$threads" -gt 1 ]; then
    echo "# peak $threads threads: $("$build/peak" "$threads" 3)"
  fi
  bench_core_peak=$(sed -n 's/.*peak_gflops_per_cpu_second=\([0-9.]*\).*/\1/p' \
    <<<"$line")
}
