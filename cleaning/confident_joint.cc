// Confident joint and latent estimates, following cleanlab 2.9 (cleanlab/count.py,
// cleanlab/internal/util.py, cleanlab/internal/latent_algebra.py) operation by operation, so that
// integer outputs match exactly and float outputs to the last few bits.
#include "cleaning/confident_joint.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "cleaning/detail/parallel_for.h"
#include "cleaning/detail/probability_range.h"
#include "cleaning/numpy_sort.h"

namespace textaudit::cleaning {
namespace {

constexpr double kFloatingPointComparison = 1e-6;  // cleanlab FLOATING_POINT_COMPARISON
constexpr double kClippingLowerBound = 1e-6;       // CLIPPING_LOWER_BOUND
constexpr double kThresholdLowerBound = 2e-6;      // CONFIDENT_THRESHOLDS_LOWER_BOUND
constexpr double kTinyValue = 1e-100;              // TINY_VALUE
constexpr double kMissingClassThreshold = 2.0;     // BIG_VALUE in get_confident_thresholds

double clip_tiny(double x) { return x < kTinyValue ? kTinyValue : x; }  // np.clip(a_min=TINY)

// Python's min(max(x, low), high): a NaN stays NaN.
double clip_range(double x, double low, double high) {
  if (low > x) x = low;
  if (high < x) x = high;
  return x;
}

// astype(int) of a float64 on x86: out-of-range and NaN give INT64_MIN.
std::int64_t to_int64(double x) {
  if (!(x >= -9.2233720368547758e18 && x < 9.2233720368547758e18)) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return static_cast<std::int64_t>(x);
}

// cleanlab clip_values(x, low, high, new_sum=1.0): clip, then x * 1.0 / max(sum(x), TINY) with
// Python's left-to-right builtin sum.
std::vector<double> clip_values(std::vector<double> x, double low, double high) {
  for (double& v : x) v = clip_range(v, low, high);
  double total = 0.0;
  for (double v : x) total += v;
  const double denom = clip_tiny(total);
  for (double& v : x) v = v * 1.0 / denom;
  return x;
}

// cleanlab clip_noise_rates: off-diagonal entries into [0, 0.9999], then columns normalised.
DenseMatrix clip_noise_rates(const DenseMatrix& m) {
  const Eigen::Index k = m.rows();
  DenseMatrix out = m;
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j)
      if (i != j) out(i, j) = clip_range(m(i, j), 0.0, 0.9999);
  for (Eigen::Index j = 0; j < k; ++j) {
    double col = 0.0;  // np.sum(axis=0) adds rows in order
    for (Eigen::Index i = 0; i < k; ++i) col += out(i, j);
    const double denom = clip_tiny(col);
    for (Eigen::Index i = 0; i < k; ++i) out(i, j) = out(i, j) / denom;
  }
  return out;
}

// compute_py(py_method='cnt'): inv.diag / max(nm.diag, TINY) * ps, clipped to [1e-6, 1], sum 1.
std::vector<double> compute_py(const std::vector<double>& ps, const DenseMatrix& noise_matrix,
                               const DenseMatrix& inverse_noise_matrix) {
  std::vector<double> py(ps.size());
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const auto kk = static_cast<Eigen::Index>(k);
    py[k] = inverse_noise_matrix(kk, kk) / clip_tiny(noise_matrix(kk, kk)) * ps[k];
  }
  return clip_values(std::move(py), kClippingLowerBound, 1.0);
}

// compute_inv_noise_matrix(py, noise_matrix, ps): inv[j][i] = nm[i][j] * py[j] / ps[i].
DenseMatrix compute_inv_noise_matrix(const std::vector<double>& py, const DenseMatrix& noise_matrix,
                                     const std::vector<double>& ps) {
  const Eigen::Index k = noise_matrix.rows();
  DenseMatrix inv(k, k);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j) inv(j, i) = noise_matrix(i, j) * py[j] / clip_tiny(ps[i]);
  return clip_noise_rates(inv);
}

