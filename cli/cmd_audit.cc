// textaudit audit DATA --out DIR: the one-command audit (audit/auditor.h) and its reports.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <string>

#include "audit/auditor.h"
#include "audit/report.h"
#include "cli/audit_inputs.h"
#include "cli/audit_options.h"
#include "cli/command.h"
#include "cli/dataset_options.h"
#include "cli/progress.h"
#include "io/atomic_file.h"
#include "io/dataset.h"

namespace textaudit::cli {
namespace {

struct AuditArgs {
  DatasetOptions data;
  PipelineArgs pipeline;
  audit::AuditOptions audit;
  AuditInputArgs inputs;
  std::string out_dir;
  bool fail_on_issues = false;
  bool no_triggers = false;
  int top = 10;
};

// Fold values in order of first appearance become folds 0, 1, ...
std::vector<int> folds_from_column(const std::vector<std::string>& values) {
  std::map<std::string, int> ids;
  std::vector<int> folds;
  folds.reserve(values.size());
  for (const auto& v : values) folds.push_back(ids.emplace(v, static_cast<int>(ids.size())).first->second);
  return folds;
}

std::string cleaned_name(const io::Dataset& ds) {
  switch (ds.format) {
    case io::Format::kTsv: return "cleaned.tsv";
    case io::Format::kJsonl: return "cleaned.jsonl";
    default: return "cleaned.csv";
  }
}

int run_audit(AuditArgs& args) {
  const bool quiet = global_flags().quiet;
  // Check the output directory before spending minutes on the audit.
  if (!args.out_dir.empty()) io::ensure_output_dir(args.out_dir);

  std::vector<std::string> extra;
  if (!args.pipeline.cv.fold_column.empty()) extra.push_back(args.pipeline.cv.fold_column);
  Progress progress(quiet);
  progress.update("read", 0.0);
  io::Dataset ds = load_dataset(args.data, extra, /*require_labels=*/true, quiet);
  progress.update("read", 1.0);

  audit::AuditOptions options = make_audit_options(args.pipeline, args.audit);
  options.detect_triggers = !args.no_triggers;
  if (!args.pipeline.cv.fold_column.empty()) options.folds = folds_from_column(ds.extra[0]);
  options.progress = [&progress](std::string_view stage, double fraction) { progress.update(std::string(stage), fraction); };

  const audit::Auditor auditor(options);
  audit::AuditResult result = run_audit_with_inputs(auditor, ds, args.data, args.inputs, quiet);
  for (const auto& s : ds.skipped) {
    result.warnings.push_back(ds.path + ":" + std::to_string(s.line) + ": skipped (--skip-bad-rows): " + s.reason);
  }

  audit::ReportContext context;
  context.dataset_path = ds.path;
  if (!args.out_dir.empty()) {
    const auto report_start = std::chrono::steady_clock::now();
    progress.update("write reports", 0.0);
    // All four files or none: a failure part way (disk full) leaves no new file in --out.
    io::StagedOutputs outputs(args.out_dir);
    std::vector<bool> keep(result.n_rows);
    for (std::size_t r = 0; r < result.n_rows; ++r) keep[r] = !result.is_flagged(r);
    // The three files at once: the cleaned file (a copy of the input's bytes) and report.html on
    // threads of their own, issues.csv on this one (each reads the result only).
    // (Paths first: StagedOutputs::path records each name and is not thread-safe.)
    const std::string cleaned_path = outputs.path(cleaned_name(ds));
    const std::string html_path = outputs.path("report.html"), issues_path = outputs.path("issues.csv");
    context.texts = std::move(ds.texts);
    auto cleaned = std::async(std::launch::async, [&] { io::write_subset(ds, keep, cleaned_path); });
    auto html = std::async(std::launch::async, [&] { audit::write_report_html(result, context, html_path); });
    try {
      audit::write_issues_csv(result, issues_path);
    } catch (...) {
      cleaned.wait();
      html.wait();
      throw;
    }
    html.wait();
    cleaned.wait();
    html.get();
    cleaned.get();
    const double report_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - report_start).count();
    result.timings.push_back({"write reports", report_s, report_s});
    audit::write_summary_json(result, context, outputs.path("summary.json"));
    outputs.commit();
    progress.update("write reports", 1.0);
  }
  progress.finish_stage();
  if (context.texts.empty()) context.texts = std::move(ds.texts);

  std::size_t flagged = 0;
  for (std::size_t r = 0; r < result.n_rows; ++r) flagged += result.is_flagged(r);
  if (!quiet) {
    std::fputs(audit::format_terminal_summary(result, context, 80, args.top).c_str(), stdout);
    if (!args.out_dir.empty()) {
      std::printf("\nWrote %s/{issues.csv, summary.json, report.html, %s} (%zu of %zu rows kept)\n",
                  args.out_dir.c_str(), cleaned_name(ds).c_str(), result.n_rows - flagged, result.n_rows);
    }
  }
  return args.fail_on_issues && flagged > 0 ? kExitIssuesFound : kExitOk;
}

std::function<int()> setup_audit(CLI::App& app) {
  auto args = std::make_shared<AuditArgs>();
  add_dataset_options(app, args->data);
  app.add_option("-o,--out", args->out_dir,
                 "write issues.csv, summary.json, report.html and the cleaned file into this directory");
  app.add_flag("--fail-on-issues", args->fail_on_issues, "exit with code 3 when any row is flagged");
  app.add_flag("--no-triggers", args->no_triggers, "skip the backdoor-trigger analysis");
  app.add_option("--top", args->top, "suspicious rows shown on the terminal")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--min-cosine", args->audit.near_duplicates.min_cosine,
                 "near-duplicates: TF-IDF cosine similarity at least this")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--ambiguity-margin", args->audit.ambiguity_margin,
                 "ambiguous: the two most likely classes closer than this")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  add_pipeline_options(app, args->pipeline);
  add_audit_input_options(app, args->inputs);
  return [args]() { return run_audit(*args); };
}

}  // namespace

TEXTAUDIT_REGISTER_COMMAND(Command{
    .name = "audit",
    .help = "audit a labelled text file: label errors, backdoor triggers, near-duplicates, outliers, "
            "ambiguous rows; writes issues.csv, summary.json, report.html and a cleaned file",
    .order = 1,
    .setup = setup_audit,
});

}  // namespace textaudit::cli
