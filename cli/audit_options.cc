#include "cli/audit_options.h"

#include "cli/cl_options.h"
#include "cli/tfidf_options.h"

namespace textaudit::cli {

void add_pipeline_options(CLI::App& app, PipelineArgs& args) {
  add_tfidf_options(app, args.tfidf);
  add_model_options(app, args.model);
  add_crossval_options(app, args.cv);
  add_cl_options(app, args.cl);
}

audit::AuditOptions make_audit_options(const PipelineArgs& args, audit::AuditOptions base) {
  base.tfidf = args.tfidf;
  base.model = args.model;
  base.label_issues = args.cl;
  base.n_splits = args.cv.folds;
  base.random_state = args.cv.seed;
  base.n_threads = args.cv.threads;
  return base;
}

}  // namespace textaudit::cli
