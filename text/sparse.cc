#include "text/sparse.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace textaudit::text {

CsrMatrix CsrMatrix::select_rows(std::span<const std::size_t> row_ids) const {
  CsrMatrix out;
  out.rows = static_cast<std::int64_t>(row_ids.size());
  out.cols = cols;
  std::size_t total = 0;
  for (std::size_t r : row_ids) total += static_cast<std::size_t>(row_nnz(static_cast<std::int64_t>(r)));
  out.indptr.reserve(row_ids.size() + 1);
  out.indices.reserve(total);
  out.data.reserve(total);
  for (std::size_t r : row_ids) {
    const auto begin = indptr[r];
    const auto end = indptr[r + 1];
    out.indices.insert(out.indices.end(), indices.begin() + begin, indices.begin() + end);
    out.data.insert(out.data.end(), data.begin() + begin, data.begin() + end);
    out.indptr.push_back(static_cast<std::int64_t>(out.indices.size()));
  }
  return out;
}

CsrMatrix CsrMatrix::without_columns(std::span<const std::int32_t> columns, bool renormalize_l2) const {
  std::vector<char> drop(static_cast<std::size_t>(cols), 0);
  for (std::int32_t c : columns) {
    if (c >= 0 && c < cols) drop[static_cast<std::size_t>(c)] = 1;
  }
  CsrMatrix out;
  out.rows = rows;
  out.cols = cols;
  out.indptr.reserve(static_cast<std::size_t>(rows) + 1);
  out.indices.reserve(indices.size());
  out.data.reserve(data.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::size_t row_start = out.indices.size();
    // Most rows keep every entry: copied whole.
    bool keeps_all = true;
    for (std::int64_t p = indptr[r]; p < indptr[r + 1] && keeps_all; ++p) keeps_all = !drop[static_cast<std::size_t>(indices[p])];
    if (keeps_all) {
      out.indices.insert(out.indices.end(), indices.begin() + indptr[r], indices.begin() + indptr[r + 1]);
      out.data.insert(out.data.end(), data.begin() + indptr[r], data.begin() + indptr[r + 1]);
      out.indptr.push_back(static_cast<std::int64_t>(out.indices.size()));
      continue;
    }
    bool dropped = false;
    for (std::int64_t p = indptr[r]; p < indptr[r + 1]; ++p) {
      if (drop[static_cast<std::size_t>(indices[p])]) {
        dropped = true;
        continue;
      }
      out.indices.push_back(indices[p]);
      out.data.push_back(data[p]);
    }
    if (dropped && renormalize_l2) {
      double sq = 0.0;
      for (std::size_t p = row_start; p < out.data.size(); ++p) sq += double(out.data[p]) * out.data[p];
      if (sq > 0.0) {
        const double inv = 1.0 / std::sqrt(sq);
        for (std::size_t p = row_start; p < out.data.size(); ++p) out.data[p] = static_cast<float>(out.data[p] * inv);
      }
    }
    out.indptr.push_back(static_cast<std::int64_t>(out.indices.size()));
  }
  return out;
}

void CsrMatrix::check_invariants() const {
  auto fail = [](const std::string& what) { throw std::logic_error("CsrMatrix: " + what); };
  if (rows < 0 || cols < 0) fail("negative shape");
  if (indptr.size() != static_cast<std::size_t>(rows) + 1) fail("indptr.size() != rows + 1");
  if (indptr.front() != 0) fail("indptr[0] != 0");
  if (indices.size() != data.size()) fail("indices and data differ in length");
  if (indptr.back() != static_cast<std::int64_t>(indices.size())) fail("indptr[rows] != nnz");
  for (std::int64_t r = 0; r < rows; ++r) {
    if (indptr[r + 1] < indptr[r]) fail("indptr decreases at row " + std::to_string(r));
    for (std::int64_t p = indptr[r]; p < indptr[r + 1]; ++p) {
      if (indices[p] < 0 || indices[p] >= cols) fail("column out of range in row " + std::to_string(r));
      if (p > indptr[r] && indices[p] <= indices[p - 1]) fail("columns not ascending in row " + std::to_string(r));
    }
  }
}

}  // namespace textaudit::text
