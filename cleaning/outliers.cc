// cleaning/outliers.cc: cleanlab's kNN-distance outlier score (OutOfDistribution, Datalab outlier).
#include "cleaning/outliers.h"

#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cleaning/detail/stats.h"

namespace textaudit::cleaning {
namespace {

void check_params(const OutlierParams& p) {
  if (!(p.t > 0)) throw std::invalid_argument("t=" + std::to_string(p.t) + " must be > 0");
  if (!(p.threshold > 0 && p.threshold <= 1)) {
    throw std::invalid_argument("threshold=" + std::to_string(p.threshold) + " must be in (0, 1]");
  }
}

std::vector<double> average_distances(const KnnGraph& g) {
  std::vector<double> avg(static_cast<std::size_t>(g.rows()));
  for (std::int64_t i = 0; i < g.rows(); ++i) {
    double s = 0.0;
    for (int j = 0; j < g.k; ++j) s += g.distance(i, j);
    avg[i] = s / g.k;
  }
  return avg;
}

// cleanlab transform_distances_to_scores: exp(-t * avg / scaling_factor), the scaling factor the
// median average distance so a typical row scores exp(-t).
std::vector<double> transform(const std::vector<double>& avg, double t, double scaling_factor) {
  std::vector<double> score(avg.size());
  const double scale = std::max(scaling_factor, 1e-6);
  for (std::size_t i = 0; i < avg.size(); ++i) score[i] = std::exp(-t * avg[i] / scale);
  return score;
}

}  // namespace

OutlierResult find_outliers(const KnnGraph& graph, const OutlierParams& p) {
  check_params(p);
  if (graph.rows() == 0) throw std::invalid_argument("find_outliers: the graph has no rows");
  OutlierResult r;
  r.k = graph.k;
  r.t = p.t;
  r.threshold = p.threshold;
  r.average_distance = average_distances(graph);
  r.scaling_factor = std::max(detail::median(r.average_distance), 100 * DBL_EPSILON);
  r.score = transform(r.average_distance, p.t, r.scaling_factor);
  // Datalab: outlier when avg > Q3 + (1 / threshold - 1) * IQR (scipy.stats.iqr = Q3 - Q1).
  const double q1 = detail::percentile(r.average_distance, 25), q3 = detail::percentile(r.average_distance, 75);
  r.issue_threshold = q3 + (1.0 / p.threshold - 1.0) * (q3 - q1);
  r.is_outlier.resize(r.score.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < r.score.size(); ++i) {
    r.is_outlier[i] = r.average_distance[i] > r.issue_threshold;
    sum += r.score[i];
  }
  r.average_ood_score = sum / static_cast<double>(r.score.size());
  return r;
}

OutlierResult find_outliers(const DenseMatrix& features, const OutlierParams& p) {
  check_params(p);
  return find_outliers(knn_graph(features, {.k = p.k, .metric = p.metric, .n_threads = p.n_threads}), p);
}

OutlierResult find_outliers(const text::CsrMatrix& tfidf, const OutlierParams& p) {
  check_params(p);
  SparseKnnParams sp = p.sparse;
  sp.k = p.k;
  if (sp.n_threads == 0) sp.n_threads = p.n_threads;
  return find_outliers(knn_graph(tfidf, sp), p);
}

std::vector<double> out_of_distribution_scores(const DenseMatrix& features, int k, double t, Metric metric,
                                               int n_threads) {
  if (k == 0) k = static_cast<int>(std::min<std::int64_t>(10, features.rows() - 1));
  const KnnGraph g = knn_graph(features, {.k = k, .metric = metric, .n_threads = n_threads});
  OutlierParams p;
  p.t = t;
  OutlierResult r = find_outliers(g, p);
  // OutOfDistribution scores rows whose neighbours all sit at (numerically) zero distance as 1.
  const double tol = g.metric == Metric::kCosine ? 100 * (DBL_EPSILON / 2) : std::sqrt(100 * DBL_EPSILON);
  for (std::size_t i = 0; i < r.score.size(); ++i)
    if (r.average_distance[i] < tol) r.score[i] = 1.0;
  return r.score;
}

}  // namespace textaudit::cleaning
