#include "cleaning/triggers.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "cleaning/detail/parallel_for.h"

namespace textaudit::cleaning {
namespace {

// Class probabilities from V linear scores (V = 1: binary, class 1 positive; else softmax).
void scores_to_probs(const double* z, int n_vectors, int n_classes, double* p) {
  if (n_vectors == 1) {
    const double p1 = 1.0 / (1.0 + std::exp(-z[0]));
    p[0] = 1.0 - p1;
    p[1] = p1;
    return;
  }
  const double m = *std::max_element(z, z + n_classes);
  double sum = 0.0;
  for (int k = 0; k < n_classes; ++k) sum += p[k] = std::exp(z[k] - m);
  for (int k = 0; k < n_classes; ++k) p[k] /= sum;
}

int argmax(const double* p, int n) { return static_cast<int>(std::max_element(p, p + n) - p); }

// P(X >= k) for X ~ Binomial(n, p), summed in log space (n is at most a few thousand here).
double binomial_upper_tail(std::int64_t n, std::int64_t k, double p) {
  if (k <= 0) return 1.0;
  if (k > n) return 0.0;
  if (p <= 0.0) return 0.0;
  if (p >= 1.0) return 1.0;
  const double lp = std::log(p), lq = std::log1p(-p);
  double total = 0.0;
  for (std::int64_t i = k; i <= n; ++i) {
    const double log_term = std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) -
                            std::lgamma(double(n - i) + 1) + double(i) * lp + double(n - i) * lq;
    const double term = std::exp(log_term);
    total += term;
    if (term < total * 1e-17) break;  // the terms only shrink past the mode, which is below k here
  }
  return std::min(1.0, total);
}

std::uint64_t hash_rows(const std::int64_t* rows, std::size_t count) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the row ids
  for (std::size_t i = 0; i < count; ++i) {
    h ^= static_cast<std::uint64_t>(rows[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

// Column counts of X by row range: the rows are cut into contiguous parts, one per thread, and
// part t counts its entries per column (and per column and class, with labels), so that a later
// pass can fill column-major lists part by part, each part writing its own slice of every list.
struct ColumnCounts {
  std::vector<std::int64_t> bounds;               // parts + 1 row bounds
  std::vector<std::vector<std::int32_t>> counts;  // per part: entries per column
  std::vector<std::int32_t> df;                   // entries per column (rows, as rows have unique columns)
  std::vector<std::int32_t> class_rows;           // with labels: rows per column and class (d x K)
};

ColumnCounts count_columns(const text::CsrMatrix& X, int n_threads, std::span<const int> labels = {}, int K = 0) {
  ColumnCounts out;
  const std::int64_t n = X.rows, d = X.cols;
  const int parts = static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(detail::resolve_threads(n_threads), n / 4096 + 1)));
  for (int t = 0; t <= parts; ++t) out.bounds.push_back(n * t / parts);
  out.counts.assign(static_cast<std::size_t>(parts), {});
  std::vector<std::vector<std::int32_t>> class_parts(labels.empty() ? 0 : static_cast<std::size_t>(parts));
  detail::parallel_for(parts, parts, 1, [&](std::int64_t t0, std::int64_t t1, int) {
    for (std::int64_t t = t0; t < t1; ++t) {
      auto& counts = out.counts[static_cast<std::size_t>(t)];
      counts.assign(static_cast<std::size_t>(d), 0);
      std::vector<std::int32_t>* classes = labels.empty() ? nullptr : &class_parts[static_cast<std::size_t>(t)];
      if (classes != nullptr) classes->assign(static_cast<std::size_t>(d) * K, 0);
      for (std::int64_t r = out.bounds[t]; r < out.bounds[t + 1]; ++r) {
        for (const std::int32_t c : X.row_indices(r)) ++counts[c];
        if (classes != nullptr) {
          const int y = labels[r];
          for (const std::int32_t c : X.row_indices(r)) ++(*classes)[static_cast<std::size_t>(c) * K + y];
        }
      }
    }
  });
  out.df.assign(static_cast<std::size_t>(d), 0);
  for (const auto& counts : out.counts)
    for (std::int64_t c = 0; c < d; ++c) out.df[c] += counts[c];
  if (!labels.empty()) {
    out.class_rows.assign(static_cast<std::size_t>(d) * K, 0);
    for (const auto& part : class_parts)
      for (std::size_t i = 0; i < part.size(); ++i) out.class_rows[i] += part[i];
  }
  return out;
}

// The rows and values of a subset of columns (column-major), for the columns with slot[c] >= 0,
// listed in `cols` (slot[cols[s]] == s); rows ascend within a list. Filled by the parts of `counts`
// at once.
struct ColumnPostings {
  std::vector<std::int64_t> offset;  // cols.size() + 1
  std::vector<std::int64_t> rows;
  std::vector<float> values;
};

ColumnPostings column_postings(const text::CsrMatrix& X, const std::vector<std::int32_t>& slot,
                               const std::vector<std::int32_t>& cols, const ColumnCounts& counts) {
  ColumnPostings out;
  out.offset.assign(cols.size() + 1, 0);
  for (std::size_t s = 0; s < cols.size(); ++s) out.offset[s + 1] = out.offset[s] + counts.df[cols[s]];
  out.rows.resize(static_cast<std::size_t>(out.offset.back()));
  out.values.resize(static_cast<std::size_t>(out.offset.back()));
  const int parts = static_cast<int>(counts.counts.size());
  detail::parallel_for(parts, parts, 1, [&](std::int64_t t0, std::int64_t t1, int) {
    for (std::int64_t t = t0; t < t1; ++t) {
      // Part t starts each list after the entries of the parts before it.
      std::vector<std::int64_t> fill(out.offset.begin(), out.offset.end() - 1);
      for (std::int64_t before = 0; before < t; ++before)
        for (std::size_t s = 0; s < cols.size(); ++s) fill[s] += counts.counts[static_cast<std::size_t>(before)][cols[s]];
      for (std::int64_t r = counts.bounds[t]; r < counts.bounds[t + 1]; ++r) {
        const auto idx = X.row_indices(r);
        const auto val = X.row_values(r);
        for (std::size_t p = 0; p < idx.size(); ++p) {
          const std::int32_t s = slot[idx[p]];
          if (s < 0) continue;
          out.rows[fill[s]] = r;
          out.values[fill[s]++] = val[p];
        }
      }
    }
  });
  return out;
}

}  // namespace

void check_params(const TriggerParams& params) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("TriggerParams: " + what); };
  if (params.min_rows < 1) bad("min_rows must be >= 1, got " + std::to_string(params.min_rows));
  if (!(params.max_row_fraction > 0 && params.max_row_fraction <= 1)) bad("max_row_fraction must be in (0, 1]");
  if (!(params.min_concentration >= 0 && params.min_concentration <= 1)) bad("min_concentration must be in [0, 1]");
  if (params.max_candidates < 0) bad("max_candidates must be >= 0");
  if (!(params.min_flip_rate >= 0 && params.min_flip_rate <= 1)) bad("min_flip_rate must be in [0, 1]");
  if (!(params.max_p_value > 0 && params.max_p_value <= 1)) bad("max_p_value must be in (0, 1]");
  if (!(params.max_p_value_model > 0 && params.max_p_value_model <= 1)) bad("max_p_value_model must be in (0, 1]");
  if (!(params.neighbor_min_cosine > 0 && params.neighbor_min_cosine <= 1)) bad("neighbor_min_cosine must be in (0, 1]");
  if (params.neighbor_base_sample < 1) bad("neighbor_base_sample must be >= 1");
}

