// cleaning/near_duplicates.h: rows that are (nearly) the same, as cleanlab's Datalab
// `near_duplicate` check on dense features, and a near-linear exact cosine join on TF-IDF rows.
#pragma once

#include <cstdint>
#include <vector>

#include "cleaning/knn.h"
#include "text/dense.h"
#include "text/sparse.h"

namespace textaudit::cleaning {

struct NearDuplicateParams {
  double threshold = 0.13;         // dense: radius = threshold * median_nn_distance, >= 0 (Datalab)
  int k = 10;                      // dense: neighbours per row in the graph, 1 <= k < n_samples
  Metric metric = Metric::kAuto;   // dense: see Metric
  double min_cosine = 0.9;         // sparse: pairs with cosine >= min_cosine, in (0, 1]
  int n_threads = 0;               // 0 = all hardware threads; results do not depend on it
};

struct NearDuplicatePair {
  std::int64_t a = 0, b = 0;  // a < b
  double distance = 0.0;      // graph distance (dense) or 1 - cosine (sparse)
  double similarity = 0.0;    // cosine similarity = 1 - distance; 0 for Euclidean graphs
};

struct NearDuplicateResult {
  std::vector<bool> is_near_duplicate;                 // per row: has at least one near duplicate
  std::vector<double> score;                           // per row in [0, 1]; lower = closer copy
  std::vector<std::vector<std::int64_t>> sets;         // dense only: per row, Datalab's near_duplicate_sets
  std::vector<std::int64_t> set_id;                    // per row: smallest row of its connected group, -1
  std::vector<std::vector<std::int64_t>> groups;       // connected groups, ascending, ordered by set id
  std::vector<std::vector<std::int64_t>> exact_duplicate_groups;  // identical rows, ascending
  std::vector<NearDuplicatePair> pairs;                // see find_near_duplicates; sorted by (a, b)
  std::vector<std::int64_t> nearest_neighbor;          // dense: graph column 0; sparse: best found, -1
  std::vector<double> distance_to_nearest_neighbor;    // dense: graph column 0; sparse: 1 - best cosine
  double median_nn_distance = 0.0;                     // dense: max(median(nn distance), 1e-6)
  double average_near_duplicate_score = 0.0;           // mean of score
};

// Datalab's near_duplicate check on a neighbour graph: set of row i = its neighbours at distance
// < threshold * median_nn_distance, made symmetric; score = 1 - exp(-nn_dist / median_nn_distance),
// 0 where nn_dist is ~0 (np.isclose). pairs: every (i, j) linked by a set. exact_duplicate_groups
// stays empty (the graph has no features). Throws std::invalid_argument for threshold < 0.
NearDuplicateResult find_near_duplicates(const KnnGraph& graph, double threshold = 0.13);

// knn_graph(features, {k, metric}) then the check above: matches cleanlab 2.9
// Datalab.find_issues(features=..., issue_types={"near_duplicate": {}}).
NearDuplicateResult find_near_duplicates(const DenseMatrix& features, const NearDuplicateParams& params = {});

// TF-IDF rows (rows are L2-normalised internally; zero rows only match each other as exact
// duplicates). Exact all-pairs cosine join without comparing all pairs: identical rows are hashed
// into exact_duplicate_groups; one row per group enters a prefix-filtered inverted index (columns
// ordered rarest first; a row indexes its leading columns until the rest has norm < min_cosine, so
// any pair with cosine >= min_cosine shares an indexed column). A candidate is dropped when
// Cauchy-Schwarz at its first shared column bounds its cosine below min_cosine, when the columns
// it provably lacks (a 64-bit signature of hashed columns, kept in the index) carry more than
// 2 - 2 * min_cosine of the other row's squared weight, when per-bucket Cauchy-Schwarz over the
// two rows' norms in those 64 buckets bounds the cosine below min_cosine, or when a merge of the two
// rows shows a squared distance above 2 - 2 * min_cosine; survivors get an exact cosine.
// Work grows with the pairs of rows sharing a rare prefix word: near-linear when such groups stay
// small, quadratic inside large groups of paraphrases (see bench/near_duplicates_bench.cc).
// pairs: (a, b, cosine) between first copies of different texts (expand via
// exact_duplicate_groups); a row's set is its connected group. score = 1 - the best cosine among
// its verified candidates (exact when >= min_cosine; 1 when none; else an upper bound on the
// true nearest distance). Throws std::invalid_argument for min_cosine outside (0, 1].
NearDuplicateResult find_near_duplicates(const text::CsrMatrix& tfidf, const NearDuplicateParams& params = {});

}  // namespace textaudit::cleaning
