// Loads tests/reference/cleanlab_features/*.json cases (see tests/reference/README.md, section 2).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "text/dense.h"

namespace textaudit::testing {

inline const std::vector<std::string>& feature_case_names() {
  static const std::vector<std::string> names = {"feat_n50_d5",   "feat_n80_d3",    "feat_n300_d16",
                                                 "feat_n500_d2",  "feat_n1000_d32", "feat_n3000_d64"};
  return names;
}

inline DenseMatrix json_matrix(const nlohmann::json& rows) {
  DenseMatrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.at(0).size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c) m(r, c) = rows[r][c].get<double>();
  return m;
}

}  // namespace textaudit::testing
