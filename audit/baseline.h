// audit/baseline.h: incremental audits. A BaselineModel is the vectorizer and classifier fitted on
// an accepted dataset, with confident-learning thresholds, saved in one versioned file
// (`textaudit fit ACCEPTED --save-model FILE`); Auditor::run_incremental() audits each new batch
// against the accepted rows with it, without re-auditing them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/logistic_regression.h"
#include "text/vectorizer.h"

namespace textaudit::audit {

struct BaselineModel {
  text::TfidfVectorizer vectorizer;      // fitted on the accepted texts
  models::LogisticRegression model;      // fitted on all accepted rows
  std::vector<std::string> classes;      // class names, index = class id (sorted as text/labels.h)
  // Per class k: cleanlab's confident-learning threshold t_k = mean P(k | x) over held-out accepted
  // rows given k (one stratified fold of n_splits, predicted by a model fitted on the rest).
  std::vector<double> thresholds;
  // Per class k: share of those held-out rows that the model reads as another class (the base rate
  // the new-trigger test compares against).
  std::vector<double> heldout_flip_rate;
  std::int64_t n_rows = 0;               // accepted rows fitted on
  double model_skill = 0.0;              // held-out log-loss: 1 - model / class prior (0 = no skill)

  // Text file "textaudit-model 1": classes, thresholds, then the vectorizer and model sections;
  // written atomically. load throws DataError naming the file when it is corrupt or of another kind.
  void save(const std::string& path) const;
  static BaselineModel load(const std::string& path);
};

// Incremental-audit settings (AuditOptions::incremental).
struct IncrementalParams {
  // A batch term is a new-trigger candidate when at most this many accepted rows contain it
  // (0 = absent from the accepted data), it occurs in at least triggers.min_rows batch rows, and
  // at least triggers.min_concentration of them carry one label.
  std::int64_t trigger_max_accepted_rows = 0;
  // Confirmed when triggers.min_flip_rate of its rows given that label read as another class to the
  // accepted model with the term removed, and that count is significant against the label's other
  // batch rows (binomial test, Bonferroni-corrected over the candidates).
  double trigger_max_p_value = 1e-6;
};

}  // namespace textaudit::audit
