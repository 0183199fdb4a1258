// textaudit/textaudit.h: the one header a user of the textaudit library includes. Link
// textaudit::textaudit (CMake: find_package(textaudit) then target_link_libraries(app
// textaudit::textaudit)). No command-line, file-format or report details: data goes in as
// std::vector<std::string> and Eigen / plain matrices, results come back as plain structs.
//
// The whole audit (audit/auditor.h, audit/result.h):
//
//   textaudit::AuditOptions options;             // every field defaulted; see auditor.h
//   options.n_threads = 4;                       // 0 = all cores; results do not depend on it
//   textaudit::Auditor auditor(options);         // throws std::invalid_argument for bad options
//   textaudit::AuditResult r = auditor.run(texts, labels);  // labels are class names
//   for (std::size_t row : r.ranked_flagged_rows()) use(row, r.issue_score[row], r.reasons[row]);
//   // r.is_label_issue, r.is_suspected_poison, r.is_near_duplicate, r.is_outlier, r.is_ambiguous,
//   // r.label_quality, r.pred_probs (n x K), r.classes, r.triggers, r.alarms, r.warnings ...
//   // r.is_flagged(row): the rows a cleaned copy of the data leaves out.
//
// Bring your own model: Auditor::run(texts, labels, ExternalInputs{.pred_probs = P}) uses your
// out-of-fold probabilities and/or embeddings instead of the built-in parts.
//
// Thread safety: an Auditor is immutable after construction and run() is const; distinct Auditor
// objects (or one Auditor) may run concurrently on different threads. The library keeps no global
// mutable state and never prints; each run uses AuditOptions::n_threads threads of its own.
//
// The parts, for those who need only one (namespaces follow the folders):
//   text::TfidfVectorizer        scikit-learn's TfidfVectorizer -> text::CsrMatrix (text/vectorizer.h)
//   text::encode_labels          class names -> 0-based ids, LabelEncoder order (text/labels.h)
//   models::LogisticRegression   scikit-learn's L2 LogisticRegression optimum (models/logistic_regression.h)
//   crossval::stratified_kfold, crossval::cross_val_predict   out-of-fold probabilities (crossval/kfold.h)
//   cleaning::find_label_issues, find_label_issues_mask, get_label_quality_scores, compute_confident_joint,
//     num_label_issues          cleanlab 2.9's results on (labels, pred_probs) (cleaning/label_issues.h, rank.h)
//   cleaning::find_near_duplicates, cleaning::find_outliers   on TF-IDF rows or dense features
//   cleaning::find_trigger_candidates, confirm_triggers       backdoor-trigger analysis (cleaning/triggers.h)
//
// Errors: bad parameters, shapes and sizes throw std::invalid_argument naming the field; data that
// cannot be audited throws textaudit::DataError (a std::runtime_error). Nothing calls exit().
#pragma once

#include "audit/auditor.h"
#include "audit/result.h"
#include "cleaning/confident_joint.h"
#include "cleaning/label_issues.h"
#include "cleaning/near_duplicates.h"
#include "cleaning/outliers.h"
#include "cleaning/rank.h"
#include "cleaning/triggers.h"
#include "crossval/kfold.h"
#include "models/logistic_regression.h"
#include "text/data_error.h"
#include "text/dense.h"
#include "text/labels.h"
#include "text/sparse.h"
#include "text/tfidf_params.h"
#include "text/vectorizer.h"

namespace textaudit {

// The whole audit under short names.
using audit::AuditOptions;
using audit::AuditResult;
using audit::Auditor;
using audit::ExternalInputs;

}  // namespace textaudit
