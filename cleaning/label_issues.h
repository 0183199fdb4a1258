// cleaning/label_issues.h: find_label_issues, confident learning's filtering step (Northcutt et al.,
// 2021), with the results of cleanlab 2.9's cleanlab.filter.find_label_issues on the same inputs.
// labels: n_samples ints in [0, K); pred_probs: n_samples x K out-of-fold probabilities. No model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "cleaning/confident_joint.h"
#include "cleaning/rank.h"
#include "text/dense.h"

namespace textaudit::cleaning {

enum class FilterBy {
  kPruneByNoiseRate,   // "prune_by_noise_rate" (default): per off-diagonal cell, the largest margins
  kPruneByClass,       // "prune_by_class": per class, the lowest self-confidence
  kBoth,               // "both": flagged by both of the above
  kConfidentLearning,  // "confident_learning": the off-diagonal rows of the confident joint
  kPredictedNeqGiven,  // "predicted_neq_given": argmax != given label
  kLowNormalizedMargin,  // "low_normalized_margin": the num_label_issues() lowest margins
  kLowSelfConfidence,    // "low_self_confidence": the num_label_issues() lowest self-confidences
};
FilterBy parse_filter_by(std::string_view name);  // cleanlab's spelling; std::invalid_argument else
std::string_view filter_by_name(FilterBy filter_by);

struct FindLabelIssuesParams {
  FilterBy filter_by = FilterBy::kPruneByNoiseRate;
  double frac_noise = 1.0;  // (0, 1]: keep this fraction of each off-diagonal count (prune_* only)
  // Empty, or K counts: remove exactly these many rows per class (prune_*/both only).
  std::vector<std::int64_t> num_to_remove_per_class;
  int min_examples_per_class = 1;  // >= 0: classes are never pruned below this many rows
  // Unset: find_label_issues returns flagged rows ascending; set: most likely label error first.
  std::optional<LabelQualityMethod> return_indices_ranked_by;
  int n_threads = 1;  // >= 1 (0 = all cores); results do not depend on it
};

// Per-row mask (n_samples) of the rows flagged as label issues. Throws std::invalid_argument for
// bad params (naming field, value and range), bad shapes/values, fewer than two classes (labels all
// 0 are accepted by prune_*/both/confident_learning, which then flag nothing), and
// num_to_remove_per_class with a filter other than prune_*/both (cleanlab's messages).
std::vector<bool> find_label_issues_mask(const std::vector<int>& labels,
                                         const DenseMatrix& pred_probs,
                                         const FindLabelIssuesParams& params = {});

// The flagged rows: ascending, or ranked by params.return_indices_ranked_by (most likely first).
std::vector<std::size_t> find_label_issues(const std::vector<int>& labels,
                                           const DenseMatrix& pred_probs,
                                           const FindLabelIssuesParams& params = {});

// Everything an audit reports about label errors, from one pass over the inputs.
struct LabelIssuesReport {
  std::vector<bool> is_label_issue;           // per row
  std::vector<double> label_quality;          // per row, method `rank_by` (no adjustment)
  std::vector<int> predicted_label;           // per row, argmax (first maximum)
  std::vector<std::size_t> ranked;            // flagged rows, most likely label error first
  std::vector<double> confident_thresholds;   // per class
  CountMatrix confident_joint;                // calibrated, K x K
  LatentEstimates latent;                     // py, noise_matrix, inverse_noise_matrix (converged)
  std::int64_t num_label_issues = 0;          // num_label_issues(off_diagonal)
};

// find_label_issues with `params` (scores and ranking by return_indices_ranked_by, default
// self_confidence) plus the quantities above. Same errors as find_label_issues_mask, and it always
// needs two distinct labels (num_label_issues does).
LabelIssuesReport audit_label_issues(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                     const FindLabelIssuesParams& params = {});

}  // namespace textaudit::cleaning