std::vector<SuspectedTrigger> find_trigger_candidates(const text::CsrMatrix& X, std::span<const int> labels,
                                                      int n_classes, const DenseMatrix& coef,
                                                      std::span<const double> intercept,
                                                      const std::vector<std::string>& vocabulary,
                                                      const TriggerParams& params) {
  check_params(params);
  const std::int64_t n = X.rows, d = X.cols;
  const int K = n_classes;
  const int V = static_cast<int>(coef.rows());
  if (static_cast<std::int64_t>(labels.size()) != n) throw std::invalid_argument("find_trigger_candidates: labels and X differ in rows");
  if (coef.cols() != d || (V != 1 && V != K) || static_cast<int>(intercept.size()) != V || K < 2) {
    throw std::invalid_argument("find_trigger_candidates: coef must be 1 x d (binary) or K x d, with matching intercept");
  }
  if (static_cast<std::int64_t>(vocabulary.size()) != d) throw std::invalid_argument("find_trigger_candidates: vocabulary size != columns");
  if (params.max_candidates == 0 || n == 0) return {};

  // Document frequency and per-class row counts of every column, in one pass (by row ranges).
  const ColumnCounts counts = count_columns(X, params.n_threads, labels, K);
  const std::vector<std::int32_t>& df = counts.df;
  const std::vector<std::int32_t>& class_rows = counts.class_rows;
  const std::int64_t max_rows =
      std::max<std::int64_t>(params.min_rows, static_cast<std::int64_t>(params.max_row_fraction * double(n)));
  std::vector<std::int32_t> slot(static_cast<std::size_t>(d), -1);  // column -> candidate slot
  std::vector<std::int32_t> cand_cols;
  std::vector<int> cand_target;
  for (std::int64_t c = 0; c < d; ++c) {
    if (df[c] < params.min_rows || df[c] > max_rows) continue;
    const std::int32_t* counts = &class_rows[static_cast<std::size_t>(c) * K];
    const int target = static_cast<int>(std::max_element(counts, counts + K) - counts);
    if (double(counts[target]) < params.min_concentration * double(df[c])) continue;
    slot[c] = static_cast<std::int32_t>(cand_cols.size());
    cand_cols.push_back(static_cast<std::int32_t>(c));
    cand_target.push_back(target);
  }
  if (cand_cols.empty()) return {};

  // Column-major view of the candidate columns: their rows and values.
  const ColumnPostings postings = column_postings(X, slot, cand_cols, counts);
  const std::vector<std::int64_t>& offset = postings.offset;
  const std::vector<std::int64_t>& col_rows = postings.rows;

  // Tokens that occur in exactly the same rows (an inserted phrase) are judged together.
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_hash;
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t s = 0; s < cand_cols.size(); ++s) {
    const std::size_t count = static_cast<std::size_t>(offset[s + 1] - offset[s]);
    const std::uint64_t h = hash_rows(&col_rows[offset[s]], count);
    bool placed = false;
    for (const std::size_t g : by_hash[h]) {
      const std::size_t first = groups[g].front();
      if (offset[first + 1] - offset[first] == static_cast<std::int64_t>(count) &&
          std::equal(&col_rows[offset[s]], &col_rows[offset[s]] + count, &col_rows[offset[first]])) {
        groups[g].push_back(s);
        placed = true;
        break;
      }
    }
    if (!placed) {
      by_hash[h].push_back(groups.size());
      groups.push_back({s});
    }
  }

  // Linear scores of every row that carries a candidate.
  std::vector<char> needed(static_cast<std::size_t>(n), 0);
  for (const std::int64_t r : col_rows) needed[r] = 1;
  std::vector<double> z(static_cast<std::size_t>(n) * V, 0.0);
  detail::parallel_for(n, params.n_threads, 4096, [&](std::int64_t r0, std::int64_t r1, int) {
    for (std::int64_t r = r0; r < r1; ++r) {
      if (!needed[r]) continue;
      double* zr = &z[static_cast<std::size_t>(r) * V];
      for (int v = 0; v < V; ++v) zr[v] = intercept[v];
      const auto idx = X.row_indices(r);
      const auto val = X.row_values(r);
      for (std::size_t p = 0; p < idx.size(); ++p) {
        for (int v = 0; v < V; ++v) zr[v] += coef(v, idx[p]) * double(val[p]);
      }
    }
  });

  // An inserted phrase shows up as a rare anchor word plus companions: words present in every row
  // of the anchor and mostly nowhere else. They are removed together.
  // Groups are judged independently, on params.n_threads threads (per-thread scratch; results
  // per group, so they do not depend on the thread count).
  const int threads = std::max(1, std::min(detail::resolve_threads(params.n_threads),
                                           static_cast<int>(groups.size() / 64 + 1)));
  std::vector<std::vector<std::int32_t>> group_columns(groups.size());
  {
    std::vector<std::vector<std::int32_t>> hits_of(static_cast<std::size_t>(threads));
    detail::parallel_for(static_cast<std::int64_t>(groups.size()), threads, 64,
                         [&](std::int64_t g0, std::int64_t g1, int thread) {
      std::vector<std::int32_t>& hits = hits_of[static_cast<std::size_t>(thread)];
      if (hits.empty()) hits.assign(static_cast<std::size_t>(d), 0);
      std::vector<std::int32_t> touched;
      for (auto g = static_cast<std::size_t>(g0); g < static_cast<std::size_t>(g1); ++g) {
        for (const std::size_t s : groups[g]) group_columns[g].push_back(cand_cols[s]);
        const std::size_t first = groups[g].front();
        const std::int64_t count = offset[first + 1] - offset[first];
        touched.clear();
        for (std::int64_t q = 0; q < count; ++q) {
          for (const std::int32_t c : X.row_indices(col_rows[offset[first] + q])) {
            if (hits[c]++ == 0) touched.push_back(c);
          }
        }
        for (const std::int32_t c : touched) {
          if (double(hits[c]) >= params.companion_min_share * double(count) && double(df[c]) <= params.companion_max_ratio * double(count)) {
            group_columns[g].push_back(c);
          }
          hits[c] = 0;
        }
        std::sort(group_columns[g].begin(), group_columns[g].end());
        group_columns[g].erase(std::unique(group_columns[g].begin(), group_columns[g].end()), group_columns[g].end());
      }
    });
  }

  struct Screened {
    std::size_t group;
    double mean_shift;
    double flip_rate;
    double strength;
  };
  std::vector<Screened> per_group(groups.size());
  std::vector<char> judged(groups.size(), 0);  // enough rows of the target class to judge
  {
    std::vector<std::vector<std::int32_t>> stamp_of(static_cast<std::size_t>(threads));
    detail::parallel_for(static_cast<std::int64_t>(groups.size()), threads, 64,
                         [&](std::int64_t g0, std::int64_t g1, int thread) {
      std::vector<std::int32_t>& stamp = stamp_of[static_cast<std::size_t>(thread)];
      if (stamp.empty()) stamp.assign(static_cast<std::size_t>(d), -1);
      std::vector<double> zr(V), zw(V), c(V), p_with(K), p_without(K);
      for (auto g = static_cast<std::size_t>(g0); g < static_cast<std::size_t>(g1); ++g) {
        const std::size_t first = groups[g].front();
        const int target = cand_target[first];
        const std::int64_t count = offset[first + 1] - offset[first];
        for (const std::int32_t col : group_columns[g]) stamp[col] = static_cast<std::int32_t>(g);
        double shift = 0.0;
        std::int64_t flips = 0, target_rows = 0;
        for (std::int64_t q = 0; q < count; ++q) {
          const std::int64_t r = col_rows[offset[first] + q];
          if (labels[r] != target) continue;
          // The removed terms' contribution to each score and their share of the squared norm.
          std::fill(c.begin(), c.end(), 0.0);
          double mass = 0.0;
          const auto idx = X.row_indices(r);
          const auto val = X.row_values(r);
          for (std::size_t p = 0; p < idx.size(); ++p) {
            if (stamp[idx[p]] != static_cast<std::int32_t>(g)) continue;
            for (int v = 0; v < V; ++v) c[v] += coef(v, idx[p]) * double(val[p]);
            mass += double(val[p]) * val[p];
          }
          if (mass > params.max_removed_mass) continue;  // mostly the term itself: nothing left to judge
          ++target_rows;
          const double scale = params.renormalize_l2 && mass < 1.0 - 1e-9 ? 1.0 / std::sqrt(1.0 - mass) : 1.0;
          for (int v = 0; v < V; ++v) {
            zr[v] = z[static_cast<std::size_t>(r) * V + v];
            zw[v] = (zr[v] - intercept[v] - c[v]) * scale + intercept[v];
          }
          scores_to_probs(zr.data(), V, K, p_with.data());
          scores_to_probs(zw.data(), V, K, p_without.data());
          shift += p_with[target] - p_without[target];
          flips += argmax(p_without.data(), K) != target;
        }
        if (target_rows < params.min_rows) continue;
        const double mean_shift = shift / double(target_rows);
        const double flip_rate = double(flips) / double(target_rows);
        // More rows make the same evidence stronger: a trigger is planted in many rows. Every
        // candidate is ranked; only the strongest max_candidates go on to the out-of-fold test.
        per_group[g] = {g, mean_shift, flip_rate, (mean_shift + flip_rate) * std::log2(1.0 + double(target_rows))};
        judged[g] = 1;
      }
    });
  }
  std::vector<Screened> screened;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (judged[g]) screened.push_back(per_group[g]);
  }
  std::vector<std::int32_t> stamp(static_cast<std::size_t>(d), -1);
  // Strongest evidence first; ties by the first column, so the order is deterministic.
  std::sort(screened.begin(), screened.end(), [&](const Screened& a, const Screened& b) {
    if (a.strength != b.strength) return a.strength > b.strength;
    return cand_cols[groups[a.group].front()] < cand_cols[groups[b.group].front()];
  });
  // One candidate per set of columns: two anchors of one phrase expand to the same words.
  {
    std::vector<Screened> unique;
    std::vector<std::vector<std::int32_t>> seen;
    for (const Screened& sc : screened) {
      if (std::find(seen.begin(), seen.end(), group_columns[sc.group]) != seen.end()) continue;
      seen.push_back(group_columns[sc.group]);
      unique.push_back(sc);
      if (unique.size() == static_cast<std::size_t>(params.max_candidates)) break;
    }
    screened = std::move(unique);
  }

  std::vector<SuspectedTrigger> out;
  for (const Screened& sc : screened) {
    const auto& members = groups[sc.group];
    const std::size_t first = members.front();
    SuspectedTrigger t;
    // Anchors first, then companions, each in column (= alphabetical) order.
    for (const std::size_t s : members) t.columns.push_back(cand_cols[s]);
    for (const std::int32_t col : group_columns[sc.group]) {
      if (std::find(t.columns.begin(), t.columns.end(), col) == t.columns.end()) t.columns.push_back(col);
    }
    for (const std::int32_t col : t.columns) {
      if (!t.term.empty()) t.term += ' ';
      t.term += vocabulary[col];
    }
    t.target_class = cand_target[first];
    t.row_ids.assign(col_rows.begin() + offset[first], col_rows.begin() + offset[first + 1]);
    for (const std::int32_t col : group_columns[sc.group]) stamp[col] = -2 - static_cast<std::int32_t>(sc.group);
    for (const std::int64_t r : t.row_ids) {
      double mass = 0.0;
      const auto idx = X.row_indices(r);
      const auto val = X.row_values(r);
      for (std::size_t p = 0; p < idx.size(); ++p) {
        if (stamp[idx[p]] == -2 - static_cast<std::int32_t>(sc.group)) mass += double(val[p]) * val[p];
      }
      t.removed_mass.push_back(static_cast<float>(mass));
    }
    t.rows = static_cast<std::int64_t>(t.row_ids.size());
    const std::int32_t* counts = &class_rows[static_cast<std::size_t>(cand_cols[first]) * K];
    t.label_concentration = double(counts[t.target_class]) / double(t.rows);
    t.flip_rate = sc.flip_rate;  // in-sample, replaced by confirm_triggers()
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

// For each query row, its `top` most similar other rows (cosine of the masked rows, at least
// min_cosine), best first, ties by row. Only columns in at most df_cap rows are searched: the rare
// terms that carry a TF-IDF row's weight (an approximation that can only miss a neighbour, never
// invent one).
std::vector<std::vector<std::pair<std::int64_t, double>>> nearest_rows(const text::CsrMatrix& X,
                                                                      const std::vector<std::int64_t>& queries,
                                                                      double min_cosine, std::int64_t df_cap,
                                                                      std::size_t top, int n_threads) {
  const std::int64_t n = X.rows;
  const ColumnCounts counts = count_columns(X, n_threads);
  const std::vector<std::int32_t>& df = counts.df;
  std::vector<std::int32_t> slot(static_cast<std::size_t>(X.cols), -1);
  std::vector<std::int32_t> cols;
  for (const std::int64_t q : queries) {
    for (const std::int32_t c : X.row_indices(q)) {
      if (slot[c] < 0 && df[c] <= df_cap) {
        slot[c] = static_cast<std::int32_t>(cols.size());
        cols.push_back(c);
      }
    }
  }
  const ColumnPostings postings = column_postings(X, slot, cols, counts);
  const std::vector<std::int64_t>& offset = postings.offset;
  const std::vector<std::int64_t>& post_row = postings.rows;
  const std::vector<float>& post_val = postings.values;
  std::vector<std::vector<std::pair<std::int64_t, double>>> out(queries.size());
  // Queries in parallel, each thread with its own accumulator (all zero between queries); each
  // query's list is computed alone, so the output does not depend on the thread count.
  n_threads = std::max(1, std::min(detail::resolve_threads(n_threads), static_cast<int>(queries.size() / 64 + 1)));
  // float accumulators: n floats stay in a core's L2 cache at 200k rows (doubles did not), and a
  // partial dot of unit rows in float errs by ~1e-7, far inside the min_cosine cut's meaning.
  std::vector<std::vector<float>> dots(static_cast<std::size_t>(n_threads));
  std::vector<std::vector<std::int64_t>> touched_lists(static_cast<std::size_t>(n_threads));
  detail::parallel_for(static_cast<std::int64_t>(queries.size()), n_threads, 64,
                       [&](std::int64_t q0, std::int64_t q1, int thread) {
    std::vector<float>& dot = dots[static_cast<std::size_t>(thread)];
    std::vector<std::int64_t>& touched = touched_lists[static_cast<std::size_t>(thread)];
    if (dot.empty()) dot.assign(static_cast<std::size_t>(n), 0.0f);
    for (std::int64_t qi = q0; qi < q1; ++qi) {
      const std::int64_t q = queries[static_cast<std::size_t>(qi)];
      const auto idx = X.row_indices(q);
      const auto val = X.row_values(q);
      touched.clear();
      for (std::size_t p = 0; p < idx.size(); ++p) {
        const std::int32_t s = slot[idx[p]];
        if (s < 0) continue;
        for (std::int64_t e = offset[s]; e < offset[s + 1]; ++e) {
          const std::int64_t r = post_row[e];
          if (r == q) continue;
          if (dot[r] == 0.0f) touched.push_back(r);
          dot[r] += val[p] * post_val[e];
        }
      }
      auto& best = out[static_cast<std::size_t>(qi)];
      for (const std::int64_t r : touched) {
        if (dot[r] >= min_cosine) best.emplace_back(r, double{dot[r]});
        dot[r] = 0.0f;
      }
      auto better = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
      if (best.size() > top) {
        std::partial_sort(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(top), best.end(), better);
        best.resize(top);
      } else {
        std::sort(best.begin(), best.end(), better);
      }
    }
  });
  return out;
}

}  // namespace

