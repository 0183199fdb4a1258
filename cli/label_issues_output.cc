#include "cli/label_issues_output.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/csv_field.h"

namespace textaudit::cli {
LabelIssuesOutput label_issues_output(const std::vector<int>& y, const DenseMatrix& P,
                                      const std::vector<std::string>& classes, const std::string& class_mapping,
                                      const cleaning::FindLabelIssuesParams& params, bool all,
                                      const std::string& format) {
  const cleaning::LabelQualityMethod rank_by =
      params.return_indices_ranked_by.value_or(cleaning::LabelQualityMethod::kSelfConfidence);
  const std::vector<bool> mask = cleaning::find_label_issues_mask(y, P, params);
  const std::vector<double> quality = cleaning::get_label_quality_scores(y, P, rank_by);
  const std::vector<std::size_t> ranked = cleaning::order_label_issues(mask, y, P, rank_by);
  std::vector<int> predicted(y.size());
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    Eigen::Index best;
    P.row(i).maxCoeff(&best);  // first maximum, as np.argmax
    predicted[static_cast<std::size_t>(i)] = static_cast<int>(best);
  }
  std::vector<std::size_t> rows;
  if (all) {
    for (std::size_t i = 0; i < y.size(); ++i) rows.push_back(i);
  } else {
    rows = ranked;
  }

  LabelIssuesOutput out;
  out.num_issues = ranked.size();
  out.rank_by = std::string(cleaning::label_quality_method_name(rank_by));
  if (format == "json") {
    nlohmann::json doc;
    doc["classes"] = classes;
    doc["class_mapping"] = class_mapping;
    doc["filter_by"] = std::string(cleaning::filter_by_name(params.filter_by));
    doc["rank_by"] = out.rank_by;
    doc["num_rows"] = y.size();
    doc["num_label_issues"] = ranked.size();
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i : rows)
      list.push_back({{"row", i}, {"given_label", classes[y[i]]}, {"predicted_label", classes[predicted[i]]},
                      {"label_quality", quality[i]}, {"is_label_issue", static_cast<bool>(mask[i])}});
    doc["rows"] = std::move(list);
    out.text = doc.dump(1) + "\n";
  } else {
    out.text = "row,given_label,predicted_label,label_quality,is_label_issue\n";
    for (std::size_t i : rows)
      out.text += fmt::format("{},{},{},{},{}\n", i, csv_field(classes[y[i]]), csv_field(classes[predicted[i]]),
                              quality[i], mask[i] ? "true" : "false");
  }
  return out;
}

}  // namespace textaudit::cli
