// Stratified folds and cross_val_predict. The fold rule follows scikit-learn 1.2.1
// (sklearn/model_selection/_split.py, StratifiedKFold._make_test_folds) line by line, so that
// shuffle=false gives its exact folds.
#include "crossval/kfold.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <stdexcept>

#include "models/detail/parallel.h"
#include "text/data_error.h"

namespace textaudit::crossval {

FoldAssignment stratified_kfold(std::span<const int> y, int n_classes, int n_splits, bool shuffle,
                                std::uint64_t random_state) {
  const std::int64_t n = static_cast<std::int64_t>(y.size());
  if (n_splits < 2)
    throw std::invalid_argument("stratified_kfold: n_splits must be >= 2, got " + std::to_string(n_splits));
  if (n_splits > n)
    throw std::invalid_argument("stratified_kfold: n_splits=" + std::to_string(n_splits) +
                                " is greater than the number of rows, " + std::to_string(n));
  // Classes numbered by first appearance (scikit-learn encodes them this way, which decides
  // which class gets the round-robin remainders).
  std::vector<int> order_of(static_cast<std::size_t>(n_classes), -1);
  std::vector<int> first_seen;
  std::vector<int> encoded(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const int label = y[static_cast<std::size_t>(i)];
    if (label < 0 || label >= n_classes)
      throw std::invalid_argument("stratified_kfold: label " + std::to_string(label) + " at row " +
                                  std::to_string(i) + " outside [0, " + std::to_string(n_classes) + ")");
    if (order_of[static_cast<std::size_t>(label)] < 0) {
      order_of[static_cast<std::size_t>(label)] = static_cast<int>(first_seen.size());
      first_seen.push_back(label);
    }
    encoded[static_cast<std::size_t>(i)] = order_of[static_cast<std::size_t>(label)];
  }
  const int k_present = static_cast<int>(first_seen.size());
  if (k_present < 2)
    throw DataError("every row has the same label (class " +
                    std::to_string(first_seen.empty() ? -1 : first_seen[0]) +
                    "); cross-validation needs at least two classes");
  std::vector<std::int64_t> counts(static_cast<std::size_t>(k_present), 0);
  for (int c : encoded) ++counts[static_cast<std::size_t>(c)];
  const std::int64_t min_count = *std::min_element(counts.begin(), counts.end());
  const std::int64_t max_count = *std::max_element(counts.begin(), counts.end());
  FoldAssignment out;
  out.n_splits = n_splits;
  if (max_count < n_splits)
    throw std::invalid_argument("stratified_kfold: n_splits=" + std::to_string(n_splits) +
                                " cannot be greater than the number of rows in each class (largest class: " +
                                std::to_string(max_count) + ")");
  if (min_count < n_splits) {
    const int small = first_seen[static_cast<std::size_t>(
        std::min_element(counts.begin(), counts.end()) - counts.begin())];
    out.warnings.push_back("the least populated class (class " + std::to_string(small) + ") has only " +
                           std::to_string(min_count) + " rows, fewer than n_splits=" +
                           std::to_string(n_splits) + "; some folds have no test row of it");
  }
  // allocation[f][c]: class-c entries at positions f, f + n_splits, ... of the sorted labels.
  std::vector<std::int64_t> allocation(static_cast<std::size_t>(n_splits) * k_present, 0);
  {
    std::int64_t pos = 0;
    for (int c = 0; c < k_present; ++c)
      for (std::int64_t r = 0; r < counts[static_cast<std::size_t>(c)]; ++r, ++pos)
        ++allocation[static_cast<std::size_t>(pos % n_splits) * k_present + c];
  }
  std::mt19937_64 rng(random_state);
  std::vector<std::vector<int>> folds_for_class(static_cast<std::size_t>(k_present));
  for (int c = 0; c < k_present; ++c) {
    auto& folds = folds_for_class[static_cast<std::size_t>(c)];
    for (int f = 0; f < n_splits; ++f)
      folds.insert(folds.end(), static_cast<std::size_t>(allocation[static_cast<std::size_t>(f) * k_present + c]), f);
    if (shuffle) {
      // Fisher-Yates with our own uniform draw (std::uniform_int_distribution is not specified
      // bit-for-bit across standard libraries; this is).
      for (std::size_t i = folds.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(rng() % i);
        std::swap(folds[i - 1], folds[j]);
      }
    }
  }
  out.test_fold.resize(static_cast<std::size_t>(n));
  std::vector<std::size_t> next(static_cast<std::size_t>(k_present), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = encoded[static_cast<std::size_t>(i)];
    out.test_fold[static_cast<std::size_t>(i)] = folds_for_class[static_cast<std::size_t>(c)][next[static_cast<std::size_t>(c)]++];
  }
  return out;
}

FoldAssignment fold_assignment(std::vector<int> test_fold, std::span<const int> y, int n_classes) {
  if (test_fold.size() != y.size())
    throw std::invalid_argument("fold_assignment: " + std::to_string(test_fold.size()) +
                                " fold ids for " + std::to_string(y.size()) + " rows");
  FoldAssignment out;
  int max_fold = -1;
  for (std::size_t i = 0; i < test_fold.size(); ++i) {
    if (test_fold[i] < 0)
      throw std::invalid_argument("fold_assignment: negative fold id at row " + std::to_string(i));
    max_fold = std::max(max_fold, test_fold[i]);
  }
  out.n_splits = max_fold + 1;
  if (out.n_splits < 2)
    throw std::invalid_argument("fold_assignment: need at least 2 folds, got " + std::to_string(out.n_splits));
  std::vector<std::int64_t> fold_rows(static_cast<std::size_t>(out.n_splits), 0);
  std::vector<std::int64_t> fold_class(static_cast<std::size_t>(out.n_splits) * n_classes, 0);
  std::vector<std::int64_t> class_total(static_cast<std::size_t>(n_classes), 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes)
      throw std::invalid_argument("fold_assignment: label outside [0, n_classes) at row " + std::to_string(i));
    ++fold_rows[static_cast<std::size_t>(test_fold[i])];
    ++fold_class[static_cast<std::size_t>(test_fold[i]) * n_classes + y[i]];
    ++class_total[static_cast<std::size_t>(y[i])];
  }
  for (int f = 0; f < out.n_splits; ++f) {
    if (fold_rows[static_cast<std::size_t>(f)] == 0)
      throw std::invalid_argument("fold_assignment: fold " + std::to_string(f) +
                                  " has no rows (fold ids must be 0..n_folds-1 without gaps)");
    for (int k = 0; k < n_classes; ++k) {
      const std::int64_t in_train = class_total[static_cast<std::size_t>(k)] -
                                    fold_class[static_cast<std::size_t>(f) * n_classes + k];
      if (class_total[static_cast<std::size_t>(k)] > 0 && in_train == 0)
        out.warnings.push_back("fold " + std::to_string(f) + ": class " + std::to_string(k) +
                               " has no training rows; its probability is 0 in this fold");
    }
  }
  out.test_fold = std::move(test_fold);
  return out;
}

