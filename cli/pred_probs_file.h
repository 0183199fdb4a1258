// cli/pred_probs_file.h: reading a model's probabilities (n x K) from CSV/TSV (one column per
// class, optional header row naming the classes) or .npy, for `label-issues` and `audit --pred-probs`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "text/dense.h"

namespace textaudit::cli {

// Rows must sum to 1 within this and hold finite values in [0, 1].
inline constexpr double kRowSumTolerance = 1e-3;

struct PredProbs {
  DenseMatrix matrix;
  std::vector<std::string> header;     // empty when the file has none
  std::vector<std::int64_t> lines;     // 1-based line of each row (0 for .npy)
};

// By extension: ".npy" as NumPy, anything else as a CSV/TSV table whose first row is a header when
// it is not all numbers. Throws DataError naming the file, line and column for an empty file, ragged
// rows, a cell that is not a number, fewer than 2 columns, a value outside [0, 1] or not finite,
// and a row that does not sum to 1. A first row equal to `class_names` in some order is a header
// even when the names are numbers.
PredProbs read_pred_probs(const std::string& path, const std::vector<std::string>& class_names = {});

// A dense n x d matrix of features (.npy, float32 or float64, 2-D). Throws DataError naming the
// file for another extension or dtype, and for a value that is not finite.
DenseMatrix read_features(const std::string& path);

// Whether `cell` (spaces around allowed, leading '+') is a whole number in C locale.
bool parse_double(const std::string& cell, double& value);

}  // namespace textaudit::cli
