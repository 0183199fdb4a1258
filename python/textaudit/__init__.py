"""textaudit: audit a labelled text dataset before training on it.

Confident learning with cleanlab 2.9's names and results (switching is one import)::

    from textaudit import find_label_issues, get_label_quality_scores
    mask = find_label_issues(labels, pred_probs)                      # bool, shape (n_samples,)
    ranked = find_label_issues(labels, pred_probs, return_indices_ranked_by="self_confidence")

The whole audit (TF-IDF, cross-validated logistic regression, confident learning, backdoor
triggers, near-duplicates, outliers, ambiguity)::

    issues, summary = textaudit.audit(texts, labels, n_threads=4)
    issues, summary = textaudit.audit(texts, labels, pred_probs=oof_probs, features=embeddings)

As a preprocessing step in a training script::

    auditor = textaudit.TextAuditor(n_threads=4).fit(texts, labels)
    print(auditor.summary_["counts"], auditor.summary_["alarms"])
    texts, labels = auditor.filter(texts, labels)     # only the rows without an issue
    model.fit(vectorizer.fit_transform(texts), labels)

Options are the fields of the C++ AuditOptions (audit/auditor.h): top level n_splits,
random_state, folds, n_threads, ambiguity_margin, min_model_skill, detect_triggers,
alarm_min_ratio, alarm_min_rate; nested dicts for tfidf, model, label_issues, near_duplicates,
outliers, triggers, e.g. ``tfidf={"ngram_range": (1, 2), "min_df": 2}, model={"C": 4.0}``.
``textaudit.option_names()`` lists them all. Bad options raise TypeError / ValueError; data that
cannot be audited raises textaudit.DataError (a ValueError).
"""

import json

import numpy as np

from ._core import DataError, find_label_issues, get_label_quality_scores, option_names
from . import _core

__all__ = ["audit", "TextAuditor", "find_label_issues", "get_label_quality_scores", "DataError",
           "option_names"]
__version__ = "0.1.0"


def _issues_frame(columns):
    """A pandas DataFrame of the issue columns when pandas is importable, else the dict itself."""
    try:
        import pandas
    except ImportError:
        return columns
    return pandas.DataFrame(columns)


def _run(texts, labels, options, pred_probs=None, features=None, pred_probs_classes=None):
    return _core.run_audit(texts, labels, dict(options), pred_probs, features, pred_probs_classes)


def audit(texts, labels, *, pred_probs=None, features=None, pred_probs_classes=None, **options):
    """Audit a labelled text dataset.

    Parameters
    ----------
    texts : sequence of str, length n_samples
    labels : sequence of str or int, length n_samples
        Class names (integers sort numerically, as scikit-learn's LabelEncoder).
    pred_probs : array-like of float, shape (n_samples, n_classes), optional
        Bring your own model: its out-of-fold probabilities replace the built-in
        cross-validation for confident learning, ambiguity and the issue score (rows sum to 1).
        Columns follow ``pred_probs_classes``, or the sorted class names when that is None.
    features : array-like of float, shape (n_samples, d), optional
        Your embeddings: near-duplicates and outliers use them (Datalab's dense checks)
        instead of TF-IDF.
    pred_probs_classes : sequence of str or int, optional
        The class name of each pred_probs column.
    **options
        AuditOptions fields (see the module docstring), e.g. n_threads=4, random_state=0,
        tfidf={"ngram_range": (1, 2)}, label_issues={"filter_by": "both"}.

    Returns
    -------
    issues : pandas.DataFrame or dict of numpy.ndarray
        One row per input row, in input order, with the columns of ``textaudit audit``'s
        issues.csv: row, given_label, predicted_label, label_quality, is_label_issue,
        is_near_duplicate, near_duplicate_set, is_outlier, outlier_score, is_ambiguous,
        issue_score, is_suspected_poison, poison_score, trigger, ambiguity_score,
        near_duplicate_label_conflict, reasons. A DataFrame when pandas is installed.
    summary : dict
        The content of summary.json: counts per issue type, classes, noise estimates,
        suspected triggers, alarms, warnings, parameters, timings.
    """
    out = _run(texts, labels, options, pred_probs, features, pred_probs_classes)
    return _issues_frame(out["issues"]), json.loads(out["summary_json"])


