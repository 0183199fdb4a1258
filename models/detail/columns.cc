#include "models/detail/columns.h"

#include <algorithm>

namespace textaudit::models::detail {

Columns make_columns(const text::CsrMatrix& X, std::span<const std::int64_t> rows, int n_tasks) {
  Columns c;
  const std::int64_t n = rows.empty() ? X.rows : static_cast<std::int64_t>(rows.size());
  auto row_of = [&](std::int64_t pos) { return rows.empty() ? pos : rows[static_cast<std::size_t>(pos)]; };
  const std::size_t d = static_cast<std::size_t>(X.cols);
  c.indptr.assign(d + 1, 0);
  for (std::int64_t pos = 0; pos < n; ++pos) {
    const std::int64_t i = row_of(pos);
    for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) ++c.indptr[static_cast<std::size_t>(X.indices[p]) + 1];
  }
  for (std::size_t j = 0; j < d; ++j) c.indptr[j + 1] += c.indptr[j];
  const std::size_t nnz = static_cast<std::size_t>(c.indptr[d]);
  c.rows.resize(nnz);
  c.vals.resize(nnz);
  std::vector<std::int64_t> next(c.indptr.begin(), c.indptr.end() - 1);
  for (std::int64_t pos = 0; pos < n; ++pos) {
    const std::int64_t i = row_of(pos);
    for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) {
      const std::size_t q = static_cast<std::size_t>(next[static_cast<std::size_t>(X.indices[p])]++);
      c.rows[q] = static_cast<std::int32_t>(pos);
      c.vals[q] = X.data[p];
    }
  }
  // Tasks of about nnz / n_tasks entries (+ a little per column, for the output writes).
  n_tasks = std::max(1, n_tasks);
  const std::int64_t total = static_cast<std::int64_t>(nnz) + static_cast<std::int64_t>(d);
  c.task_begin.push_back(0);
  for (int t = 1; t < n_tasks; ++t) {
    const std::int64_t target = total * t / n_tasks;
    // First column j with indptr[j] + j >= target.
    std::int64_t lo = c.task_begin.back(), hi = static_cast<std::int64_t>(d);
    while (lo < hi) {
      const std::int64_t mid = (lo + hi) / 2;
      if (c.indptr[static_cast<std::size_t>(mid)] + mid >= target) hi = mid;
      else lo = mid + 1;
    }
    if (lo > c.task_begin.back() && lo < static_cast<std::int64_t>(d)) c.task_begin.push_back(lo);
  }
  c.task_begin.push_back(static_cast<std::int64_t>(d));
  return c;
}

}  // namespace textaudit::models::detail
