// audit/auditor.h: the whole audit of a labelled text dataset in one call — TF-IDF, trigger
// screening, out-of-fold probabilities, confident learning, trigger confirmation, near-duplicates,
// outliers, ambiguity — combined into one ranked AuditResult.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/result.h"
#include "cleaning/label_issues.h"
#include "cleaning/near_duplicates.h"
#include "cleaning/outliers.h"
#include "cleaning/triggers.h"
#include "models/logistic_regression.h"
#include "text/vectorizer.h"

namespace textaudit::audit {

// Called as work advances: (stage name, fraction of that stage done in [0, 1]).
using ProgressCallback = std::function<void(std::string_view stage, double fraction)>;

struct AuditOptions {
  text::TfidfParams tfidf;                        // features (scikit-learn TfidfVectorizer defaults)
  models::LogisticRegressionParams model;         // the classifier behind pred_probs
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
  ProgressCallback progress;                      // optional
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

  const AuditOptions& options() const { return options_; }

 private:
  AuditOptions options_;
};

}  // namespace textaudit::audit
