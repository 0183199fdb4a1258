// audit/result.cc: the ranking helper of AuditResult.
#include "audit/result.h"

#include <algorithm>

namespace textaudit::audit {

std::vector<std::size_t> AuditResult::ranked_flagged_rows() const {
  std::vector<std::size_t> rows;
  for (std::size_t row = 0; row < n_rows; ++row) {
    if (is_flagged(row)) rows.push_back(row);
  }
  // NaN scores rank last (a NaN compares false both ways and would break the strict weak order).
  const auto key = [this](std::size_t row) {
    const double s = row < issue_score.size() ? issue_score[row] : 0.0;
    return s == s ? s : -1.0;
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
  return rows;
}

}  // namespace textaudit::audit
