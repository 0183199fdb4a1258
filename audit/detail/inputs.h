// audit/detail/inputs.h: checks of the user's own pred_probs and features (ExternalInputs), shared
// by Auditor::run and the incremental audit.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "audit/auditor.h"

namespace textaudit::audit::detail {

// The user's pred_probs with columns reordered to `classes` (the sorted class names of the labels).
// Throws DataError naming inputs.pred_probs_source for a row count other than n_rows,
// a column count or class names that do not match, and values that are not probabilities.
DenseMatrix checked_pred_probs(const ExternalInputs& inputs, const std::vector<std::string>& classes,
                               std::size_t n_rows);

// Throws DataError naming inputs.features_source for a row count other than n_rows,
// no columns, or a value that is not finite.
void check_features(const ExternalInputs& inputs, std::size_t n_rows);

// Adds to result.parameters what the audit used: "pred_probs" (built-in cross-validation or the
// user's source), "features" (TF-IDF or the user's source, n x d) and, with the user's pred_probs
// and the trigger analysis on, "trigger_reading" (how triggers were judged).
void record_inputs(const ExternalInputs& inputs, bool detect_triggers, AuditResult& result);

// Datalab's dense near-duplicate check on the user's features, k clamped to the other rows; a
// single row has no near-duplicate.
cleaning::NearDuplicateResult dense_near_duplicates(const DenseMatrix& features, cleaning::NearDuplicateParams params);

// Rows sum to 1 within this (cleanlab's own check is looser; probabilities written as text lose digits).
inline constexpr double kRowSumTolerance = 1e-3;

}  // namespace textaudit::audit::detail
