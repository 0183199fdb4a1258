#!/usr/bin/env bash
# Logistic regression and 5-fold cross_val_predict: scikit-learn, LIBLINEAR and textaudit on the
# same generated corpus, in one run. Prints wall and CPU seconds, the objective each fit reaches
# on fold 0 (C * sum log_loss + |coef|^2 / 2) and the ratios.
#
# usage: bench/logreg_vs_sklearn.sh [MAKE_CORPUS_PY] [N_ROWS] [BUILD_DIR]
#   MAKE_CORPUS_PY  default ../shared/tools/make_corpus.py (relative to the repository root)
#   N_ROWS          default 200000
#   BUILD_DIR       default build; must hold textaudit and bench/logreg_bench
#                   (configure with -DTEXTAUDIT_BUILD_BENCH=ON)
# The TF-IDF matrix is scikit-learn's TfidfVectorizer() output, written once as MatrixMarket and
# read by both sides. `textaudit crossval` is also timed as a whole command on the CSV (its own
# TF-IDF included). The machine is shared: CPU time is printed beside wall time; check `uptime`.
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
[ -x "$BUILD/bench/logreg_bench" ] || { echo "no $BUILD/bench/logreg_bench; configure with -DTEXTAUDIT_BUILD_BENCH=ON" >&2; exit 1; }
echo "generating $N rows with $MAKE_CORPUS ..."
"$PY" "$MAKE_CORPUS" "$N" "$CORPUS" > /dev/null
echo "machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$CORPUS" "$WORK/X.mtx" "$WORK/y.txt" <<'PYEOF'
import csv, sys
import numpy as np, scipy.io
from sklearn.feature_extraction.text import TfidfVectorizer
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
classes = sorted({r["label"] for r in rows})
y = np.array([classes.index(r["label"]) for r in rows])
X = TfidfVectorizer().fit_transform([r["text"] for r in rows])
scipy.io.mmwrite(sys.argv[2], X, precision=9)
np.savetxt(sys.argv[3], y, fmt="%d")
print(f"TF-IDF: {X.shape[0]} x {X.shape[1]}, nnz {X.nnz}, {len(classes)} classes")
PYEOF

echo "--- scikit-learn 1 fold, LIBLINEAR, scikit-learn cross_val_predict (5 folds)"
"$PY" "$ROOT/bench/logreg_vs_sklearn.py" "$WORK/X.mtx" "$WORK/y.txt" --cv | tee "$WORK/sk.out"

echo "--- textaudit: logreg_bench (fold 0 fit, 5-fold cross_val_predict, 1 and 2 threads)"
/usr/bin/time -f "%e %U %S" -o "$WORK/ta_bench.time" env TEXTAUDIT_BENCH_MTX="$WORK/X.mtx" TEXTAUDIT_BENCH_Y="$WORK/y.txt" \
  "$BUILD/bench/logreg_bench" --benchmark_counters_tabular=true 2>&1 | tee "$WORK/ta.out"

echo "--- textaudit crossval (whole command: read CSV, TF-IDF, 5 folds, write pred_probs)"
/usr/bin/time -f "%e %U %S" -o "$WORK/cli.time" "$BUILD/textaudit" crossval "$CORPUS" --out "$WORK/pred_probs.csv" | tee "$WORK/cli.out"
read -r CLI_WALL CLI_USER CLI_SYS < "$WORK/cli.time"

# scikit-learn side: "... lbfgs ...: W s wall, C s cpu, n_iter=..., objective=F"
SK_FIT_WALL=$(awk '/^sklearn lbfgs/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s" && $(i+2) ~ /^wall/) print $i}' "$WORK/sk.out")
SK_FIT_CPU=$(awk '/^sklearn lbfgs/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s" && $(i+2) ~ /^cpu/) print $i}' "$WORK/sk.out")
SK_OBJ=$(sed -n 's/^sklearn lbfgs.*objective=\([0-9.e+-]*\).*/\1/p' "$WORK/sk.out")
SK_CV_WALL=$(awk '/^sklearn cross_val_predict/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s" && $(i+2) ~ /^wall/) print $i}' "$WORK/sk.out")
SK_CV_CPU=$(awk '/^sklearn cross_val_predict/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s" && $(i+2) ~ /^cpu/) print $i}' "$WORK/sk.out")
# textaudit side: Google Benchmark rows "BM_FitOneFold/2/iterations:2/real_time  <ms> ms <cpu ms> ms ..."
TA_FIT1=$(awk '$1 ~ /^BM_FitOneFold\/1\// {print $2 / 1000}' "$WORK/ta.out")
TA_FIT2=$(awk '$1 ~ /^BM_FitOneFold\/2\// {print $2 / 1000}' "$WORK/ta.out")
TA_CV1=$(awk '$1 ~ /^BM_CrossValPredict5\/1\// {print $2 / 1000}' "$WORK/ta.out")
TA_CV2=$(awk '$1 ~ /^BM_CrossValPredict5\/2\// {print $2 / 1000}' "$WORK/ta.out")
TA_OBJ=$(sed -n 's/^ours fold0 threads=2: objective=\([0-9.e+-]*\).*/\1/p' "$WORK/ta.out" | tail -1)

echo "=== summary (N=$N, load now: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %10s %10s\n' "" "wall (s)" "CPU (s)"
printf '%-44s %10.2f %10.2f\n' "scikit-learn lbfgs, fold 0" "$SK_FIT_WALL" "$SK_FIT_CPU"
printf '%-44s %10.3f %10s\n' "textaudit fit, fold 0, 1 thread" "$TA_FIT1" "-"
printf '%-44s %10.3f %10s\n' "textaudit fit, fold 0, 2 threads" "$TA_FIT2" "-"
printf '%-44s %10.2f %10.2f\n' "scikit-learn cross_val_predict, 5 folds" "$SK_CV_WALL" "$SK_CV_CPU"
printf '%-44s %10.3f %10s\n' "textaudit cross_val_predict, 1 thread" "$TA_CV1" "-"
printf '%-44s %10.3f %10s\n' "textaudit cross_val_predict, 2 threads" "$TA_CV2" "-"
printf '%-44s %10.2f %10.2f\n' "textaudit crossval command (incl. TF-IDF)" "$CLI_WALL" "$(awk -v u="$CLI_USER" -v s="$CLI_SYS" 'BEGIN {print u + s}')"
echo "fold-0 objective: scikit-learn $SK_OBJ, textaudit $TA_OBJ" \
  "($(awk -v a="$TA_OBJ" -v b="$SK_OBJ" 'BEGIN { print (a <= b) ? "ours no worse" : "OURS WORSE" }'))"
awk -v a="$SK_FIT_WALL" -v b="$TA_FIT2" -v c="$SK_CV_WALL" -v d="$TA_CV2" -v e="$CLI_WALL" \
  'BEGIN { printf "ratio (wall): one fold %.1fx, cross_val_predict %.1fx, whole crossval command %.1fx\n", a / b, c / d, c / e }'
