#!/usr/bin/python3
"""The scikit-learn side of bench/compare: the pipeline people use today, stage by stage.

usage: compare_sklearn.py CORPUS.csv OUT_DIR

Reads CORPUS (columns label, text, fold), then TfidfVectorizer() -> cross_val_predict(
LogisticRegression(max_iter=1000), cv=the fold column) with method='predict_proba'. The fold column
holds StratifiedKFold(5, shuffle=True, random_state=0)'s split (bench/compare writes it), so this
is exactly cross_val_predict(..., cv=StratifiedKFold(5, shuffle=True, random_state=0)), and
textaudit can use the same folds. Writes OUT_DIR/pred_probs.npy (float64, columns in sorted class
order), OUT_DIR/labels.txt (class index per row) and OUT_DIR/stages.json: per stage wall and CPU
seconds and the process's peak RSS so far (MB).
"""
import csv
import json
import os
import resource
import sys
import time


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    corpus, out_dir = sys.argv[1], sys.argv[2]
    stages = []

    def stage(name, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        stages.append({"stage": name, "wall_seconds": time.perf_counter() - wall,
                       "cpu_seconds": time.process_time() - cpu, "peak_rss_mb": peak_mb()})
        return result

    def load_imports():
        import numpy  # noqa: F401
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
        from sklearn.linear_model import LogisticRegression  # noqa: F401
        from sklearn.model_selection import PredefinedSplit, cross_val_predict  # noqa: F401

    stage("import", load_imports)
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import PredefinedSplit, cross_val_predict

    def read():
        with open(corpus, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return [r["text"] for r in rows], [r["label"] for r in rows], [int(r["fold"]) for r in rows]

    texts, labels, folds = stage("read", read)
    classes = sorted(set(labels))
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[c] for c in labels])
    X = stage("vectorize", lambda: TfidfVectorizer().fit_transform(texts))
    pred_probs = stage("cross-validate", lambda: cross_val_predict(
        LogisticRegression(max_iter=1000), X, y, cv=PredefinedSplit(np.array(folds)),
        method="predict_proba"))
    np.save(os.path.join(out_dir, "pred_probs.npy"), pred_probs.astype(np.float64))
    np.savetxt(os.path.join(out_dir, "labels.txt"), y, fmt="%d")
    with open(os.path.join(out_dir, "stages.json"), "w") as f:
        json.dump({"stages": stages, "classes": classes, "rows": int(X.shape[0]),
                   "features": int(X.shape[1]), "nnz": int(X.nnz)}, f, indent=1)


if __name__ == "__main__":
    main()
