#include "models/detail/feature_blocks.h"

#include <algorithm>
#include <cassert>

namespace textaudit::models::detail {

std::int64_t feature_block_size(int m) {
  return std::clamp<std::int64_t>(32768 / std::max(1, m), 256, 65536);
}

FeatureBlocks make_feature_blocks(const text::CsrMatrix& X, std::span<const std::int64_t> rows,
                                  std::int64_t block_size) {
  assert(block_size >= 1 && block_size <= 65536);
  FeatureBlocks b;
  b.block_size = block_size;
  b.n_blocks = static_cast<int>(std::max<std::int64_t>(1, (X.cols + block_size - 1) / block_size));
  const std::int64_t n = rows.empty() ? X.rows : static_cast<std::int64_t>(rows.size());
  auto row_of = [&](std::int64_t pos) { return rows.empty() ? pos : rows[static_cast<std::size_t>(pos)]; };
  const std::size_t nb = static_cast<std::size_t>(b.n_blocks);

  // Count, per block, the rows touching it and their entries (a row's columns ascend, so its
  // entries of one block are contiguous).
  std::vector<std::int64_t> block_rows(nb, 0), block_entries(nb, 0);
  for (std::int64_t pos = 0; pos < n; ++pos) {
    const std::int64_t i = row_of(pos);
    int last = -1;
    for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) {
      const int blk = static_cast<int>(X.indices[p] / block_size);
      if (blk != last) ++block_rows[static_cast<std::size_t>(blk)];
      ++block_entries[static_cast<std::size_t>(blk)];
      last = blk;
    }
  }
  b.row_begin.assign(nb + 1, 0);
  std::vector<std::int64_t>& entry_begin = b.entry_begin;
  entry_begin.assign(nb + 1, 0);
  for (std::size_t k = 0; k < nb; ++k) {
    b.row_begin[k + 1] = b.row_begin[k] + block_rows[k];
    entry_begin[k + 1] = entry_begin[k] + block_entries[k];
  }
  b.rows.resize(static_cast<std::size_t>(b.row_begin[nb]));
  b.entry_end.resize(b.rows.size());
  b.cols.resize(static_cast<std::size_t>(entry_begin[nb]));
  b.vals.resize(b.cols.size());
  std::vector<std::int64_t> next_row(b.row_begin.begin(), b.row_begin.end() - 1);
  std::vector<std::int64_t> next_entry(entry_begin.begin(), entry_begin.end() - 1);
  for (std::int64_t pos = 0; pos < n; ++pos) {
    const std::int64_t i = row_of(pos);
    int last = -1;
    for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) {
      const std::int64_t j = X.indices[p];
      const int blk = static_cast<int>(j / block_size);
      const std::size_t k = static_cast<std::size_t>(blk);
      if (blk != last) b.rows[static_cast<std::size_t>(next_row[k]++)] = static_cast<std::int32_t>(pos);
      const std::int64_t q = next_entry[k]++;
      b.cols[static_cast<std::size_t>(q)] = static_cast<std::uint16_t>(j - blk * block_size);
      b.vals[static_cast<std::size_t>(q)] = X.data[p];
      b.entry_end[static_cast<std::size_t>(next_row[k] - 1)] = q + 1;
      last = blk;
    }
  }
  return b;
}

}  // namespace textaudit::models::detail
