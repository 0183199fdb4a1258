#!/usr/bin/env python3
"""scikit-learn and LIBLINEAR on fold 0 of StratifiedKFold(5) of the matrix logreg_bench reads.

usage: logreg_vs_sklearn.py X.mtx y.txt [--cv]
Prints wall time, CPU time, iterations and the objective C*sum(log_loss) + 0.5*|coef|^2 (C = 1).
"""
import subprocess, sys, tempfile, time, os
import numpy as np, scipy.io
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

def objective(coef, intercept, X, y):
    z = X @ coef.T + intercept
    if coef.shape[0] == 1:
        z = np.hstack([np.zeros_like(z), z])
    z -= z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    return float((lse - z[np.arange(len(y)), y]).sum() + 0.5 * (coef ** 2).sum())

X = scipy.io.mmread(sys.argv[1]).tocsr(); y = np.loadtxt(sys.argv[2], dtype=int)
train, test = next(StratifiedKFold(5).split(X, y))
Xt, yt = X[train], y[train]
print(f"fold 0 train: {Xt.shape[0]} rows, {Xt.shape[1]} features, {Xt.nnz} nnz, {len(set(yt))} classes")
t, c = time.perf_counter(), time.process_time()
m = LogisticRegression(max_iter=1000).fit(Xt, yt)
print(f"sklearn lbfgs max_iter=1000: {time.perf_counter()-t:.2f} s wall, {time.process_time()-c:.2f} s cpu, "
      f"n_iter={m.n_iter_[0]}, objective={objective(m.coef_, m.intercept_, Xt, yt):.10g}")
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "train.svm")
    with open(path, "w") as out:
        for i in range(Xt.shape[0]):
            row = Xt[i]
            out.write(str(yt[i]) + " " + " ".join(f"{j+1}:{v:.17g}" for j, v in zip(row.indices, row.data)) + "\n")
    for solver in ("0",):
        t = time.perf_counter()
        r = subprocess.run(["liblinear-train", "-s", solver, "-B", "1", path, os.path.join(tmp, "m")],
                           capture_output=True, text=True)
        print(f"liblinear-train -s {solver} -B 1 (one-vs-rest, bias penalised; objective not comparable): "
              f"{time.perf_counter()-t:.2f} s wall")
if "--cv" in sys.argv:
    t, c = time.perf_counter(), time.process_time()
    cross_val_predict(LogisticRegression(max_iter=1000), X, y, cv=StratifiedKFold(5), method="predict_proba")
    print(f"sklearn cross_val_predict 5 folds: {time.perf_counter()-t:.2f} s wall, {time.process_time()-c:.2f} s cpu")