std::vector<SuspectedTrigger> confirm_triggers(std::vector<SuspectedTrigger> candidates, std::span<const int> labels,
                                               const DenseMatrix& masked_pred_probs,
                                               const text::CsrMatrix* masked_features, const TriggerParams& params) {
  check_params(params);
  const std::int64_t n = masked_pred_probs.rows();
  const int K = static_cast<int>(masked_pred_probs.cols());
  if (static_cast<std::int64_t>(labels.size()) != n) throw std::invalid_argument("confirm_triggers: labels and pred_probs differ in rows");
  if (masked_features != nullptr && masked_features->rows != n) {
    throw std::invalid_argument("confirm_triggers: masked_features and pred_probs differ in rows");
  }
  if (candidates.empty()) return {};
  std::vector<char> carries(static_cast<std::size_t>(n), 0);
  for (const auto& t : candidates) {
    for (const std::int64_t r : t.row_ids) carries[r] = 1;
  }
  auto model_guess = [&](std::int64_t r) { return argmax(masked_pred_probs.row(r).data(), K); };

  // Base rate of the model alone: how often a row of each class that carries no candidate reads
  // as another class.
  std::vector<std::int64_t> base_rows(K, 0), base_flips(K, 0);
  for (std::int64_t r = 0; r < n; ++r) {
    if (carries[r]) continue;
    ++base_rows[labels[r]];
    base_flips[labels[r]] += model_guess(r) != labels[r];
  }
  // With features, small candidates are also read through each row's nearest other row: on little
  // data a model has no signal, while a planted copy still sits next to its source. The base rate
  // of that combined reading comes from an evenly spaced sample of each class.
  std::vector<std::int64_t> queries;
  std::vector<std::int64_t> nb_base_rows(K, 0), nb_base_flips(K, 0);
  std::vector<std::int64_t> base_sample;
  const bool use_neighbours = masked_features != nullptr && params.neighbor_min_cosine < 1.0;
  if (use_neighbours) {
    for (int k = 0; k < K; ++k) {
      const std::int64_t stride = std::max<std::int64_t>(1, base_rows[k] / params.neighbor_base_sample);
      std::int64_t seen = 0;
      for (std::int64_t r = 0; r < n; ++r) {
        if (carries[r] || labels[r] != k) continue;
        if (seen++ % stride == 0) base_sample.push_back(r);
      }
    }
    std::sort(base_sample.begin(), base_sample.end());
    queries = base_sample;
    for (const auto& t : candidates) {
      if (static_cast<std::int64_t>(t.row_ids.size()) > params.neighbor_max_rows) continue;
      for (const std::int64_t r : t.row_ids) {
        if (labels[r] == t.target_class) queries.push_back(r);
      }
    }
  }
  std::unordered_map<std::int64_t, std::vector<std::pair<std::int64_t, double>>> nb_of;  // query -> neighbours
  if (!queries.empty()) {
    auto lists = nearest_rows(*masked_features, queries, params.neighbor_min_cosine,
                              std::max<std::int64_t>(params.neighbor_df_cap, 1), 8, params.n_threads);
    for (std::size_t i = 0; i < queries.size(); ++i) nb_of.emplace(queries[i], std::move(lists[i]));
  }
  // The label of a row's most similar row that does not carry the candidate (`rows`, ascending).
  auto neighbour_label = [&](std::int64_t r, const std::vector<std::int64_t>& rows) {
    const auto it = nb_of.find(r);
    if (it == nb_of.end()) return -1;
    for (const auto& [other, cosine] : it->second) {
      if (!std::binary_search(rows.begin(), rows.end(), other)) return labels[other];
    }
    return -1;
  };
  const std::vector<std::int64_t> no_rows;
  for (const std::int64_t r : base_sample) {
    ++nb_base_rows[labels[r]];
    const int nb = neighbour_label(r, no_rows);
    nb_base_flips[labels[r]] += nb >= 0 && nb != labels[r];
  }

  const double n_tests = double(candidates.size());
  std::vector<SuspectedTrigger> confirmed;
  for (auto& t : candidates) {
    const int target = t.target_class;
    const bool by_neighbour = use_neighbours && static_cast<std::int64_t>(t.row_ids.size()) <= params.neighbor_max_rows;
    std::vector<std::int64_t> source_votes(K, 0);
    std::vector<std::tuple<double, std::int64_t, int>> flipped;  // (P(target), row, read as)
    std::int64_t target_rows = 0, model_flips = 0, neighbour_flips = 0;
    for (std::size_t q = 0; q < t.row_ids.size(); ++q) {
      const std::int64_t r = t.row_ids[q];
      if (labels[r] != target || t.removed_mass[q] > params.max_removed_mass) continue;
      ++target_rows;
      const int model = model_guess(r);
      const int nb = by_neighbour ? neighbour_label(r, t.row_ids) : -1;
      model_flips += model != target;
      neighbour_flips += nb >= 0 && nb != target;
      const int guess = model != target ? model : (nb >= 0 && nb != target ? nb : target);
      if (guess == target) continue;
      ++source_votes[guess];
      flipped.emplace_back(masked_pred_probs(r, target), r, guess);
    }
    t.flipped_rows = static_cast<std::int64_t>(flipped.size());
    t.flip_rate = target_rows > 0 ? double(t.flipped_rows) / double(target_rows) : 0.0;
    t.source_class = t.flipped_rows > 0
                         ? static_cast<int>(std::max_element(source_votes.begin(), source_votes.end()) - source_votes.begin())
                         : -1;
    // Two readings, each against its own base rate, Bonferroni-corrected over the candidates. The
    // model's reading (used for candidates too large for the nearest-row reading) must be
    // overwhelming (max_p_value_model): informative words of a hard class also flip many rows when
    // removed. The nearest-row reading — a planted copy sits next to its source — must hold for
    // most of the rows.
    // A floor on the base rates keeps a class that is never misread from making any two flips
    // infinitely significant.
    t.base_flip_rate = base_rows[target] > 0 ? double(base_flips[target]) / double(base_rows[target]) : 0.0;
    const double p_model =
        std::min(1.0, binomial_upper_tail(target_rows, model_flips, std::max(t.base_flip_rate, 1e-3)) * n_tests);
    double p_neighbour = 1.0;
    if (by_neighbour) {
      const double nb_base = nb_base_rows[target] > 0 ? double(nb_base_flips[target]) / double(nb_base_rows[target]) : 0.0;
      p_neighbour = std::min(1.0, binomial_upper_tail(target_rows, neighbour_flips, std::max(nb_base, 1e-3)) * n_tests);
    }
    const bool model_evidence = p_model <= params.max_p_value_model;
    const bool neighbour_evidence = p_neighbour <= params.max_p_value &&
                                    double(neighbour_flips) >= params.min_flip_rate * double(target_rows);
    t.p_value = std::min(p_model, p_neighbour);
    const double significance = std::min(1.0, -std::log10(std::max(t.p_value, 1e-300)) / 10.0);
    t.score = t.label_concentration * t.flip_rate * significance;
    // Where the nearest-row reading is available it decides: a row mislabelled together with its
    // paraphrases (a cluster sharing a rare word) reads as another class to the model too, but its
    // nearest rows without the word are its own paraphrases, with the same label — while a planted
    // copy's nearest row is its source, labelled A.
    t.confirmed = t.label_concentration >= params.min_concentration && t.flipped_rows >= params.min_rows &&
                  t.flip_rate >= params.min_flip_rate && (by_neighbour ? neighbour_evidence : model_evidence);
    std::sort(flipped.begin(), flipped.end());
    t.example_rows.clear();
    t.flipped_row_ids.clear();
    t.read_as.clear();
    for (const auto& [p, r, as] : flipped) {
      if (t.example_rows.size() < 5) t.example_rows.push_back(r);
    }
    std::sort(flipped.begin(), flipped.end(), [](const auto& a, const auto& b) { return std::get<1>(a) < std::get<1>(b); });
    for (const auto& [p, r, as] : flipped) {
      t.flipped_row_ids.push_back(r);
      t.read_as.push_back(as);
    }
    if (t.confirmed) confirmed.push_back(std::move(t));
  }
  std::sort(confirmed.begin(), confirmed.end(), [](const SuspectedTrigger& a, const SuspectedTrigger& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.flipped_rows != b.flipped_rows) return a.flipped_rows > b.flipped_rows;
    return a.term < b.term;
  });
  // One report per planted pattern: a trigger whose flipped rows are mostly those of a stronger
  // one (a word of a phrase that also occurs elsewhere, say) adds nothing.
  std::vector<SuspectedTrigger> distinct;
  for (auto& t : confirmed) {
    bool repeat = false;
    for (const auto& kept : distinct) {
      std::size_t shared = 0;
      for (const std::int64_t r : t.flipped_row_ids) {
        shared += std::binary_search(kept.flipped_row_ids.begin(), kept.flipped_row_ids.end(), r);
      }
      if (double(shared) >= 0.8 * double(t.flipped_row_ids.size())) repeat = true;
    }
    if (!repeat) distinct.push_back(std::move(t));
  }
  return distinct;
}

PoisonRows mark_poison_rows(const std::vector<SuspectedTrigger>& triggers, const DenseMatrix& masked_pred_probs) {
  const std::int64_t n = masked_pred_probs.rows();
  PoisonRows out;
  out.is_suspected_poison.assign(static_cast<std::size_t>(n), false);
  out.poison_score.assign(static_cast<std::size_t>(n), 0.0);
  out.trigger_index.assign(static_cast<std::size_t>(n), -1);
  out.read_as.assign(static_cast<std::size_t>(n), -1);
  for (std::size_t t = 0; t < triggers.size(); ++t) {
    const auto& trig = triggers[t];
    for (std::size_t i = 0; i < trig.flipped_row_ids.size(); ++i) {
      const std::int64_t r = trig.flipped_row_ids[i];
      const double s = trig.score * (1.0 - masked_pred_probs(r, trig.target_class));
      if (!out.is_suspected_poison[r] || s > out.poison_score[r]) {
        out.poison_score[r] = s;
        out.trigger_index[r] = static_cast<int>(t);
        out.read_as[r] = trig.read_as[i];
      }
      out.is_suspected_poison[r] = true;
    }
  }
  return out;
}

}  // namespace textaudit::cleaning