// compute_noise_matrix_from_inverse(ps, inv, py): nm[j][i] = inv[i][j] * ps[j] / py[i].
DenseMatrix compute_noise_matrix_from_inverse(const std::vector<double>& ps,
                                              const DenseMatrix& inverse_noise_matrix,
                                              const std::vector<double>& py) {
  const Eigen::Index k = inverse_noise_matrix.rows();
  DenseMatrix nm(k, k);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j)
      nm(j, i) = inverse_noise_matrix(i, j) * ps[j] / clip_tiny(py[i]);
  return clip_noise_rates(nm);
}

// First index of the row maximum (np.argmax).
int row_argmax(const double* row, Eigen::Index k) {
  int best = 0;
  for (Eigen::Index j = 1; j < k; ++j)
    if (row[j] > row[best]) best = static_cast<int>(j);
  return best;
}

}  // namespace

namespace {

using detail::all_probabilities_in_range;
using detail::probability_in_range;

}  // namespace

void check_inputs(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                  bool require_two_classes) {
  if (static_cast<Eigen::Index>(labels.size()) != pred_probs.rows()) {
    throw std::invalid_argument("pred_probs and labels must have same length (labels: " +
                                std::to_string(labels.size()) + ", pred_probs rows: " +
                                std::to_string(pred_probs.rows()) + ").");
  }
  if (labels.empty()) throw std::invalid_argument("labels and pred_probs are empty.");
  const Eigen::Index k = pred_probs.cols();
  if (k < 1) throw std::invalid_argument("pred_probs must have at least one column.");
  int lowest = labels[0], highest = labels[0];
  bool two_classes = false;
  for (int y : labels) {
    if (y != labels[0]) two_classes = true;
    lowest = std::min(lowest, y);
    highest = std::max(highest, y);
  }
  detail::check_label_range(lowest, highest, k);
  if (require_two_classes && !two_classes) {
    throw std::invalid_argument("Labels must contain at least 2 classes.");
  }
  // Scan in fixed blocks on all cores; a block is rescanned only when it holds a bad value, and
  // the error names the first bad value of the whole matrix whatever the thread count.
  const double* p = pred_probs.data();
  const auto size = static_cast<std::int64_t>(pred_probs.size());
  constexpr std::int64_t kBlock = 1 << 16;
  const std::int64_t n_blocks = (size + kBlock - 1) / kBlock;
  std::vector<std::uint8_t> block_bad(static_cast<std::size_t>(n_blocks), 0);
  const int threads = size >= 4 * kBlock ? 0 : 1;
  detail::parallel_for(n_blocks, threads, 1, [&](std::int64_t b0, std::int64_t b1, int) {
    for (std::int64_t b = b0; b < b1; ++b)
      block_bad[static_cast<std::size_t>(b)] = !all_probabilities_in_range(p + b * kBlock, std::min(kBlock, size - b * kBlock));
  });
  for (std::int64_t b = 0; b < n_blocks; ++b) {
    if (!block_bad[static_cast<std::size_t>(b)]) continue;
    for (std::int64_t i = b * kBlock; i < size; ++i) {
      const double v = p[i];
      if (probability_in_range(v)) continue;
      const auto row = i / static_cast<std::int64_t>(k);
      const auto col = i % static_cast<std::int64_t>(k);
      throw std::invalid_argument("Values in pred_probs must be between 0 and 1 (row " +
                                  std::to_string(row) + ", column " + std::to_string(col) +
                                  " holds " + std::to_string(v) + ").");
    }
  }
}

std::vector<std::int64_t> class_counts(const std::vector<int>& labels, int num_classes) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(num_classes), 0);
  for (int y : labels) ++counts[static_cast<std::size_t>(y)];
  return counts;
}

