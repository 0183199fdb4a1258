// cleaning/detail/label_issues_prune.h: find_label_issues' prune_by_noise_rate / prune_by_class /
// both filters in two passes over pred_probs (label_issues_prune.cc), the straightforward version
// kept as the tests' oracle, and the steps the two share (label_issues.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "cleaning/label_issues.h"

namespace textaudit::cleaning::detail {

// find_label_issues_mask's parameter checks (cleanlab's messages), for K = num_classes.
void check_find_label_issues_params(const FindLabelIssuesParams& params, Eigen::Index num_classes);

// The prune count matrix of cleanlab's find_label_issues from the calibrated confident joint:
// _keep_at_least_n_per_class (min_examples_per_class, frac_noise), then the num_to_remove_per_class
// branch when set. [j][k] = rows given k to remove as estimated class j. label_counts: length K.
CountMatrix prune_counts(const CountMatrix& calibrated_joint, const FindLabelIssuesParams& params,
                         const std::vector<std::int64_t>& label_counts);

// find_label_issues_mask for params.filter_by prune_by_noise_rate, prune_by_class or both, with the
// near-argmax rule applied; same checks, messages and their order. Two passes over pred_probs on
// params.n_threads threads in fixed row chunks: the result does not depend on the thread count.
std::vector<bool> prune_filter_mask(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                    const FindLabelIssuesParams& params);

// Tests only: false keeps prune_filter_mask off its AVX2 code path (default true: used when the
// CPU has AVX2). Both paths compute the same comparisons.
void allow_avx2_for_testing(bool allow);

// The same mask computed step by step as cleanlab does (confident joint, then per class a column
// copy of its rows and one selection per off-diagonal cell). Slower; the oracle of the tests.
std::vector<bool> prune_filter_mask_reference(const std::vector<int>& labels,
                                              const DenseMatrix& pred_probs,
                                              const FindLabelIssuesParams& params);

}  // namespace textaudit::cleaning::detail
