#include "cli/model_options.h"

#include <algorithm>
#include <thread>

namespace textaudit::cli {

void add_model_options(CLI::App& app, models::LogisticRegressionParams& params) {
  app.add_option("-C,--inverse-regularization", params.C,
                 "inverse L2 regularisation strength of the logistic regression (scikit-learn's C)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--max-iter", params.max_iter, "Newton iterations per fit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--tol", params.tol,
                 "> 0: stop when max |gradient| of (sum loss + |W|^2/(2C)) <= tol; 0: use --ftol")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--ftol", params.ftol,
                 "with --tol 0: stop when the estimated objective gap to the optimum is <= ftol * objective")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option_function<std::string>(
         "--class-weight",
         [&params](const std::string& value) {
           params.class_weight = value == "balanced" ? models::ClassWeight::kBalanced : models::ClassWeight::kNone;
         },
         "balanced: weight classes by n_samples / (n_classes * count) (default: none)")
      ->check(CLI::IsMember({"balanced", "none"}));
}

void add_crossval_options(CLI::App& app, CrossValOptions& options) {
  app.add_option("--folds", options.folds, "stratified folds for out-of-fold probabilities")
      ->check(CLI::Range(2, 1000000))
      ->capture_default_str();
  app.add_option_function<unsigned long long>(
         "--seed",
         [&options](unsigned long long seed) {
           options.seed = seed;
           options.shuffle = true;
         },
         "shuffle rows within each class before dealing them to folds, with this seed "
         "(default: no shuffle, scikit-learn's StratifiedKFold(shuffle=False) folds)");
  app.add_option("--fold-column", options.fold_column,
                 "column holding each row's fold (any values; rows sharing a value form one fold); "
                 "overrides --folds and --seed");
  app.add_option("--threads", options.threads, "threads (0: all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace textaudit::cli
