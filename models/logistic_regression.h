// models/logistic_regression.h: L2-regularised logistic regression on sparse rows, with the
// optimum of scikit-learn's LogisticRegression(penalty='l2'), fitted by a trust-region Newton-CG.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "text/dense.h"
#include "text/sparse.h"

namespace textaudit::models {

enum class ClassWeight {
  kNone,      // every class weighs 1 (or class_weights, when given)
  kBalanced,  // class k weighs n_samples / (n_present_classes * count_k), as scikit-learn
};

struct LogisticRegressionParams {
  double C = 1.0;                      // inverse regularisation strength, > 0
  bool fit_intercept = true;           // learn an (unpenalised) intercept per weight vector
  // Stopping rule. tol > 0: stop when max |grad(sum_i s_i loss_i + |W|^2 / (2C))| <= tol (an
  // absolute gradient test, as scikit-learn's gtol). tol == 0 (default): stop when the estimated
  // gap to the optimum, f - f* ~ 0.5 g^T diag(H)^-1 g, is <= ftol * |f| (f = C * sum_i s_i loss_i
  // + |W|^2 / 2). scikit-learn's lbfgs stops on a 2.2e-9 relative change of f, which leaves a
  // relative gap of ~1e-11..1e-7 (5e-7 on a fold of the 200k-row benchmark corpus). The default
  // ftol lands below that on every reference problem (tests/logistic_regression_test.cc: 1e-9
  // does not); on the benchmark fold it ends 1e-14 above the optimum with 44 Hessian products
  // (1e-12: 55; five warm folds, 154 instead of 209).
  double tol = 0.0;                    // >= 0
  double ftol = 1e-10;                 // relative objective gap, > 0; used when tol == 0
  int max_iter = 100;                  // Newton iterations, >= 1
  ClassWeight class_weight = ClassWeight::kNone;
  std::vector<double> class_weights;   // explicit per-class weights (n_classes entries, > 0); only with kNone
  bool warm_start = false;             // start from the current fit when its shape matches
  int n_threads = 1;                   // >= 1; results are bit-identical for any value
  // A cold fit on at least this many rows (0: never) starts from a rough fit (1e-2 gap) on every
  // 5th row, with each row's weight times 5 to keep the balance of data and penalty. It paid for
  // rough fits: an all-rows fit to a 1e-2 gap on the 1M-row benchmark corpus took 1 Newton step
  // instead of 5 (10 + 40 subsample products at 200k rows, instead of 37). cross_val_predict uses
  // it from 400k rows for the fold it fits first, from zero (1M rows: 58 products either way, 3.8
  // instead of 4.8 s); on 160k rows it cost more (58 products instead of 33). Off by default.
  std::int64_t subsample_start_rows = 0;
};

// Binary problems (2 classes present) fit one weight vector, class 1 positive; 3+ classes fit the
// multinomial (softmax) model. Objective: C * sum_i s_i * log_loss_i + 0.5 * |W|^2, where s_i is
// sample weight times class weight; the intercept is not penalised.
class LogisticRegression {
 public:
  explicit LogisticRegression(LogisticRegressionParams params = {});

  // X: n_samples x n_features, y: n_samples ints in [0, n_classes), sample_weight: empty or
  // n_samples values >= 0. Classes without rows get probability 0 and are not fitted.
  // Throws std::invalid_argument for bad params/shapes, DataError when fewer than 2 classes occur.
  LogisticRegression& fit(const text::CsrMatrix& X, std::span<const int> y, int n_classes,
                          std::span<const double> sample_weight = {});
  // The same fit on the rows `rows` of X (strictly ascending row ids), without copying them (a
  // cross-validation fold): y and sample_weight have one entry per selected row.
  LogisticRegression& fit(const text::CsrMatrix& X, std::span<const std::int64_t> rows, std::span<const int> y,
                          int n_classes, std::span<const double> sample_weight = {});

  // n_samples x n_classes probabilities (rows sum to 1). Requires fit; X.cols == n_features().
  DenseMatrix predict_proba(const text::CsrMatrix& X) const;
  // Probabilities of the rows `rows` of X (any row ids, in the order given), without copying them.
  DenseMatrix predict_proba(const text::CsrMatrix& X, std::span<const std::int64_t> rows) const;
  // n_samples x n_weight_vectors raw scores x.w + b (1 column for a binary fit).
  DenseMatrix decision_function(const text::CsrMatrix& X) const;

  // Learned state, scikit-learn's layout: coef() is n_weight_vectors x n_features (1 row for a
  // binary fit), intercept() has n_weight_vectors entries, classes() the fitted class ids.
  DenseMatrix coef() const;
  std::vector<double> intercept() const { return intercept_; }
  const std::vector<int>& classes() const { return classes_; }
  int n_classes() const { return n_classes_; }
  std::int64_t n_features() const { return n_features_; }
  bool fitted() const { return n_features_ > 0 || !classes_.empty(); }

  // Diagnostics of the last fit: Newton iterations, Hessian-vector products, whether the
  // stopping test passed, the final objective, max |gradient| / C and the estimated gap f - f*,
  // warnings (never printed).
  int n_iter() const { return n_iter_; }
  int n_hessian_products() const { return n_hess_; }
  bool converged() const { return converged_; }
  double objective() const { return objective_; }
  double max_abs_gradient() const { return max_abs_gradient_; }
  double objective_gap() const { return objective_gap_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  const LogisticRegressionParams& params() const { return params_; }
  void set_params(const LogisticRegressionParams& params) { params_ = params; }

  // Versioned binary format ("textaudit-logreg 1"); load throws DataError on malformed input.
  void save(std::ostream& out) const;
  static LogisticRegression load(std::istream& in);

 private:
  LogisticRegressionParams params_;
  int n_classes_ = 0;
  std::int64_t n_features_ = 0;
  std::vector<int> classes_;       // fitted class ids (ascending); 2 -> binary model
  std::vector<double> weights_;    // n_features x n_vectors, row-major (a feature's weights adjacent)
  std::vector<double> intercept_;  // n_vectors
  int n_iter_ = 0;
  int n_hess_ = 0;
  bool converged_ = false;
  double objective_ = 0.0;
  double max_abs_gradient_ = 0.0;
  double objective_gap_ = 0.0;
  std::vector<std::string> warnings_;

  int n_vectors() const { return classes_.size() == 2 ? 1 : static_cast<int>(classes_.size()); }
  // fit and predict_proba on `rows` of X, or on every row when `all_rows`.
  LogisticRegression& fit_rows(const text::CsrMatrix& X, std::span<const std::int64_t> rows, bool all_rows,
                               std::span<const int> y, int n_classes, std::span<const double> sample_weight);
  DenseMatrix scores_rows(const text::CsrMatrix& X, std::span<const std::int64_t> rows, bool all_rows) const;
  // A cold fit's starting point w: a fit on a subsample when there are params_.subsample_start_rows
  // rows or more (see LogisticRegressionParams); w is left as it is otherwise. Returns the
  // subsample fits' Hessian products (counted in n_hessian_products()).
  int subsample_start(const text::CsrMatrix& X, std::span<const std::int64_t> rows, const std::vector<int>& target,
                       const std::vector<double>& cs, int m, int n_present, std::vector<double>& w) const;
  DenseMatrix proba_from_scores(const DenseMatrix& scores) const;
};

// Throws std::invalid_argument naming the first bad field.
void check_params(const LogisticRegressionParams& params);

}  // namespace textaudit::models
