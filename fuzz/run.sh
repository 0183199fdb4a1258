#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for N seconds.
#   fuzz/run.sh [SECONDS] [HARNESS...]     default: 20 seconds for each of dataset, npy, tokenizer
# Environment: TEXTAUDIT_FUZZ_BUILD_DIR (default build-fuzz), TEXTAUDIT_JOBS (build jobs, default 2).
# The growing corpus lives in $BUILD/fuzz-corpus/<harness> (seeds: fuzz/corpus/<harness>, read
# only); a crashing input is saved as $BUILD/fuzz-artifacts/<harness>/crash-* and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-20}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(dataset npy tokenizer)
build_dir=${TEXTAUDIT_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${TEXTAUDIT_JOBS:-2}

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  # Debian's clang-14 package installs clang++-14; the clang package adds the clang++ name.
  cxx=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14 || echo clang++)}
  CXX=$cxx cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DTEXTAUDIT_FUZZ=ON -DTEXTAUDIT_BUILD_TESTS=OFF >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("${h}_fuzzer"); done
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}" >/dev/null

# The harnesses write their input to a scratch file: a tmpfs is faster when there is one.
scratch=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
status=0
for h in "${harnesses[@]}"; do
  corpus="$build_dir/fuzz-corpus/$h"
  artifacts="$build_dir/fuzz-artifacts/$h"
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzz $h for ${seconds}s"
  if ! TMPDIR=$scratch UBSAN_OPTIONS=print_stacktrace=1 "$build_dir/fuzz/${h}_fuzzer" "$corpus" "$root/fuzz/corpus/$h" \
      -max_total_time="$seconds" -max_len=16384 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" 2>"$build_dir/fuzz-$h.log"; then
    echo "!! $h found a failure; see $build_dir/fuzz-$h.log and $artifacts/" >&2
    grep -E "ERROR|invariant|runtime error|terminate" "$build_dir/fuzz-$h.log" | head -5 >&2 || true
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$build_dir/fuzz-$h.log" | tr '\n' ' ' || true
  echo
done
exit $status
