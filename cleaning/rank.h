// cleaning/rank.h: per-row label quality scores (cleanlab.rank), lower = more likely mislabelled.
// labels: n_samples ints in [0, K); pred_probs: n_samples x K out-of-sample probabilities.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "text/dense.h"

namespace textaudit::cleaning {

enum class LabelQualityMethod {
  kSelfConfidence,             // p[given]
  kNormalizedMargin,           // ((p[given] - max_{j != given} p[j]) + 1) / 2
  kConfidenceWeightedEntropy,  // log(x + 1) / max(x, 1e-6), x = H(p) / log(K) / max(p[given], 1e-6)
};
// "self_confidence" | "normalized_margin" | "confidence_weighted_entropy"; std::invalid_argument else.
LabelQualityMethod parse_label_quality_method(std::string_view name);
std::string_view label_quality_method_name(LabelQualityMethod method);

// One score per row in [0, 1]. adjust_pred_probs: subtract the per-class confident thresholds, add
// their maximum, renormalise rows, then score (not allowed with confidence_weighted_entropy).
// Throws std::invalid_argument for bad shapes/values, adjust_pred_probs with
// confidence_weighted_entropy, and (confidence_weighted_entropy) any probability outside [0, 1].
std::vector<double> get_label_quality_scores(
    const std::vector<int>& labels, const DenseMatrix& pred_probs,
    LabelQualityMethod method = LabelQualityMethod::kSelfConfidence, bool adjust_pred_probs = false);

// Scores of single rows, as get_label_quality_scores computes them (no adjustment, no checks).
double self_confidence(const double* row, std::ptrdiff_t k, int label);
double normalized_margin(const double* row, std::ptrdiff_t k, int label);
double confidence_weighted_entropy(const double* row, std::ptrdiff_t k, int label);

// Indices of the flagged rows (mask[i] true), most likely label error first: NumPy's argsort of
// their scores (adjust_pred_probs=false), taken in ascending row order, as cleanlab's
// order_label_issues. Ties therefore come out in NumPy's order.
std::vector<std::size_t> order_label_issues(const std::vector<bool>& label_issues_mask,
                                            const std::vector<int>& labels,
                                            const DenseMatrix& pred_probs,
                                            LabelQualityMethod rank_by);

}  // namespace textaudit::cleaning
