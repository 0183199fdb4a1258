// io/npy.h: NumPy .npy files (format versions 1.0, 2.0 and 3.0), the format cleanlab users keep
// pred_probs and labels in. Little-endian, C order; float32/float64 matrices, integer vectors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "text/dense.h"

namespace textaudit::io {

struct NpyHeader {
  std::string descr;                 // e.g. "<f8", "<i8", "|u1"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;   // () for a scalar
  std::uint64_t data_offset = 0;     // bytes before the array data
};

// Parses the header of `bytes` (a whole .npy file). Throws DataError naming `path` for bad magic,
// an unsupported version or a malformed header dict.
NpyHeader parse_npy_header(const std::string& bytes, const std::string& path);

// A 2-D float32/float64 array (n_rows x n_cols) as doubles; a 1-D float array reads as one column.
// Throws DataError naming the file for a wrong dtype (ints, big-endian, ...), fortran_order=True,
// another number of dimensions, a truncated body, bad magic; std::runtime_error if unreadable.
DenseMatrix read_npy_matrix(const std::string& path);

// A 1-D integer array (int8..int64, uint8..uint64; also an (n, 1) column), e.g. class labels.
// Same errors as read_npy_matrix; float arrays are rejected (labels must be integers).
std::vector<std::int64_t> read_npy_int_vector(const std::string& path);

// Writes `matrix` as a version 1.0 '<f8' C-order 2-D array, atomically.
void write_npy(const std::string& path, const DenseMatrix& matrix);
// Writes `values` as a version 1.0 '<i8' 1-D array, atomically.
void write_npy(const std::string& path, const std::vector<std::int64_t>& values);

}  // namespace textaudit::io
