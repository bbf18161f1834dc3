#!/usr/bin/env bash
# Fuzzing with libFuzzer + ASan + UBSan (test/fuzz/, docs/reliability.md).
#
#   scripts/fuzz.sh TARGET MINUTES   a campaign on one target; prints executions,
#                                    coverage and findings
#   scripts/fuzz.sh --smoke [SECS]   every target for SECS seconds (default 8)
#                                    over its corpus: the README's test command
#                                    runs this
#   scripts/fuzz.sh --list           the targets
#
# Builds the fuzz targets in an instrumented tree made with clang-19 in
# $SLIMC_FUZZ_BUILD (default build-fuzz/; scripts/sanitize.sh asan runs the
# test suites in the same tree), seeds each corpus with test/fuzz/make_corpus.sh (tools of the
# normal build, $SLIMC_BUILD, default build/) and keeps it in
# build-fuzz/work/corpus/TARGET, so campaigns resume where they stopped.
# Crashes, hangs (>20 s per input), leaks and out-of-memory (>4 GiB) inputs
# land in build-fuzz/work/artifacts/TARGET/; turn each into a regression test
# by fixing it and copying the input to test/fuzz/regressions/TARGET/.
# Exit status: 0 when nothing was found, 1 when something was, 2 on usage or
# build errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
targets=(frontend_fuzzer safetensors_fuzzer tf_v1_fuzzer tf_v2_fuzzer npy_fuzzer restore_fuzzer)
fuzz_build=${SLIMC_FUZZ_BUILD:-$root/build-fuzz}
normal_build=${SLIMC_BUILD:-$root/build}
work=$fuzz_build/work

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

mode=campaign
case "${1:-}" in
  --list) printf '%s\n' "${targets[@]}"; exit 0 ;;
  --smoke) mode=smoke; seconds=${2:-8}; run_targets=("${targets[@]}") ;;
  ""|-h|--help) usage ;;
  *)
    target=$1
    minutes=${2:-}
    [[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target '$target' (--list)" >&2; exit 2; }
    [[ "$minutes" =~ ^[0-9]+$ && "$minutes" -gt 0 ]] || { echo "fuzz.sh: MINUTES must be a positive integer" >&2; exit 2; }
    seconds=$((minutes * 60))
    run_targets=("$target")
    ;;
esac

bash "$root/scripts/install-deps.sh" >/dev/null
[ -x "$normal_build/bin/slimrun" ] && [ -e "$normal_build/test/runtime/models/test_dense.so" ] ||
  bash "$root/scripts/build.sh" "$normal_build"

export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
if [ ! -f "$fuzz_build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DSLIMC_FUZZ=ON \
    -DMLIR_DIR="$(llvm-config-19 --libdir 2>/dev/null || echo /usr/lib/llvm-19/lib)/cmake/mlir" >/dev/null ||
    { echo "fuzz.sh: configuring $fuzz_build failed" >&2; exit 2; }
fi
ninja -C "$fuzz_build" -j "${SLIMC_JOBS:-2}" "${run_targets[@]}" >"$fuzz_build/ninja.log" 2>&1 ||
  { tail -40 "$fuzz_build/ninja.log" >&2; echo "fuzz.sh: building the fuzz targets failed" >&2; exit 2; }

if [ ! -d "$work/corpus/frontend_fuzzer" ]; then
  bash "$root/test/fuzz/make_corpus.sh" "$normal_build" "$work/corpus" >/dev/null ||
    { echo "fuzz.sh: making the seed corpora failed" >&2; exit 2; }
fi

# Leaks fail a run (LeakSanitizer); UBSan findings abort (-fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
printf '%-20s %8s %10s %8s %8s %6s  %s\n' target seconds executions exec/s coverage corpus findings
for t in "${run_targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t" "$work/logs"
  log=$work/logs/$t.$(date +%Y%m%d-%H%M%S).log
  args=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
        -artifact_prefix="$work/artifacts/$t/")
  [ "$t" = frontend_fuzzer ] && args+=(-dict="$root/test/fuzz/slim.dict")
  corpora=("$work/corpus/$t" "$root/test/fuzz/regressions/$t")
  # A smoke run is reproducible: a fixed seed, and what it finds new goes to a
  # scratch directory (libFuzzer writes to the first corpus), not the corpus.
  if [ $mode = smoke ]; then
    args+=(-seed=1)
    rm -rf "$work/smoke-new/$t" && mkdir -p "$work/smoke-new/$t"
    corpora=("$work/smoke-new/$t" "${corpora[@]}")
  fi
  before=$(ls "$work/artifacts/$t" | wc -l)
  rc=0
  (cd "$work" && "$fuzz_build/bin/$t" "${args[@]}" "${corpora[@]}") >"$log" 2>&1 || rc=$?
  after=$(ls "$work/artifacts/$t" | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(ls "$work/corpus/$t" | wc -l)
  found=none
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    status=1
    found="exit $rc; $((after - before)) new artifact(s) in $work/artifacts/$t; log $log"
    grep -m3 -E 'ERROR: |SUMMARY: |runtime error' "$log" | sed 's/^/    /' >&2 || true
  fi
  printf '%-20s %8s %10s %8s %8s %6s  %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corp" "$found"
done
exit $status
