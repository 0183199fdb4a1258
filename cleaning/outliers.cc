// cleaning/outliers.cc: cleanlab's kNN-distance outlier score (OutOfDistribution, Datalab outlier).
#include "cleaning/outliers.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "cleaning/detail/parallel_for.h"
#include "cleaning/detail/stats.h"
#include "text/detail/target_clones.h"

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

// splitmix64: a fixed, platform-independent generator, so the sample depends only on the seed.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// acc[0, n) = sum_j weights[j] * dense[slots[j] * n + (0, n)], the columns added in order j, 64
// values at a time held in registers: one store per value instead of a load and a store per
// column (what a chain of axpys costs).
TEXTAUDIT_TARGET_CLONES void dense_dots(const float* dense, std::int64_t n, const std::int32_t* slots,
                                        const float* weights, int count, float* acc) {
  typedef float Block __attribute__((vector_size(16 * sizeof(float))));
  constexpr std::int64_t kBlock = 64;
  std::int64_t s0 = 0;
  for (; s0 + kBlock <= n; s0 += kBlock) {
    Block t0 = {}, t1 = {}, t2 = {}, t3 = {};
    for (int j = 0; j < count; ++j) {
      const float* d = dense + static_cast<std::int64_t>(slots[j]) * n + s0;
      const float w = weights[j];
      Block d0, d1, d2, d3;
      std::memcpy(&d0, d, sizeof d0);
      std::memcpy(&d1, d + 16, sizeof d1);
      std::memcpy(&d2, d + 32, sizeof d2);
      std::memcpy(&d3, d + 48, sizeof d3);
      t0 += w * d0;
      t1 += w * d1;
      t2 += w * d2;
      t3 += w * d3;
    }
    std::memcpy(acc + s0, &t0, sizeof t0);
    std::memcpy(acc + s0 + 16, &t1, sizeof t1);
    std::memcpy(acc + s0 + 32, &t2, sizeof t2);
    std::memcpy(acc + s0 + 48, &t3, sizeof t3);
  }
  for (; s0 < n; ++s0) {
    float t = 0.0f;
    for (int j = 0; j < count; ++j) t += weights[j] * dense[static_cast<std::int64_t>(slots[j]) * n + s0];
    acc[s0] = t;
  }
}

// Inserts v into top[0, k) (descending) when it beats top[k - 1].
inline void insert_top(float v, float* top, int k) {
  if (!(v > top[k - 1])) return;
  int j = k - 1;
  while (j > 0 && top[j - 1] < v) {
    top[j] = top[j - 1];
    --j;
  }
  top[j] = v;
}

// top[0, k) = the k largest of acc[0, n), descending. Each chunk of 64 values is read as 8 groups
// of 8 (lane l of its 8 blocks of 8), whose maxima one lane-wise max finds, and the chunk's maximum
// is the largest of those 8. The k-th largest chunk maximum T is a lower bound on the k-th largest
// value (those k maxima are k distinct values), so only the groups whose maximum reaches T can
// hold one of the k largest: about k chunks hold such groups, one or two each, whose values are
// then scanned one at a time. Only values are returned, so the result is the same as a plain
// scan's. (Ranking the n / 8 group maxima instead, for a tighter bound, cost more than it saved:
// the insertions into top are branchy, and T rules out nearly as many groups.)
TEXTAUDIT_TARGET_CLONES void top_k(const float* acc, std::int64_t n, float* top, int k) {
  std::fill(top, top + k, -std::numeric_limits<float>::infinity());
  constexpr int kLanes = 8, kChunk = 64;
  const std::int64_t chunks = n / kChunk;
  if (chunks < k) {
    for (std::int64_t s = 0; s < n; ++s) insert_top(acc[s], top, k);
    return;
  }
  // Group maxima, chunk-major: group (c, l) holds acc[c * 64 + r * 8 + l] for r in [0, 8).
  thread_local std::vector<float> group_max, chunk_max;
  group_max.resize(static_cast<std::size_t>(chunks * kLanes));
  chunk_max.resize(static_cast<std::size_t>(chunks));
  // GCC/Clang vector extension: one 8-float max per block (two SSE maxes without AVX).
  typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));
  for (std::int64_t c = 0; c < chunks; ++c) {
    const float* a = acc + c * kChunk;
    Lanes m;
    std::memcpy(&m, a, sizeof m);
    for (int r = 1; r < kChunk / kLanes; ++r) {
      Lanes v;
      std::memcpy(&v, a + r * kLanes, sizeof v);
      m = v > m ? v : m;
    }
    std::memcpy(group_max.data() + c * kLanes, &m, sizeof m);
    float cm = m[0];
    for (int l = 1; l < kLanes; ++l) cm = m[l] > cm ? m[l] : cm;
    chunk_max[static_cast<std::size_t>(c)] = cm;
  }
  for (const float v : chunk_max) insert_top(v, top, k);
  const float bound = top[k - 1];
  // The values that reach the bound (at least k: the k chunk maxima), gathered without branches
  // on the values, then the k largest of them in order.
  thread_local std::vector<float> reach;
  reach.resize(static_cast<std::size_t>(n));
  std::size_t count = 0;
  for (std::int64_t c = 0; c < chunks; ++c) {
    if (!(chunk_max[static_cast<std::size_t>(c)] >= bound)) continue;
    for (int l = 0; l < kLanes; ++l) {
      if (!(group_max[c * kLanes + l] >= bound)) continue;
      const float* a = acc + c * kChunk + l;
      for (int r = 0; r < kChunk / kLanes; ++r) {
        const float v = a[r * kLanes];
        reach[count] = v;
        count += v >= bound;
      }
    }
  }
  for (std::int64_t s = chunks * kChunk; s < n; ++s) reach[count++] = acc[s];
  if (count < static_cast<std::size_t>(k)) {  // cannot happen (see above); kept exact regardless
    std::fill(top, top + k, -std::numeric_limits<float>::infinity());
    for (std::int64_t s = 0; s < n; ++s) insert_top(acc[s], top, k);
    return;
  }
  const auto first = reach.begin(), kth = first + k, last = first + static_cast<std::ptrdiff_t>(count);
  std::nth_element(first, kth - 1, last, std::greater<float>());
  std::sort(first, kth, std::greater<float>());
  std::copy(first, kth, top);
}

