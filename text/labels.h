// text/labels.h: class names <-> 0-based class indices, ordered as scikit-learn's LabelEncoder.
#pragma once

#include <string>
#include <vector>

namespace textaudit::text {

struct EncodedLabels {
  std::vector<std::string> classes;  // sorted: numerically when every label is an integer, else bytewise
  std::vector<int> y;                // y[i] = index of labels[i] in classes
};

// Encodes string labels. Throws std::invalid_argument when `labels` is empty.
EncodedLabels encode_labels(const std::vector<std::string>& labels);

}  // namespace textaudit::text
