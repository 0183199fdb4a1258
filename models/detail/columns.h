// models/detail/columns.h: X^T products as gathers. The selected rows of X are stored once more
// column by column (CSC, rows ascending within a column), so a column pass computes every output
// element as one sum over its column, in registers, in ascending row order: no scatter into the
// outputs, and the same summation order whatever the thread count. Columns are cut into tasks of
// about equal entry counts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "text/sparse.h"

namespace textaudit::models::detail {

struct Columns {
  std::vector<std::int64_t> indptr;  // cols + 1 offsets into `rows` / `vals`
  std::vector<std::int32_t> rows;    // positions 0..n_rows-1 of the selected rows, ascending per column
  std::vector<float> vals;
  std::vector<std::int64_t> task_begin;  // n_tasks + 1 column offsets: [task_begin[t], task_begin[t+1])
  int n_tasks() const { return static_cast<int>(task_begin.size()) - 1; }
};

// The columns of X restricted to `rows` (ascending row ids of X; empty = every row); positions in
// the result number the selected rows 0, 1, ... Columns are grouped into about `n_tasks` tasks.
Columns make_columns(const text::CsrMatrix& X, std::span<const std::int64_t> rows, int n_tasks);

}  // namespace textaudit::models::detail
