// cli/cmd_crossval.cc: `textaudit crossval DATA --out pred_probs.csv`: out-of-fold class
// probabilities (TF-IDF + logistic regression, stratified k-fold), the pred_probs cleanlab uses.
#include <chrono>
#include <cstdio>
#include <map>
#include <malloc.h>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cl_options.h"
#include "cli/command.h"
#include "cli/csv_field.h"
#include "cli/dataset_options.h"
#include "cli/label_issues_output.h"
#include "cli/model_options.h"
#include "cli/progress.h"
#include "cli/tfidf_options.h"
#include "crossval/kfold.h"
#include "io/atomic_file.h"
#include "text/data_error.h"
#include "text/labels.h"
#include "text/vectorizer.h"

namespace textaudit::cli {
namespace {

struct CrossValArgs {
  DatasetOptions data;
  text::TfidfParams tfidf;
  models::LogisticRegressionParams model = crossval::out_of_fold_params();
  CrossValOptions cv;
  std::string out;
  std::string issues;  // --issues FILE: confident learning on the out-of-fold probabilities
  cleaning::FindLabelIssuesParams cl;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run_crossval(CrossValArgs& args) {
  const bool quiet = global_flags().quiet;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> extra;
  if (!args.cv.fold_column.empty()) extra.push_back(args.cv.fold_column);
  io::Dataset ds = load_dataset(args.data, extra, /*require_labels=*/true, quiet);
  const text::EncodedLabels labels = text::encode_labels(ds.labels);
  const int n_classes = static_cast<int>(labels.classes.size());
  const int threads = resolve_threads(args.cv.threads);

  crossval::FoldAssignment folds;
  if (!args.cv.fold_column.empty()) {
    // Fold values in order of first appearance become folds 0, 1, ...
    std::map<std::string, int> ids;
    std::vector<int> test_fold;
    test_fold.reserve(ds.size());
    for (const auto& value : ds.extra[0]) test_fold.push_back(ids.emplace(value, static_cast<int>(ids.size())).first->second);
    folds = crossval::fold_assignment(std::move(test_fold), labels.y, n_classes);
  } else {
    folds = crossval::stratified_kfold(labels.y, n_classes, args.cv.folds, args.cv.shuffle, args.cv.seed);
  }

  const auto t1 = std::chrono::steady_clock::now();
  args.tfidf.n_threads = threads;
  text::TfidfVectorizer vectorizer(args.tfidf);
  const text::CsrMatrix X = vectorizer.fit_transform(ds.texts);
  const double tfidf_s = seconds_since(t1);
  // The texts (and the rest of the records) are not needed any more: release them before the
  // folds (a fifth of the peak memory on the 200k-row benchmark corpus).
  const std::size_t n_rows = ds.size();
  ds = io::Dataset{.path = ds.path};
  malloc_trim(0);

  const auto t2 = std::chrono::steady_clock::now();
  Progress progress(quiet);
  const auto result = crossval::cross_val_predict(
      X, labels.y, n_classes, args.model, folds, threads,
      [&progress](int done, int total) { progress.update("cross-validation", static_cast<double>(done) / total); });
  progress.finish_stage();
  const double cv_s = seconds_since(t2);

  io::AtomicFile file(args.out);
  std::string text;
  for (int k = 0; k < n_classes; ++k) text += (k ? "," : "") + csv_field(labels.classes[k]);
  text += '\n';
  for (Eigen::Index i = 0; i < result.pred_probs.rows(); ++i) {
    for (int k = 0; k < n_classes; ++k) {
      if (k) text += ',';
      text += fmt::format("{}", result.pred_probs(i, k));  // shortest round-trip form
    }
    text += '\n';
  }
  file.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  file.commit();

  // Confident learning on the probabilities just written, as `textaudit label-issues --all` would
  // on them: the whole label-issue pipeline in one process.
  double cl_s = 0.0;
  std::size_t num_issues = 0;
  if (!args.issues.empty()) {
    const auto t3 = std::chrono::steady_clock::now();
    args.cl.n_threads = threads;
    const std::string format = args.issues.ends_with(".json") ? "json" : "csv";
    LabelIssuesOutput issues;
    try {
      issues = label_issues_output(labels.y, result.pred_probs, labels.classes, "sorted_names", args.cl,
                                   /*all=*/true, format);
    } catch (const std::invalid_argument& e) {
      throw DataError(ds.path, 0, args.data.label_column, e.what());
    }
    io::write_file_atomic(args.issues, issues.text);
    num_issues = issues.num_issues;
    cl_s = seconds_since(t3);
  }

  for (const auto& warning : result.warnings) std::fprintf(stderr, "textaudit: warning: %s\n", warning.c_str());
  std::fputs(fmt::format("crossval {}: {} rows, {} classes, {} features, {} folds -> {}\n", ds.path, n_rows,
                         n_classes, X.cols, folds.n_splits, args.out)
                 .c_str(),
             stdout);
  if (!args.issues.empty())
    std::fputs(fmt::format("label issues: {} of {} rows -> {}\n", num_issues, n_rows, args.issues).c_str(), stdout);
  if (!quiet) {
    std::string sizes, iters, secs, products;
    for (const auto& f : result.folds) {
      sizes += fmt::format("{}{}", sizes.empty() ? "" : " ", f.test_rows);
      iters += fmt::format("{}{}", iters.empty() ? "" : " ", f.n_iter);
      products += fmt::format("{}{}", products.empty() ? "" : " ", f.n_hessian_products);
      secs += fmt::format("{}{:.2f}", secs.empty() ? "" : " ", f.seconds);
    }
    // The lead fold is fitted first, from zero; the others start from its model.
    const std::string lead = result.lead_fold >= 0
                                 ? fmt::format(" (fold {} first, from zero; the others from its model)", result.lead_fold)
                                 : "";
    std::fputs(fmt::format("classes: {}\nfold sizes: {}\nNewton iterations: folds {}{}\n"
                           "Hessian-vector products: folds {}\n"
                           "fit seconds: folds {}\n",
                           fmt::join(labels.classes, ", "), sizes, iters, lead, products, secs)
                   .c_str(),
               stdout);
    std::fputs(fmt::format("time: tf-idf {:.2f} s, cross-validation {:.2f} s{}, total {:.2f} s ({} threads)\n", tfidf_s,
                           cv_s, args.issues.empty() ? "" : fmt::format(", label issues {:.2f} s", cl_s),
                           seconds_since(t0), threads)
                   .c_str(),
               stdout);
  }
  return kExitOk;
}

}  // namespace

TEXTAUDIT_REGISTER_COMMAND(Command{
    "crossval",
    "out-of-fold class probabilities (TF-IDF + logistic regression, stratified k-fold) as pred_probs.csv",
    30,
    [](CLI::App& app) -> std::function<int()> {
      auto args = std::make_shared<CrossValArgs>();
      add_dataset_options(app, args->data);
      add_tfidf_options(app, args->tfidf);
      add_model_options(app, args->model);
      add_crossval_options(app, args->cv);
      app.add_option("--out", args->out, "output CSV: one row per input row, one column per class")->required();
      app.add_option("--issues", args->issues,
                     "also find label issues with confident learning on these probabilities and write them here: "
                     "every row, in input order, as `label-issues --all` (.json: JSON, else CSV)");
      add_cl_options(app, args->cl);
      return [args] { return run_crossval(*args); };
    }});

}  // namespace textaudit::cli
