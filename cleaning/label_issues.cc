// find_label_issues, following cleanlab 2.9's cleanlab/filter.py step by step (prune count matrix,
// per-class pruning, near-argmax rule). Selections use numpy_argsort_head_set, which returns exactly
// the set np.argsort(...)[:m] picks, ties included, in linear time when no tie straddles the cut.
#include "cleaning/label_issues.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "cleaning/detail/label_issues_prune.h"
#include "cleaning/detail/parallel_for.h"
#include "cleaning/detail/score_order.h"
#include "cleaning/numpy_sort.h"

namespace textaudit::cleaning {
namespace {

bool is_prune_filter(FilterBy f) {
  return f == FilterBy::kPruneByNoiseRate || f == FilterBy::kPruneByClass || f == FilterBy::kBoth;
}

}  // namespace

void detail::check_find_label_issues_params(const FindLabelIssuesParams& params,
                                            Eigen::Index num_classes) {
  if (!(params.frac_noise > 0.0 && params.frac_noise <= 1.0)) {
    throw std::invalid_argument("frac_noise must be in (0, 1], got " +
                                std::to_string(params.frac_noise));
  }
  if (params.min_examples_per_class < 0) {
    throw std::invalid_argument("min_examples_per_class must be >= 0, got " +
                                std::to_string(params.min_examples_per_class));
  }
  if (params.n_threads < 0) {
    throw std::invalid_argument("n_threads must be >= 0 (0 = all cores), got " +
                                std::to_string(params.n_threads));
  }
  if (!params.num_to_remove_per_class.empty()) {
    if (static_cast<Eigen::Index>(params.num_to_remove_per_class.size()) != num_classes) {
      throw std::invalid_argument(
          "num_to_remove_per_class must have one entry per class (K = " +
          std::to_string(num_classes) + "), got " +
          std::to_string(params.num_to_remove_per_class.size()));
    }
    for (std::int64_t count : params.num_to_remove_per_class)
      if (count < 0)
        throw std::invalid_argument("num_to_remove_per_class entries must be >= 0, got " +
                                    std::to_string(count));
    if (!is_prune_filter(params.filter_by)) {
      throw std::invalid_argument(
          "filter_by 'confident_learning', 'predicted_neq_given', 'low_normalized_margin' or "
          "'low_self_confidence' is not supported (yet) when setting 'num_to_remove_per_class'");
    }
  }
}

namespace {

// x - y with NumPy's int64 wrap-around (cleanlab can feed INT64_MIN from a NaN count).
std::int64_t wrapping_sub(std::int64_t x, std::int64_t y) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y));
}

// cleanlab _keep_at_least_n_per_class(confident_joint.T, n, frac_noise), including
// _reduce_prune_counts; the result is truncated to integers (its final round_preserving_row_totals
// is a no-op on integers). M[j][k] = rows given k estimated to be class j.
CountMatrix keep_at_least_n_per_class(const CountMatrix& confident_joint, int n, double frac_noise) {
  const Eigen::Index k = confident_joint.rows();
  DenseMatrix pcm = confident_joint.transpose().cast<double>();
  DenseMatrix new_mat(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double diagonal = pcm(j, j);
    const double new_diagonal = std::max(diagonal, static_cast<double>(n));
    const double diff = new_diagonal - diagonal;
    Eigen::Index nonzero = 0;
    for (Eigen::Index i = 0; i < k; ++i) nonzero += pcm(i, j) != 0.0;
    const double num_noise_rates = std::max(static_cast<double>(nonzero) - 1.0, 1.0);
    for (Eigen::Index i = 0; i < k; ++i) {
      const double v = pcm(i, j) - diff / num_noise_rates;
      new_mat(i, j) = v < 0 ? 0.0 : v;
    }
    new_mat(j, j) = new_diagonal;
  }
  // _reduce_prune_counts: off-diagonals * frac_noise, the removed mass added to the diagonal.
  CountMatrix out(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    double removed = 0.0;
    for (Eigen::Index i = 0; i < k; ++i) {
      const double reduced = i == j ? new_mat(i, j) : new_mat(i, j) * frac_noise;
      removed += new_mat(i, j) - reduced;
      if (i != j) out(i, j) = static_cast<std::int64_t>(reduced);
    }
    out(j, j) = static_cast<std::int64_t>(new_mat(j, j) + removed);
  }
  return out;
}

