// audit/result.h: AuditResult, everything one audit found — per-row issue columns, per-class
// noise estimates, suspected backdoor triggers, timings — as plain structs and vectors.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cleaning/triggers.h"
#include "text/dense.h"

namespace textaudit::audit {

// A suspected backdoor trigger with its evidence (see cleaning/triggers.h): term, target_class,
// source_class, rows, label_concentration, flipped_rows, flip_rate, base_flip_rate, p_value, score,
// example_rows.
using SuspectedTrigger = cleaning::SuspectedTrigger;

// Wall and CPU time of one pipeline stage.
struct StageTiming {
  std::string stage;
  double wall_seconds = 0.0;
  double cpu_seconds = 0.0;
};

struct AuditResult {
  // The data as classified.
  std::size_t n_rows = 0;
  std::vector<std::string> classes;     // class names, index = class id
  std::vector<int> given_label;         // n_rows class ids
  DenseMatrix pred_probs;               // n_rows x K out-of-fold probabilities

  // Per-row columns of issues.csv, all n_rows long (row order = input order).
  std::vector<int> predicted_label;     // argmax of pred_probs (first maximum)
  std::vector<double> label_quality;    // cleanlab label quality score, [0, 1], lower = more suspect
  std::vector<bool> is_label_issue;
  std::vector<bool> is_near_duplicate;
  std::vector<std::int64_t> near_duplicate_set;  // set id (smallest member row) or -1
  std::vector<bool> near_duplicate_label_conflict;  // its set holds another given label
  std::vector<bool> is_outlier;
  std::vector<double> outlier_score;    // [0, 1], lower = more unusual (cleanlab convention)
  std::vector<bool> is_ambiguous;
  std::vector<double> ambiguity_score;  // [0, 1], higher = probability mass more evenly split
  std::vector<bool> is_suspected_poison;
  std::vector<double> poison_score;     // [0, 1], higher = more likely planted
  std::vector<std::string> trigger;     // the suspected trigger the row carries, or ""
  std::vector<double> issue_score;      // [0, 1] combined; higher = more suspicious; ranks rows
  std::vector<std::string> reasons;     // short human-readable reasons ("; "-separated), "" if none

  // Incremental audits only (Auditor::run_incremental), else empty; n_rows long: the accepted row
  // this row nearly duplicates (0-based row of the accepted data, -1 if none), its class id and
  // their TF-IDF cosine similarity (0 if none). A duplicate of an accepted row is not kept in
  // cleaned.csv; a conflict (another label) also sets near_duplicate_label_conflict.
  std::vector<std::int64_t> accepted_duplicate_row;
  std::vector<int> accepted_duplicate_label;
  std::vector<double> accepted_duplicate_similarity;

  // Aggregates for the summary and the report.
  DenseMatrix confident_joint;          // K x K counts (calibrated), row = given, column = estimated true
  DenseMatrix noise_matrix;             // K x K, P(given = i | true = j)
  std::vector<double> noise_rate;       // per class: estimated share of rows given that class that are wrong
  std::int64_t num_label_issues = 0;
  std::vector<SuspectedTrigger> triggers;
  std::vector<std::string> alarms;      // e.g. a targeted-flip asymmetry between two classes
  std::vector<std::string> warnings;    // non-fatal problems (tiny classes, non-convergence, ...)
  std::vector<std::pair<std::string, std::string>> parameters;  // name -> value, as used
  std::vector<StageTiming> timings;

  // Whether cleaned.csv leaves the row out: a label issue, suspected poison, an outlier, an
  // ambiguous row, or a near-duplicate that is not the first member (lowest row) of its set —
  // one copy of a repeated text is kept, the rest are dropped — or of an accepted row.
  bool is_flagged(std::size_t row) const {
    return is_label_issue[row] || is_suspected_poison[row] || is_outlier[row] || is_ambiguous[row] ||
           (is_near_duplicate[row] && near_duplicate_set[row] != static_cast<std::int64_t>(row)) ||
           (!accepted_duplicate_row.empty() && accepted_duplicate_row[row] >= 0);
  }
  // Row indices ordered by issue_score (descending), ties by row index; only flagged rows.
  std::vector<std::size_t> ranked_flagged_rows() const;
};

}  // namespace textaudit::audit
