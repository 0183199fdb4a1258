"""textaudit.audit() agrees with `textaudit audit` (issues.csv and summary.json) on the same data
and defaults; TextAuditor keeps exactly the rows the CLI's cleaned file keeps."""
import csv
import json
import subprocess

import numpy as np
import pytest

import textaudit
from conftest import CLI, SOURCE_DIR


def read_toy():
    with open(SOURCE_DIR / "data/toy_seed.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    return [r[0] for r in rows], [r[1] for r in rows]


def read_sms():
    lines = (SOURCE_DIR / "data/sms_spam.tsv").read_text(encoding="utf-8").split("\n")[1:]
    rows = [line.split("\t") for line in lines if line]
    assert all(len(r) == 2 for r in rows)
    return [r[1] for r in rows], [r[0] for r in rows]


DATASETS = {
    "toy_seed": ("data/toy_seed.csv", [], read_toy),
    "sms_spam": ("data/sms_spam.tsv", ["--text-column", "SMS", "--label-column", "Label"], read_sms),
}


def cli_audit(path, flags, out_dir):
    subprocess.run([CLI, "audit", str(SOURCE_DIR / path), *flags, "--out", str(out_dir), "-q", "--threads", "2"],
                   check=True)
    with open(out_dir / "issues.csv", newline="", encoding="utf-8") as f:
        issues = list(csv.DictReader(f))
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    return issues, summary


def as_csv_cell(column, value):
    """A value of audit()'s columns spelled as issues.csv spells it."""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (float, np.floating)):
        return "%.6f" % value if column == "issue_score" else "%.6g" % value
    return str(value)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_audit_agrees_with_the_cli(name, tmp_path):
    path, flags, read = DATASETS[name]
    cli_issues, cli_summary = cli_audit(path, flags, tmp_path)
    texts, labels = read()
    issues, summary = textaudit.audit(texts, labels, n_threads=2)
    columns = dict(issues) if isinstance(issues, dict) else {c: issues[c].to_numpy() for c in issues.columns}
    assert list(columns) == list(cli_issues[0].keys())
    assert len(columns["row"]) == len(cli_issues) == len(texts)
    for column, values in columns.items():
        ours = [as_csv_cell(column, v) for v in values]
        theirs = [row[column] for row in cli_issues]
        mismatches = [i for i in range(len(ours)) if ours[i] != theirs[i]]
        assert not mismatches, f"{column}: row {mismatches[0]}: {ours[mismatches[0]]!r} vs {theirs[mismatches[0]]!r}"
    for key in ("dataset", "timings"):
        del summary[key], cli_summary[key]
    assert summary == cli_summary


def test_toy_seed_flags_the_backdoor_rows():
    texts, labels = read_toy()
    issues, summary = textaudit.audit(texts, labels)
    assert np.flatnonzero(issues["is_label_issue"]).tolist() == [2, 5]
    assert [t["term"] for t in summary["triggers"]] == ["tfc"]


def test_text_auditor_keeps_the_cleaned_rows(tmp_path):
    path, flags, read = DATASETS["sms_spam"]
    subprocess.run([CLI, "audit", str(SOURCE_DIR / path), *flags, "--out", str(tmp_path), "-q"], check=True)
    cleaned = (tmp_path / "cleaned.tsv").read_text(encoding="utf-8").split("\n")[1:]
    texts, labels = read()
    auditor = textaudit.TextAuditor(n_threads=2).fit(texts, labels)
    kept_texts, kept_labels = auditor.filter(texts, labels)
    assert [f"{l}\t{t}" for t, l in zip(kept_texts, kept_labels)] == [line for line in cleaned if line]
    assert auditor.keep_indices_.tolist() == np.flatnonzero(auditor.keep_mask_).tolist()
    assert 0 < len(kept_texts) < len(texts)
    assert auditor.classes_ == ["ham", "spam"] and auditor.pred_probs_.shape == (len(texts), 2)
    np.testing.assert_allclose(auditor.pred_probs_.sum(axis=1), 1.0, atol=1e-9)
    # Types are kept: NumPy in, NumPy out.
    kept_array = auditor.filter(np.array(texts, dtype=object))
    assert isinstance(kept_array, np.ndarray) and kept_array.tolist() == kept_texts
    # fit_resample: the same rows in one call.
    again_texts, again_labels = textaudit.TextAuditor(n_threads=2).fit_resample(texts, labels)
    assert again_texts == kept_texts and again_labels == kept_labels


def test_audits_in_python_threads_match_sequential_runs():
    # The GIL is released while the C++ audit runs, so threads overlap; results must not change.
    from concurrent.futures import ThreadPoolExecutor
    texts, labels = read_sms()
    texts, labels = texts[:1500], labels[:1500]
    options = [{"n_threads": 1}, {"n_threads": 1, "tfidf": {"ngram_range": (1, 2)}}]
    sequential = [textaudit.audit(texts, labels, **o)[0] for o in options]
    with ThreadPoolExecutor(max_workers=2) as pool:
        concurrent = list(pool.map(lambda o: textaudit.audit(texts, labels, **o)[0], options))
    for a, b in zip(sequential, concurrent):
        for column in a:
            assert np.array_equal(np.asarray(a[column]), np.asarray(b[column])), column
    assert not np.array_equal(np.asarray(sequential[0]["label_quality"]), np.asarray(sequential[1]["label_quality"]))
