#include "cli/pred_probs_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "io/npy.h"
#include "io/table.h"
#include "text/data_error.h"

namespace textaudit::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool parse_double(const std::string& cell, double& value) {
  const char* begin = cell.data();
  const char* end = cell.data() + cell.size();
  while (begin < end && *begin == ' ') ++begin;
  while (end > begin && end[-1] == ' ') --end;
  if (begin < end && *begin == '+') ++begin;
  const auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end && begin != end;
}

PredProbs read_pred_probs(const std::string& path, const std::vector<std::string>& class_names) {
  PredProbs out;
  if (ends_with(path, ".npy")) {
    out.matrix = io::read_npy_matrix(path);
    out.lines.assign(static_cast<std::size_t>(out.matrix.rows()), 0);
  } else {
    const io::Table table = io::read_table(path);
    std::size_t first = 0;
    if (!table.rows.empty()) {
      double v;
      const bool numeric = std::all_of(table.rows[0].begin(), table.rows[0].end(),
                                       [&](const std::string& c) { return parse_double(c, v); });
      // Integer class names ("1,2,3,4") look numeric: known names make the row a header.
      std::vector<std::string> names = table.rows[0], known = class_names;
      std::sort(names.begin(), names.end());
      std::sort(known.begin(), known.end());
      if (!numeric || (!known.empty() && names == known)) {
        out.header = table.rows[0];
        first = 1;
      }
    }
    if (table.rows.size() <= first) throw DataError(path, 0, "", "no probability rows (empty file)");
    const std::size_t k = table.rows[first].size();
    out.matrix.resize(static_cast<Eigen::Index>(table.rows.size() - first), static_cast<Eigen::Index>(k));
    if (!out.header.empty() && out.header.size() != k) {
      throw DataError(path, table.lines[0], "", fmt::format("header has {} columns but the first row has {}",
                                                            out.header.size(), k));
    }
    for (std::size_t r = first; r < table.rows.size(); ++r) {
      const auto& row = table.rows[r];
      if (row.size() != k) {
        throw DataError(path, table.lines[r], "", fmt::format("ragged row: {} columns, expected {}", row.size(), k));
      }
      for (std::size_t j = 0; j < k; ++j) {
        double v;
        if (!parse_double(row[j], v)) {
          throw DataError(path, table.lines[r], out.header.empty() ? std::to_string(j) : out.header[j],
                          "not a number: \"" + shorten(row[j]) + "\"");
        }
        out.matrix(static_cast<Eigen::Index>(r - first), static_cast<Eigen::Index>(j)) = v;
      }
      out.lines.push_back(table.lines[r]);
    }
  }
  if (out.matrix.rows() == 0) throw DataError(path, 0, "", "no probability rows (empty file)");
  if (out.matrix.cols() < 2) throw DataError(path, 0, "", "pred_probs needs one column per class (at least 2)");
  for (Eigen::Index i = 0; i < out.matrix.rows(); ++i) {
    const std::int64_t line = out.lines[static_cast<std::size_t>(i)];
    double sum = 0;
    for (Eigen::Index j = 0; j < out.matrix.cols(); ++j) {
      const double v = out.matrix(i, j);
      if (!std::isfinite(v) || v < 0.0 || v > 1.0) {
        throw DataError(path, line, out.header.empty() ? std::to_string(j) : out.header[j],
                        fmt::format("row {}: probability {} is not a finite value in [0, 1]", i, v));
      }
      sum += v;
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      throw DataError(path, line, "", fmt::format("row {}: probabilities sum to {}, not 1 (tolerance {})", i,
                                                  sum, kRowSumTolerance));
    }
  }
  return out;
}

DenseMatrix read_features(const std::string& path) {
  if (!ends_with(path, ".npy")) {
    throw DataError(path, 0, "", "features must be a NumPy .npy file (float32 or float64, n_rows x n_features)");
  }
  DenseMatrix features = io::read_npy_matrix(path);
  for (Eigen::Index i = 0; i < features.rows(); ++i) {
    for (Eigen::Index j = 0; j < features.cols(); ++j) {
      if (!std::isfinite(features(i, j))) {
        throw DataError(path, 0, std::to_string(j), fmt::format("row {}: {} is not a finite number", i, features(i, j)));
      }
    }
  }
  return features;
}

}  // namespace textaudit::cli
