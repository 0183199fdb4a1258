// Label quality scores, following cleanlab 2.9's rank.py and internal/label_quality_utils.py.
// The arithmetic order is cleanlab's, in double precision, with no fused multiply-add (ISO C++ mode
// makes GCC default to -ffp-contract=off, and there is no -ffast-math), so normalized_margin
// matches NumPy bit for bit and decides near-ties exactly like cleanlab.
#include "cleaning/rank.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "cleaning/confident_joint.h"
#include "cleaning/detail/score_order.h"
#include "cleaning/numpy_sort.h"

namespace textaudit::cleaning {
namespace {

constexpr double kClippingLowerBound = 1e-6;

void check_unit_interval(const DenseMatrix& pred_probs) {
  const double* p = pred_probs.data();
  for (Eigen::Index i = 0; i < pred_probs.size(); ++i)
    if (p[i] < 0.0 || p[i] > 1.0)
      throw std::invalid_argument("All probabilities are required to be in the interval [0, 1].");
}

}  // namespace

LabelQualityMethod parse_label_quality_method(std::string_view name) {
  if (name == "self_confidence") return LabelQualityMethod::kSelfConfidence;
  if (name == "normalized_margin") return LabelQualityMethod::kNormalizedMargin;
  if (name == "confidence_weighted_entropy") return LabelQualityMethod::kConfidenceWeightedEntropy;
  throw std::invalid_argument(std::string(name) +
                              " is not a valid scoring method for rank_by! Please choose a valid "
                              "rank_by: self_confidence, normalized_margin, "
                              "confidence_weighted_entropy");
}

std::string_view label_quality_method_name(LabelQualityMethod method) {
  switch (method) {
    case LabelQualityMethod::kSelfConfidence: return "self_confidence";
    case LabelQualityMethod::kNormalizedMargin: return "normalized_margin";
    case LabelQualityMethod::kConfidenceWeightedEntropy: return "confidence_weighted_entropy";
  }
  return "?";
}

double self_confidence(const double* row, std::ptrdiff_t, int label) { return row[label]; }

double normalized_margin(const double* row, std::ptrdiff_t k, int label) {
  double max_other = -std::numeric_limits<double>::infinity();
  bool first = true;
  for (std::ptrdiff_t j = 0; j < k; ++j) {
    if (j == label) continue;
    if (first || row[j] > max_other) max_other = row[j];
    first = false;
  }
  const double margin = row[label] - max_other;
  const double shifted = margin + 1;
  return shifted / 2;
}

double confidence_weighted_entropy(const double* row, std::ptrdiff_t k, int label) {
  // get_normalized_entropy: -np.sum(xlogy(p, p), axis=1) / np.log(K), NumPy's pairwise row sum.
  double terms[64];
  std::vector<double> big;
  double* t = terms;
  if (k > 64) {
    big.resize(static_cast<std::size_t>(k));
    t = big.data();
  }
  for (std::ptrdiff_t j = 0; j < k; ++j) t[j] = row[j] == 0.0 ? 0.0 : row[j] * std::log(row[j]);
  const double entropy = -numpy_pairwise_sum(t, k) / std::log(static_cast<double>(k));
  double sc = row[label];
  if (sc < kClippingLowerBound) sc = kClippingLowerBound;
  const double x = entropy / sc;
  const double clipped = x < kClippingLowerBound ? kClippingLowerBound : x;
  return std::log(x + 1) / clipped;
}

std::vector<double> get_label_quality_scores(const std::vector<int>& labels,
                                             const DenseMatrix& pred_probs,
                                             LabelQualityMethod method, bool adjust_pred_probs) {
  check_inputs(labels, pred_probs, /*require_two_classes=*/false);
  const Eigen::Index k = pred_probs.cols();
  const std::size_t n = labels.size();
  std::vector<double> scores(n);
  auto score_row = [&](const double* row, int label) {
    switch (method) {
      case LabelQualityMethod::kSelfConfidence: return self_confidence(row, k, label);
      case LabelQualityMethod::kNormalizedMargin: return normalized_margin(row, k, label);
      case LabelQualityMethod::kConfidenceWeightedEntropy:
        return confidence_weighted_entropy(row, k, label);
    }
    return 0.0;
  };
  if (adjust_pred_probs) {
    if (method == LabelQualityMethod::kConfidenceWeightedEntropy) {
      throw std::invalid_argument(
          "adjust_pred_probs is not currently supported for confidence_weighted_entropy.");
    }
    // _subtract_confident_thresholds: (p - t) + max(t), rows divided by their (pairwise) sum.
    const std::vector<double> thresholds = get_confident_thresholds(labels, pred_probs);
    double max_threshold = thresholds[0];
    for (double t : thresholds) max_threshold = std::max(max_threshold, t);
    std::vector<double> adjusted(static_cast<std::size_t>(k));
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = pred_probs.data() + static_cast<Eigen::Index>(i) * k;
      for (Eigen::Index j = 0; j < k; ++j) {
        adjusted[j] = row[j] - thresholds[j];
        adjusted[j] += max_threshold;
      }
      const double total = numpy_pairwise_sum(adjusted.data(), k);
      for (Eigen::Index j = 0; j < k; ++j) adjusted[j] /= total;
      scores[i] = score_row(adjusted.data(), labels[i]);
    }
    return scores;
  }
  if (method == LabelQualityMethod::kConfidenceWeightedEntropy) check_unit_interval(pred_probs);
  for (std::size_t i = 0; i < n; ++i)
    scores[i] = score_row(pred_probs.data() + static_cast<Eigen::Index>(i) * k, labels[i]);
  return scores;
}

std::vector<std::size_t> order_label_issues(const std::vector<bool>& label_issues_mask,
                                            const std::vector<int>& labels,
                                            const DenseMatrix& pred_probs,
                                            LabelQualityMethod rank_by) {
  const Eigen::Index k = pred_probs.cols();
  if (rank_by == LabelQualityMethod::kConfidenceWeightedEntropy) check_unit_interval(pred_probs);
  std::vector<std::size_t> flagged;
  std::vector<double> scores;
  for (std::size_t i = 0; i < label_issues_mask.size(); ++i) {
    if (!label_issues_mask[i]) continue;
    const double* row = pred_probs.data() + static_cast<Eigen::Index>(i) * k;
    flagged.push_back(i);
    switch (rank_by) {
      case LabelQualityMethod::kSelfConfidence:
        scores.push_back(self_confidence(row, k, labels[i]));
        break;
      case LabelQualityMethod::kNormalizedMargin:
        scores.push_back(normalized_margin(row, k, labels[i]));
        break;
      case LabelQualityMethod::kConfidenceWeightedEntropy:
        scores.push_back(confidence_weighted_entropy(row, k, labels[i]));
        break;
    }
  }
  const std::vector<std::int64_t> order = detail::argsort_scores(scores);  // numpy_argsort's order
  std::vector<std::size_t> ranked(order.size());
  for (std::size_t r = 0; r < order.size(); ++r) ranked[r] = flagged[static_cast<std::size_t>(order[r])];
  return ranked;
}

}  // namespace textaudit::cleaning
