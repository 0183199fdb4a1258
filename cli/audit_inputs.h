// cli/audit_inputs.h: the audit's bring-your-own-model flags (--pred-probs, --features) and
// incremental-audit flags (--baseline, --model), and the Auditor call they select.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "audit/auditor.h"
#include "cli/dataset_options.h"
#include "io/dataset.h"

namespace textaudit::cli {

struct AuditInputArgs {
  std::string pred_probs;  // --pred-probs FILE: CSV/TSV (header of class names) or .npy, n x K
  std::string features;    // --features FILE.npy: n x d float32/float64
  std::string baseline;    // --baseline ACCEPTED: audit DATA as a new batch against these rows
  std::string model;       // --model FILE: saved by `textaudit fit --save-model` (with --baseline)
};

// Adds --pred-probs, --features, --baseline and --model to the audit command.
void add_audit_input_options(CLI::App& app, AuditInputArgs& args);

// Runs `auditor` on `ds`: the plain audit, with the user's pred_probs/features, or (--baseline)
// the incremental audit of ds against the accepted file (read with `data`'s format and columns),
// with the saved --model or one fitted on the accepted rows first. Bad files throw DataError.
audit::AuditResult run_audit_with_inputs(const audit::Auditor& auditor, const io::Dataset& ds,
                                         const DatasetOptions& data, const AuditInputArgs& args, bool quiet);

}  // namespace textaudit::cli
