#!/usr/bin/env bash
# Times scikit-learn's TfidfVectorizer().fit_transform and `textaudit vectorize` on the same
# generated corpus, in one run, and prints both sides' wall time, CPU time (user + system) and
# peak RSS (/usr/bin/time -v), and the ratios. The machine is shared: run it when `uptime` shows a
# low load, and read the CPU ratio too (less sensitive to other processes than wall time).
#
# usage: bench/vectorize_vs_sklearn.sh [MAKE_CORPUS_PY] [N_ROWS] [BUILD_DIR]
#   MAKE_CORPUS_PY  default ../shared/tools/make_corpus.py (relative to the repository root)
#   N_ROWS          default 200000
#   BUILD_DIR       default build (must contain the textaudit binary)
# Both sides are whole processes (reading the CSV included; Python also imports scikit-learn,
# textaudit also writes matrix.mtx and vocabulary.txt); the in-process fit_transform times are
# printed too. textaudit's output includes an fsync of the 137 MB matrix.mtx (io::AtomicFile):
# set TEXTAUDIT_OUT_PARENT=/dev/shm to write it to tmpfs and leave the disk out of the timing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MAKE_CORPUS=${1:-$ROOT/../shared/tools/make_corpus.py}
N=${2:-200000}
BUILD=${3:-$ROOT/build}
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CORPUS=$WORK/corpus_$N.csv

[ -x "$BUILD/textaudit" ] || { echo "no $BUILD/textaudit; build first" >&2; exit 1; }
echo "generating $N rows with $MAKE_CORPUS ..."
"$PY" "$MAKE_CORPUS" "$N" "$CORPUS" > /dev/null
echo "corpus: $(du -h "$CORPUS" | cut -f1), machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

cat > "$WORK/sk.py" <<'PYEOF'
import csv, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    texts = [row["text"] for row in csv.DictReader(f)]
t = time.perf_counter()
X = TfidfVectorizer().fit_transform(texts)
print(f"sklearn fit_transform {time.perf_counter() - t:.3f} s: {X.shape[0]} x {X.shape[1]}, nnz {X.nnz}")
PYEOF

# wall seconds, CPU seconds (user + system) and peak RSS (MB) from /usr/bin/time -v output
measure() {
  local log=$1
  local wall cpu rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(awk -F: '/User time|System time/ {s += $2} END {print s}' "$log")
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF/1024}')
  echo "$wall $cpu $rss"
}

/usr/bin/time -v "$PY" "$WORK/sk.py" "$CORPUS" > "$WORK/sk.out" 2> "$WORK/sk.time"
cat "$WORK/sk.out"
OUT=$(mktemp -d "${TEXTAUDIT_OUT_PARENT:-$WORK}/vectorize_out.XXXXXX")
trap 'rm -rf "$WORK" "$OUT"' EXIT
/usr/bin/time -v "$BUILD/textaudit" vectorize "$CORPUS" --out "$OUT" > "$WORK/ta.out" 2> "$WORK/ta.time"
cat "$WORK/ta.out"

read -r SK_WALL SK_CPU SK_RSS < <(measure "$WORK/sk.time")
read -r TA_WALL TA_CPU TA_RSS < <(measure "$WORK/ta.time")
SK_FIT=$(awk '/sklearn fit_transform/ {print $3}' "$WORK/sk.out")
TA_FIT=$(awk '/^time:/ {print $6}' "$WORK/ta.out")
printf '%-24s %10s %10s %14s\n' "" "wall (s)" "CPU (s)" "peak RSS (MB)"
printf '%-24s %10.2f %10.2f %14.0f\n' "python + scikit-learn" "$SK_WALL" "$SK_CPU" "$SK_RSS"
printf '%-24s %10.2f %10.2f %14.0f\n' "textaudit vectorize" "$TA_WALL" "$TA_CPU" "$TA_RSS"
awk -v a="$SK_WALL" -v b="$TA_WALL" -v c="$SK_CPU" -v d="$TA_CPU" \
  'BEGIN { printf "ratio (whole process): %.1fx wall, %.1fx CPU\n", a / b, c / d }'
awk -v a="$SK_RSS" -v b="$TA_RSS" 'BEGIN { printf "peak RSS: textaudit uses %.2fx scikit-learn'"'"'s\n", b / a }'
awk -v a="$SK_FIT" -v b="$TA_FIT" 'BEGIN { printf "ratio (fit_transform only): %.1fx (%.3f s vs %.3f s)\n", a / b, a, b }'
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
