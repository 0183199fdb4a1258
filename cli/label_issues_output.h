// cli/label_issues_output.h: the output of `textaudit label-issues` (CSV or JSON), shared with
// `textaudit crossval --issues`, which runs confident learning on its own out-of-fold probabilities.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cleaning/label_issues.h"
#include "text/dense.h"

namespace textaudit::cli {

struct LabelIssuesOutput {
  std::string text;            // the file's contents
  std::size_t num_issues = 0;  // rows flagged
  std::string rank_by;         // the label quality method's name
};

// Confident learning on (y, P) and its output: CSV with the header
// row,given_label,predicted_label,label_quality,is_label_issue, or JSON ("classes", "class_mapping",
// "filter_by", "rank_by", "num_rows", "num_label_issues", "rows"). all: every row in input order;
// otherwise the flagged rows in rank order. Throws std::invalid_argument for data confident
// learning cannot use (the caller names the file).
LabelIssuesOutput label_issues_output(const std::vector<int>& y, const DenseMatrix& P,
                                      const std::vector<std::string>& classes, const std::string& class_mapping,
                                      const cleaning::FindLabelIssuesParams& params, bool all,
                                      const std::string& format);

}  // namespace textaudit::cli
