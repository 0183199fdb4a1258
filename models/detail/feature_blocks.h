// models/detail/feature_blocks.h: X^T products without a gather over all rows. X is cut into
// blocks of consecutive features; each block keeps its entries row by row (rows ascending). A
// column pass then walks one block at a time: the per-row inputs are read in ascending row order
// (close to a stream) and the outputs of the block (block_size x m doubles) stay in L2 cache.
// Every output element still sums its rows in ascending order, one block per task: results do
// not depend on the thread count.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "text/sparse.h"

namespace textaudit::models::detail {

struct FeatureBlocks {
  std::int64_t block_size = 0;            // features per block (the last block may be shorter)
  int n_blocks = 0;
  std::vector<std::int64_t> row_begin;    // n_blocks + 1 offsets into `rows` / `entry_end`
  std::vector<std::int64_t> entry_begin;  // n_blocks + 1 offsets into `cols` / `vals`
  std::vector<std::int32_t> rows;         // per block: positions (0..n_rows) of rows with an entry
  std::vector<std::int64_t> entry_end;    // per listed row: end of its entries in `cols` / `vals`
  std::vector<std::uint16_t> cols;        // column minus the block's first column
  std::vector<float> vals;
};

// Blocks of X restricted to `rows` (ascending row ids of X; empty = every row); positions in the
// result number the selected rows 0, 1, ... block_size must be in [1, 65536].
FeatureBlocks make_feature_blocks(const text::CsrMatrix& X, std::span<const std::int64_t> rows,
                                  std::int64_t block_size);

// Features per block so that a block's outputs (block_size x m doubles) take ~256 KiB (L2).
std::int64_t feature_block_size(int m);

}  // namespace textaudit::models::detail
