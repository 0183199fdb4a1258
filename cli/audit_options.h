// cli/audit_options.h: the vectorizer, model, cross-validation and confident-learning flags of the
// commands that run the whole audit (audit, redteam), and the AuditOptions they make.
#pragma once

#include <CLI/CLI.hpp>

#include "audit/auditor.h"
#include "cli/model_options.h"

namespace textaudit::cli {

struct PipelineArgs {
  text::TfidfParams tfidf;
  models::LogisticRegressionParams model = crossval::out_of_fold_params();
  CrossValOptions cv;
  cleaning::FindLabelIssuesParams cl;
};

// Adds the TF-IDF, model, cross-validation and confident-learning flags.
void add_pipeline_options(CLI::App& app, PipelineArgs& args);

// AuditOptions with those parameters (folds shuffled under --seed; --fold-column is the caller's).
audit::AuditOptions make_audit_options(const PipelineArgs& args, audit::AuditOptions base = {});

}  // namespace textaudit::cli
