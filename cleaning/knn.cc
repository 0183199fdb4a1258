// cleaning/knn.cc: exact (BLAS) and approximate (HNSW, projected inverted file) neighbour graphs.
#include "cleaning/knn.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include <hnswlib/hnswlib.h>

// Built for AVX-512 (-march=native on such a machine), xxhash's inlined accumulate loop draws
// GCC 12's -Wmaybe-uninitialized from inside avx512fintrin.h: a false positive in a system header
// (clang has no such warning).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define XXH_INLINE_ALL
#include <xxhash.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "cleaning/detail/parallel_for.h"

namespace textaudit::cleaning {
namespace {

using Neighbour = std::pair<double, std::int64_t>;  // (distance, row): ties go to the lower row

// Bounded max-heap keeping the m smallest (distance, row) pairs seen.
class TopM {
 public:
  explicit TopM(std::size_t m) : m_(m) { heap_.reserve(m + 1); }
  void clear() { heap_.clear(); }
  void push(double dist, std::int64_t row) {
    if (heap_.size() < m_) {
      heap_.emplace_back(dist, row);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (m_ > 0 && Neighbour(dist, row) < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = {dist, row};
      std::push_heap(heap_.begin(), heap_.end());
    }
  }
  // Ascending; empties the heap.
  std::vector<Neighbour>& sorted() {
    std::sort_heap(heap_.begin(), heap_.end());
    return heap_;
  }

 private:
  std::size_t m_;
  std::vector<Neighbour> heap_;
};

// scikit-learn's kneighbors() on the training set asks for k + 1 neighbours and drops the row
// itself, or the first neighbour when the row is not among them (more than k identical rows).
void write_row(std::vector<Neighbour>& found, std::int64_t self, int k, KnnGraph& g) {
  auto it = std::find_if(found.begin(), found.end(), [&](const Neighbour& nb) { return nb.second == self; });
  if (it != found.end()) {
    found.erase(it);
  } else if (static_cast<int>(found.size()) > k) {
    found.erase(found.begin());
  }
  for (int j = 0; j < k; ++j) {
    g.distances[self * k + j] = found[j].first;
    g.indices[self * k + j] = found[j].second;
  }
}

void check_k(int k, std::int64_t n) {
  if (k < 1 || k >= n) {
    throw std::invalid_argument("k=" + std::to_string(k) + " must be in [1, n_samples) with n_samples=" +
                                std::to_string(n) + "; use fewer neighbours or more rows");
  }
}

double euclidean(const DenseMatrix& x, std::int64_t a, std::int64_t b) {
  double s = 0.0;
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const double diff = x(a, c) - x(b, c);
    s += diff * diff;
  }
  return std::sqrt(s);
}

DenseMatrix l2_normalized(const DenseMatrix& x) {
  DenseMatrix y = x;
  for (Eigen::Index r = 0; r < y.rows(); ++r) {
    const double norm = y.row(r).norm();
    if (norm > 0) y.row(r) /= norm;  // zero rows stay zero, as sklearn.preprocessing.normalize
  }
  return y;
}

KnnGraph dense_exact(const DenseMatrix& x, int k, Metric metric, int n_threads) {
  const std::int64_t n = x.rows(), d = x.cols();
  KnnGraph g{.k = k, .metric = metric, .exact = true, .indices = std::vector<std::int64_t>(n * k),
             .distances = std::vector<double>(n * k)};
  const bool cosine = metric == Metric::kCosine;
  const DenseMatrix y = cosine ? l2_normalized(x) : x;
  Eigen::VectorXd sq(n);
  for (std::int64_t r = 0; r < n; ++r) sq[r] = y.row(r).squaredNorm();
  // Euclidean ranks by |x|^2 + |y|^2 - 2 x.y, which loses digits for close rows: keep a margin
  // of extra candidates and re-rank them by the directly computed distance.
  const std::size_t m = static_cast<std::size_t>(std::min<std::int64_t>(n, k + 1 + (cosine ? 0 : 8)));
  const std::int64_t block = std::clamp<std::int64_t>((std::int64_t{1} << 23) / n, 1, 1024);
  std::vector<double> sims(static_cast<std::size_t>(block * n));
  for (std::int64_t q0 = 0; q0 < n; q0 += block) {
    const std::int64_t b = std::min(block, n - q0);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(n),
                static_cast<int>(d), 1.0, y.data() + q0 * d, static_cast<int>(d), y.data(),
                static_cast<int>(d), 0.0, sims.data(), static_cast<int>(n));
    detail::parallel_for(b, n_threads, 16, [&](std::int64_t lo, std::int64_t hi, int) {
      TopM top(m);
      for (std::int64_t r = lo; r < hi; ++r) {
        const std::int64_t i = q0 + r;
        const double* s = sims.data() + r * n;
        top.clear();
        for (std::int64_t j = 0; j < n; ++j) {
          // sklearn: cosine distance 1 - cos clipped to [0, 2]; squared Euclidean clipped at 0.
          const double dist = cosine ? std::clamp(1.0 - s[j], 0.0, 2.0) : std::max(0.0, sq[i] + sq[j] - 2.0 * s[j]);
          top.push(dist, j);
        }
        auto& found = top.sorted();
        if (!cosine) {
          for (auto& nb : found) nb.first = euclidean(x, i, nb.second);
          std::sort(found.begin(), found.end());
          found.resize(std::min<std::size_t>(found.size(), k + 1));
        }
        write_row(found, i, k, g);
      }
    });
  }
  return g;
}

KnnGraph dense_hnsw(const DenseMatrix& x, const KnnParams& p, Metric metric) {
  const std::int64_t n = x.rows(), d = x.cols();
  const int k = p.k;
  const bool cosine = metric == Metric::kCosine;
  const DenseMatrix y = cosine ? l2_normalized(x) : x;
  std::vector<float> data(static_cast<std::size_t>(n * d));
  for (std::int64_t r = 0; r < n; ++r)
    for (std::int64_t c = 0; c < d; ++c) data[r * d + c] = static_cast<float>(y(r, c));
  hnswlib::InnerProductSpace ip(static_cast<std::size_t>(d));
  hnswlib::L2Space l2(static_cast<std::size_t>(d));
  hnswlib::SpaceInterface<float>* space = cosine ? static_cast<hnswlib::SpaceInterface<float>*>(&ip) : &l2;
  hnswlib::HierarchicalNSW<float> index(space, static_cast<std::size_t>(n), static_cast<std::size_t>(p.hnsw_m),
                                        static_cast<std::size_t>(p.hnsw_ef_construction),
                                        static_cast<std::size_t>(p.random_state));
  // Inserted one by one on this thread: the graph then depends only on random_state.
  for (std::int64_t r = 0; r < n; ++r) index.addPoint(data.data() + r * d, static_cast<hnswlib::labeltype>(r));
  index.setEf(static_cast<std::size_t>(p.hnsw_ef));
  KnnGraph g{.k = k, .metric = metric, .exact = false, .indices = std::vector<std::int64_t>(n * k),
             .distances = std::vector<double>(n * k)};
  detail::parallel_for(n, p.n_threads, 256, [&](std::int64_t lo, std::int64_t hi, int) {
    std::vector<Neighbour> found;
    for (std::int64_t i = lo; i < hi; ++i) {
      auto result = index.searchKnn(data.data() + i * d, static_cast<std::size_t>(k + 1));
      found.clear();
      while (!result.empty()) {
        const auto j = static_cast<std::int64_t>(result.top().second);
        result.pop();
        const double dist = cosine ? std::clamp(1.0 - y.row(i).dot(y.row(j)), 0.0, 2.0) : euclidean(x, i, j);
        found.emplace_back(dist, j);
      }
      std::sort(found.begin(), found.end());
      while (static_cast<int>(found.size()) < k + 1) found.emplace_back(std::numeric_limits<double>::max(), i);
      write_row(found, i, k, g);
    }
  });
  return g;
}

// cleanlab's correct_knn_distances_and_indices: a row's identical rows come first (ascending row,
// distance 0, at most k of them), then its other neighbours in their previous order.
void correct_exact_duplicates(KnnGraph& g, const std::vector<std::vector<std::int64_t>>& groups) {
  const int k = g.k;
  std::vector<Neighbour> old(k);
  for (const auto& group : groups) {
    for (const std::int64_t i : group) {
      for (int j = 0; j < k; ++j) old[j] = {g.distance(i, j), g.index(i, j)};
      int filled = 0;
      for (const std::int64_t s : group) {
        if (filled == k) break;
        if (s == i) continue;
        g.indices[i * k + filled] = s;
        g.distances[i * k + filled] = 0.0;
        ++filled;
      }
      for (int j = 0; j < k && filled < k; ++j) {
        if (std::binary_search(group.begin(), group.end(), old[j].second)) continue;
        g.indices[i * k + filled] = old[j].second;
        g.distances[i * k + filled] = old[j].first;
        ++filled;
      }
    }
  }
}

// Sorts rows by hash, then splits equal-hash runs by real equality; returns groups of size >= 2.
template <typename Hash, typename Equal>
std::vector<std::vector<std::int64_t>> group_identical(std::int64_t n, Hash&& hash, Equal&& equal) {
  std::vector<std::pair<std::uint64_t, std::int64_t>> keyed(static_cast<std::size_t>(n));
  for (std::int64_t r = 0; r < n; ++r) keyed[r] = {hash(r), r};
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::vector<std::int64_t>> groups;
  std::vector<std::vector<std::int64_t>> run;
  for (std::size_t a = 0; a < keyed.size();) {
    std::size_t b = a;
    while (b < keyed.size() && keyed[b].first == keyed[a].first) ++b;
    if (b - a > 1) {
      run.clear();
      for (std::size_t t = a; t < b; ++t) {
        const std::int64_t r = keyed[t].second;
        auto it = std::find_if(run.begin(), run.end(), [&](const auto& grp) { return equal(grp[0], r); });
        if (it == run.end()) run.push_back({r});
        else it->push_back(r);
      }
      for (auto& grp : run)
        if (grp.size() > 1) groups.push_back(std::move(grp));
    }
    a = b;
  }
  std::sort(groups.begin(), groups.end());  // members ascend already (keyed sorted by row)
  return groups;
}

// splitmix64: a fixed, platform-independent generator for projections and sampling.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void sgemm_nt(std::int64_t m, std::int64_t n, std::int64_t d, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(d), 1.0f, a, static_cast<int>(d), b, static_cast<int>(d), 0.0f, c,
              static_cast<int>(n));
}