std::vector<double> get_confident_thresholds(const std::vector<int>& labels,
                                             const DenseMatrix& pred_probs) {
  const Eigen::Index k = pred_probs.cols();
  const std::vector<std::int64_t> counts = class_counts(labels, static_cast<int>(k));
  // np.mean(pred_probs[:, k][labels == k]) sums a contiguous copy pairwise: gather per class.
  std::vector<std::vector<double>> values(static_cast<std::size_t>(k));
  for (Eigen::Index c = 0; c < k; ++c) values[c].reserve(static_cast<std::size_t>(counts[c]));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int y = labels[i];
    values[y].push_back(pred_probs(static_cast<Eigen::Index>(i), y));
  }
  std::vector<double> thresholds(static_cast<std::size_t>(k));
  for (Eigen::Index c = 0; c < k; ++c) {
    double t = kMissingClassThreshold;
    if (counts[c] > 0) {
      t = numpy_pairwise_sum(values[c].data(), counts[c]) / static_cast<double>(counts[c]);
    }
    thresholds[c] = t < kThresholdLowerBound ? kThresholdLowerBound : t;
  }
  return thresholds;
}

ConfidentJoint compute_confident_joint(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                       bool calibrate, int n_threads) {
  const Eigen::Index k = pred_probs.cols();
  const std::vector<double> thresholds = get_confident_thresholds(labels, pred_probs);
  std::vector<double> cutoffs(thresholds.size());
  for (std::size_t c = 0; c < thresholds.size(); ++c) cutoffs[c] = thresholds[c] - 1e-6;

  // Fixed row chunks, each with its own counts and off-diagonal rows, merged in chunk order: the
  // result does not depend on the thread count.
  const auto n = static_cast<std::int64_t>(labels.size());
  constexpr std::int64_t kChunk = 65536;
  const std::int64_t n_chunks = std::max<std::int64_t>(1, (n + kChunk - 1) / kChunk);
  std::vector<CountMatrix> chunk_counts(static_cast<std::size_t>(n_chunks), CountMatrix::Zero(k, k));
  std::vector<std::vector<std::int64_t>> chunk_off(static_cast<std::size_t>(n_chunks));
  detail::parallel_for(n_chunks, n_threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
    for (std::int64_t chunk = c0; chunk < c1; ++chunk) {
      CountMatrix& counts = chunk_counts[static_cast<std::size_t>(chunk)];
      std::vector<std::int64_t>& off = chunk_off[static_cast<std::size_t>(chunk)];
      for (std::int64_t i = chunk * kChunk, end = std::min(n, (chunk + 1) * kChunk); i < end; ++i) {
        const double* row = pred_probs.data() + static_cast<Eigen::Index>(i) * k;
        int num_confident = 0, first_confident = 0;
        for (Eigen::Index c = 0; c < k; ++c) {
          if (row[c] >= cutoffs[c]) {
            if (num_confident == 0) first_confident = static_cast<int>(c);
            ++num_confident;
          }
        }
        if (num_confident == 0) continue;
        const int label = labels[static_cast<std::size_t>(i)];
        const int guess = num_confident > 1 ? row_argmax(row, k) : first_confident;
        ++counts(label, guess);
        if (guess != label) off.push_back(i);
      }
    }
  });
  ConfidentJoint result;
  result.confident_joint = CountMatrix::Zero(k, k);
  std::size_t n_off = 0;
  for (const auto& off : chunk_off) n_off += off.size();
  result.off_diagonal_indices.reserve(n_off);
  for (std::int64_t chunk = 0; chunk < n_chunks; ++chunk) {
    result.confident_joint += chunk_counts[static_cast<std::size_t>(chunk)];
    const auto& off = chunk_off[static_cast<std::size_t>(chunk)];
    result.off_diagonal_indices.insert(result.off_diagonal_indices.end(), off.begin(), off.end());
  }
  // Guarantee at least one correctly labelled example in every class (absent classes included).
  for (Eigen::Index c = 0; c < k; ++c)
    if (result.confident_joint(c, c) < 1) result.confident_joint(c, c) = 1;
  if (calibrate) result.confident_joint = calibrate_confident_joint(result.confident_joint, labels);
  return result;
}

