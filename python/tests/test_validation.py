"""Bad arguments raise TypeError / ValueError with the C++ library's message; nothing crashes."""
import numpy as np
import pytest

import textaudit

TEXTS = ["free prize call now", "see you at lunch", "win a free prize now", "lunch at noon then",
         "claim your free prize", "meeting at noon"]
LABELS = ["spam", "ham", "spam", "ham", "spam", "ham"]
Y = np.array([1, 0, 1, 0, 1, 0])
P = np.array([[0.2, 0.8], [0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9], [0.8, 0.2]])


def test_cleanlab_functions_check_their_arguments():
    with pytest.raises(ValueError, match="filter_by"):
        textaudit.find_label_issues(Y, P, filter_by="prune_by_magic")
    with pytest.raises(ValueError, match="frac_noise"):
        textaudit.find_label_issues(Y, P, frac_noise=0.0)
    with pytest.raises(ValueError):
        textaudit.find_label_issues(Y, P, return_indices_ranked_by="entropy")
    with pytest.raises(ValueError, match="2-D"):
        textaudit.find_label_issues(Y, P[:, 0])
    with pytest.raises(ValueError, match="integers"):
        textaudit.find_label_issues(Y.astype(float), P)
    with pytest.raises(ValueError):
        textaudit.find_label_issues(Y[:5], P)  # lengths differ
    with pytest.raises(ValueError):
        textaudit.find_label_issues(np.array([1, 0, 1, 0, 1, 2]), P)  # label 2 with K = 2
    with pytest.raises(ValueError, match="confident_joint"):
        textaudit.find_label_issues(Y, P, confident_joint=np.eye(2))
    with pytest.raises(ValueError, match="multi_label"):
        textaudit.find_label_issues(Y, P, multi_label=True)
    with pytest.raises(ValueError, match="n_jobs"):
        textaudit.find_label_issues(Y, P, n_jobs=0)
    with pytest.raises(TypeError):
        textaudit.find_label_issues(Y, P, "prune_by_class")  # keyword-only, as cleanlab
    with pytest.raises(ValueError, match="confidence_weighted_entropy"):
        textaudit.get_label_quality_scores(Y, P, method="confidence_weighted_entropy", adjust_pred_probs=True)
    with pytest.raises(ValueError):
        textaudit.get_label_quality_scores(Y, P, method="margin")


def test_cleanlab_functions_return_cleanlab_types():
    mask = textaudit.find_label_issues(Y, P)
    assert mask.dtype == np.bool_ and mask.shape == (6,)
    ranked = textaudit.find_label_issues(Y, P, return_indices_ranked_by="self_confidence")
    assert ranked.dtype == np.int64
    scores = textaudit.get_label_quality_scores(Y, P)
    np.testing.assert_array_equal(scores, P[np.arange(6), Y])  # self-confidence = p[given]


def test_audit_checks_options():
    with pytest.raises(TypeError, match="unknown option 'n_split'"):
        textaudit.audit(TEXTS, LABELS, n_split=3)
    with pytest.raises(TypeError, match="tfidf.ngram"):
        textaudit.audit(TEXTS, LABELS, tfidf={"ngram": (1, 2)})
    with pytest.raises(TypeError, match="n_splits"):
        textaudit.audit(TEXTS, LABELS, n_splits="3")
    with pytest.raises(TypeError, match="detect_triggers"):
        textaudit.audit(TEXTS, LABELS, detect_triggers=1)
    with pytest.raises(ValueError, match="n_splits"):
        textaudit.audit(TEXTS, LABELS, n_splits=1)
    with pytest.raises(ValueError):
        textaudit.audit(TEXTS, LABELS, model={"C": -1.0})
    with pytest.raises(ValueError):
        textaudit.audit(TEXTS, LABELS, tfidf={"norm": "l3"})
    with pytest.raises(ValueError):
        textaudit.TextAuditor(label_issues={"filter_by": "nope"})
    with pytest.raises(ValueError, match="not fitted"):
        textaudit.TextAuditor().filter(TEXTS)


def test_audit_checks_data():
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        textaudit.audit(["a text", None, "more"], ["x", "y", "x"])
    with pytest.raises(TypeError, match=r"labels\[2\]"):
        textaudit.audit(TEXTS[:3], ["x", "y", 1.5])
    with pytest.raises(TypeError):
        textaudit.audit("one string", "x")
    with pytest.raises(ValueError, match="6 texts but 5 labels"):
        textaudit.audit(TEXTS, LABELS[:5], n_splits=2)
    with pytest.raises(textaudit.DataError, match="at least two classes"):
        textaudit.audit(TEXTS, ["ham"] * 6, n_splits=2)
    assert issubclass(textaudit.DataError, ValueError)


def test_audit_accepts_options_and_integer_labels():
    issues, summary = textaudit.audit(TEXTS, [1, 0, 1, 0, 1, 0], n_splits=3, random_state=1, n_threads=1,
                                      tfidf={"ngram_range": (1, 2), "min_df": 1, "max_df": 1.0, "norm": "l2",
                                             "strip_accents": None},
                                      model={"C": 2.0, "class_weight": "balanced"},
                                      label_issues={"filter_by": "both"}, detect_triggers=False)
    assert [c["name"] for c in summary["classes"]] == ["0", "1"]
    assert len(issues["row"]) == 6 and issues["issue_score"].dtype == np.float64
    params = dict(summary["parameters"]) if isinstance(summary["parameters"], list) else summary["parameters"]
    assert params["ngram_range"] == "1,2" and params["C"] == "2" and params["filter_by"] == "both"
