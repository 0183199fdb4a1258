// python/options.h: Python keyword arguments -> audit::AuditOptions. Top-level keys are the
// AuditOptions fields (n_splits, random_state, folds, n_threads, ambiguity_margin, min_model_skill,
// detect_triggers, alarm_min_ratio, alarm_min_rate); the nested parameter structs take dicts of
// their own field names: tfidf={...}, model={...}, label_issues={...}, near_duplicates={...},
// outliers={...}, triggers={...}. Values use scikit-learn's / cleanlab's spellings ("l2", None,
// "prune_by_noise_rate"; min_df/max_df: int = documents, float = fraction).
#pragma once

#include <pybind11/pybind11.h>

#include "audit/auditor.h"

namespace textaudit::python {

// Throws pybind11::type_error for an unknown key or a value of the wrong type (naming the key),
// std::invalid_argument (ValueError) for a bad value, as audit::check_options does.
audit::AuditOptions audit_options_from_kwargs(const pybind11::dict& kwargs);

// The names accepted at the top level and inside each nested dict, for error messages and docs.
std::string audit_option_names();

}  // namespace textaudit::python
