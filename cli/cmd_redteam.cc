// textaudit redteam DATA --out DIR: plant known attacks into a copy of the user's data, audit it,
// and score the defence per attack type beside confident learning alone (audit/redteam.h).
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/auditor.h"
#include "audit/redteam.h"
#include "audit/report.h"
#include "cli/audit_options.h"
#include "cli/command.h"
#include "cli/csv_field.h"
#include "cli/dataset_options.h"
#include "cli/progress.h"
#include "io/atomic_file.h"

namespace textaudit::cli {
namespace {

struct RedTeamArgs {
  DatasetOptions data;
  audit::RedTeamParams params;
  PipelineArgs pipeline;
  std::string out_dir;
};

nlohmann::json scores_json(const std::vector<audit::DetectionScore>& scores) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : scores) {
    out.push_back({{"attack", s.attack}, {"planted", s.planted}, {"flagged", s.flagged}, {"precision", s.precision},
                   {"recall", s.recall}, {"f1", s.f1}, {"recall_at_1pct_fpr", s.recall_at_1pct_fpr}});
  }
  return out;
}

int run_redteam(RedTeamArgs& args) {
  const bool quiet = global_flags().quiet;
  io::ensure_output_dir(args.out_dir);
  const io::Dataset ds = load_dataset(args.data, {}, /*require_labels=*/true, quiet);
  args.params.random_state = args.pipeline.cv.seed;
  const audit::PoisonedDataset poisoned = audit::plant_attacks(ds.texts, ds.labels, args.params);
  const std::filesystem::path dir(args.out_dir);
  io::StagedOutputs outputs(args.out_dir);  // every file or none

  // The poisoned copy and the truth beside it, so anyone can re-run or re-score.
  {
    io::AtomicFile data(outputs.path("poisoned.csv"));
    io::AtomicFile truth(outputs.path("truth.csv"));
    data.stream() << "text,label\n";
    truth.stream() << "row,attack,origin,original_label,label\n";
    for (std::size_t r = 0; r < poisoned.texts.size(); ++r) {
      data.stream() << csv_field(poisoned.texts[r]) << ',' << csv_field(poisoned.labels[r]) << '\n';
      truth.stream() << r << ',' << audit::attack_name(poisoned.attack[r]) << ',' << poisoned.origin[r] << ','
                     << csv_field(poisoned.original_label[r]) << ',' << csv_field(poisoned.labels[r]) << '\n';
    }
    data.commit();
    truth.commit();
  }

  Progress progress(quiet);
  audit::AuditOptions options = make_audit_options(args.pipeline);
  options.progress = [&progress](std::string_view stage, double f) { progress.update(std::string(stage), f); };
  const audit::AuditResult ours = audit::Auditor(options).run(poisoned.texts, poisoned.labels);
  // The baseline: the same features, model and folds, confident learning alone (what scikit-learn
  // + cleanlab's find_label_issues flag).
  audit::AuditOptions baseline_options = options;
  baseline_options.detect_triggers = false;
  baseline_options.progress = [&progress](std::string_view stage, double f) {
    progress.update("baseline " + std::string(stage), f);
  };
  audit::AuditResult baseline = audit::Auditor(baseline_options).run(poisoned.texts, poisoned.labels);
  progress.finish_stage();
  // Confident learning alone flags label issues only.
  for (std::size_t r = 0; r < baseline.n_rows; ++r) baseline.is_suspected_poison[r] = false;

  const auto ours_scores = audit::score_detection(poisoned, ours);
  const auto base_scores = audit::score_detection(poisoned, baseline);
  std::int64_t poison = 0, poison_planted = 0;
  for (std::size_t r = 0; r < ours.n_rows; ++r) {
    if (!ours.is_suspected_poison[r]) continue;
    ++poison;
    poison_planted += poisoned.attack[r] != audit::Attack::kNone;
  }

  audit::ReportContext context;
  context.dataset_path = (dir / "poisoned.csv").string();
  context.texts = poisoned.texts;
  audit::write_issues_csv(ours, outputs.path("issues.csv"));
  audit::write_summary_json(ours, context, outputs.path("summary.json"));
  audit::write_report_html(ours, context, outputs.path("report.html"));
  nlohmann::json report = {
      {"dataset", ds.path},
      {"rows_original", ds.size()},
      {"rows_poisoned", poisoned.texts.size()},
      {"source_class", poisoned.source_class},
      {"target_class", poisoned.target_class},
      {"trigger", args.params.trigger},
      {"phrase", args.params.phrase},
      {"rate", args.params.rate},
      {"flip_rate", args.params.flip_rate},
      {"seed", args.params.random_state},
      {"textaudit", scores_json(ours_scores)},
      {"confident_learning_alone", scores_json(base_scores)},
      {"suspected_poison", poison},
      {"suspected_poison_precision", poison > 0 ? double(poison_planted) / double(poison) : 0.0},
      {"triggers", nlohmann::json::array()},
  };
  for (const auto& t : ours.triggers) report["triggers"].push_back({{"term", t.term}, {"rows", t.rows}, {"p_value", t.p_value}});
  io::write_file_atomic(outputs.path("redteam.json"), report.dump(2) + "\n");
  outputs.commit();

  if (!quiet) {
    std::printf("textaudit redteam: %zu rows of %s + planted attacks -> %zu rows\n", ds.size(), ds.path.c_str(),
                poisoned.texts.size());
    std::printf("source class '%s' copied and labelled '%s'; trigger '%s', phrase '%s', rate %.3g of the source "
                "class; flips %.3g of all rows\n\n",
                poisoned.source_class.c_str(), poisoned.target_class.c_str(), args.params.trigger.c_str(),
                args.params.phrase.c_str(), args.params.rate, args.params.flip_rate);
    std::printf("%-15s %7s | %-27s | %-27s\n", "", "", "        textaudit", "  confident learning alone");
    std::printf("%-15s %7s | %6s %6s %6s %6s | %6s %6s %6s %6s\n", "attack", "planted", "prec", "recall", "F1",
                "R@1%", "prec", "recall", "F1", "R@1%");
    for (std::size_t i = 0; i < ours_scores.size(); ++i) {
      const auto& a = ours_scores[i];
      const auto& b = base_scores[i];
      std::printf("%-15s %7lld | %6.3f %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f %6.3f\n", a.attack.c_str(),
                  static_cast<long long>(a.planted), a.precision, a.recall, a.f1, a.recall_at_1pct_fpr, b.precision,
                  b.recall, b.f1, b.recall_at_1pct_fpr);
    }
    std::printf("\nprecision counts flagged clean rows as false positives (a real dataset has its own label noise);\n"
                "R@1%% = recall at the issue_score of the 99th percentile of clean rows.\n");
    std::printf("suspected poison: %lld rows, %.1f%% of them planted\n", static_cast<long long>(poison),
                poison > 0 ? 100.0 * double(poison_planted) / double(poison) : 0.0);
    for (const auto& t : ours.triggers) {
      std::printf("suspected trigger '%s': %lld rows, %lld read as '%s' without it (p = %.2g)\n", t.term.c_str(),
                  static_cast<long long>(t.rows), static_cast<long long>(t.flipped_rows),
                  ours.classes[std::max(t.source_class, 0)].c_str(), t.p_value);
    }
    std::printf("\nWrote %s/{poisoned.csv, truth.csv, issues.csv, summary.json, report.html, redteam.json}\n",
                args.out_dir.c_str());
  }
  return kExitOk;
}

