#include "audit/detail/inputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "text/data_error.h"

namespace textaudit::audit::detail {
namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

DenseMatrix checked_pred_probs(const ExternalInputs& inputs, const std::vector<std::string>& classes,
                               std::size_t n_rows) {
  const DenseMatrix& P = inputs.pred_probs;
  const std::string& src = inputs.pred_probs_source;
  const auto K = static_cast<Eigen::Index>(classes.size());
  if (static_cast<std::size_t>(P.rows()) != n_rows) {
    throw DataError(src, 0, "", "pred_probs has " + std::to_string(P.rows()) + " rows but the dataset has " +
                                std::to_string(n_rows));
  }
  std::vector<Eigen::Index> source_column(static_cast<std::size_t>(K));
  auto class_list = [&] {
    std::string s;
    for (const auto& c : classes) s += (s.empty() ? "" : ", ") + c;
    return s;
  };
  if (inputs.pred_probs_classes.empty()) {
    if (P.cols() != K) {
      throw DataError(src, 0, "", "pred_probs has " + std::to_string(P.cols()) + " columns but the labels have " +
                                  std::to_string(K) + " classes (" + class_list() +
                                  "); name the columns (a header row) or give one column per class, in that order");
    }
    for (Eigen::Index k = 0; k < K; ++k) source_column[static_cast<std::size_t>(k)] = k;
  } else {
    const auto& names = inputs.pred_probs_classes;
    if (static_cast<Eigen::Index>(names.size()) != P.cols()) {
      throw DataError(src, 0, "",  std::to_string(names.size()) + " class names for " +
                                  std::to_string(P.cols()) + " pred_probs columns");
    }
    std::map<std::string, Eigen::Index> column_of;
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (!column_of.emplace(names[j], static_cast<Eigen::Index>(j)).second) {
        throw DataError(src, 0, "", "class '" + names[j] + "' names two pred_probs columns");
      }
    }
    for (Eigen::Index k = 0; k < K; ++k) {
      const auto it = column_of.find(classes[static_cast<std::size_t>(k)]);
      if (it == column_of.end()) {
        throw DataError(src, 0, "", "no pred_probs column for the label '" + classes[static_cast<std::size_t>(k)] +
                                    "' (the labels have classes " + class_list() + ")");
      }
      source_column[static_cast<std::size_t>(k)] = it->second;
      column_of.erase(it);
    }
    if (!column_of.empty()) {
      throw DataError(src, 0, "", "pred_probs column '" + column_of.begin()->first +
                                  "' is not the label of any row (the labels have classes " + class_list() + ")");
    }
  }
  DenseMatrix out(P.rows(), K);
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    double sum = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
      const double v = P(i, source_column[static_cast<std::size_t>(k)]);
      if (!std::isfinite(v) || v < 0.0 || v > 1.0) {
        throw DataError(src, 0, "", "pred_probs row " + std::to_string(i) + ", class '" +
                                    classes[static_cast<std::size_t>(k)] + "': " + fmt(v) +
                                    " is not a finite probability in [0, 1]");
      }
      out(i, k) = v;
      sum += v;
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      throw DataError(src, 0, "", "pred_probs row " + std::to_string(i) + " sums to " + fmt(sum) +
                                  ", not 1 (tolerance " + fmt(kRowSumTolerance) + ")");
    }
  }
  return out;
}

void check_features(const ExternalInputs& inputs, std::size_t n_rows) {
  const DenseMatrix& F = inputs.features;
  const std::string& src = inputs.features_source;
  if (static_cast<std::size_t>(F.rows()) != n_rows) {
    throw DataError(src, 0, "", "features has " + std::to_string(F.rows()) + " rows but the dataset has " +
                                std::to_string(n_rows));
  }
  if (F.cols() < 1) throw DataError(src, 0, "", "features has no columns");
  for (Eigen::Index i = 0; i < F.rows(); ++i) {
    for (Eigen::Index j = 0; j < F.cols(); ++j) {
      if (!std::isfinite(F(i, j))) {
        throw DataError(src, 0, "", "features row " + std::to_string(i) + ", column " + std::to_string(j) + ": " +
                                    fmt(F(i, j)) + " is not finite");
      }
    }
  }
}

void record_inputs(const ExternalInputs& inputs, bool detect_triggers, AuditResult& result) {
  auto add = [&](std::string name, std::string value) { result.parameters.emplace_back(std::move(name), std::move(value)); };
  const bool own_probs = inputs.pred_probs.size() > 0;
  add("pred_probs", own_probs ? "user: " + inputs.pred_probs_source
                              : std::string("built-in cross-validation (TF-IDF + logistic regression)"));
  add("features", inputs.features.size() > 0
                      ? "user: " + inputs.features_source + " (" + std::to_string(inputs.features.rows()) + " x " +
                            std::to_string(inputs.features.cols()) + "), near-duplicates and outliers by Datalab's dense checks"
                      : std::string("TF-IDF"));
  if (own_probs && detect_triggers) {
    add("trigger_reading", "TF-IDF: one built-in model fitted on all rows, read with the candidate terms removed "
                           "(in-sample), and each row's most similar row");
  }
}

cleaning::NearDuplicateResult dense_near_duplicates(const DenseMatrix& features, cleaning::NearDuplicateParams params) {
  const auto n = static_cast<std::int64_t>(features.rows());
  if (n < 2) {
    cleaning::NearDuplicateResult r;
    r.is_near_duplicate.assign(static_cast<std::size_t>(n), false);
    r.score.assign(static_cast<std::size_t>(n), 1.0);
    r.set_id.assign(static_cast<std::size_t>(n), -1);
    return r;
  }
  params.k = static_cast<int>(std::min<std::int64_t>(params.k, n - 1));
  return cleaning::find_near_duplicates(features, params);
}

}  // namespace textaudit::audit::detail
