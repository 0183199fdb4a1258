// cleaning/outliers.h: rows unlike the rest by their average distance to the k nearest neighbours,
// as cleanlab's Datalab `outlier` check and OutOfDistribution.fit_score(features=...).
#pragma once

#include <cstdint>
#include <vector>

#include "cleaning/knn.h"
#include "text/dense.h"
#include "text/sparse.h"

namespace textaudit::cleaning {

struct OutlierParams {
  int k = 10;                        // neighbours averaged, 1 <= k < n_samples
  double t = 1.0;                    // score = exp(-t * avg_distance / scaling_factor), t > 0
  double threshold = 0.37037;        // flag avg > Q3 + (1 / threshold - 1) * IQR, in (0, 1]
  Metric metric = Metric::kAuto;     // dense only: see Metric (sparse is always cosine)
  SparseKnnParams sparse = {};       // sparse only: the approximate graph (its k is replaced by k)
  int n_threads = 0;                 // 0 = all hardware threads; results do not depend on it
};

struct OutlierResult {
  std::vector<double> score;             // per row in [0, 1]; lower = more unusual
  std::vector<bool> is_outlier;          // avg_distance > issue_threshold
  std::vector<double> average_distance;  // mean distance to the k graph neighbours
  int k = 0;
  double t = 1.0;
  double threshold = 0.37037;            // the parameter
  double issue_threshold = 0.0;          // Q3 + (1 / threshold - 1) * IQR of average_distance
  double scaling_factor = 0.0;           // max(median(average_distance), 100 * DBL_EPSILON)
  double average_ood_score = 0.0;        // mean of score
};

// Datalab's outlier check on a neighbour graph (all its k columns). Quartiles as np.percentile
// (linear). Throws std::invalid_argument for t <= 0 or threshold outside (0, 1].
OutlierResult find_outliers(const KnnGraph& graph, const OutlierParams& params = {});

// knn_graph(features, {k, metric}) then the check above: matches cleanlab 2.9 Datalab
// find_issues(features=..., issue_types={"outlier": {}}) (and with "near_duplicate", which shares
// the graph).
OutlierResult find_outliers(const DenseMatrix& features, const OutlierParams& params = {});

// TF-IDF rows: the approximate cosine graph of knn_graph(tfidf, params.sparse) (exact distances
// to the neighbours it finds), then the same scoring. Near-linear in n_samples.
OutlierResult find_outliers(const text::CsrMatrix& tfidf, const OutlierParams& params = {});

// cleanlab OutOfDistribution().fit_score(features=features): k = min(10, n_samples - 1) by
// default, the same graph and transform, and score 1 where avg_distance is ~0 (cosine: below
// 100 * 1.11e-16, Euclidean: below sqrt(100 * 2.22e-16)). Throws as knn_graph.
std::vector<double> out_of_distribution_scores(const DenseMatrix& features, int k = 0, double t = 1.0,
                                               Metric metric = Metric::kAuto, int n_threads = 0);

}  // namespace textaudit::cleaning