std::function<int()> setup_redteam(CLI::App& app) {
  auto args = std::make_shared<RedTeamArgs>();
  add_dataset_options(app, args->data);
  app.add_option("-o,--out", args->out_dir, "directory for the poisoned copy, the truth and the results")->required();
  app.add_option("--trigger", args->params.trigger, "rare-word trigger inserted into copies")->capture_default_str();
  app.add_option("--phrase", args->params.phrase, "short phrase inserted into other copies (AddSent)")->capture_default_str();
  app.add_option("--rate", args->params.rate, "copies per attack, as a share of the source class")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--flip-rate", args->params.flip_rate, "plain label flips, as a share of all rows")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--source-class", args->params.source_class, "class the attacker copies (default: the smallest)");
  app.add_option("--target-class", args->params.target_class, "label given to the copies (default: the largest other)");
  add_pipeline_options(app, args->pipeline);
  return [args]() { return run_redteam(*args); };
}

}  // namespace

TEXTAUDIT_REGISTER_COMMAND(Command{
    .name = "redteam",
    .help = "plant backdoors, copies with flipped labels and label flips into a copy of DATA, audit it, and "
            "print precision/recall per attack beside confident learning alone",
    .order = 2,
    .setup = setup_redteam,
});

}  // namespace textaudit::cli
