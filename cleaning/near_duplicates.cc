// cleaning/near_duplicates.cc: Datalab's near_duplicate check on a kNN graph, and an exact
// prefix-filtered cosine join for sparse TF-IDF rows.
#include "cleaning/near_duplicates.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>

#include "cleaning/detail/parallel_for.h"
#include "cleaning/detail/stats.h"

namespace textaudit::cleaning {
namespace {

struct UnionFind {
  std::vector<std::int64_t> parent;
  explicit UnionFind(std::int64_t n) : parent(static_cast<std::size_t>(n)) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  std::int64_t find(std::int64_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  // The root is always the smaller row, so a root is its group's smallest member.
  void unite(std::int64_t a, std::int64_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent[b] = a;
  }
};

// set_id (smallest member, -1 alone) and groups from the union-find.
void fill_groups(UnionFind& uf, NearDuplicateResult& r) {
  const auto n = static_cast<std::int64_t>(uf.parent.size());
  std::vector<std::int64_t> size(static_cast<std::size_t>(n), 0);
  for (std::int64_t i = 0; i < n; ++i) ++size[uf.find(i)];
  r.set_id.assign(static_cast<std::size_t>(n), -1);
  r.is_near_duplicate.assign(static_cast<std::size_t>(n), false);
  std::vector<std::int64_t> slot(static_cast<std::size_t>(n), -1);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t root = uf.find(i);
    if (size[root] < 2) continue;
    r.set_id[i] = root;
    r.is_near_duplicate[i] = true;
    if (slot[root] < 0) {
      slot[root] = static_cast<std::int64_t>(r.groups.size());
      r.groups.emplace_back();
    }
    r.groups[slot[root]].push_back(i);
  }
}

void check_sparse(const NearDuplicateParams& p) {
  if (!(p.min_cosine > 0 && p.min_cosine <= 1)) {
    throw std::invalid_argument("min_cosine=" + std::to_string(p.min_cosine) + " must be in (0, 1]");
  }
}

// Best cosine met so far and its row, packed so that one atomic max keeps the highest cosine and,
// on ties, the lowest row: the result does not depend on the order threads meet the pairs.
std::uint64_t pack(float sim, std::int64_t row) {
  return (static_cast<std::uint64_t>(std::bit_cast<std::uint32_t>(std::max(sim, 0.0f))) << 32) |
         static_cast<std::uint32_t>(~static_cast<std::uint32_t>(row));
}
void atomic_max(std::atomic<std::uint64_t>& slot, std::uint64_t value) {
  std::uint64_t cur = slot.load(std::memory_order_relaxed);
  while (cur < value && !slot.compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

NearDuplicateResult find_near_duplicates(const KnnGraph& g, double threshold) {
  if (!(threshold >= 0)) throw std::invalid_argument("threshold=" + std::to_string(threshold) + " must be >= 0");
  const std::int64_t n = g.rows();
  if (n == 0) throw std::invalid_argument("find_near_duplicates: the graph has no rows");
  NearDuplicateResult r;
  r.nearest_neighbor.resize(n);
  r.distance_to_nearest_neighbor.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    r.nearest_neighbor[i] = g.index(i, 0);
    r.distance_to_nearest_neighbor[i] = g.distance(i, 0);
  }
  // cleanlab: median_nn = max(median, EPSILON = 1e-6) so the radius is never 0.
  r.median_nn_distance = std::max(detail::median(r.distance_to_nearest_neighbor), 1e-6);
  const double radius = threshold * r.median_nn_distance;
  r.sets.resize(n);
  for (std::int64_t i = 0; i < n; ++i)
    for (int j = 0; j < g.k; ++j)
      if (g.distance(i, j) < radius) r.sets[i].push_back(g.index(i, j));
  // Second pass, as Datalab: near-duplication is mutual, so i joins the set of each of its own.
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < r.sets[i].size(); ++a) {
      auto& other = r.sets[r.sets[i][a]];
      if (std::find(other.begin(), other.end(), i) == other.end()) other.push_back(i);
    }
  }
  r.score.resize(n);
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = r.distance_to_nearest_neighbor[i];
    // np.isclose(d, 0): |d| <= 1e-8 (atol) means an exact copy, score 0.
    r.score[i] = std::abs(d) <= 1e-8 ? 0.0 : 1.0 - std::exp(-d / r.median_nn_distance);
    sum += r.score[i];
  }
  r.average_near_duplicate_score = sum / static_cast<double>(n);
  UnionFind uf(n);
  for (std::int64_t i = 0; i < n; ++i) {
    for (const std::int64_t j : r.sets[i]) {
      uf.unite(i, j);
      if (i >= j) continue;
      double dist = 0.0;
      for (int c = 0; c < g.k; ++c)
        if (g.index(i, c) == j) { dist = g.distance(i, c); break; }
      const double sim = g.metric == Metric::kCosine ? 1.0 - dist : 0.0;
      r.pairs.push_back({i, j, dist, sim});
    }
  }
  std::sort(r.pairs.begin(), r.pairs.end(), [](const auto& x, const auto& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  fill_groups(uf, r);
  return r;
}

NearDuplicateResult find_near_duplicates(const DenseMatrix& features, const NearDuplicateParams& p) {
  if (!(p.threshold >= 0)) throw std::invalid_argument("threshold=" + std::to_string(p.threshold) + " must be >= 0");
  NearDuplicateResult r = find_near_duplicates(
      knn_graph(features, {.k = p.k, .metric = p.metric, .n_threads = p.n_threads}), p.threshold);
  r.exact_duplicate_groups = exact_duplicate_groups(features);
  return r;
}

NearDuplicateResult find_near_duplicates(const text::CsrMatrix& m, const NearDuplicateParams& p) {
  check_sparse(p);
  const std::int64_t n = m.rows;
  const double t = p.min_cosine;
  const int threads = detail::resolve_threads(p.n_threads);
  NearDuplicateResult r;
  r.exact_duplicate_groups = exact_duplicate_groups(m);
  const auto& groups = r.exact_duplicate_groups;
  std::vector<std::int64_t> group_of(static_cast<std::size_t>(n), -1);
  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    for (const auto row : groups[gi]) group_of[row] = static_cast<std::int64_t>(gi);

  // One row per text (the first copy), non-zero rows only.
  std::vector<std::int64_t> reps;
  std::vector<double> inv_norm(static_cast<std::size_t>(n), 0.0);
  detail::parallel_for(n, threads, 16384, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t i = lo; i < hi; ++i) {
      double s = 0.0;
      for (const float v : m.row_values(i)) s += static_cast<double>(v) * v;
      inv_norm[i] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
    }
  });
  for (std::int64_t i = 0; i < n; ++i)
    if (inv_norm[i] > 0 && (group_of[i] < 0 || groups[group_of[i]][0] == i)) reps.push_back(i);
  const auto u = static_cast<std::int64_t>(reps.size());
  // The unique rows cut into one contiguous range per thread, for the passes that count per
  // column and then fill per-column lists range by range (lists stay in row order).
  std::vector<std::int64_t> range(static_cast<std::size_t>(threads) + 1);
  for (int th = 0; th <= threads; ++th) range[th] = u * th / threads;
  auto by_range = [&](auto&& fn) {
    detail::parallel_for(threads, threads, 1, [&](std::int64_t t0, std::int64_t t1, int) {
      for (std::int64_t th = t0; th < t1; ++th) fn(static_cast<int>(th), range[th], range[th + 1]);
    });
  };

