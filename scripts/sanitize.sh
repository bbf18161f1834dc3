#!/usr/bin/env bash
# Runs the test suites under sanitizers (docs/reliability.md), in their own
# build trees built with clang-19:
#
#   scripts/sanitize.sh asan [CTEST_ARGS...]  ASan + UBSan: the unit and lit
#                                             suites (build-fuzz/, shared with
#                                             scripts/fuzz.sh)
#   scripts/sanitize.sh tsan [CTEST_ARGS...]  TSan: the runtime's tests, its
#                                             concurrency tests among them
#                                             (build-tsan/)
#
# Any sanitizer report fails the test that triggered it (UBSan does not
# recover). Extra arguments go to ctest, e.g. `-R Frontend`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-}
shift || true
case "$kind" in
  # The fuzzing tree (scripts/fuzz.sh) is the ASan + UBSan tree: one
  # instrumented build serves both.
  asan) sanitize=address,undefined; build=${SLIMC_FUZZ_BUILD:-$root/build-fuzz}
        select=() ;;
  tsan) sanitize=thread; build=${SLIMC_TSAN_BUILD:-$root/build-tsan}
        select=(-R '^runtime\.') ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

bash "$root/scripts/install-deps.sh" >/dev/null
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DSLIMC_SANITIZE="$sanitize" $([ "$kind" = asan ] && echo -DSLIMC_FUZZ=ON) \
    -DMLIR_DIR="$(llvm-config-19 --libdir 2>/dev/null || echo /usr/lib/llvm-19/lib)/cmake/mlir"
fi
if [ "$kind" = tsan ]; then
  ninja -C "$build" -j "${SLIMC_JOBS:-2}" slim_runtime_tests
else
  ninja -C "$build" -j "${SLIMC_JOBS:-2}"
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
cd "$build" && ctest --output-on-failure -j "${SLIMC_JOBS:-2}" "${select[@]}" "$@"