CountMatrix calibrate_confident_joint(const CountMatrix& confident_joint,
                                      const std::vector<int>& labels) {
  const Eigen::Index k = confident_joint.rows();
  const std::vector<std::int64_t> counts = class_counts(labels, static_cast<int>(k));
  DenseMatrix calibrated(k, k);
  std::int64_t total_labels = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double row_sum = clip_tiny(static_cast<double>(confident_joint.row(i).sum()));
    for (Eigen::Index j = 0; j < k; ++j)
      calibrated(i, j) =
          static_cast<double>(confident_joint(i, j)) / row_sum * static_cast<double>(counts[i]);
    total_labels += counts[i];
  }
  const double total = clip_tiny(numpy_pairwise_sum(calibrated.data(), k * k));
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j)
      calibrated(i, j) = calibrated(i, j) / total * static_cast<double>(total_labels);
  return round_preserving_row_totals(calibrated);
}

CountMatrix round_preserving_row_totals(const DenseMatrix& matrix) {
  const Eigen::Index rows = matrix.rows(), k = matrix.cols();
  CountMatrix out(rows, k);
  std::vector<double> floats(static_cast<std::size_t>(k)), ints(floats.size()), rem(floats.size());
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index j = 0; j < k; ++j) {
      floats[j] = matrix(r, j);
      ints[j] = std::nearbyint(floats[j]);  // np.round: half to even
    }
    const double orig_sum = std::nearbyint(numpy_pairwise_sum(floats.data(), k));
    double int_sum = std::nearbyint(numpy_pairwise_sum(ints.data(), k));
    while (std::abs(int_sum - orig_sum) > kFloatingPointComparison) {
      const double diff = std::nearbyint(orig_sum - int_sum);
      const int increment = diff < 0.0 ? -1 : 1;
      const std::int64_t changes = std::min<std::int64_t>(to_int64(std::abs(diff)), k);
      for (Eigen::Index j = 0; j < k; ++j) rem[j] = floats[j] - ints[j];
      const std::vector<std::int64_t> order = numpy_argsort(rem);
      // argsort(...)[::-increment][:changes]: largest remainders first when adding.
      for (std::int64_t c = 0; c < changes; ++c) {
        const std::int64_t idx = increment > 0 ? order[static_cast<std::size_t>(k - 1 - c)]
                                               : order[static_cast<std::size_t>(c)];
        ints[idx] += increment;
      }
      int_sum = std::nearbyint(numpy_pairwise_sum(ints.data(), k));
    }
    for (Eigen::Index j = 0; j < k; ++j) out(r, j) = to_int64(ints[j]);
  }
  return out;
}

DenseMatrix estimate_joint(const std::vector<int>& labels, const DenseMatrix& pred_probs) {
  const CountMatrix cj = compute_confident_joint(labels, pred_probs, true).confident_joint;
  const double total = clip_tiny(static_cast<double>(cj.sum()));
  return cj.cast<double>() / total;
}

NumLabelIssuesMethod parse_num_label_issues_method(std::string_view name) {
  if (name == "off_diagonal") return NumLabelIssuesMethod::kOffDiagonal;
  if (name == "off_diagonal_calibrated") return NumLabelIssuesMethod::kOffDiagonalCalibrated;
  throw std::invalid_argument(std::string(name) +
                              " is not a valid estimation method! Please choose a valid estimation "
                              "method: off_diagonal, off_diagonal_calibrated");
}

bool given_label_is_near_argmax(const DenseMatrix& pred_probs, Eigen::Index row, int label) {
  const Eigen::Index k = pred_probs.cols();
  const double* p = pred_probs.data() + row * k;
  const double boosted = p[label] + kFloatingPointComparison;
  // argmax of the row with p[label] replaced by `boosted`, first maximum wins.
  int best = 0;
  double best_value = label == 0 ? boosted : p[0];
  for (Eigen::Index j = 1; j < k; ++j) {
    const double v = j == label ? boosted : p[j];
    if (v > best_value) {
      best = static_cast<int>(j);
      best_value = v;
    }
  }
  return best == label;
}

