// cli/cmd_fit.cc: `textaudit fit ACCEPTED --save-model FILE`: the vectorizer and model of an
// accepted dataset, with its confident-learning thresholds, in one file for incremental audits
// (`textaudit audit NEW --baseline ACCEPTED --model FILE`).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "audit/auditor.h"
#include "cli/command.h"
#include "cli/dataset_options.h"
#include "cli/model_options.h"
#include "cli/tfidf_options.h"
#include "io/atomic_file.h"

namespace textaudit::cli {
namespace {

struct FitArgs {
  DatasetOptions data;
  audit::AuditOptions options;
  unsigned long long seed = 0;
  std::string save_model;
};

int run_fit(FitArgs& args) {
  const bool quiet = global_flags().quiet;
  const auto start = std::chrono::steady_clock::now();
  const std::string dir = std::filesystem::path(args.save_model).parent_path().string();
  if (!dir.empty()) io::ensure_output_dir(dir);
  const io::Dataset ds = load_dataset(args.data, {}, /*require_labels=*/true, quiet);
  args.options.random_state = args.seed;
  const audit::Auditor auditor(args.options);
  const audit::BaselineModel model = auditor.fit_baseline(ds.texts, ds.labels);
  model.save(args.save_model);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string thresholds;
  for (std::size_t k = 0; k < model.classes.size(); ++k) {
    thresholds += fmt::format("{}{}={:.3f}", k ? ", " : "", model.classes[k], model.thresholds[k]);
  }
  std::fputs(fmt::format("fit {}: {} rows, {} classes, {} terms -> {}\n", ds.path, ds.size(), model.classes.size(),
                         model.vectorizer.vocabulary().size(), args.save_model)
                 .c_str(),
             stdout);
  if (!quiet) {
    std::fputs(fmt::format("held-out thresholds: {}\nmodel skill (held-out log-loss vs class prior): {:.3f}\ntime: {:.2f} s\n",
                           thresholds, model.model_skill, seconds)
                   .c_str(),
               stdout);
  }
  return kExitOk;
}

}  // namespace

TEXTAUDIT_REGISTER_COMMAND(Command{
    "fit",
    "fit the vectorizer and model on accepted data and save them (--save-model) for incremental audits",
    20,
    [](CLI::App& app) -> std::function<int()> {
      auto args = std::make_shared<FitArgs>();
      add_dataset_options(app, args->data);
      add_tfidf_options(app, args->options.tfidf);
      add_model_options(app, args->options.model);
      app.add_option("--folds", args->options.n_splits,
                     "the confident-learning thresholds come from one held-out fold of this many")
          ->check(CLI::Range(2, 1000))
          ->capture_default_str();
      app.add_option("--seed", args->seed, "seed of the stratified held-out fold")->capture_default_str();
      app.add_option("--threads", args->options.n_threads, "threads (0 = all cores)")
          ->check(CLI::NonNegativeNumber)
          ->capture_default_str();
      app.add_option("--save-model", args->save_model, "write the model here (atomically)")->required();
      return [args] { return run_fit(*args); };
    }});

}  // namespace textaudit::cli
