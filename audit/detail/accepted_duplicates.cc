#include "audit/detail/accepted_duplicates.h"

#include <algorithm>
#include <cmath>

#include "cleaning/detail/parallel_for.h"

namespace textaudit::audit::detail {
namespace {

std::vector<double> row_norms(const text::CsrMatrix& X) {
  std::vector<double> norm(static_cast<std::size_t>(X.rows));
  for (std::int64_t r = 0; r < X.rows; ++r) {
    double s = 0;
    for (const float v : X.row_values(r)) s += double(v) * v;
    norm[r] = std::sqrt(s);
  }
  return norm;
}

double sparse_dot(const text::CsrMatrix& A, std::int64_t a, const text::CsrMatrix& B, std::int64_t b) {
  const auto ia = A.row_indices(a), ib = B.row_indices(b);
  const auto va = A.row_values(a), vb = B.row_values(b);
  double dot = 0;
  std::size_t i = 0, j = 0;
  while (i < ia.size() && j < ib.size()) {
    if (ia[i] < ib[j]) ++i;
    else if (ia[i] > ib[j]) ++j;
    else dot += double(va[i++]) * vb[j++];
  }
  return dot;
}

}  // namespace

// For each batch row, the accepted row it nearly duplicates (cosine >= min_cosine): the most
// similar one with another label if any (a conflict matters more than a repeat), else the most
// similar one; ties by the lower accepted row. Exact (see the file comment).
std::vector<AcceptedMatch> match_accepted(const text::CsrMatrix& A, const std::vector<int>& ya,
                                          const text::CsrMatrix& B, const std::vector<int>& yb, double min_cosine,
                                          int n_threads) {
  const std::int64_t nb = B.rows;
  std::vector<std::int64_t> df(static_cast<std::size_t>(A.cols), 0);
  for (const std::int32_t c : A.indices) ++df[c];
  const std::vector<double> norm_b = row_norms(B);
  // The batch index: postings per column with the rows' unit-normalised values (rows without a
  // term match nothing), and each column's largest such value.
  std::vector<std::int64_t> offset(static_cast<std::size_t>(B.cols) + 1, 0);
  for (std::int64_t r = 0; r < nb; ++r) {
    if (norm_b[r] == 0) continue;
    for (const std::int32_t c : B.row_indices(r)) ++offset[c + 1];
  }
  for (std::size_t c = 0; c < static_cast<std::size_t>(B.cols); ++c) offset[c + 1] += offset[c];
  std::vector<std::int64_t> post(static_cast<std::size_t>(offset.back()));
  std::vector<double> post_val(post.size());
  std::vector<double> max_weight(static_cast<std::size_t>(B.cols), 0.0);
  {
    std::vector<std::int64_t> fill(offset.begin(), offset.end() - 1);
    for (std::int64_t r = 0; r < nb; ++r) {
      if (norm_b[r] == 0) continue;
      const auto idx = B.row_indices(r);
      const auto val = B.row_values(r);
      for (std::size_t p = 0; p < idx.size(); ++p) {
        const double v = std::abs(double(val[p])) / norm_b[r];
        post[fill[idx[p]]] = r;
        post_val[fill[idx[p]]++] = double(val[p]) / norm_b[r];
        max_weight[idx[p]] = std::max(max_weight[idx[p]], v);
      }
    }
  }
  const int threads = cleaning::detail::resolve_threads(n_threads);
  std::vector<std::vector<AcceptedMatch>> best_other(threads, std::vector<AcceptedMatch>(nb)),
      best_same(threads, std::vector<AcceptedMatch>(nb));
  auto better = [](const AcceptedMatch& cand, const AcceptedMatch& cur) {
    return cur.row < 0 || cand.cosine > cur.cosine || (cand.cosine == cur.cosine && cand.row < cur.row);
  };
  cleaning::detail::parallel_for(A.rows, threads, 4096, [&](std::int64_t begin, std::int64_t stop, int tid) {
    std::vector<std::pair<std::int64_t, std::size_t>> order;  // (df, position)
    std::vector<double> bound;                                // per order position, see below
    std::vector<double> acc(static_cast<std::size_t>(nb), 0.0);
    std::vector<char> seen(static_cast<std::size_t>(nb), 0);
    std::vector<std::int64_t> cand;
    auto& other = best_other[tid];
    auto& same = best_same[tid];
    for (std::int64_t a = begin; a < stop; ++a) {
      const auto idx = A.row_indices(a);
      const auto val = A.row_values(a);
      if (idx.empty()) continue;
      double total = 0;
      order.clear();
      for (std::size_t p = 0; p < idx.size(); ++p) {
        total += double(val[p]) * val[p];
        if (max_weight[idx[p]] > 0) order.emplace_back(df[idx[p]], p);  // other columns add nothing
      }
      if (total == 0 || order.empty()) continue;
      std::sort(order.begin(), order.end());  // rarest first: heavy TF-IDF weights, short postings
      // bound[i]: the most that columns i.. of this row can add to its dot product with a unit
      // batch row: min(their norm (Cauchy-Schwarz), sum of value x the column's largest batch value).
      const std::size_t m = order.size();
      bound.assign(m + 1, 0.0);
      double norm2 = 0.0, weighted = 0.0;
      for (std::size_t i = m; i-- > 0;) {
        const std::size_t p = order[i].second;
        norm2 += double(val[p]) * val[p];
        weighted += std::abs(double(val[p])) * max_weight[idx[p]];
        bound[i] = std::min(std::sqrt(norm2), weighted);
      }
      const double norm_a = std::sqrt(total);
      const double need = min_cosine * norm_a * (1.0 - 1e-12);  // dot with a unit batch row
      // Probe the index while the unprobed rest could still reach min_cosine alone: a pair at or
      // above it then shares a probed column, and its partial dot plus the rest's bound reaches it.
      std::size_t i = 0;
      cand.clear();
      for (; i < m && bound[i] >= need; ++i) {
        const std::size_t p = order[i].second;
        const std::int32_t c = idx[p];
        const double v = val[p];
        for (std::int64_t e = offset[c]; e < offset[c + 1]; ++e) {
          const std::int64_t b = post[e];
          if (!seen[b]) {
            seen[b] = 1;
            cand.push_back(b);
          }
          acc[b] += v * post_val[e];
        }
      }
      const double rest = bound[i];
      for (const std::int64_t b : cand) {
        const double partial = acc[b];
        seen[b] = 0;
        acc[b] = 0.0;
        if (partial + rest < need) continue;
        const double cosine = sparse_dot(A, a, B, b) / (norm_a * norm_b[b]);
        if (cosine < min_cosine) continue;
        const AcceptedMatch match{a, std::min(cosine, 1.0)};
        auto& slot = ya[a] != yb[b] ? other[b] : same[b];
        if (better(match, slot)) slot = match;
      }
    }
  });
  std::vector<AcceptedMatch> out(static_cast<std::size_t>(nb));
  for (std::int64_t b = 0; b < nb; ++b) {
    AcceptedMatch o, s;
    for (int t = 0; t < threads; ++t) {
      if (best_other[t][b].row >= 0 && better(best_other[t][b], o)) o = best_other[t][b];
      if (best_same[t][b].row >= 0 && better(best_same[t][b], s)) s = best_same[t][b];
    }
    out[b] = o.row >= 0 ? o : s;
  }
  return out;
}


}  // namespace textaudit::audit::detail
