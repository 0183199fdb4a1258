// audit/detail/ambiguity.h: how a row's probability mass splits between classes, shared by the
// full audit and the incremental audit.
#pragma once

#include <Eigen/Core>

#include "text/dense.h"

namespace textaudit::audit::detail {

struct RowAmbiguity {
  int top1 = 0;             // most likely class
  int top2 = -1;            // second most likely class (-1 with a single class)
  double margin = 1.0;      // P(top1) - P(top2); 1 with a single class
  double entropy = 0.0;     // normalised entropy in [0, 1]
};

// Ties keep the lower class index first.
RowAmbiguity row_ambiguity(const DenseMatrix& P, Eigen::Index row);

}  // namespace textaudit::audit::detail
