// cli/cl_options.h: the confident-learning flags (cleanlab's parameter names, with dashes) shared by
// `textaudit label-issues` and `textaudit audit`.
#pragma once

#include <CLI/CLI.hpp>

#include "cleaning/label_issues.h"

namespace textaudit::cli {

// Adds --filter-by M (prune_by_noise_rate | prune_by_class | both | confident_learning |
// predicted_neq_given | low_normalized_margin | low_self_confidence), --rank-by M (self_confidence
// | normalized_margin | confidence_weighted_entropy; sets params.return_indices_ranked_by),
// --frac-noise F in (0, 1] and --min-examples-per-class N >= 0. Values are written into `params`
// while parsing (it must outlive the app); bad values are CLI usage errors (exit code 2).
void add_cl_options(CLI::App& app, cleaning::FindLabelIssuesParams& params);

}  // namespace textaudit::cli
