// cli/model_options.h: the logistic-regression and cross-validation flags shared by every command
// that trains a model.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "models/logistic_regression.h"

namespace textaudit::cli {

struct CrossValOptions {
  int folds = 5;             // --folds K, >= 2
  unsigned long long seed = 0;  // --seed S: shuffle rows within each class (0 and no --seed: no shuffle)
  bool shuffle = false;      // set when --seed is given
  std::string fold_column;   // --fold-column C: user folds (overrides --folds/--seed)
  int threads = 0;           // --threads N: 0 = all cores
};

// Adds -C/--inverse-regularization X, --max-iter N, --tol X, --ftol X, --class-weight balanced|none.
// Values go into `params` while parsing (it must outlive the app).
void add_model_options(CLI::App& app, models::LogisticRegressionParams& params);

// Adds --folds K, --seed S, --fold-column C, --threads N.
void add_crossval_options(CLI::App& app, CrossValOptions& options);

// options.threads resolved: 0 -> std::thread::hardware_concurrency() (at least 1).
int resolve_threads(int threads);

}  // namespace textaudit::cli
