#!/usr/bin/env bash
# Peak memory of `textaudit audit` set against the input file and the TF-IDF matrix (issue 9):
# reading streams the file (mapped pages released behind the parser), so the peak should be the
# kept text once plus a multiple of the matrix, never the raw file twice over.
#   bench/audit_memory.sh CORPUS.csv [BUILD_DIR] [MAX_MATRIX_MULTIPLE]
# Prints file, kept-text and matrix sizes, the peak RSS of `vectorize` and of `audit`, and checks
#   peak(audit) <= text + MAX_MATRIX_MULTIPLE x matrix + 256 MiB   (default multiple: 8)
# exiting 1 when the bound is broken. Corpus: python3 ../shared/tools/make_corpus.py 1000000 FILE.
set -euo pipefail
corpus=${1:?usage: bench/audit_memory.sh CORPUS.csv [BUILD_DIR] [MAX_MATRIX_MULTIPLE]}
build=${2:-build}
multiple=${3:-8}
work=$(mktemp -d "${TMPDIR:-/tmp}/textaudit_memory.XXXXXX")
trap 'rm -rf "$work"' EXIT

peak_kib() { grep "Maximum resident set size" "$1" | awk '{print $NF}'; }
wall() { grep "Elapsed (wall clock)" "$1" | awk '{print $NF}'; }

/usr/bin/time -v "$build/textaudit" vectorize "$corpus" --out "$work/vec" -q 2> "$work/vec.time" >/dev/null
read -r rows cols nnz < <(grep -v '^%' "$work/vec/matrix.mtx" | head -1)
rm -rf "$work/vec"
/usr/bin/time -v "$build/textaudit" audit "$corpus" --out "$work/audit" -q 2> "$work/audit.time" >/dev/null

python3 - "$corpus" "$rows" "$cols" "$nnz" "$(peak_kib "$work/vec.time")" "$(peak_kib "$work/audit.time")" \
  "$(wall "$work/audit.time")" "$multiple" <<'PY'
import csv, os, sys
corpus, rows, cols, nnz, vec_kib, audit_kib, wall, multiple = sys.argv[1:]
rows, cols, nnz, multiple = int(rows), int(cols), int(nnz), float(multiple)
MiB = 1 << 20
file_bytes = os.path.getsize(corpus)
csv.field_size_limit(1 << 30)
with open(corpus, newline='', encoding='utf-8') as f:
    reader = csv.reader(f)
    header = next(reader)
    t = header.index('text')
    text_bytes = sum(len(r[t].encode()) for r in reader)
# CsrMatrix: float32 value + int32 column per entry, int64 row pointer per row.
matrix = nnz * 8 + (rows + 1) * 8
peak_vec, peak_audit = int(vec_kib) * 1024, int(audit_kib) * 1024
bound = text_bytes + multiple * matrix + 256 * MiB
print(f"corpus {corpus}: {rows} rows, {file_bytes / MiB:.0f} MiB file, {text_bytes / MiB:.0f} MiB of text")
print(f"TF-IDF matrix: {cols} terms, {nnz} non-zeros, {matrix / MiB:.0f} MiB")
print(f"peak RSS vectorize: {peak_vec / MiB:.0f} MiB ({peak_vec / file_bytes:.2f}x file, {peak_vec / matrix:.2f}x matrix)")
print(f"peak RSS audit:     {peak_audit / MiB:.0f} MiB ({peak_audit / file_bytes:.2f}x file, {peak_audit / matrix:.2f}x matrix), wall {wall}")
print(f"bound: text + {multiple:g} x matrix + 256 MiB = {bound / MiB:.0f} MiB -> {'ok' if peak_audit <= bound else 'EXCEEDED'}")
sys.exit(0 if peak_audit <= bound else 1)
PY