CrossValResult cross_val_predict(const text::CsrMatrix& X, std::span<const int> y, int n_classes,
                                 const models::LogisticRegressionParams& params,
                                 const FoldAssignment& folds, int n_threads,
                                 const ProgressCallback& progress, const models::LogisticRegression* full_fit,
                                 bool keep_fold_models) {
  models::check_params(params);
  if (n_threads < 1) throw std::invalid_argument("cross_val_predict: n_threads must be >= 1");
  if (static_cast<std::int64_t>(y.size()) != X.rows || folds.test_fold.size() != y.size())
    throw std::invalid_argument("cross_val_predict: X has " + std::to_string(X.rows) + " rows, y " +
                                std::to_string(y.size()) + ", test_fold " +
                                std::to_string(folds.test_fold.size()));
  const int n_splits = folds.n_splits;
  CrossValResult result;
  result.warnings = folds.warnings;
  result.pred_probs = DenseMatrix::Zero(X.rows, n_classes);
  result.folds.resize(static_cast<std::size_t>(n_splits));
  if (keep_fold_models) result.fold_models.resize(static_cast<std::size_t>(n_splits));

  std::vector<std::vector<std::string>> fold_warnings(static_cast<std::size_t>(n_splits));
  std::atomic<int> done{0};
  std::mutex progress_mutex;
  // Fits fold f on `threads` threads, from `from` (warm) or from zero (null), and writes its test
  // rows; returns its model.
  auto fit_fold = [&](int f, int threads, const models::LogisticRegression* from) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::int64_t> train_rows, test_rows;
    std::vector<int> train_y;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (folds.test_fold[i] == f) {
        test_rows.push_back(static_cast<std::int64_t>(i));
      } else {
        train_rows.push_back(static_cast<std::int64_t>(i));
        train_y.push_back(y[i]);
      }
    }
    models::LogisticRegression model;
    models::LogisticRegressionParams fold_params = params;
    fold_params.n_threads = threads;
    if (from != nullptr) {
      model = *from;
      fold_params.warm_start = true;
    } else {
      fold_params.warm_start = false;
      // A cold fit on many rows starts from every 5th row's fit (see LogisticRegressionParams).
      if (fold_params.subsample_start_rows == 0) fold_params.subsample_start_rows = 400000;
    }
    model.set_params(fold_params);
    // On the rows of X in place: a copy of the training rows would add 80% of X per fold in flight.
    model.fit(X, train_rows, train_y, n_classes);
    const DenseMatrix proba = model.predict_proba(X, test_rows);
    for (std::size_t r = 0; r < test_rows.size(); ++r)
      result.pred_probs.row(static_cast<Eigen::Index>(test_rows[r])) = proba.row(static_cast<Eigen::Index>(r));
    FoldSummary& summary = result.folds[static_cast<std::size_t>(f)];
    summary.train_rows = static_cast<std::int64_t>(train_rows.size());
    summary.test_rows = static_cast<std::int64_t>(test_rows.size());
    summary.n_iter = model.n_iter();
    summary.n_hessian_products = model.n_hessian_products();
    summary.converged = model.converged();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& w : model.warnings())
      fold_warnings[static_cast<std::size_t>(f)].push_back("fold " + std::to_string(f) + ": " + w);
    const int finished = ++done;
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(finished, n_splits);
    }
    return model;
  };

  // The start of the folds. Without a fit handed in, the last fold is fitted first, from zero and
  // with every thread, and each other fold starts from its optimum: the folds' optima lie close to
  // each other (each shares 3/4 of its rows with another at 5 folds), so they converge from there
  // as fast as from an all-rows fit (200k-row benchmark corpus: 19 products each, against 18-19
  // from an all-rows fit to a 1e-2 gap), and the all-rows fit's own products (20 on 200k rows)
  // shrink to the lead fold's extra ones (33 products from zero on 160k rows, instead of 18).
  models::LogisticRegression start;
  std::vector<int> rest;  // folds fitted from `start`
  if (full_fit != nullptr) {
    if (!full_fit->fitted() || full_fit->n_features() != X.cols || full_fit->n_classes() != n_classes)
      throw std::invalid_argument("cross_val_predict: full_fit is not a fit on X with n_classes classes");
    start = *full_fit;
    result.full_fit_iter = full_fit->n_iter();
    result.full_fit_hessian_products = full_fit->n_hessian_products();
    for (int f = 0; f < n_splits; ++f) rest.push_back(f);
  } else {
    result.lead_fold = n_splits - 1;
    start = fit_fold(result.lead_fold, n_threads, nullptr);
    for (int f = 0; f < result.lead_fold; ++f) rest.push_back(f);
    if (keep_fold_models) result.fold_models[static_cast<std::size_t>(result.lead_fold)] = start;
  }

  // The other folds on `outer` workers, each fit with n_threads / outer threads, taken from a queue
  // as the workers free up (fold fits differ by up to ~25% in time); the last count % outer folds
  // then share all the threads (4 folds on 2 threads: 2 x 1 thread twice; 5 folds: then 1 x 2
  // threads), so no core idles at the end. Each fold's fit is bit-identical for any thread count
  // and writes only its own test rows, so the output does not depend on n_threads or on scheduling.
  const int n_rest = static_cast<int>(rest.size());
  const int outer = std::max(1, std::min(n_threads, n_rest));
  const int queued = n_rest - n_rest % outer;
  for (const auto& [first, count] : {std::pair{0, queued}, std::pair{queued, n_rest - queued}}) {
    if (count == 0) continue;
    const int workers = std::min(outer, count);
    const int inner = std::max(1, n_threads / workers);
    models::detail::parallel_for(count, workers, [&, first = first](int task) {
      const int f = rest[static_cast<std::size_t>(first + task)];
      models::LogisticRegression model = fit_fold(f, inner, &start);
      if (keep_fold_models) result.fold_models[static_cast<std::size_t>(f)] = std::move(model);
    });
  }
  for (const auto& ws : fold_warnings) result.warnings.insert(result.warnings.end(), ws.begin(), ws.end());
  return result;
}

}  // namespace textaudit::crossval
