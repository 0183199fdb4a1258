#include "cli/audit_inputs.h"

#include <cstdio>

#include "cli/pred_probs_file.h"
#include "text/data_error.h"
#include "text/labels.h"

namespace textaudit::cli {

void add_audit_input_options(CLI::App& app, AuditInputArgs& args) {
  auto* pred_probs = app.add_option("--pred-probs", args.pred_probs,
                                    "your model's out-of-fold probabilities (n x K; CSV/TSV with a header row of class "
                                    "names, or .npy with columns in sorted class order): skips cross-validation");
  auto* features = app.add_option("--features", args.features,
                                  "your embeddings (.npy, n x d float32/float64): used for near-duplicates and outliers");
  auto* baseline = app.add_option("--baseline", args.baseline,
                                  "accepted data (same format and columns): audit DATA as a new batch against it, "
                                  "without re-auditing the accepted rows");
  app.add_option("--model", args.model, "with --baseline: the model saved by `textaudit fit ACCEPTED --save-model FILE` "
                                        "(default: fit one on the accepted rows first)")
      ->needs(baseline);
  baseline->excludes(pred_probs)->excludes(features);
}

audit::AuditResult run_audit_with_inputs(const audit::Auditor& auditor, const io::Dataset& ds,
                                         const DatasetOptions& data, const AuditInputArgs& args, bool quiet) {
  if (!args.baseline.empty()) {
    DatasetOptions accepted_options = data;
    accepted_options.path = args.baseline;
    const io::Dataset accepted = load_dataset(accepted_options, {}, /*require_labels=*/true, quiet);
    audit::BaselineModel model;
    if (!args.model.empty()) {
      model = audit::BaselineModel::load(args.model);
    } else {
      if (!quiet) std::fprintf(stderr, "textaudit: fitting the accepted-data model (save it with `textaudit fit`)\n");
      model = auditor.fit_baseline(accepted.texts, accepted.labels);
    }
    audit::AuditResult result = auditor.run_incremental(ds.texts, ds.labels, model, accepted.texts, accepted.labels);
    result.parameters.emplace_back("baseline", accepted.path);
    result.parameters.emplace_back("model", args.model.empty() ? "fitted on the baseline for this run" : args.model);
    for (const auto& s : accepted.skipped) {
      result.warnings.push_back(accepted.path + ":" + std::to_string(s.line) + ": skipped (--skip-bad-rows): " + s.reason);
    }
    return result;
  }
  if (args.pred_probs.empty() && args.features.empty()) return auditor.run(ds.texts, ds.labels);
  audit::ExternalInputs inputs;
  if (!args.pred_probs.empty()) {
    PredProbs probs = read_pred_probs(args.pred_probs, text::encode_labels(ds.labels).classes);
    if (probs.matrix.rows() != static_cast<Eigen::Index>(ds.size())) {
      throw DataError(args.pred_probs, 0, "", std::to_string(probs.matrix.rows()) + " probability rows but " + ds.path +
                                                  " has " + std::to_string(ds.size()) + " rows");
    }
    inputs.pred_probs = std::move(probs.matrix);
    inputs.pred_probs_classes = std::move(probs.header);
    inputs.pred_probs_source = args.pred_probs;
  }
  if (!args.features.empty()) {
    inputs.features = read_features(args.features);
    inputs.features_source = args.features;
  }
  return auditor.run(ds.texts, ds.labels, inputs);
}

}  // namespace textaudit::cli