// Mean cosine distance of every row to its k nearest rows among a seeded sample (see outliers.h).
// The sample's rows form an inverted index; columns present in many sample rows (common words)
// are stored as dense sample-length vectors instead, so each row costs one vectorised pass over
// its common words' vectors (dense_dots) and one scattered add per posting of its other words,
// then a top-k scan.
std::vector<double> reference_sample_distances(const text::CsrMatrix& m, const OutlierParams& p) {
  const std::int64_t n = m.rows;
  const int k = p.k;
  std::vector<std::int64_t> sample;
  if (n <= p.n_reference) {
    sample.resize(static_cast<std::size_t>(n));
    std::iota(sample.begin(), sample.end(), 0);
  } else {
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::uint64_t state = p.random_state ^ 0x6A09E667F3BCC909ULL;
    for (std::int64_t t = 0; t < p.n_reference; ++t) {  // partial Fisher-Yates
      const auto pick = t + static_cast<std::int64_t>(splitmix64(state) % static_cast<std::uint64_t>(n - t));
      std::swap(order[t], order[pick]);
    }
    sample.assign(order.begin(), order.begin() + p.n_reference);
    std::sort(sample.begin(), sample.end());
  }
  const auto ms = static_cast<std::int64_t>(sample.size());
  // Identical rows: counted as neighbours at distance 0 (cleanlab's correction), so a row's copies
  // in the sample are skipped like the row itself.
  const auto groups = exact_duplicate_groups(m);
  std::vector<std::int64_t> group_of(static_cast<std::size_t>(n), -1);
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (const auto row : groups[g]) group_of[row] = static_cast<std::int64_t>(g);
  std::vector<std::vector<std::int32_t>> group_in_sample(groups.size());
  for (std::int64_t s = 0; s < ms; ++s)
    if (group_of[sample[s]] >= 0) group_in_sample[group_of[sample[s]]].push_back(static_cast<std::int32_t>(s));
  std::vector<double> inv_norm(static_cast<std::size_t>(n), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (const float v : m.row_values(i)) s += static_cast<double>(v) * v;
    inv_norm[i] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
  }
  // Columns in at least 1/8 of the sample: dense vectors (a pass over ms floats costs about as
  // much as ms / 8 scattered adds).
  std::vector<std::int64_t> df(static_cast<std::size_t>(m.cols), 0);
  for (const auto row : sample)
    for (const auto c : m.row_indices(row)) ++df[c];
  const std::int64_t dense_min = std::max<std::int64_t>(8, ms / 8);
  std::vector<std::int32_t> dense_slot(static_cast<std::size_t>(m.cols), -1);
  std::int32_t n_dense = 0;
  for (std::int64_t c = 0; c < m.cols; ++c)
    if (df[c] >= dense_min) dense_slot[c] = n_dense++;
  std::vector<float> dense(static_cast<std::size_t>(n_dense * ms), 0.0f);
  struct Posting {
    std::int32_t sample;
    float value;
  };
  std::vector<std::int64_t> list_start(static_cast<std::size_t>(m.cols + 1), 0);
  for (std::int64_t c = 0; c < m.cols; ++c) list_start[c + 1] = list_start[c] + (dense_slot[c] < 0 ? df[c] : 0);
  std::vector<Posting> list(static_cast<std::size_t>(list_start[m.cols]));
  {
    std::vector<std::int64_t> fill(list_start.begin(), list_start.end() - 1);
    for (std::int64_t s = 0; s < ms; ++s) {
      const std::int64_t row = sample[s];
      const auto idx = m.row_indices(row);
      const auto val = m.row_values(row);
      for (std::size_t e = 0; e < idx.size(); ++e) {
        const auto w = static_cast<float>(val[e] * inv_norm[row]);
        if (dense_slot[idx[e]] >= 0) {
          dense[dense_slot[idx[e]] * ms + s] = w;
        } else {
          list[fill[idx[e]]++] = {static_cast<std::int32_t>(s), w};
        }
      }
    }
  }
  std::vector<double> avg(static_cast<std::size_t>(n));
  detail::parallel_for(n, p.n_threads, 1024, [&](std::int64_t lo, std::int64_t hi, int) {
    std::vector<float> acc(static_cast<std::size_t>(ms));
    std::vector<float> top(static_cast<std::size_t>(k));  // the k largest dots, descending
    std::vector<std::int32_t> row_slots;
    std::vector<float> row_weights;
    auto self = std::lower_bound(sample.begin(), sample.end(), lo);
    for (std::int64_t i = lo; i < hi; ++i) {
      const auto idx = m.row_indices(i);
      const auto val = m.row_values(i);
      // The common words first, all at once (they also clear acc), then the others' postings.
      row_slots.clear();
      row_weights.clear();
      for (std::size_t e = 0; e < idx.size(); ++e) {
        const std::int32_t slot = dense_slot[idx[e]];
        if (slot < 0) continue;
        row_slots.push_back(slot);
        row_weights.push_back(static_cast<float>(val[e] * inv_norm[i]));
      }
      dense_dots(dense.data(), ms, row_slots.data(), row_weights.data(), static_cast<int>(row_slots.size()), acc.data());
      for (std::size_t e = 0; e < idx.size(); ++e) {
        if (dense_slot[idx[e]] >= 0) continue;
        const auto w = static_cast<float>(val[e] * inv_norm[i]);
        for (std::int64_t li = list_start[idx[e]]; li < list_start[idx[e] + 1]; ++li)
          acc[list[li].sample] += w * list[li].value;
      }
      while (self != sample.end() && *self < i) ++self;
      if (self != sample.end() && *self == i) acc[self - sample.begin()] = -std::numeric_limits<float>::infinity();
      if (group_of[i] >= 0)
        for (const auto s : group_in_sample[group_of[i]]) acc[s] = -std::numeric_limits<float>::infinity();
      top_k(acc.data(), ms, top.data(), k);
      // Identical rows first, at distance 0, then the sample's nearest other rows.
      const std::int64_t copies = group_of[i] < 0 ? 0 : static_cast<std::int64_t>(groups[group_of[i]].size()) - 1;
      double sum = 0.0;
      for (std::int64_t j = 0; j < k - std::min<std::int64_t>(k, copies); ++j)
        sum += std::clamp(1.0 - static_cast<double>(top[j]), 0.0, 2.0);
      avg[i] = sum / k;
    }
  });
  return avg;
}

