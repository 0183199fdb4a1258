// crossval/kfold.h: stratified k-fold splits (scikit-learn's StratifiedKFold) and out-of-fold
// probabilities from logistic regression (scikit-learn's cross_val_predict(method='predict_proba')).
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "models/logistic_regression.h"
#include "text/dense.h"
#include "text/sparse.h"

namespace textaudit::crossval {

struct FoldAssignment {
  int n_splits = 0;
  std::vector<int> test_fold;         // per row: the fold (0..n_splits-1) whose test set holds it
  std::vector<std::string> warnings;  // e.g. a class with fewer rows than folds
};

// Stratified k-fold, the rule of scikit-learn 1.2.1's StratifiedKFold: classes numbered by first
// appearance, sorted labels dealt round-robin to folds, rows of a class assigned to folds in input
// order (shuffle=false, reproduces scikit-learn exactly) or in an order shuffled per class by
// std::mt19937_64(random_state) with a Fisher-Yates shuffle (shuffle=true; same per-class fold
// sizes, not scikit-learn's rows). y: n_samples ints in [0, n_classes).
// Throws std::invalid_argument when n_splits < 2 or > n_samples, or every class has fewer than
// n_splits rows; DataError when only one class occurs.
FoldAssignment stratified_kfold(std::span<const int> y, int n_classes, int n_splits = 5,
                                bool shuffle = false, std::uint64_t random_state = 0);

// Checks a user-supplied fold assignment (values in [0, n_splits), every fold non-empty and not
// the whole data set) and returns it with warnings for folds whose training rows lack a class.
FoldAssignment fold_assignment(std::vector<int> test_fold, std::span<const int> y, int n_classes);

// The stopping rule of out-of-fold fits in the crossval and audit commands and AuditOptions: the
// library's defaults with an estimated objective gap of 1e-7 instead of 1e-10, still below the gap
// scikit-learn's lbfgs leaves at its defaults (5e-7 on a fold of the 200k-row benchmark corpus).
// Out-of-fold probabilities feed confident learning, where a difference of 1e-4 changes nothing,
// and each warm-started fold ends one Newton step earlier. Benchmark corpora, 5
// folds: 3 Newton steps per fold instead of 4 (200k rows: 110 Hessian products instead of 162,
// crossval 10.2 s at 1e-10, 7.4 s at 1e-8, 6.6 s at 1e-7; 1M rows: 49.7 s at 1e-8, where four
// folds still took 4 steps, 41.2 s at 1e-7), probabilities within 3.5e-4 of the 1e-10 run's
// (scikit-learn's own: 1.2e-3 away), the same flagged rows. With the solver's last-step CG
// forcing (models/logistic_regression.cc, tron), each fold now ends after 2 Newton steps (200k:
// 90 products; 1M: 2 steps instead of 3, crossval 45.4 -> 42.0 s), within 1.3e-3 of the 1e-10
// run's probabilities at 200k, the same flagged rows at 200k (100/100) and 1M (69/69).
// Pass --ftol 1e-10 (or LogisticRegressionParams{}) for the exact optimum.
constexpr double kOutOfFoldFtol = 1e-7;
inline models::LogisticRegressionParams out_of_fold_params() {
  models::LogisticRegressionParams params;
  params.ftol = kOutOfFoldFtol;
  return params;
}

// Called after each fold finishes: (folds done, n_splits).
using ProgressCallback = std::function<void(int, int)>;

struct FoldSummary {
  std::int64_t train_rows = 0, test_rows = 0;
  int n_iter = 0;
  int n_hessian_products = 0;
  bool converged = false;
  double seconds = 0.0;
};

struct CrossValResult {
  DenseMatrix pred_probs;              // n_samples x n_classes, out-of-fold, input order
  std::vector<FoldSummary> folds;      // per fold
  int lead_fold = -1;                  // the fold fitted first, whose model starts the others (-1 with full_fit)
  int full_fit_iter = 0;               // iterations of the all-rows fit handed in (0 without one)
  int full_fit_hessian_products = 0;   // its Hessian-vector products
  std::vector<models::LogisticRegression> fold_models;  // per fold, with keep_fold_models only
  std::vector<std::string> warnings;   // fold warnings and non-convergence, never printed
};

// Out-of-fold probabilities: for each fold f, a model fitted on the rows with test_fold != f
// predicts the rows with test_fold == f. The last fold is fitted first, from zero with every
// thread, and the others start from its model (the objective is strictly convex, so a fold's
// optimum does not depend on its start; each fold converges to params' own tolerance); pass
// `full_fit`, a model already fitted on all of X and y, to start every fold from it instead
// (full_fit_iter is then its n_iter()). Folds run on up to n_threads threads; the result is identical for any
// n_threads. A class absent from a fold's training rows gets probability 0 in that fold (as
// scikit-learn). keep_fold_models: also return each fold's model (fold_models[f] never saw the
// rows of fold f), e.g. to read those rows again with some terms removed. Throws as fit() does.
CrossValResult cross_val_predict(const text::CsrMatrix& X, std::span<const int> y, int n_classes,
                                 const models::LogisticRegressionParams& params,
                                 const FoldAssignment& folds, int n_threads = 1,
                                 const ProgressCallback& progress = {},
                                 const models::LogisticRegression* full_fit = nullptr,
                                 bool keep_fold_models = false);

}  // namespace textaudit::crossval
