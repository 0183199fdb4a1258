"""textaudit.find_label_issues / get_label_quality_scores against cleanlab 2.9's outputs stored in
tests/reference/cleanlab/*.json (see tests/reference/README.md): same arguments, same results."""
import json

import numpy as np
import pytest

import textaudit
from conftest import SOURCE_DIR

FILTERS = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given",
           "low_normalized_margin", "low_self_confidence"]
METHODS = ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
# Cases whose rankings hinge on scores equal to the last bit (near_ties) are left to the C++ test,
# which knows how to accept either order; every other case must match exactly.
CASES = sorted(p.name for p in (SOURCE_DIR / "tests/reference/cleanlab").glob("*.json")
               if not json.loads(p.read_text())["near_ties"])
TOLERANCE = 1e-9  # the same arithmetic on the same doubles; only summation order may differ


def load(name):
    case = json.loads((SOURCE_DIR / "tests/reference/cleanlab" / name).read_text())
    return case, np.array(case["labels"], dtype=np.int64), np.array(case["pred_probs"], dtype=np.float64)


def test_cases_found():
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", CASES)
def test_find_label_issues_matches_cleanlab(name):
    case, labels, pred_probs = load(name)
    expected, errors = case["expected"], case["expected"].get("errors", {})
    for filter_by in FILTERS:
        if f"find_label_issues.{filter_by}" in errors:
            with pytest.raises(ValueError):
                textaudit.find_label_issues(labels, pred_probs, filter_by=filter_by, n_jobs=1)
            continue
        mask = textaudit.find_label_issues(labels, pred_probs, filter_by=filter_by, frac_noise=1.0,
                                           min_examples_per_class=1, n_jobs=1)
        assert mask.dtype == np.bool_ and mask.shape == labels.shape
        assert np.flatnonzero(mask).tolist() == expected["find_label_issues"][filter_by], filter_by
    for method in METHODS:
        if f"ranked.{method}" in errors:
            with pytest.raises(ValueError):
                textaudit.find_label_issues(labels, pred_probs, return_indices_ranked_by=method)
            continue
        ranked = textaudit.find_label_issues(labels, pred_probs, return_indices_ranked_by=method)
        assert ranked.dtype == np.int64
        assert ranked.tolist() == expected["ranked"][method], method


@pytest.mark.parametrize("name", CASES)
def test_variants_match_cleanlab(name):
    case, labels, pred_probs = load(name)
    for variant in case["expected"].get("find_label_issues_variants", []):
        kwargs = variant["kwargs"]
        if "error" in variant:
            with pytest.raises(ValueError):
                textaudit.find_label_issues(labels, pred_probs, **kwargs)
        elif "ranked" in variant:
            assert textaudit.find_label_issues(labels, pred_probs, **kwargs).tolist() == variant["ranked"], kwargs
        else:
            mask = textaudit.find_label_issues(labels, pred_probs, **kwargs)
            assert np.flatnonzero(mask).tolist() == variant["flagged"], kwargs


@pytest.mark.parametrize("name", CASES)
def test_label_quality_scores_match_cleanlab(name):
    case, labels, pred_probs = load(name)
    expected, errors = case["expected"], case["expected"].get("errors", {})
    for method in METHODS:
        for adjust in (False, True):
            key = f"label_quality_scores.{method}.adjust_pred_probs={'true' if adjust else 'false'}"
            if key in errors:
                with pytest.raises(ValueError):
                    textaudit.get_label_quality_scores(labels, pred_probs, method=method, adjust_pred_probs=adjust)
                continue
            scores = textaudit.get_label_quality_scores(labels, pred_probs, method=method, adjust_pred_probs=adjust)
            want = expected["label_quality_scores"][method][f"adjust_pred_probs={'true' if adjust else 'false'}"]
            assert scores.dtype == np.float64
            np.testing.assert_allclose(scores, want, rtol=0, atol=TOLERANCE, err_msg=key)


def test_lists_and_arrays_give_the_same_result():
    _, labels, pred_probs = load("synth_k3_n500_balanced.json")
    from_arrays = textaudit.find_label_issues(labels, pred_probs)
    from_lists = textaudit.find_label_issues(labels.tolist(), pred_probs.tolist())
    from_float32 = textaudit.find_label_issues(labels.astype(np.int32), pred_probs.astype(np.float32))
    assert np.array_equal(from_arrays, from_lists)
    assert from_float32.shape == from_arrays.shape
