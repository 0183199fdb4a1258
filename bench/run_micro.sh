#!/usr/bin/env bash
# Builds and runs every Google Benchmark micro-benchmark (bench/*_bench.cc) in one command:
#   bench/run_micro.sh [BUILD_DIR]      (default build-bench; extra arguments go to each program)
# Installs libbenchmark-dev from Debian when missing. Corpora: $TEXTAUDIT_CORPUS (CSV label,text) for
# kernels_bench and near_duplicates_bench; when unset, a 20k-row corpus is generated with
# bench/make_corpus.py. logreg_bench needs a scikit-learn TF-IDF matrix and runs only when
# $TEXTAUDIT_BENCH_MTX is set (bench/logreg_vs_sklearn.sh makes one and runs it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
shift || true
if ! dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q "install ok installed"; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libbenchmark-dev >/dev/null
fi
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTEXTAUDIT_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
if [ -z "${TEXTAUDIT_CORPUS:-}" ]; then
  export TEXTAUDIT_CORPUS=${TMPDIR:-/tmp}/textaudit_bench_20k.csv
  [ -f "$TEXTAUDIT_CORPUS" ] || /usr/bin/python3 "$ROOT/bench/make_corpus.py" 20000 "$TEXTAUDIT_CORPUS" >/dev/null
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); corpus $TEXTAUDIT_CORPUS"
for prog in text_bench kernels_bench label_issues_bench near_duplicates_bench logreg_bench; do
  if [ "$prog" = logreg_bench ] && [ -z "${TEXTAUDIT_BENCH_MTX:-}" ]; then
    echo "== $prog: skipped (set TEXTAUDIT_BENCH_MTX, see bench/logreg_vs_sklearn.sh)"
    continue
  fi
  echo "== $prog"
  "$BUILD/bench/$prog" --benchmark_counters_tabular=true "$@"
done
