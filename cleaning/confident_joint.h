// cleaning/confident_joint.h: confident learning's counting step (Northcutt et al., 2021, sec. 3.1)
// with cleanlab 2.9's exact arithmetic: per-class thresholds, the confident joint (uncalibrated and
// calibrated), estimate_joint, num_label_issues and the latent estimates (prior of true labels,
// noise matrix, inverse noise matrix). labels: n_samples ints in [0, K); pred_probs: n_samples x K.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "text/dense.h"

namespace textaudit::cleaning {

// K x K integer counts; row = given label, column = (estimated) true label.
using CountMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Checks shapes and values as cleanlab's assert_valid_inputs does. Throws std::invalid_argument:
// differing lengths, no rows, a label < 0 or >= K, a probability that is NaN/inf or more than 1e-6
// outside [0, 1], and (when `require_two_classes`) fewer than two distinct labels.
void check_inputs(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                  bool require_two_classes);

// Number of rows per class (length K).
std::vector<std::int64_t> class_counts(const std::vector<int>& labels, int num_classes);

// Threshold of class k = mean of pred_probs[:, k] over rows labelled k (NumPy's pairwise sum),
// clipped below at 2e-6; 2.0 for a class that is never a given label. Length K.
std::vector<double> get_confident_thresholds(const std::vector<int>& labels,
                                             const DenseMatrix& pred_probs);

struct ConfidentJoint {
  CountMatrix confident_joint;                    // K x K
  std::vector<std::int64_t> off_diagonal_indices;  // rows counted off the diagonal, ascending
};

// The confident joint: row i counts into [label_i][guess_i] when p_k >= threshold_k - 1e-6 for at
// least one k (guess = that k, or the row's argmax when several); diagonal raised to >= 1; with
// `calibrate`, rescaled to the class counts and n and rounded preserving row totals. n_threads:
// >= 1, or 0 = all cores; the result does not depend on it.
ConfidentJoint compute_confident_joint(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                       bool calibrate = true, int n_threads = 1);

// Scales each row to its class count, the whole to n, then rounds per row preserving row totals.
CountMatrix calibrate_confident_joint(const CountMatrix& confident_joint,
                                      const std::vector<int>& labels);

// cleanlab's round_preserving_row_totals: np.round (half to even) per entry, then +-1 on the entries
// with the largest/smallest remainders until each row sums to its rounded total. Non-finite
// entries become INT64_MIN, as NumPy's astype(int) does on x86.
CountMatrix round_preserving_row_totals(const DenseMatrix& matrix);

// Calibrated confident joint / its sum (K x K, sums to 1).
DenseMatrix estimate_joint(const std::vector<int>& labels, const DenseMatrix& pred_probs);

enum class NumLabelIssuesMethod { kOffDiagonal, kOffDiagonalCalibrated };
NumLabelIssuesMethod parse_num_label_issues_method(std::string_view name);  // "off_diagonal", ...

// kOffDiagonal: rows off the diagonal of the confident joint, minus those whose given label is the
// near-argmax (see given_label_is_near_argmax). kOffDiagonalCalibrated: rint((1 - trace(joint)) * n).
// Throws std::invalid_argument as check_inputs (two classes required).
std::int64_t num_label_issues(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                              NumLabelIssuesMethod method = NumLabelIssuesMethod::kOffDiagonal);

// True when argmax(row) after adding 1e-6 to the given label's probability is the given label
// (cleanlab's _reduce_issues); such rows are never reported by the confident-learning filters.
bool given_label_is_near_argmax(const DenseMatrix& pred_probs, Eigen::Index row, int label);

struct LatentEstimates {
  std::vector<double> py;            // py[k] = estimated prior of true class k
  DenseMatrix noise_matrix;          // [i][j] = P(given = i | true = j), columns sum to 1
  DenseMatrix inverse_noise_matrix;  // [i][j] = P(true = i | given = j), columns sum to 1
  CountMatrix confident_joint;       // the joint the estimates came from
};

// cleanlab's estimate_latent(confident_joint, labels, py_method='cnt').
LatentEstimates estimate_latent(const CountMatrix& confident_joint, const std::vector<int>& labels,
                                bool converge_latent_estimates = false);

// compute_confident_joint(calibrate) then estimate_latent(converge_latent_estimates).
LatentEstimates estimate_py_and_noise_matrices_from_probabilities(
    const std::vector<int>& labels, const DenseMatrix& pred_probs,
    bool converge_latent_estimates = true, bool calibrate = true);

}  // namespace textaudit::cleaning
