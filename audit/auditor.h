// audit/auditor.h: the whole audit of a labelled text dataset in one call — TF-IDF, out-of-fold
// probabilities, trigger screening and confirmation, confident learning, near-duplicates,
// outliers, ambiguity — combined into one ranked AuditResult.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/baseline.h"
#include "audit/result.h"
#include "cleaning/label_issues.h"
#include "cleaning/near_duplicates.h"
#include "cleaning/outliers.h"
#include "cleaning/triggers.h"
#include "crossval/kfold.h"
#include "models/logistic_regression.h"
#include "text/vectorizer.h"

namespace textaudit::audit {

// Called as work advances: (stage name, fraction of that stage done in [0, 1]).
using ProgressCallback = std::function<void(std::string_view stage, double fraction)>;

struct AuditOptions {
  text::TfidfParams tfidf;                        // features (scikit-learn TfidfVectorizer defaults)
  models::LogisticRegressionParams model = crossval::out_of_fold_params();  // the classifier behind pred_probs
  int n_splits = 5;                               // cross-validation folds, >= 2
  std::uint64_t random_state = 0;                 // seed of the shuffled stratified folds
  std::vector<int> folds;                         // optional: test fold per row (overrides the split)
  int n_threads = 0;                              // 0 = all cores; results do not depend on it
  cleaning::FindLabelIssuesParams label_issues;   // confident learning (cleanlab defaults)
  cleaning::NearDuplicateParams near_duplicates;  // sparse path: min_cosine
  cleaning::OutlierParams outliers;               // k-NN distance outliers
  double ambiguity_margin = 0.1;                  // ambiguous: top-two probabilities closer than this
  double min_model_skill = 0.05;                  // confident-learning flags need out-of-fold log-loss
                                                  // at least this share below the class prior's
  bool detect_triggers = true;                    // run the backdoor-trigger analysis
  cleaning::TriggerParams triggers;
  double alarm_min_ratio = 4.0;                   // targeted-flip alarm: i->j count / j->i count
  double alarm_min_rate = 0.05;                   // ... and i->j rows / rows given j
  IncrementalParams incremental;                  // run_incremental() only
  ProgressCallback progress;                      // optional
};

// Bring your own model: outputs of the user's own classifier or embedder that replace built-in
// parts of the audit. Each is optional: an empty matrix means textaudit computes it.
struct ExternalInputs {
  // n_rows x K out-of-fold probabilities (finite, in [0, 1], rows sum to 1 within 1e-3). Replace
  // the built-in cross-validation for confident learning, ambiguity and the issue score. The
  // trigger analysis still uses TF-IDF and one built-in model on all rows (see run()).
  DenseMatrix pred_probs;
  // Class name of each pred_probs column (every label must be one of them); empty: the columns are
  // the sorted class names (AuditResult::classes, as scikit-learn's LabelEncoder).
  std::vector<std::string> pred_probs_classes;
  // n_rows x d embeddings: near-duplicates and outliers use Datalab's dense checks on them
  // (cleaning/near_duplicates.h, outliers.h) instead of TF-IDF.
  DenseMatrix features;
  // Where they came from (e.g. file paths), recorded in the parameters; optional.
  std::string pred_probs_source = "user-supplied";
  std::string features_source = "user-supplied";
};

// Throws std::invalid_argument naming the first bad field.
void check_options(const AuditOptions& options);

class Auditor {
 public:
  explicit Auditor(AuditOptions options = {});

  // texts and labels: one per row (labels are class names; integers sort numerically). Throws
  // std::invalid_argument for bad options or sizes, DataError for data that cannot be audited
  // (fewer than two classes, no tokens at all).
  AuditResult run(const std::vector<std::string>& texts, const std::vector<std::string>& labels) const;
  // The same with the user's pred_probs and/or features (ExternalInputs). Throws DataError naming
  // the input's source for a row count, class count or class name that does not match the labels,
  // or values that are not probabilities / not finite.
  AuditResult run(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                  const ExternalInputs& inputs) const;

  // Incremental audits (audit/baseline.h). fit_baseline: the vectorizer and model on the accepted
  // rows (options: tfidf, model, n_splits, random_state, n_threads), with thresholds from one
  // held-out fold. Throws as run().
  BaselineModel fit_baseline(const std::vector<std::string>& texts, const std::vector<std::string>& labels) const;
  // Audits only the new rows (texts, labels) against the accepted rows the model was fitted on:
  // label issues where the accepted model confidently predicts another class (its thresholds),
  // near-duplicates within the batch and of accepted rows (AuditResult::accepted_duplicate_*, a
  // conflict when the labels differ), outliers and ambiguity within the batch, and new suspected
  // triggers: terms absent from the accepted rows, concentrated in one batch label, whose rows read
  // as another class. Batch labels must be classes of the model. Rows are batch rows.
  AuditResult run_incremental(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                              const BaselineModel& model, const std::vector<std::string>& accepted_texts,
                              const std::vector<std::string>& accepted_labels) const;

  const AuditOptions& options() const { return options_; }

 private:
  AuditOptions options_;
};

}  // namespace textaudit::audit