// Row r of a (rows x dim) matrix `z` most similar (largest dot) to each row of `q`; ties: lowest.
std::vector<std::int32_t> nearest_centroid(const std::vector<float>& q, std::int64_t rows,
                                           const std::vector<float>& centroids, std::int64_t n_lists,
                                           int dim, int n_threads) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(rows));
  const std::int64_t block = std::max<std::int64_t>(1, (std::int64_t{1} << 22) / n_lists);
  std::vector<float> s(static_cast<std::size_t>(std::min(block, rows) * n_lists));
  for (std::int64_t r0 = 0; r0 < rows; r0 += block) {
    const std::int64_t b = std::min(block, rows - r0);
    sgemm_nt(b, n_lists, dim, q.data() + r0 * dim, centroids.data(), s.data());
    detail::parallel_for(b, n_threads, 512, [&](std::int64_t lo, std::int64_t hi, int) {
      for (std::int64_t r = lo; r < hi; ++r) {
        const float* row = s.data() + r * n_lists;
        out[r0 + r] = static_cast<std::int32_t>(std::max_element(row, row + n_lists) - row);
      }
    });
  }
  return out;
}

}  // namespace

const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::kCosine: return "cosine";
    case Metric::kEuclidean: return "euclidean";
    case Metric::kAuto: break;
  }
  return "auto";
}

