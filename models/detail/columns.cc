#include "models/detail/columns.h"

#include <algorithm>

#include "models/detail/parallel.h"

namespace textaudit::models::detail {

Columns make_columns(const text::CsrMatrix& X, std::span<const std::int64_t> rows, int n_tasks,
                     std::int64_t block_rows, int n_threads) {
  Columns c;
  const std::int64_t n = rows.empty() ? X.rows : static_cast<std::int64_t>(rows.size());
  auto row_of = [&](std::int64_t pos) { return rows.empty() ? pos : rows[static_cast<std::size_t>(pos)]; };
  const std::int64_t d = X.cols;
  block_rows = std::clamp<std::int64_t>(block_rows, 1, kMaxBlockRows);
  c.block_rows = block_rows;
  c.cols = d;
  c.n_blocks = std::max<std::int64_t>(1, (n + block_rows - 1) / block_rows);
  const std::size_t cells = static_cast<std::size_t>(c.n_blocks * d);
  c.indptr.assign(cells + 1, 0);
  // Blocks own disjoint cells of indptr and ranges of rows/vals: both passes run block-parallel.
  const int n_blocks = static_cast<int>(c.n_blocks);
  parallel_for(n_blocks, n_threads, [&](int b) {
    std::int64_t* counts = c.indptr.data() + b * d + 1;
    for (std::int64_t pos = b * block_rows, end = std::min(n, pos + block_rows); pos < end; ++pos) {
      const std::int64_t i = row_of(pos);
      for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) ++counts[X.indices[p]];
    }
  });
  // Entries per column over all blocks (for the task split), then the offsets.
  std::vector<std::int64_t> column_start(static_cast<std::size_t>(d) + 1, 0);
  for (std::int64_t b = 0; b < c.n_blocks; ++b)
    for (std::int64_t j = 0; j < d; ++j) column_start[static_cast<std::size_t>(j) + 1] += c.indptr[static_cast<std::size_t>(b * d + j) + 1];
  for (std::int64_t j = 0; j < d; ++j) column_start[static_cast<std::size_t>(j) + 1] += column_start[static_cast<std::size_t>(j)];
  for (std::size_t q = 0; q < cells; ++q) c.indptr[q + 1] += c.indptr[q];
  const std::size_t nnz = static_cast<std::size_t>(c.indptr[cells]);
  c.rows.resize(nnz);
  c.vals.resize(nnz);
  std::vector<std::int64_t> next(c.indptr.begin(), c.indptr.end() - 1);
  parallel_for(n_blocks, n_threads, [&](int b) {
    std::int64_t* block_next = next.data() + b * d;
    for (std::int64_t pos = b * block_rows, end = std::min(n, pos + block_rows); pos < end; ++pos) {
      const std::int64_t i = row_of(pos);
      const auto in_block = static_cast<std::uint16_t>(pos - b * block_rows);
      for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) {
        const std::size_t q = static_cast<std::size_t>(block_next[X.indices[p]]++);
        c.rows[q] = in_block;
        c.vals[q] = X.data[p];
      }
    }
  });
  // Tasks of about nnz / n_tasks entries (+ a little per column, for the output writes).
  n_tasks = std::max(1, n_tasks);
  const std::int64_t total = static_cast<std::int64_t>(nnz) + d;
  c.task_begin.push_back(0);
  for (int t = 1; t < n_tasks; ++t) {
    const std::int64_t target = total * t / n_tasks;
    // First column j with column_start[j] + j >= target.
    std::int64_t lo = c.task_begin.back(), hi = d;
    while (lo < hi) {
      const std::int64_t mid = (lo + hi) / 2;
      if (column_start[static_cast<std::size_t>(mid)] + mid >= target) hi = mid;
      else lo = mid + 1;
    }
    if (lo > c.task_begin.back() && lo < d) c.task_begin.push_back(lo);
  }
  c.task_begin.push_back(d);
  return c;
}

}  // namespace textaudit::models::detail