  // Columns renamed by rank, rarest first (document frequency over the first copies, then column):
  // rare columns carry high idf weight, so prefixes are short and their posting lists too, and a
  // row sorted by rank puts its heaviest evidence first, where the bounds below cut early.
  std::vector<std::vector<std::int64_t>> range_df(static_cast<std::size_t>(threads));
  by_range([&](int th, std::int64_t lo, std::int64_t hi) {
    auto& counts = range_df[static_cast<std::size_t>(th)];
    counts.assign(static_cast<std::size_t>(m.cols), 0);
    for (std::int64_t x = lo; x < hi; ++x)
      for (const auto c : m.row_indices(reps[x])) ++counts[c];
  });
  std::vector<std::int64_t> df(static_cast<std::size_t>(m.cols), 0);
  for (const auto& counts : range_df)
    for (std::int64_t c = 0; c < m.cols; ++c) df[c] += counts[c];
  range_df = {};
  std::vector<std::int32_t> by_rank(static_cast<std::size_t>(m.cols));
  std::iota(by_rank.begin(), by_rank.end(), 0);
  std::sort(by_rank.begin(), by_rank.end(), [&](std::int32_t a, std::int32_t b) {
    return df[a] != df[b] ? df[a] < df[b] : a < b;
  });
  std::vector<std::int32_t> rank(static_cast<std::size_t>(m.cols));
  for (std::int32_t q = 0; q < static_cast<std::int32_t>(m.cols); ++q) rank[by_rank[q]] = q;
  by_rank = {};

