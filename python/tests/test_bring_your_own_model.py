"""audit(pred_probs=..., features=...) agrees with `textaudit audit --pred-probs P.npy --features F.npy`,
and user pred_probs really drive confident learning."""
import csv
import json
import subprocess

import numpy as np
import pytest

import textaudit
from conftest import CLI, SOURCE_DIR
from test_audit_cli import as_csv_cell, read_sms


@pytest.fixture(scope="module")
def sms_inputs():
    texts, labels = read_sms()
    # "Your model": the built-in out-of-fold probabilities, sharpened, so that they differ from what
    # the audit would compute itself; "your embeddings": a seeded random projection of lengths.
    base = textaudit.TextAuditor(n_threads=2, detect_triggers=False).fit(texts, labels).pred_probs_
    sharp = base ** 2
    pred_probs = sharp / sharp.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(len(texts), 16))
    features[:, 0] += np.array([len(t) for t in texts]) / 50.0
    return texts, labels, pred_probs, features


def test_audit_with_pred_probs_and_features_agrees_with_the_cli(sms_inputs, tmp_path):
    texts, labels, pred_probs, features = sms_inputs
    np.save(tmp_path / "pred_probs.npy", pred_probs)
    np.save(tmp_path / "features.npy", features)
    out = tmp_path / "out"
    subprocess.run([CLI, "audit", str(SOURCE_DIR / "data/sms_spam.tsv"), "--text-column", "SMS", "--label-column",
                    "Label", "--pred-probs", str(tmp_path / "pred_probs.npy"), "--features",
                    str(tmp_path / "features.npy"), "--out", str(out), "-q", "--threads", "2"], check=True)
    with open(out / "issues.csv", newline="", encoding="utf-8") as f:
        cli_issues = list(csv.DictReader(f))
    cli_summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))

    issues, summary = textaudit.audit(texts, labels, pred_probs=pred_probs, features=features, n_threads=2)
    columns = dict(issues) if isinstance(issues, dict) else {c: issues[c].to_numpy() for c in issues.columns}
    assert list(columns) == list(cli_issues[0].keys())
    for column, values in columns.items():
        ours = [as_csv_cell(column, v) for v in values]
        theirs = [row[column] for row in cli_issues]
        bad = [i for i in range(len(ours)) if ours[i] != theirs[i]]
        assert not bad, f"{column}: row {bad[0]}: {ours[bad[0]]!r} vs {theirs[bad[0]]!r}"
    # Same everything but where the inputs came from (file paths vs arrays) and the timings.
    for s in (summary, cli_summary):
        del s["dataset"], s["timings"]
        s["parameters"] = {k: v for k, v in dict(s["parameters"]).items() if k not in ("pred_probs", "features")} \
            if isinstance(s["parameters"], dict) else [p for p in s["parameters"] if p[0] not in ("pred_probs", "features")]
    assert summary == cli_summary


def test_user_pred_probs_drive_confident_learning(sms_inputs):
    texts, labels, pred_probs, _ = sms_inputs
    issues, _ = textaudit.audit(texts, labels, pred_probs=pred_probs, detect_triggers=False, n_threads=2)
    y = np.array([0 if l == "ham" else 1 for l in labels])
    np.testing.assert_allclose(np.asarray(issues["label_quality"], dtype=float), pred_probs[np.arange(len(y)), y],
                               rtol=0, atol=1e-12)
    # Columns named in another order: the same audit.
    swapped, _ = textaudit.audit(texts, labels, pred_probs=pred_probs[:, ::-1], pred_probs_classes=["spam", "ham"],
                                 detect_triggers=False, n_threads=2)
    assert np.array_equal(np.asarray(swapped["is_label_issue"]), np.asarray(issues["is_label_issue"]))


def test_bad_user_inputs_are_reported(sms_inputs):
    texts, labels, pred_probs, features = sms_inputs
    with pytest.raises(ValueError):
        textaudit.audit(texts, labels, pred_probs=pred_probs[:-1])  # one row short
    with pytest.raises(ValueError):
        textaudit.audit(texts, labels, pred_probs=pred_probs * 2)  # not probabilities
    with pytest.raises(ValueError, match="features"):
        textaudit.audit(texts, labels, features=features[:, 0])  # 1-D
    with pytest.raises(ValueError, match="pred_probs_classes needs pred_probs"):
        textaudit.audit(texts, labels, pred_probs_classes=["ham", "spam"])