std::int64_t num_label_issues(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                              NumLabelIssuesMethod method) {
  check_inputs(labels, pred_probs, /*require_two_classes=*/true);
  if (method == NumLabelIssuesMethod::kOffDiagonal) {
    const ConfidentJoint cj = compute_confident_joint(labels, pred_probs, false);
    std::int64_t count = 0;
    for (std::int64_t i : cj.off_diagonal_indices)
      if (!given_label_is_near_argmax(pred_probs, i, labels[static_cast<std::size_t>(i)])) ++count;
    return count;
  }
  // estimate_joint(labels, pred_probs, confident_joint=calibrated) calibrates a second time.
  const CountMatrix calibrated = compute_confident_joint(labels, pred_probs, true).confident_joint;
  const CountMatrix twice = calibrate_confident_joint(calibrated, labels);
  const double total = clip_tiny(static_cast<double>(twice.sum()));
  const Eigen::Index k = twice.rows();
  std::vector<double> diagonal(static_cast<std::size_t>(k));
  for (Eigen::Index c = 0; c < k; ++c) diagonal[c] = static_cast<double>(twice(c, c)) / total;
  const double frac_issues = 1.0 - numpy_pairwise_sum(diagonal.data(), k);
  return to_int64(std::nearbyint(frac_issues * static_cast<double>(labels.size())));
}

LatentEstimates estimate_latent(const CountMatrix& confident_joint, const std::vector<int>& labels,
                                bool converge_latent_estimates) {
  const Eigen::Index k = confident_joint.rows();
  const std::vector<std::int64_t> counts = class_counts(labels, static_cast<int>(k));
  std::vector<double> ps(static_cast<std::size_t>(k));
  for (Eigen::Index c = 0; c < k; ++c)
    ps[c] = static_cast<double>(counts[c]) / static_cast<double>(labels.size());
  DenseMatrix noise_matrix(k, k), inverse(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const double true_count = clip_tiny(static_cast<double>(confident_joint.col(j).sum()));
    const double given_count = clip_tiny(static_cast<double>(confident_joint.row(j).sum()));
    for (Eigen::Index i = 0; i < k; ++i) {
      noise_matrix(i, j) = static_cast<double>(confident_joint(i, j)) / true_count;
      inverse(i, j) = static_cast<double>(confident_joint(j, i)) / given_count;
    }
  }
  LatentEstimates out;
  out.confident_joint = confident_joint;
  out.py = compute_py(ps, noise_matrix, inverse);  // from the unclipped matrices, as cleanlab
  out.noise_matrix = clip_noise_rates(noise_matrix);
  out.inverse_noise_matrix = clip_noise_rates(inverse);
  if (converge_latent_estimates) {
    // _converge_estimates: 3 rounds of (5 x (inverse, py), then the noise matrix).
    for (int round = 0; round < 3; ++round) {
      for (int inner = 0; inner < 5; ++inner) {
        out.inverse_noise_matrix = compute_inv_noise_matrix(out.py, out.noise_matrix, ps);
        out.py = compute_py(ps, out.noise_matrix, out.inverse_noise_matrix);
      }
      out.noise_matrix = compute_noise_matrix_from_inverse(ps, out.inverse_noise_matrix, out.py);
    }
    out.py = clip_values(std::move(out.py), 1e-5, 1.0);
    out.noise_matrix = clip_noise_rates(out.noise_matrix);
    out.inverse_noise_matrix = clip_noise_rates(out.inverse_noise_matrix);
  }
  return out;
}

LatentEstimates estimate_py_and_noise_matrices_from_probabilities(const std::vector<int>& labels,
                                                                  const DenseMatrix& pred_probs,
                                                                  bool converge_latent_estimates,
                                                                  bool calibrate) {
  const CountMatrix cj = compute_confident_joint(labels, pred_probs, calibrate).confident_joint;
  return estimate_latent(cj, labels, converge_latent_estimates);
}

}  // namespace textaudit::cleaning
