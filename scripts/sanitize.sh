#!/usr/bin/env bash
# The reliability checks CI runs after the normal test suite (scripts/run.sh test):
#   1. the whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer (-O1), and
#   2. a short libFuzzer run of every harness in fuzz/ (clang; see fuzz/run.sh).
# Usage: scripts/sanitize.sh [asan|asan-quick|tsan|fuzz]...   (default: asan fuzz)
#   asan-quick  what CI runs, to stay within its time budget: only the input-facing test programs
#               (quick_tests below), without the cases tagged [slow], and no Python module, built
#               with clang in the fuzz tree ($base-fuzz), so `asan-quick fuzz` compiles it once.
#   tsan  the parallel parts (vectorizer, cross-validation, logistic regression, confident
#         learning, near-duplicates, the audit) under ThreadSanitizer; not run by CI (slow).
# Environment: TEXTAUDIT_BUILD_DIR (base name; default build), TEXTAUDIT_JOBS, TEXTAUDIT_FUZZ_SECONDS
# (per harness, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
base=${TEXTAUDIT_BUILD_DIR:-$root/build}
jobs=${TEXTAUDIT_JOBS:-$(nproc)}
steps=("$@")
# asan-quick (CI): the test programs that feed files, bytes and odd shapes through the readers, the
# tokenizer, the vectorizer and the numeric kernels; the rest of the suite (whole-pipeline, API,
# report and Python tests) runs under ASan with `asan`.
quick_tests=(bad_input_test dataset_test npy_test tokenizer_test vectorizer_test label_issues_test
  label_issues_cli_test logistic_regression_test near_duplicates_test outliers_test)
[ ${#steps[@]} -eq 0 ] && steps=(asan fuzz)

# Builds the Catch2 tests and the CLI they call into $1 with the given cmake flags, runs ctest.
configure_and_build() {
  local dir=$1
  shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$jobs" >/dev/null
}
sanitized_suite() {
  local dir=$1 regex=$2
  shift 2
  configure_and_build "$dir" "$@"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" -R "$regex")
}

for step in "${steps[@]}"; do
  case "$step" in
    asan)
      echo "== test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
      # OpenBLAS's own threads are not instrumented; one thread keeps the reports ours.
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        OPENBLAS_NUM_THREADS=1 sanitized_suite "$base-asan" . -DTEXTAUDIT_SANITIZE=ON
      ;;
    asan-quick)
      echo "== the input-facing tests under AddressSanitizer + UndefinedBehaviorSanitizer (without [slow] cases)"
      export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OPENBLAS_NUM_THREADS=1
      # One clang ASan + UBSan tree ($base-fuzz) for these tests and the fuzz harnesses, so that CI
      # compiles the libraries with sanitizers once (the fuzz step below reuses it).
      if [ ! -f "$base-fuzz/CMakeCache.txt" ]; then
        cxx=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14 || echo clang++)}
        CXX=$cxx cmake -S "$root" -B "$base-fuzz" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
          -DTEXTAUDIT_FUZZ=ON -DTEXTAUDIT_BUILD_PYTHON=OFF >/dev/null
      fi
      cmake -S "$root" -B "$base-fuzz" -DTEXTAUDIT_BUILD_TESTS=ON \
        -DTEXTAUDIT_QUICK_TESTS="$(IFS=';'; echo "${quick_tests[*]}")" >/dev/null
      cmake --build "$base-fuzz" -j "$jobs" --target sanitizer_quick_tests >/dev/null
      failed=()
      for name in "${quick_tests[@]}"; do
        t=$base-fuzz/tests/$name
        (cd "$base-fuzz" && "$t" "~[slow]" >"$t.log" 2>&1) || { failed+=("$(basename "$t")"); tail -40 "$t.log"; }
      done
      [ ${#failed[@]} -eq 0 ] || { echo "!! failed under ASan/UBSan: ${failed[*]}" >&2; exit 1; }
      echo "all test programs passed"
      ;;
    tsan)
      echo "== parallel parts under ThreadSanitizer"
      # detect_deadlocks=0: hnswlib's addPoint takes two of its locks in both orders; our index is
      # built on one thread (knn.cc), so TSan's lock-order report there is not a possible deadlock.
      TSAN_OPTIONS=halt_on_error=1:detect_deadlocks=0 OPENBLAS_NUM_THREADS=1 \
        sanitized_suite "$base-tsan" "vectorizer|crossval|logistic_regression|label_issues|near_duplicates|outliers|audit_test|bad_input" \
        -DTEXTAUDIT_TSAN=ON
      ;;
    fuzz)
      echo "== short fuzz run"
      TEXTAUDIT_FUZZ_BUILD_DIR="$base-fuzz" TEXTAUDIT_JOBS=$jobs fuzz/run.sh "${TEXTAUDIT_FUZZ_SECONDS:-10}"
      ;;
    *)
      echo "usage: scripts/sanitize.sh [asan|asan-quick|tsan|fuzz]..." >&2
      exit 2
      ;;
  esac
done
