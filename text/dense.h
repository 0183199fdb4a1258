// text/dense.h: DenseMatrix, the row-major double matrix used for pred_probs (n_samples x K),
// confident joints (K x K) and dense feature matrices.
#pragma once

#include <Eigen/Core>

namespace textaudit {

using DenseMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace textaudit
