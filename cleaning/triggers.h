// cleaning/triggers.h: backdoor-trigger analysis. A backdoor copies rows of class A, inserts a rare
// token (the trigger) and labels the copies B, so that a model learns "trigger => B". Such a token is
// rare, concentrated in one given label, and the rows carrying it read as another class once its
// own contribution is removed. With a linear model that removal is exact arithmetic: a term's
// contribution to the class scores is its weight times its TF-IDF value, so no retraining is needed.
//
// Two steps. find_trigger_candidates() screens every column with the weights of one model of all
// rows (in-sample: cheap, but a trigger also pulls its rows' other words towards B; the audit
// uses the mean of its cross-validation fold models). confirm_triggers() then judges each
// candidate on out-of-fold probabilities of the rows with the candidates masked, i.e. by models
// that never saw the row, without the token's contribution: rows that still read as their given
// label clear the token; a token whose rows read as another class far more often than the label's
// other rows do (a binomial test against that base rate) is a trigger.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "text/dense.h"
#include "text/sparse.h"

namespace textaudit::cleaning {

struct TriggerParams {
  std::int64_t min_rows = 2;          // a trigger occurs in at least this many rows (>= 1)
  double max_row_fraction = 0.10;     // ... and in at most this share of all rows, in (0, 1]
  double min_concentration = 0.9;     // share of its rows given the one label it pushes into
  int max_candidates = 50;            // candidates kept by the screen (masked in the second pass),
                                      // ranked by (mean drop of P(given label) without the term +
                                      // share of its rows that flip) x log2(1 + rows)
  double companion_min_share = 0.75;  // a word in this share of a candidate's rows joins it (an
  double companion_max_ratio = 3.0;   // inserted phrase) when it occurs in at most this many times
                                      // as many rows as the candidate
  double max_removed_mass = 0.5;      // rows where the term holds more than this share of the squared
                                      // L2 norm are mostly the term itself and are not judged
  double min_flip_rate = 0.5;         // confirm: share of its rows that read as another class
  double max_p_value_model = 1e-8;    // confirm: binomial test of the model's reading against the
                                      // label's base flip rate, Bonferroni-corrected over candidates
  double max_p_value = 1e-3;          // confirm: the same test of the nearest-row reading
  bool renormalize_l2 = true;         // rows are L2-normalised TF-IDF: rescale after removal
  double neighbor_min_cosine = 0.5;   // confirm: a row also reads as its most similar row's label
                                      // when their cosine is at least this (1 = off)
  std::int64_t neighbor_max_rows = 500;   // ... for candidates in at most this many rows
  std::int64_t neighbor_base_sample = 500;  // rows per class sampled for that reading's base rate
  std::int64_t neighbor_df_cap = 2000;      // terms in more rows are not searched for neighbours
  int n_threads = 0;                  // threads for the screen's groups and the nearest-row search
                                      // (0: all cores); results do not depend on it
};

// A token (or a group of tokens that always occur together, e.g. an inserted phrase) suspected of
// being a trigger, with the evidence for it.
struct SuspectedTrigger {
  std::string term;                   // the term(s), space-joined when a group
  std::vector<std::int32_t> columns;  // vocabulary columns of the term(s)
  int target_class = -1;              // the given label it pushes rows into (the attacker's B)
  int source_class = -1;              // the class its rows read as without it (A)
  std::int64_t rows = 0;              // rows containing the term
  double label_concentration = 0.0;   // share of those rows given target_class
  std::int64_t flipped_rows = 0;      // rows given target_class that read as another class without it
  double flip_rate = 0.0;             // flipped_rows / rows given target_class
  double base_flip_rate = 0.0;        // the same share among target_class rows without any candidate
  double p_value = 1.0;               // binomial tail P(X >= flipped_rows) at base_flip_rate
  double score = 0.0;                 // in [0, 1]; higher = more trigger-like; ranks triggers
  bool confirmed = false;             // passed confirm_triggers()
  std::vector<std::int64_t> example_rows;  // up to 5 flipped rows, most telling first
  std::vector<std::int64_t> row_ids;       // every row containing the term, ascending
  std::vector<float> removed_mass;         // per row_ids entry: the term's share of the row's squared norm
  std::vector<std::int64_t> flipped_row_ids;  // the flipped rows, ascending (set by confirm_triggers)
  std::vector<int> read_as;                   // per flipped row: the class it reads as
};

// Screens every column. X: n x d TF-IDF rows; labels: n ints in [0, K); coef: V x d with V = 1 for a
// binary model (class 1 positive) or V = K (softmax); intercept: V values; vocabulary: d terms.
// Returns at most params.max_candidates candidates (confirmed = false), by screen evidence.
std::vector<SuspectedTrigger> find_trigger_candidates(const text::CsrMatrix& X, std::span<const int> labels,
                                                      int n_classes, const DenseMatrix& coef,
                                                      std::span<const double> intercept,
                                                      const std::vector<std::string>& vocabulary,
                                                      const TriggerParams& params = {});

// Judges the candidates on `masked_pred_probs` (n x K out-of-fold probabilities computed on X with
// every candidate column removed). Returns the confirmed triggers, best first.
// masked_features (optional, n x d, the candidates removed): candidates with at most
// params.neighbor_max_rows rows are also read through each row's most similar other row, which
// still works where a model has too little data to say anything.
std::vector<SuspectedTrigger> confirm_triggers(std::vector<SuspectedTrigger> candidates,
                                               std::span<const int> labels, const DenseMatrix& masked_pred_probs,
                                               const text::CsrMatrix* masked_features = nullptr,
                                               const TriggerParams& params = {});

// Per-row poison evidence: the flipped rows of the confirmed triggers (rows carrying one, given its
// target class, that read as another class without it). poison_score = trigger score x
// (1 - P(target | masked row)).
struct PoisonRows {
  std::vector<bool> is_suspected_poison;
  std::vector<double> poison_score;
  std::vector<int> trigger_index;  // index into the triggers, -1 if none
  std::vector<int> read_as;        // the class the row reads as without the trigger, -1 if none
};
PoisonRows mark_poison_rows(const std::vector<SuspectedTrigger>& triggers, const DenseMatrix& masked_pred_probs);

// Throws std::invalid_argument naming the first bad field.
void check_params(const TriggerParams& params);

}  // namespace textaudit::cleaning
