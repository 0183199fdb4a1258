// models/detail/columns.h: X^T products as gathers. The selected rows of X are stored once more
// column by column (CSC, rows ascending within a column), so a column pass computes every output
// element as one sum over its column, in registers, in ascending row order: no scatter into the
// outputs, and the same summation order whatever the thread count. Columns are cut into tasks of
// about equal entry counts.
//
// Row blocks: when the per-row inputs of a pass (n_rows x classes) outgrow the caches, the random
// gathers of a column pass go to memory, a cache line for every few bytes used. The entries are
// therefore stored block by block (rows [0, block_rows), [block_rows, 2 block_rows), ...), each
// block column by column: a pass walks block 0's columns, then block 1's, ..., so the gathers
// stay within one block's slice of the inputs. Carrying each column's sum from block to block
// keeps the summation order ascending by row, so the results are the same for any block size.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "text/sparse.h"

namespace textaudit::models::detail {

// Rows per block are at most 2^16, so that an entry's row is 2 bytes (6 bytes an entry with its
// value instead of 8: a quarter less memory and traffic than 32-bit row ids).
inline constexpr std::int64_t kMaxBlockRows = std::int64_t{1} << 16;

struct Columns {
  std::int64_t cols = 0;
  std::int64_t n_blocks = 1;
  std::int64_t block_rows = 1;  // block b holds positions [b * block_rows, (b + 1) * block_rows)
  // n_blocks * cols + 1 offsets into `rows` / `vals`: block b, column j is
  // [indptr[b * cols + j], indptr[b * cols + j + 1]).
  std::vector<std::int64_t> indptr;
  // Position of the entry's row within its block (position - b * block_rows), ascending per
  // column; positions number the selected rows 0..n_rows-1.
  std::vector<std::uint16_t> rows;
  std::vector<float> vals;
  std::vector<std::int64_t> task_begin;  // n_tasks + 1 column offsets: [task_begin[t], task_begin[t+1])
  int n_tasks() const { return static_cast<int>(task_begin.size()) - 1; }
};

// The columns of X restricted to `rows` (ascending row ids of X; empty = every row); positions in
// the result number the selected rows 0, 1, ... Columns are grouped into about `n_tasks` tasks,
// rows into blocks of `block_rows` positions (clamped to [1, kMaxBlockRows]). Blocks are built on
// up to n_threads threads; the result does not depend on it.
Columns make_columns(const text::CsrMatrix& X, std::span<const std::int64_t> rows, int n_tasks,
                     std::int64_t block_rows, int n_threads = 1);

}  // namespace textaudit::models::detail