Metric resolve_metric(Metric metric, std::int64_t n_features) {
  if (metric != Metric::kAuto) return metric;
  return n_features > 3 ? Metric::kCosine : Metric::kEuclidean;
}

std::vector<std::vector<std::int64_t>> exact_duplicate_groups(const DenseMatrix& x) {
  const std::int64_t d = x.cols();
  std::vector<double> buf(static_cast<std::size_t>(d));
  return group_identical(
      x.rows(),
      [&](std::int64_t r) {
        // -0.0 == 0.0 for np.unique, so both must hash alike.
        for (std::int64_t c = 0; c < d; ++c) buf[c] = x(r, c) == 0.0 ? 0.0 : x(r, c);
        return static_cast<std::uint64_t>(XXH3_64bits(buf.data(), buf.size() * sizeof(double)));
      },
      [&](std::int64_t a, std::int64_t b) { return x.row(a) == x.row(b); });
}

std::vector<std::vector<std::int64_t>> exact_duplicate_groups(const text::CsrMatrix& m) {
  return group_identical(
      m.rows,
      [&](std::int64_t r) {
        const auto idx = m.row_indices(r);
        const auto val = m.row_values(r);
        const std::uint64_t h = XXH3_64bits(idx.data(), idx.size_bytes());
        return static_cast<std::uint64_t>(XXH3_64bits_withSeed(val.data(), val.size_bytes(), h));
      },
      [&](std::int64_t a, std::int64_t b) {
        const auto ia = m.row_indices(a), ib = m.row_indices(b);
        const auto va = m.row_values(a), vb = m.row_values(b);
        return std::equal(ia.begin(), ia.end(), ib.begin(), ib.end()) &&
               std::equal(va.begin(), va.end(), vb.begin(), vb.end());
      });
}