// The num_to_remove_per_class branch of find_label_issues: rebuilds the prune count matrix so that
// each class loses the requested number of rows, spread like its noise rates.
CountMatrix prune_counts_for_num_to_remove(const CountMatrix& prune_counts,
                                           const std::vector<std::int64_t>& num_to_remove,
                                           const std::vector<std::int64_t>& label_counts) {
  const Eigen::Index k = prune_counts.rows();
  DenseMatrix psy(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double row_sum_j = static_cast<double>(prune_counts.row(j).sum());
    for (Eigen::Index i = 0; i < k; ++i)
      psy(i, j) = static_cast<double>(prune_counts(i, j)) / row_sum_j;  // may be inf/NaN, as NumPy
  }
  DenseMatrix tmp(k, k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const double noise_per_s = numpy_pairwise_sum(psy.data() + i * k, k) - psy(i, i);
    for (Eigen::Index j = 0; j < k; ++j)
      tmp(i, j) = psy(i, j) * static_cast<double>(num_to_remove[i]) / noise_per_s;
    tmp(i, i) = static_cast<double>(label_counts[i] - num_to_remove[i]);
  }
  return round_preserving_row_totals(tmp);
}

}  // namespace

CountMatrix detail::prune_counts(const CountMatrix& calibrated_joint,
                                 const FindLabelIssuesParams& params,
                                 const std::vector<std::int64_t>& label_counts) {
  CountMatrix counts =
      keep_at_least_n_per_class(calibrated_joint, params.min_examples_per_class, params.frac_noise);
  if (!params.num_to_remove_per_class.empty())
    counts = prune_counts_for_num_to_remove(counts, params.num_to_remove_per_class, label_counts);
  return counts;
}

namespace {

int row_argmax(const double* row, Eigen::Index k) {
  int best = 0;
  for (Eigen::Index j = 1; j < k; ++j)
    if (row[j] > row[best]) best = static_cast<int>(j);
  return best;
}

// Runs fn(k, thread) for k in [0, K) on `n_threads` threads (each k once; fn writes disjoint
// rows; `thread` < the number of threads used, for per-thread scratch space).
template <typename Fn>
void for_each_class(Eigen::Index num_classes, int threads, Fn fn) {
  if (threads == 1) {
    for (Eigen::Index c = 0; c < num_classes; ++c) fn(c, 0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (Eigen::Index c = t; c < num_classes; c += threads) fn(c, t);
    });
  for (auto& th : pool) th.join();
}

// Scratch space of one thread of prune_mask, reused across classes (no zero-filling).
struct PruneScratch {
  std::unique_ptr<double[]> cols, neg_margin;
  std::unique_ptr<std::uint8_t[]> by_class, by_noise;
  std::int64_t capacity = 0;
  void reserve(std::int64_t count, Eigen::Index k) {
    if (count <= capacity) return;
    cols = std::make_unique_for_overwrite<double[]>(static_cast<std::size_t>(count * k));
    neg_margin = std::make_unique_for_overwrite<double[]>(static_cast<std::size_t>(count));
    by_class = std::make_unique_for_overwrite<std::uint8_t[]>(static_cast<std::size_t>(count));
    by_noise = std::make_unique_for_overwrite<std::uint8_t[]>(static_cast<std::size_t>(count));
    capacity = count;
  }
};

// prune_by_class / prune_by_noise_rate / both: returns the per-row mask (before the near-argmax rule).
std::vector<std::uint8_t> prune_mask(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                     const CountMatrix& prune_counts,
                                     const FindLabelIssuesParams& params) {
  const Eigen::Index k = pred_probs.cols();
  const std::size_t n = labels.size();
  // Rows of each class in ascending order (counting sort): pred_probs[labels == k].
  std::vector<std::size_t> offsets(static_cast<std::size_t>(k) + 1, 0);
  for (int y : labels) ++offsets[static_cast<std::size_t>(y) + 1];
  for (Eigen::Index c = 0; c < k; ++c) offsets[c + 1] += offsets[c];
  std::vector<std::int64_t> rows(n);
  {
    std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < n; ++i) rows[next[labels[i]]++] = static_cast<std::int64_t>(i);
  }
  const bool by_class = params.filter_by != FilterBy::kPruneByNoiseRate;
  const bool by_noise_rate = params.filter_by != FilterBy::kPruneByClass;
  std::vector<std::uint8_t> mask(n, 0);
  const std::int64_t min_examples = params.min_examples_per_class;
  const int threads = std::max(1, std::min<int>(detail::resolve_threads(params.n_threads), static_cast<int>(k)));
  std::vector<PruneScratch> scratch(static_cast<std::size_t>(threads));