// Datalab's scoring and IQR flags from each row's average neighbour distance.
OutlierResult score_average_distances(std::vector<double> avg, int k, const OutlierParams& p) {
  OutlierResult r;
  r.k = k;
  r.t = p.t;
  r.threshold = p.threshold;
  r.average_distance = std::move(avg);
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

}  // namespace

OutlierResult find_outliers(const KnnGraph& graph, const OutlierParams& p) {
  check_params(p);
  if (graph.rows() == 0) throw std::invalid_argument("find_outliers: the graph has no rows");
  return score_average_distances(average_distances(graph), graph.k, p);
}

OutlierResult find_outliers(const DenseMatrix& features, const OutlierParams& p) {
  check_params(p);
  return find_outliers(knn_graph(features, {.k = p.k, .metric = p.metric, .n_threads = p.n_threads}), p);
}

OutlierResult find_outliers(const text::CsrMatrix& tfidf, const OutlierParams& p) {
  check_params(p);
  if (p.sparse_method == SparseOutlierMethod::kKnnGraph) {
    SparseKnnParams sp = p.sparse;
    sp.k = p.k;
    if (sp.n_threads == 0) sp.n_threads = p.n_threads;
    return find_outliers(knn_graph(tfidf, sp), p);
  }
  if (p.k < 1 || p.k >= tfidf.rows) {
    throw std::invalid_argument("k=" + std::to_string(p.k) + " must be in [1, n_samples) with n_samples=" +
                                std::to_string(tfidf.rows) + "; use fewer neighbours or more rows");
  }
  if (p.n_reference <= p.k) {
    throw std::invalid_argument("n_reference=" + std::to_string(p.n_reference) + " must be > k=" +
                                std::to_string(p.k) + "; sample more reference rows");
  }
  if (tfidf.rows >= std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument("find_outliers: more than 2^31 - 1 rows");
  }
  return score_average_distances(reference_sample_distances(tfidf, p), p.k, p);
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