KnnGraph knn_graph(const DenseMatrix& features, const KnnParams& p) {
  const std::int64_t n = features.rows();
  check_k(p.k, n);
  if (features.cols() < 1) throw std::invalid_argument("features has 0 columns; need n_features >= 1");
  if (p.max_exact_rows < 0) throw std::invalid_argument("max_exact_rows must be >= 0");
  const Metric metric = resolve_metric(p.metric, features.cols());
  KnnGraph g;
  if (n <= p.max_exact_rows) {
    g = dense_exact(features, p.k, metric, p.n_threads);
  } else {
    if (p.hnsw_m < 2 || p.hnsw_ef_construction < p.k || p.hnsw_ef < p.k + 1) {
      throw std::invalid_argument("HNSW parameters: need hnsw_m >= 2, hnsw_ef_construction >= k and "
                                  "hnsw_ef >= k + 1; got " + std::to_string(p.hnsw_m) + ", " +
                                  std::to_string(p.hnsw_ef_construction) + ", " + std::to_string(p.hnsw_ef));
    }
    g = dense_hnsw(features, p, metric);
  }
  if (p.correct_exact_duplicates) correct_exact_duplicates(g, exact_duplicate_groups(features));
  return g;
}

KnnGraph knn_graph(const text::CsrMatrix& m, const SparseKnnParams& p) {
  const std::int64_t n = m.rows;
  check_k(p.k, n);
  if (p.n_components < 8) throw std::invalid_argument("n_components=" + std::to_string(p.n_components) + " must be >= 8");
  if (p.n_lists < 0 || p.n_probe < 1 || p.n_candidates < 1 || p.kmeans_iter < 0) {
    throw std::invalid_argument("need n_lists >= 0, n_probe >= 1, n_candidates >= 1, kmeans_iter >= 0");
  }
  const int k = p.k, dim = p.n_components;
  const int threads = detail::resolve_threads(p.n_threads);

  // Identical rows are searched once (their representative, the first copy) and expanded at the
  // end: a block of 10k identical rows would otherwise make one cell quadratic.
  const auto groups = exact_duplicate_groups(m);
  std::vector<std::int64_t> group_of(static_cast<std::size_t>(n), -1);
  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    for (const auto r : groups[gi]) group_of[r] = static_cast<std::int64_t>(gi);
  std::vector<double> inv_norm(static_cast<std::size_t>(n), 0.0);
  std::vector<std::int64_t> reps;  // searched rows: first copies with a non-zero norm
  for (std::int64_t r = 0; r < n; ++r) {
    double s = 0.0;
    for (const float v : m.row_values(r)) s += static_cast<double>(v) * v;
    inv_norm[r] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
    const bool first_copy = group_of[r] < 0 || groups[group_of[r]][0] == r;
    if (first_copy && s > 0) reps.push_back(r);
  }
  const auto u = static_cast<std::int64_t>(reps.size());

  // Achlioptas random projection: column c maps to a fixed +-1/sqrt(dim) vector.
  std::vector<float> table(static_cast<std::size_t>(m.cols * dim));
  const float unit = 1.0f / std::sqrt(static_cast<float>(dim));
  detail::parallel_for(m.cols, threads, 4096, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t c = lo; c < hi; ++c) {
      std::uint64_t state = p.random_state * 0x2545F4914F6CDD1DULL + static_cast<std::uint64_t>(c);
      std::uint64_t bits = 0;
      for (int j = 0; j < dim; ++j) {
        if (j % 64 == 0) bits = splitmix64(state);
        table[c * dim + j] = (bits >> (j % 64)) & 1 ? unit : -unit;
      }
    }
  });
  std::vector<float> z(static_cast<std::size_t>(u * dim), 0.0f);
  detail::parallel_for(u, threads, 1024, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t t = lo; t < hi; ++t) {
      const std::int64_t r = reps[t];
      float* out = z.data() + t * dim;
      const auto idx = m.row_indices(r);
      const auto val = m.row_values(r);
      for (std::size_t e = 0; e < idx.size(); ++e) {
        const float* col = table.data() + static_cast<std::int64_t>(idx[e]) * dim;
        for (int j = 0; j < dim; ++j) out[j] += val[e] * col[j];
      }
      double s = 0.0;
      for (int j = 0; j < dim; ++j) s += static_cast<double>(out[j]) * out[j];
      if (s > 0) {
        const float inv = static_cast<float>(1.0 / std::sqrt(s));
        for (int j = 0; j < dim; ++j) out[j] *= inv;
      }
    }
  });
  table.clear();
  table.shrink_to_fit();

  // Spherical k-means (Lloyd on a sample) gives the cells of the inverted file.
  std::int64_t n_lists = p.n_lists > 0 ? p.n_lists : std::llround(std::sqrt(static_cast<double>(std::max<std::int64_t>(u, 1))));
  n_lists = std::clamp<std::int64_t>(n_lists, 1, std::max<std::int64_t>(u, 1));
  std::vector<std::int64_t> order(static_cast<std::size_t>(u));
  std::iota(order.begin(), order.end(), 0);
  std::uint64_t rng = p.random_state ^ 0x5DEECE66DULL;
  const std::int64_t sample = std::min<std::int64_t>(u, std::max<std::int64_t>(n_lists * 32, 20000));
  for (std::int64_t t = 0; t < sample; ++t) {  // partial Fisher-Yates
    const std::int64_t pick = t + static_cast<std::int64_t>(splitmix64(rng) % static_cast<std::uint64_t>(u - t));
    std::swap(order[t], order[pick]);
  }
  std::vector<float> zs(static_cast<std::size_t>(sample * dim));
  for (std::int64_t t = 0; t < sample; ++t) std::copy_n(z.data() + order[t] * dim, dim, zs.data() + t * dim);
  std::vector<float> centroids(zs.begin(), zs.begin() + n_lists * dim);
  for (int it = 0; it < p.kmeans_iter && u > 0; ++it) {
    const auto assign = nearest_centroid(zs, sample, centroids, n_lists, dim, threads);
    std::vector<double> sums(static_cast<std::size_t>(n_lists * dim), 0.0);
    std::vector<std::int64_t> counts(static_cast<std::size_t>(n_lists), 0);
    for (std::int64_t t = 0; t < sample; ++t) {
      ++counts[assign[t]];
      for (int j = 0; j < dim; ++j) sums[assign[t] * dim + j] += zs[t * dim + j];
    }
    for (std::int64_t c = 0; c < n_lists; ++c) {
      if (counts[c] == 0) continue;  // an empty cell keeps its centroid
      double s = 0.0;
      for (int j = 0; j < dim; ++j) s += sums[c * dim + j] * sums[c * dim + j];
      if (s <= 0) continue;
      for (int j = 0; j < dim; ++j) centroids[c * dim + j] = static_cast<float>(sums[c * dim + j] / std::sqrt(s));
    }
  }
  zs.clear();
  zs.shrink_to_fit();
  const auto cell = nearest_centroid(z, u, centroids, n_lists, dim, threads);
  std::vector<std::int64_t> cell_start(static_cast<std::size_t>(n_lists + 1), 0);
  for (std::int64_t t = 0; t < u; ++t) ++cell_start[cell[t] + 1];
  for (std::int64_t c = 0; c < n_lists; ++c) cell_start[c + 1] += cell_start[c];
  std::vector<std::int64_t> members(static_cast<std::size_t>(u));  // rep positions, by cell then position
  {
    std::vector<std::int64_t> fill(cell_start.begin(), cell_start.end() - 1);
    for (std::int64_t t = 0; t < u; ++t) members[fill[cell[t]]++] = t;
  }
  // Cells probed for the rows of cell c: the cells nearest to c's centroid, at least n_probe of
  // them and enough rows for the candidates.
  std::vector<float> cc(static_cast<std::size_t>(n_lists * n_lists));
  sgemm_nt(n_lists, n_lists, dim, centroids.data(), centroids.data(), cc.data());

  const int ku = static_cast<int>(std::min<std::int64_t>(k, std::max<std::int64_t>(u - 1, 0)));
  const std::size_t n_cand = static_cast<std::size_t>(ku) * p.n_candidates;
  std::vector<std::int64_t> unique_nbr(static_cast<std::size_t>(u * ku));
  std::vector<double> unique_dist(static_cast<std::size_t>(u * ku));
  std::vector<std::vector<float>> scatter(static_cast<std::size_t>(threads));
  std::vector<float> zq, zc, sims;
  std::vector<std::int64_t> cand;
  for (std::int64_t c = 0; c < n_lists && ku > 0; ++c) {
    const std::int64_t q_begin = cell_start[c], q_end = cell_start[c + 1];
    if (q_begin == q_end) continue;
    std::vector<std::int64_t> probe(static_cast<std::size_t>(n_lists));
    std::iota(probe.begin(), probe.end(), 0);
    std::sort(probe.begin(), probe.end(), [&](std::int64_t a, std::int64_t b) {
      const float sa = a == c ? 2.0f : cc[c * n_lists + a], sb = b == c ? 2.0f : cc[c * n_lists + b];
      return sa != sb ? sa > sb : a < b;
    });
    cand.clear();
    for (std::int64_t pi = 0; pi < n_lists; ++pi) {
      if (pi >= p.n_probe && static_cast<std::int64_t>(cand.size()) > static_cast<std::int64_t>(n_cand)) break;
      const std::int64_t pc = probe[pi];
      cand.insert(cand.end(), members.begin() + cell_start[pc], members.begin() + cell_start[pc + 1]);
    }
    const auto nc = static_cast<std::int64_t>(cand.size());
    zc.resize(static_cast<std::size_t>(nc * dim));
    for (std::int64_t t = 0; t < nc; ++t) std::copy_n(z.data() + cand[t] * dim, dim, zc.data() + t * dim);
    const std::int64_t block = std::max<std::int64_t>(1, (std::int64_t{1} << 22) / std::max<std::int64_t>(nc, 1));
    for (std::int64_t q0 = q_begin; q0 < q_end; q0 += block) {
      const std::int64_t b = std::min(block, q_end - q0);
      zq.resize(static_cast<std::size_t>(b * dim));
      for (std::int64_t t = 0; t < b; ++t) std::copy_n(z.data() + members[q0 + t] * dim, dim, zq.data() + t * dim);
      sims.resize(static_cast<std::size_t>(b * nc));
      sgemm_nt(b, nc, dim, zq.data(), zc.data(), sims.data());
      detail::parallel_for(b, threads, 32, [&](std::int64_t lo, std::int64_t hi, int tid) {
        auto& dense = scatter[tid];
        if (dense.empty()) dense.assign(static_cast<std::size_t>(m.cols), 0.0f);
        TopM approx(n_cand);
        TopM exact(static_cast<std::size_t>(ku));
        for (std::int64_t t = lo; t < hi; ++t) {
          const std::int64_t qpos = members[q0 + t];
          const std::int64_t qrow = reps[qpos];
          approx.clear();
          const float* s = sims.data() + t * nc;
          for (std::int64_t j = 0; j < nc; ++j)
            if (cand[j] != qpos) approx.push(-static_cast<double>(s[j]), cand[j]);
          const auto qi = m.row_indices(qrow);
          const auto qv = m.row_values(qrow);
          for (std::size_t e = 0; e < qi.size(); ++e) dense[qi[e]] = static_cast<float>(qv[e] * inv_norm[qrow]);
          exact.clear();
          for (const auto& [negsim, pos] : approx.sorted()) {
            const std::int64_t r = reps[pos];
            const auto ri = m.row_indices(r);
            const auto rv = m.row_values(r);
            double dot = 0.0;
            for (std::size_t e = 0; e < ri.size(); ++e) dot += static_cast<double>(rv[e]) * dense[ri[e]];
            exact.push(std::clamp(1.0 - dot * inv_norm[r], 0.0, 2.0), pos);
          }
          for (const auto e : qi) dense[e] = 0.0f;
          const auto& best = exact.sorted();
          for (int j = 0; j < ku; ++j) {
            unique_nbr[qpos * ku + j] = j < static_cast<int>(best.size()) ? best[j].second : -1;
            unique_dist[qpos * ku + j] = j < static_cast<int>(best.size()) ? best[j].first : 1.0;
          }
        }
      });
    }
  }

  // Expand to every row: its identical rows first (cleanlab's correction), then the copies of each
  // unique neighbour in turn. Zero rows are at cosine distance 1 from everything (sklearn).
  KnnGraph g{.k = k, .metric = Metric::kCosine, .exact = false,
             .indices = std::vector<std::int64_t>(n * k), .distances = std::vector<double>(n * k)};
  std::vector<std::int64_t> rep_pos(static_cast<std::size_t>(n), -1);
  for (std::int64_t t = 0; t < u; ++t) rep_pos[reps[t]] = t;
  detail::parallel_for(n, threads, 4096, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t i = lo; i < hi; ++i) {
      int filled = 0;
      auto put = [&](std::int64_t row, double dist) {
        g.indices[i * k + filled] = row;
        g.distances[i * k + filled] = dist;
        ++filled;
      };
      const std::int64_t gi = group_of[i];
      if (gi >= 0)
        for (const auto r : groups[gi]) {
          if (filled == k) break;
          if (r != i) put(r, 0.0);
        }
      const std::int64_t first = gi >= 0 ? groups[gi][0] : i;
      const std::int64_t pos = rep_pos[first];
      if (pos >= 0) {
        for (int j = 0; j < ku && filled < k; ++j) {
          const std::int64_t nb = unique_nbr[pos * ku + j];
          if (nb < 0) continue;
          const std::int64_t row = reps[nb];
          if (group_of[row] < 0) {
            put(row, unique_dist[pos * ku + j]);
          } else {
            for (const auto r : groups[group_of[row]]) {
              if (filled == k) break;
              put(r, unique_dist[pos * ku + j]);
            }
          }
        }
      }
      // Zero rows, or too few candidates: the lowest other rows not yet listed, at distance 1.
      for (std::int64_t r = 0; filled < k && r < n; ++r) {
        if (r == i) continue;
        bool listed = false;
        for (int j = 0; j < filled && !listed; ++j) listed = g.indices[i * k + j] == r;
        if (!listed) put(r, 1.0);
      }
    }
  });
  return g;
}

}  // namespace textaudit::cleaning
