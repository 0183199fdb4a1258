#!/bin/sh
# Incremental audit vs full re-audit: a BATCH-row new batch against an ACCEPTED-row accepted set
# with a saved model (`textaudit fit` once, then `audit NEW --baseline ACCEPTED --model FILE`),
# against `textaudit audit` of all ACCEPTED + BATCH rows. The rows come from one make_corpus.py run
# (the batch is its last BATCH rows), so both sides are drawn from the same distribution.
# usage: bench/incremental_vs_full.sh MAKE_CORPUS_PY BUILD_DIR [ACCEPTED [BATCH]]
# Example: bench/incremental_vs_full.sh ../shared/tools/make_corpus.py build 1000000 10000
set -eu
gen=$1 build=$2 accepted=${3:-1000000} batch=${4:-10000}
cli=$build/textaudit
dir=${TEXTAUDIT_OUT_PARENT:-/tmp}/incremental_bench.$$
mkdir -p "$dir"
total=$((accepted + batch))
python3 "$gen" "$total" "$dir/all.csv"
head -n $((accepted + 1)) "$dir/all.csv" > "$dir/accepted.csv"
{ head -n 1 "$dir/all.csv"; tail -n "$batch" "$dir/all.csv"; } > "$dir/batch.csv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # label, command...: wall seconds and max RSS
  label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %U+%S s CPU, %M KB max RSS" "$@" > /dev/null
}
run "fit $accepted rows (once)" "$cli" fit "$dir/accepted.csv" --save-model "$dir/model" -q
run "incremental audit, $batch new rows vs $accepted accepted" \
  "$cli" audit "$dir/batch.csv" --baseline "$dir/accepted.csv" --model "$dir/model" --out "$dir/incr" -q
run "full audit of $total rows" "$cli" audit "$dir/all.csv" --out "$dir/full" -q
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
for name in ("incr", "full"):
    s = json.load(open(f"{d}/{name}/summary.json"))
    stages = ", ".join(f"{t['stage']} {t['wall_seconds']:.1f}" for t in s["timings"]["stages"])
    print(f"{name}: {s['counts']}\n  stages (wall s): {stages}")
PY
echo "outputs in $dir (remove when done)"