  for_each_class(k, threads, [&](Eigen::Index c, int t) {
    const std::int64_t* class_rows = rows.data() + offsets[c];
    const auto count = static_cast<std::int64_t>(offsets[c + 1] - offsets[c]);
    // cleanlab only writes a class's mask back when the class has more than one row.
    if (count <= 1 || count <= min_examples) return;
    PruneScratch& work = scratch[static_cast<std::size_t>(t)];
    work.reserve(count, k);
    // Column-major copy of this class's rows: cols[j * count + r] = pred_probs[class_rows[r], j].
    double* cols = work.cols.get();
    for (std::int64_t r = 0; r < count; ++r) {
      const double* row = pred_probs.data() + class_rows[r] * k;
      for (Eigen::Index j = 0; j < k; ++j) cols[j * count + r] = row[j];
    }
    const std::span<const double> own(cols + c * count, static_cast<std::size_t>(count));
    std::uint8_t* by_class_flags = work.by_class.get();
    if (by_class) {
      std::fill(by_class_flags, by_class_flags + count, 0);
      const std::int64_t num_issues = wrapping_sub(count, prune_counts(c, c));
      if (num_issues >= 1)
        for (std::int64_t r : numpy_argsort_head_set(own, num_issues)) by_class_flags[r] = 1;
    }
    std::uint8_t* by_noise_flags = work.by_noise.get();
    if (by_noise_rate) {
      std::fill(by_noise_flags, by_noise_flags + count, 0);
      double* neg_margin = work.neg_margin.get();
      for (Eigen::Index j = 0; j < k; ++j) {
        const std::int64_t num_to_prune = prune_counts(j, c);
        if (j == c || num_to_prune <= 0) continue;
        const double* other = cols + j * count;
        for (std::int64_t r = 0; r < count; ++r) neg_margin[r] = -(other[r] - own[r]);
        for (std::int64_t r : numpy_argsort_head_set({neg_margin, static_cast<std::size_t>(count)}, num_to_prune))
          by_noise_flags[r] = 1;
      }
    }
    for (std::int64_t r = 0; r < count; ++r) {
      bool flag;
      if (params.filter_by == FilterBy::kBoth) flag = by_class_flags[r] && by_noise_flags[r];
      else if (by_class) flag = by_class_flags[r];
      else flag = by_noise_flags[r];
      mask[class_rows[r]] = flag;
    }
  });
  return mask;
}

// order_label_issues (NumPy's argsort of the flagged rows' scores, taken in row order), with the
// argsort done by detail::argsort_scores: the same order, by radix sort unless scores tie.
std::vector<std::size_t> ranked_issues(const std::vector<bool>& mask, const std::vector<int>& labels,
                                       const DenseMatrix& pred_probs, LabelQualityMethod rank_by) {
  if (rank_by == LabelQualityMethod::kConfidenceWeightedEntropy)
    return order_label_issues(mask, labels, pred_probs, rank_by);  // checks the values first
  const Eigen::Index k = pred_probs.cols();
  std::vector<std::size_t> flagged;
  std::vector<double> scores;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const double* row = pred_probs.data() + static_cast<Eigen::Index>(i) * k;
    flagged.push_back(i);
    scores.push_back(rank_by == LabelQualityMethod::kSelfConfidence ? self_confidence(row, k, labels[i])
                                                                    : normalized_margin(row, k, labels[i]));
  }
  const std::vector<std::int64_t> order = detail::argsort_scores(scores);
  std::vector<std::size_t> ranked(order.size());
  for (std::size_t r = 0; r < order.size(); ++r) ranked[r] = flagged[static_cast<std::size_t>(order[r])];
  return ranked;
}

}  // namespace

FilterBy parse_filter_by(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterBy> kNames[] = {
      {"prune_by_noise_rate", FilterBy::kPruneByNoiseRate},
      {"prune_by_class", FilterBy::kPruneByClass},
      {"both", FilterBy::kBoth},
      {"confident_learning", FilterBy::kConfidentLearning},
      {"predicted_neq_given", FilterBy::kPredictedNeqGiven},
      {"low_normalized_margin", FilterBy::kLowNormalizedMargin},
      {"low_self_confidence", FilterBy::kLowSelfConfidence},
  };
  for (const auto& [spelling, value] : kNames)
    if (name == spelling) return value;
  throw std::invalid_argument("filter_by must be one of prune_by_noise_rate, prune_by_class, both, "
                              "confident_learning, predicted_neq_given, low_normalized_margin, "
                              "low_self_confidence; got \"" + std::string(name) + "\"");
}

std::string_view filter_by_name(FilterBy filter_by) {
  switch (filter_by) {
    case FilterBy::kPruneByNoiseRate: return "prune_by_noise_rate";
    case FilterBy::kPruneByClass: return "prune_by_class";
    case FilterBy::kBoth: return "both";
    case FilterBy::kConfidentLearning: return "confident_learning";
    case FilterBy::kPredictedNeqGiven: return "predicted_neq_given";
    case FilterBy::kLowNormalizedMargin: return "low_normalized_margin";
    case FilterBy::kLowSelfConfidence: return "low_self_confidence";
  }
  return "?";
}

