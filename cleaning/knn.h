// cleaning/knn.h: k-nearest-neighbour graphs shared by the near-duplicate and outlier checks, as
// cleanlab's Datalab builds one graph and reuses it for both.
//
// Dense features: exact blocked brute force (BLAS matrix products) up to `max_exact_rows`,
// hnswlib's HNSW above. Sparse TF-IDF rows: a random projection to a few dense dimensions, an
// inverted-file (k-means) index over the projection, and exact TF-IDF cosine on the candidates.
#pragma once

#include <cstdint>
#include <vector>

#include "text/dense.h"
#include "text/sparse.h"

namespace textaudit::cleaning {

// Distance between rows. kAuto is cleanlab's `decide_default_metric`: cosine when
// n_features > 3, else Euclidean. Cosine distance = 1 - cos, clipped to [0, 2] (scikit-learn's).
enum class Metric { kAuto, kCosine, kEuclidean };

// "cosine" / "euclidean" (cleanlab's spelling); "auto" for kAuto.
const char* metric_name(Metric metric);
// kAuto resolved for a matrix with `n_features` columns.
Metric resolve_metric(Metric metric, std::int64_t n_features);

// Each row's k nearest other rows, ascending distance (ties: lower row index first).
struct KnnGraph {
  int k = 0;
  Metric metric = Metric::kCosine;        // resolved, never kAuto
  bool exact = true;                      // false when found by an approximate index
  std::vector<std::int64_t> indices;      // n_samples x k, row-major
  std::vector<double> distances;          // n_samples x k, row-major

  std::int64_t rows() const { return k == 0 ? 0 : static_cast<std::int64_t>(indices.size()) / k; }
  std::int64_t index(std::int64_t row, int j) const { return indices[row * k + j]; }
  double distance(std::int64_t row, int j) const { return distances[row * k + j]; }
};

struct KnnParams {
  int k = 10;                                // neighbours per row, 1 <= k < n_samples
  Metric metric = Metric::kAuto;             // see Metric
  bool correct_exact_duplicates = true;      // identical rows first, at distance 0 (cleanlab)
  std::int64_t max_exact_rows = 50000;       // more rows: approximate HNSW instead of brute force
  int hnsw_m = 16;                           // HNSW graph degree, >= 2
  int hnsw_ef_construction = 200;            // HNSW build beam, >= k
  int hnsw_ef = 100;                         // HNSW query beam, >= k + 1
  std::uint64_t random_state = 0;            // HNSW level generator seed
  int n_threads = 0;                         // 0 = all hardware threads; result does not depend on it
};

// The k-nearest-neighbour graph of `features` (n_samples x n_features), self excluded, as
// scikit-learn's NearestNeighbors(k, metric).kneighbors() followed by cleanlab's
// correct_knn_distances_and_indices: each row's identical rows come first (ascending index,
// distance 0), then the other neighbours in distance order. Above max_exact_rows the search is
// HNSW, built single-threaded so the graph depends only on random_state; queries use n_threads.
// Throws std::invalid_argument for k outside [1, n_samples) or bad HNSW parameters.
KnnGraph knn_graph(const DenseMatrix& features, const KnnParams& params = {});

struct SparseKnnParams {
  int k = 10;                       // neighbours per row, 1 <= k < n_samples
  int n_components = 256;           // random-projection dimensions, >= 8
  int n_lists = 0;                  // k-means cells; 0 = about sqrt(n_samples)
  int n_probe = 3;                  // cells searched per row, 1 <= n_probe <= n_lists
  int n_candidates = 8;             // projected candidates per neighbour, re-ranked exactly, >= 1
  int kmeans_iter = 8;              // Lloyd iterations on a sample
  std::uint64_t random_state = 0;   // projection, sample and k-means seed
  int n_threads = 0;                // 0 = all hardware threads; result does not depend on it
};

// Approximate cosine k-nearest-neighbour graph of L2-normalised sparse rows (TF-IDF): candidates
// come from an inverted-file index over a random projection to n_components dimensions, their
// distances are exact TF-IDF cosine distances (1 - dot). Identical rows are forced first as for
// dense features. Near-linear: O(n * (n / n_lists) * n_probe * n_components).
// Throws std::invalid_argument for bad parameters.
KnnGraph knn_graph(const text::CsrMatrix& tfidf, const SparseKnnParams& params = {});

// Groups of identical rows (same column indices and values), each ascending, groups ordered by
// their first row; rows without a copy are not listed. Hash-based, O(nnz).
std::vector<std::vector<std::int64_t>> exact_duplicate_groups(const DenseMatrix& features);
std::vector<std::vector<std::int64_t>> exact_duplicate_groups(const text::CsrMatrix& rows);

}  // namespace textaudit::cleaning