  // Per unique row: entries ascending by rank (L2-normalised values) and the prefix length.
  struct Entry {
    std::int32_t rank;
    float value;
    float rest;  // norm of the row's entries after this one
  };
  std::vector<std::int64_t> start(static_cast<std::size_t>(u + 1), 0);
  for (std::int64_t x = 0; x < u; ++x) start[x + 1] = start[x] + m.row_nnz(reps[x]);
  // Large and written in full by the threads below: not zeroed first (a pass over ~12 bytes per
  // entry, single-threaded, with its page faults; 1M rows: 360 MB).
  const auto entry = std::make_unique_for_overwrite<Entry[]>(static_cast<std::size_t>(start[u]));
  std::vector<std::int32_t> prefix_len(static_cast<std::size_t>(u));
  // Columns hashed into 64 buckets. Per row: its signature (bit b set when it has a column in
  // bucket b; a clear bit proves the row lacks every column of the bucket) and the norm of its
  // weights in each bucket, rounded up to 1/65535 (Cauchy-Schwarz per bucket bounds a dot product
  // by sum_b |x_b| |y_b|, nearly exact when a bucket holds one column of each row, as for most).
  constexpr int kBuckets = 64;
  constexpr double kNormScale = 65535.0;
  auto bucket = [](std::int32_t rank) { return static_cast<int>((static_cast<std::uint32_t>(rank) * 0x9E3779B1u) >> 26); };
  std::vector<std::uint64_t> signature(static_cast<std::size_t>(u), 0);
  const auto bucket_norm = std::make_unique_for_overwrite<std::uint16_t[]>(static_cast<std::size_t>(u) * kBuckets);
  // weight[b] = squared norm of a row's entries in bucket b (entries: see below).
  auto bucket_weights = [&](const auto* entries, std::int64_t len, double* weight) {
    std::fill(weight, weight + kBuckets, 0.0);
    for (std::int64_t e = 0; e < len; ++e) weight[bucket(entries[e].rank)] += double{entries[e].value} * entries[e].value;
  };
  // Prefix filter (Bayardo et al., "Scaling up all pairs similarity search", WWW 2007): if the
  // columns after a row's prefix have norm < t, then x.y >= t implies that x and y share a column
  // in both prefixes (their first shared column). The margin keeps float rounding on the safe side.
  const double suffix_limit = t * t * (1.0 - 1e-6);
  detail::parallel_for(u, threads, 4096, [&](std::int64_t lo, std::int64_t hi, int) {
    for (std::int64_t x = lo; x < hi; ++x) {
      const std::int64_t row = reps[x];
      const auto idx = m.row_indices(row);
      const auto v = m.row_values(row);
      Entry* out = entry.get() + start[x];
      const auto len = static_cast<std::int64_t>(idx.size());
      std::uint64_t sig = 0;
      for (std::int64_t e = 0; e < len; ++e) {
        out[e] = {rank[idx[e]], static_cast<float>(v[e] * inv_norm[row]), 0.0f};
        sig |= std::uint64_t{1} << bucket(out[e].rank);
      }
      signature[x] = sig;
      double weight[kBuckets];
      bucket_weights(out, len, weight);
      std::uint16_t* norms = bucket_norm.get() + x * kBuckets;
      for (int b = 0; b < kBuckets; ++b)
        norms[b] = static_cast<std::uint16_t>(std::min(kNormScale, std::ceil(std::sqrt(weight[b]) * kNormScale)));
      std::sort(out, out + len, [](const Entry& a, const Entry& b) { return a.rank < b.rank; });
      double suffix = 0.0;
      std::int64_t plen = len;
      for (std::int64_t e = len - 1; e >= 0; --e) {
        out[e].rest = static_cast<float>(std::sqrt(suffix));
        const double w = out[e].value;
        if (plen == e + 1 && suffix + w * w < suffix_limit) plen = e;
        suffix += w * w;
      }
      prefix_len[x] = static_cast<std::int32_t>(plen);
    }
  });
  // Inverted index over prefix entries; lists ascend by row position. A posting carries what the
  // admission bound needs, so only admitted candidates touch their row's entries.
  struct Posting {
    std::int64_t begin;  // the row's first entry
    std::uint64_t signature;  // the row's column signature
    std::int32_t row;    // unique-row position
    std::int32_t size;   // the row's entry count
    float value;         // its normalised weight in this column
    float rest;          // norm of its entries after this column
  };
  // Counted and filled range by range: range th writes each list after the ranges before it.
  std::vector<std::vector<std::int64_t>> fill(static_cast<std::size_t>(threads));
  by_range([&](int th, std::int64_t lo, std::int64_t hi) {
    auto& counts = fill[static_cast<std::size_t>(th)];
    counts.assign(static_cast<std::size_t>(m.cols), 0);
    for (std::int64_t x = lo; x < hi; ++x)
      for (std::int64_t e = 0; e < prefix_len[x]; ++e) ++counts[entry[start[x] + e].rank];
  });
  std::vector<std::int64_t> list_start(static_cast<std::size_t>(m.cols + 1), 0);
  for (std::int64_t c = 0; c < m.cols; ++c) {
    std::int64_t at = list_start[c];
    for (auto& counts : fill) {
      const std::int64_t count = counts[c];
      counts[c] = at;  // now where the range's entries of column c start
      at += count;
    }
    list_start[c + 1] = at;
  }
  const auto list = std::make_unique_for_overwrite<Posting[]>(static_cast<std::size_t>(list_start[m.cols]));
  by_range([&](int th, std::int64_t lo, std::int64_t hi) {
    auto& next = fill[static_cast<std::size_t>(th)];
    for (std::int64_t x = lo; x < hi; ++x) {
      for (std::int64_t e = start[x]; e < start[x] + prefix_len[x]; ++e) {
        list[next[entry[e].rank]++] = {start[x], signature[x], static_cast<std::int32_t>(x),
                                       static_cast<std::int32_t>(start[x + 1] - start[x]), entry[e].value, entry[e].rest};
      }
    }
  });
  fill = {};

