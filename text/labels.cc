#include "text/labels.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>

namespace textaudit::text {
namespace {

bool parse_integer(const std::string& s, std::int64_t& value) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), value);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

EncodedLabels encode_labels(const std::vector<std::string>& labels) {
  if (labels.empty()) throw std::invalid_argument("encode_labels: no labels");
  std::unordered_map<std::string, int> ids;
  std::vector<std::string> classes;
  for (const auto& label : labels) {
    if (ids.emplace(label, 0).second) classes.push_back(label);
  }
  // Integer labels sort as numbers (as scikit-learn sorts an int column: 2 < 10), else bytewise
  // (Python's str order on UTF-8 is code point order, which equals byte order).
  std::vector<std::int64_t> numbers(classes.size());
  bool numeric = true;
  for (std::size_t i = 0; i < classes.size() && numeric; ++i) numeric = parse_integer(classes[i], numbers[i]);
  std::vector<std::size_t> order(classes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (numeric) {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return numbers[a] != numbers[b] ? numbers[a] < numbers[b] : classes[a] < classes[b];
    });
  } else {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return classes[a] < classes[b]; });
  }
  EncodedLabels out;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    out.classes.push_back(classes[order[rank]]);
    ids[classes[order[rank]]] = static_cast<int>(rank);
  }
  out.y.reserve(labels.size());
  for (const auto& label : labels) out.y.push_back(ids[label]);
  return out;
}

}  // namespace textaudit::text