std::vector<bool> find_label_issues_mask(const std::vector<int>& labels,
                                         const DenseMatrix& pred_probs,
                                         const FindLabelIssuesParams& params) {
  const FilterBy filter = params.filter_by;
  if (is_prune_filter(filter)) return detail::prune_filter_mask(labels, pred_probs, params);
  // Labels that are all 0 pass cleanlab's validation here (a multi-label leftover); all 1 do not.
  const bool all_zero =
      !labels.empty() && std::all_of(labels.begin(), labels.end(), [](int y) { return y == 0; });
  check_inputs(labels, pred_probs, /*require_two_classes=*/!all_zero);
  detail::check_find_label_issues_params(params, pred_probs.cols());
  const Eigen::Index k = pred_probs.cols();
  const std::size_t n = labels.size();

  if (filter == FilterBy::kLowNormalizedMargin || filter == FilterBy::kLowSelfConfidence) {
    const auto method = filter == FilterBy::kLowNormalizedMargin
                            ? LabelQualityMethod::kNormalizedMargin
                            : LabelQualityMethod::kSelfConfidence;
    const std::vector<double> scores = get_label_quality_scores(labels, pred_probs, method);
    const std::int64_t num_errors = num_label_issues(labels, pred_probs);
    std::vector<bool> mask(n, false);
    for (std::int64_t i : numpy_argsort_head_set(scores, num_errors)) mask[i] = true;
    return mask;  // these two filters skip the near-argmax rule
  }

  std::vector<std::uint8_t> mask(n, 0);
  if (filter == FilterBy::kConfidentLearning) {
    for (std::int64_t i : compute_confident_joint(labels, pred_probs, true, params.n_threads).off_diagonal_indices)
      mask[i] = 1;
  } else if (filter == FilterBy::kPredictedNeqGiven) {
    check_inputs(labels, pred_probs, /*require_two_classes=*/true);
    for (std::size_t i = 0; i < n; ++i)
      mask[i] = row_argmax(pred_probs.data() + static_cast<Eigen::Index>(i) * k, k) != labels[i];
  }
  std::vector<bool> out(n, false);
  for (std::size_t i = 0; i < n; ++i)
    if (mask[i]) out[i] = !given_label_is_near_argmax(pred_probs, static_cast<Eigen::Index>(i), labels[i]);
  return out;
}

std::vector<bool> detail::prune_filter_mask_reference(const std::vector<int>& labels,
                                                     const DenseMatrix& pred_probs,
                                                     const FindLabelIssuesParams& params) {
  const bool all_zero =  // as in find_label_issues_mask
      !labels.empty() && std::all_of(labels.begin(), labels.end(), [](int y) { return y == 0; });
  check_inputs(labels, pred_probs, /*require_two_classes=*/!all_zero);
  check_find_label_issues_params(params, pred_probs.cols());
  const Eigen::Index k = pred_probs.cols();
  const CountMatrix cj =
      compute_confident_joint(labels, pred_probs, true, params.n_threads).confident_joint;
  const std::vector<std::uint8_t> mask = prune_mask(
      labels, pred_probs, prune_counts(cj, params, class_counts(labels, static_cast<int>(k))), params);
  std::vector<bool> out(labels.size(), false);
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (mask[i]) out[i] = !given_label_is_near_argmax(pred_probs, static_cast<Eigen::Index>(i), labels[i]);
  return out;
}

std::vector<std::size_t> find_label_issues(const std::vector<int>& labels,
                                           const DenseMatrix& pred_probs,
                                           const FindLabelIssuesParams& params) {
  const std::vector<bool> mask = find_label_issues_mask(labels, pred_probs, params);
  if (params.return_indices_ranked_by)
    return ranked_issues(mask, labels, pred_probs, *params.return_indices_ranked_by);
  std::vector<std::size_t> flagged;
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) flagged.push_back(i);
  return flagged;
}

LabelIssuesReport audit_label_issues(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                     const FindLabelIssuesParams& params) {
  check_inputs(labels, pred_probs, /*require_two_classes=*/true);
  const LabelQualityMethod rank_by =
      params.return_indices_ranked_by.value_or(LabelQualityMethod::kSelfConfidence);
  const Eigen::Index k = pred_probs.cols();
  LabelIssuesReport report;
  report.is_label_issue = find_label_issues_mask(labels, pred_probs, params);
  report.label_quality = get_label_quality_scores(labels, pred_probs, rank_by);
  report.ranked = ranked_issues(report.is_label_issue, labels, pred_probs, rank_by);
  report.predicted_label.resize(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    report.predicted_label[i] = row_argmax(pred_probs.data() + static_cast<Eigen::Index>(i) * k, k);
  report.confident_thresholds = get_confident_thresholds(labels, pred_probs);
  report.latent = estimate_py_and_noise_matrices_from_probabilities(labels, pred_probs);
  report.confident_joint = report.latent.confident_joint;
  report.num_label_issues = num_label_issues(labels, pred_probs);
  return report;
}

}  // namespace textaudit::cleaning