  // Each pair is met from its later row x, against the earlier rows y of the lists of x's prefix
  // columns. Exact bounds (after L2AP, Anastasiu & Karypis, ICDE 2014) keep the work near the
  // number of real pairs even where thousands of rows share their rare words:
  //  - admission: at the first shared column c (none is shared before it, or y would have been
  //    met already), Cauchy-Schwarz on the rest gives x.y <= x_c y_c + |x after c| |y after c|;
  //  - after x's prefix: every shared column up to the last one met, c', is in both prefixes, so
  //    x.y <= (dot over the columns met) + |x after c'| |y after c'|, still from the postings alone;
  //  - signatures: y lacks every column of x in a bucket clear in y's signature, so the squared
  //    distance is at least the weight of x in those buckets; above 2 - 2t, y is dropped before
  //    its entries are read (at 1M rows of the benchmark corpus, most admitted candidates);
  //  - bucket norms: x.y <= sum_b |x_b| |y_b| over the buckets both have (one cache line of y's
  //    instead of its entries);
  //  - verification: a merge by rank that stops once the dot so far plus |x rest| |y rest| drops
  //    below t, or the squared distance met so far (weight one row has and the other lacks, plus
  //    (x_c - y_c)^2 on shared columns) exceeds 2 - 2t, which unit rows at cosine >= t cannot
  //    (float norms are 1 +- 1e-6: margin 1e-5).
  const double t_low = t * (1.0 - 1e-6);
  // Float partial sums of at most 64 weights of a unit row err by < 1e-6, within the 1e-5 margin
  // of distance_limit. Below this many postings the tables cost more than they save.
  constexpr std::int64_t kNibbleMinPostings = 128;
  const double distance_limit = 2.0 - 2.0 * t + 1e-5;
  std::vector<std::atomic<std::uint64_t>> best(static_cast<std::size_t>(u));
  for (auto& b : best) b.store(0, std::memory_order_relaxed);
  const std::int64_t chunk = 2048;
  std::vector<std::vector<NearDuplicatePair>> found(static_cast<std::size_t>((u + chunk - 1) / chunk));
  struct Candidate {
    std::int32_t row = -1;      // unique-row position; -1 = empty slot
    float rest_product = 0.0f;  // |x after c'| |y after c'|; negative once rejected
    double dot = 0.0;           // over the shared prefix columns met so far
    std::int64_t begin = 0;     // the row's first entry
    std::uint64_t signature = 0;
    std::int32_t size = 0;
  };
  // Candidates of one x live in a small open-addressing table (cleared through `touched`), not in
  // an n-long array: at 1M rows the array's random accesses, one per posting, dominated the join.
  struct CandidateTable {
    std::vector<Candidate> slots = std::vector<Candidate>(1024);
    std::vector<std::int32_t> touched;  // occupied slots, in insertion order
    std::vector<std::int32_t> admitted;  // slots that reach the bucket-norm bound
    Candidate* find_or_insert(std::int32_t row, bool* inserted) {
      if (2 * (touched.size() + 1) > slots.size()) grow();
      const std::size_t mask = slots.size() - 1;
      for (std::size_t h = (static_cast<std::uint32_t>(row) * 0x9E3779B1u) & mask;; h = (h + 1) & mask) {
        if (slots[h].row == row) { *inserted = false; return &slots[h]; }
        if (slots[h].row < 0) {
          slots[h].row = row;
          touched.push_back(static_cast<std::int32_t>(h));
          *inserted = true;
          return &slots[h];
        }
      }
    }
    void grow() {
      std::vector<Candidate> old;
      old.swap(slots);
      slots.assign(old.size() * 2, Candidate{});
      std::vector<std::int32_t> old_touched;
      old_touched.swap(touched);
      const std::size_t mask = slots.size() - 1;
      for (const auto h0 : old_touched) {
        std::size_t h = (static_cast<std::uint32_t>(old[h0].row) * 0x9E3779B1u) & mask;
        while (slots[h].row >= 0) h = (h + 1) & mask;
        slots[h] = old[h0];
        touched.push_back(static_cast<std::int32_t>(h));
      }
    }
    void clear() {
      for (const auto h : touched) slots[h].row = -1;
      touched.clear();
    }
  };
  std::vector<CandidateTable> tables(static_cast<std::size_t>(threads));
  detail::parallel_for(u, threads, chunk, [&](std::int64_t lo, std::int64_t hi, int tid) {
    auto& table = tables[tid];
    auto& out = found[lo / chunk];
    for (std::int64_t x = lo; x < hi; ++x) {
      const auto x32 = static_cast<std::int32_t>(x);
      const Entry* xe = entry.get() + start[x];
      const auto x_size = static_cast<std::int32_t>(start[x + 1] - start[x]);
      double bucket_weight[kBuckets], x_norm[kBuckets];
      alignas(64) float nibble_sum[16 * 16];
      bucket_weights(xe, x_size, bucket_weight);
      for (int b = 0; b < kBuckets; ++b) x_norm[b] = std::sqrt(bucket_weight[b]) / kNormScale;
      const std::uint64_t x_signature = signature[x];
      // The signature test sums x's weight over the buckets y lacks. Where x meets many postings
      // (long lists: families of paraphrases), the sum is 16 lookups in per-nibble tables of
      // partial sums, independent of each other, instead of a chain of one add per lacking bucket.
      std::int64_t listed = 0;
      for (std::int32_t e = 0; e < prefix_len[x]; ++e) listed += list_start[xe[e].rank + 1] - list_start[xe[e].rank];
      const bool use_nibbles = listed >= kNibbleMinPostings;
      if (use_nibbles) {
        for (int i = 0; i < 16; ++i) {
          float* row = nibble_sum + 16 * i;
          row[0] = 0.0f;
          for (unsigned m = 1; m < 16; ++m)
            row[m] = row[m & (m - 1)] + static_cast<float>(bucket_weight[4 * i + std::countr_zero(m)]);
        }
      }
      table.clear();
      for (std::int32_t e = 0; e < prefix_len[x]; ++e) {
        const double xv = xe[e].value, xr = xe[e].rest;
        for (std::int64_t li = list_start[xe[e].rank]; li < list_start[xe[e].rank + 1]; ++li) {
          const Posting& post = list[li];
          if (post.row >= x32) break;
          // The signature test depends on the pair alone: a row it drops needs no table slot.
          const std::uint64_t lack = x_signature & ~post.signature;
          double lacking = 0.0;
          if (use_nibbles) {
            float part[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            for (int i = 0; i < 16; ++i) part[i & 3] += nibble_sum[16 * i + ((lack >> (4 * i)) & 15)];
            lacking = double{part[0]} + part[1] + part[2] + part[3];
          } else {
            for (std::uint64_t bits = lack; bits != 0; bits &= bits - 1) lacking += bucket_weight[std::countr_zero(bits)];
          }
          if (lacking > distance_limit) continue;
          bool inserted = false;
          Candidate& cd = *table.find_or_insert(post.row, &inserted);
          const double product = xv * post.value;
          if (inserted) {
            if (product + xr * post.rest < t_low) {
              cd.rest_product = -1.0f;
              continue;
            }
            cd.dot = product;
            cd.rest_product = static_cast<float>(xr * post.rest);
            cd.begin = post.begin;
            cd.signature = post.signature;
            cd.size = post.size;
          } else if (cd.rest_product >= 0.0f) {
            cd.dot += product;
            cd.rest_product = static_cast<float>(xr * post.rest);
          }
        }
      }
      std::uint64_t best_x = 0;
      // Candidates the postings' bounds admit; their bucket norms (two cache lines each, at
      // random places) are prefetched a few candidates ahead.
      auto& admitted = table.admitted;
      admitted.clear();
      for (const std::int32_t h : table.touched) {
        const Candidate& cd = table.slots[h];
        if (cd.rest_product >= 0.0f && cd.dot + cd.rest_product >= t_low) admitted.push_back(h);
      }
      constexpr std::size_t kAhead = 6;
      auto prefetch_norms = [&](std::size_t i) {
        const auto* p = bucket_norm.get() + static_cast<std::int64_t>(table.slots[admitted[i]].row) * kBuckets;
        __builtin_prefetch(p);
        __builtin_prefetch(p + kBuckets / 2);
      };
      for (std::size_t i = 0; i < std::min(kAhead, admitted.size()); ++i) prefetch_norms(i);
      for (std::size_t a = 0; a < admitted.size(); ++a) {
        if (a + kAhead < admitted.size()) prefetch_norms(a + kAhead);
        const Candidate& cd = table.slots[admitted[a]];
        const std::int32_t y = cd.row;
        const std::uint16_t* y_norm = bucket_norm.get() + static_cast<std::int64_t>(y) * kBuckets;
        double bound = 0.0;
        for (std::uint64_t bits = x_signature & cd.signature; bits != 0; bits &= bits - 1) {
          const int b = std::countr_zero(bits);
          bound += x_norm[b] * y_norm[b];
        }
        if (bound < t_low) continue;
        const Entry* ye = entry.get() + cd.begin;
        double dot = 0.0, dist2 = 0.0;
        std::int32_t i = 0, j = 0;
        bool pruned = false;
        while (i < x_size && j < cd.size) {
          const double a = xe[i].value, b = ye[j].value;
          if (xe[i].rank == ye[j].rank) {
            dot += a * b;
            dist2 += (a - b) * (a - b);
            if (dot + static_cast<double>(xe[i].rest) * ye[j].rest < t_low) { pruned = true; break; }
            ++i;
            ++j;
          } else if (xe[i].rank < ye[j].rank) {
            dist2 += a * a;
            ++i;
          } else {
            dist2 += b * b;
            ++j;
          }
          if (dist2 > distance_limit) { pruned = true; break; }
        }
        if (pruned) continue;
        // One side ran out: the other's remaining weight is unshared and adds nothing to dot.
        const auto sim = static_cast<float>(std::min(dot, 1.0));
        best_x = std::max(best_x, pack(sim, reps[y]));
        atomic_max(best[y], pack(sim, reps[x]));
        if (dot >= t) out.push_back({reps[y], reps[x], 1.0 - std::min(dot, 1.0), std::min(dot, 1.0)});
      }
      atomic_max(best[x], best_x);
    }
  });
  for (auto& part : found) {
    r.pairs.insert(r.pairs.end(), part.begin(), part.end());
    part = {};
  }
  std::sort(r.pairs.begin(), r.pairs.end(), [](const auto& a, const auto& b) {
    return a.a != b.a ? a.a < b.a : a.b < b.b;
  });

  UnionFind uf(n);
  for (const auto& grp : groups)
    for (const auto row : grp) uf.unite(grp[0], row);
  for (const auto& pr : r.pairs) uf.unite(pr.a, pr.b);
  fill_groups(uf, r);

  r.nearest_neighbor.assign(static_cast<std::size_t>(n), -1);
  r.distance_to_nearest_neighbor.assign(static_cast<std::size_t>(n), 1.0);
  for (std::int64_t x = 0; x < u; ++x) {
    const std::uint64_t b = best[x].load(std::memory_order_relaxed);
    if (b == 0) continue;
    r.nearest_neighbor[reps[x]] = static_cast<std::uint32_t>(~static_cast<std::uint32_t>(b & 0xFFFFFFFFu));
    r.distance_to_nearest_neighbor[reps[x]] = 1.0 - std::bit_cast<float>(static_cast<std::uint32_t>(b >> 32));
  }
  for (const auto& grp : groups) {  // an identical row is the nearest possible neighbour
    for (const auto row : grp) {
      r.nearest_neighbor[row] = row == grp[0] ? grp[1] : grp[0];
      r.distance_to_nearest_neighbor[row] = 0.0;
    }
  }
  r.score = r.distance_to_nearest_neighbor;
  double sum = 0.0;
  for (const double s : r.score) sum += s;
  r.average_near_duplicate_score = n > 0 ? sum / static_cast<double>(n) : 0.0;
  return r;
}

}  // namespace textaudit::cleaning
