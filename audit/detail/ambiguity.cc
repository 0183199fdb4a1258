#include "audit/detail/ambiguity.h"

#include <cmath>

namespace textaudit::audit::detail {

RowAmbiguity row_ambiguity(const DenseMatrix& P, Eigen::Index row) {
  const auto K = static_cast<int>(P.cols());
  RowAmbiguity a;
  double entropy = 0.0;
  for (int k = 0; k < K; ++k) {
    const double p = P(row, k);
    if (p > 0) entropy -= p * std::log(p);
    if (p > P(row, a.top1)) {
      a.top2 = a.top1;
      a.top1 = k;
    } else if (k != a.top1 && (a.top2 < 0 || p > P(row, a.top2))) {
      a.top2 = k;
    }
  }
  const double log_k = std::log(double(K));
  a.entropy = log_k > 0 ? entropy / log_k : 0.0;
  a.margin = a.top2 >= 0 ? P(row, a.top1) - P(row, a.top2) : 1.0;
  return a;
}

}  // namespace textaudit::audit::detail
