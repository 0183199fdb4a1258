// text/sparse.h: CsrMatrix, the compressed-sparse-row matrix every stage of textaudit passes on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace textaudit::text {

// rows x cols, float32 values (the pipeline's storage type; accumulate in double where it matters).
// Invariants: indptr.size() == rows + 1, indptr[0] == 0, indptr non-decreasing, indptr[rows] ==
// indices.size() == data.size(); within a row, column indices are ascending and unique.
struct CsrMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<float> data;

  std::int64_t nnz() const { return static_cast<std::int64_t>(indices.size()); }
  std::int64_t row_nnz(std::int64_t r) const { return indptr[r + 1] - indptr[r]; }
  std::span<const std::int32_t> row_indices(std::int64_t r) const {
    return {indices.data() + indptr[r], static_cast<std::size_t>(row_nnz(r))};
  }
  std::span<const float> row_values(std::int64_t r) const {
    return {data.data() + indptr[r], static_cast<std::size_t>(row_nnz(r))};
  }

  // A new matrix holding the given rows, in the given order (indices may repeat).
  CsrMatrix select_rows(std::span<const std::size_t> row_ids) const;
  // A copy without the given columns (their values removed, shape unchanged). With
  // `renormalize_l2`, each row that lost a value is rescaled to unit L2 norm again — the row as the
  // vectorizer would have produced it had those terms been absent (idf unchanged).
  CsrMatrix without_columns(std::span<const std::int32_t> columns, bool renormalize_l2) const;
  // Throws std::logic_error naming the first broken invariant; for tests and loaders.
  void check_invariants() const;
};

}  // namespace textaudit::text