def _take(values, indices):
    """values[indices] for a list, tuple, NumPy array or pandas object."""
    if hasattr(values, "iloc"):
        return values.iloc[indices]
    if isinstance(values, np.ndarray):
        return values[indices]
    return [values[i] for i in indices]


class TextAuditor:
    """A preprocessing step that finds the rows to drop before training (scikit-learn style).

    Parameters
    ----------
    **options
        AuditOptions fields, as for :func:`audit`. Checked when the object is made.

    Attributes
    ----------
    issues_ : pandas.DataFrame or dict of numpy.ndarray
        The per-row issue columns of :func:`audit`.
    summary_ : dict
        The audit summary.
    keep_mask_ : numpy.ndarray of bool, shape (n_samples,)
        True for the rows a cleaned copy keeps: no label issue, suspected poison, outlier or
        ambiguity, and the first row of each near-duplicate set (the ``cleaned.csv`` rows).
    keep_indices_ : numpy.ndarray of int64
        np.flatnonzero(keep_mask_).
    classes_ : list of str
        Class names; column k of pred_probs_ is classes_[k].
    pred_probs_ : numpy.ndarray, shape (n_samples, n_classes)
        The out-of-fold probabilities the audit used.

    Examples
    --------
    >>> auditor = TextAuditor(n_threads=2).fit(texts, labels)
    >>> clean_texts, clean_labels = auditor.filter(texts, labels)
    >>> model.fit(vectorizer.fit_transform(clean_texts), clean_labels)
    """

    def __init__(self, **options):
        _core.check_options(dict(options))
        self._options = dict(options)

    def get_params(self, deep=True):
        """The options, as scikit-learn's get_params."""
        return dict(self._options)

    def set_params(self, **params):
        """Updates options (checked), as scikit-learn's set_params; returns self."""
        merged = {**self._options, **params}
        _core.check_options(merged)
        self._options = merged
        return self

    def fit(self, texts, labels, pred_probs=None, features=None, pred_probs_classes=None):
        """Audits (texts, labels), optionally with your model's out-of-fold ``pred_probs`` and/or
        your ``features`` (as :func:`audit`); sets issues_, summary_, keep_mask_, keep_indices_,
        classes_, pred_probs_. Returns self."""
        out = _run(texts, labels, self._options, pred_probs, features, pred_probs_classes)
        self.issues_ = _issues_frame(out["issues"])
        self.summary_ = json.loads(out["summary_json"])
        self.keep_mask_ = out["keep_mask"]
        self.keep_indices_ = np.flatnonzero(self.keep_mask_)
        self.classes_ = list(out["classes"])
        self.pred_probs_ = out["pred_probs"]
        return self

    def filter(self, *arrays):
        """The kept rows of each of ``arrays`` (texts, labels, weights, a DataFrame...), each of the
        fitted length, in their own type (list, NumPy array, pandas object). One array: returns it;
        several: a tuple."""
        if not hasattr(self, "keep_mask_"):
            raise ValueError("TextAuditor is not fitted yet; call fit(texts, labels) first")
        n = len(self.keep_mask_)
        for i, a in enumerate(arrays):
            if len(a) != n:
                raise ValueError(f"array {i} has {len(a)} rows, the audit had {n}")
        kept = tuple(_take(a, self.keep_indices_) for a in arrays)
        return kept[0] if len(kept) == 1 else kept

    def fit_resample(self, texts, labels):
        """fit(texts, labels) then the kept (texts, labels), as imbalanced-learn's samplers, so the
        step fits an imblearn Pipeline."""
        return self.fit(texts, labels).filter(texts, labels)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._options.items())
        return f"TextAuditor({args})"
