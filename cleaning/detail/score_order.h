// cleaning/detail/score_order.h: numpy_argsort of label quality scores, by radix sort when no two
// scores are equal (the sorted order is then unique, so it is NumPy's), else by numpy_argsort.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "cleaning/numpy_sort.h"

namespace textaudit::cleaning::detail {

// The same permutation as numpy_argsort(scores). O(n) when the scores are distinct and not NaN
// (LSD radix sort, 11-bit digits, digits that all keys share skipped); equal scores (-0.0 == 0.0
// included) or a NaN leave the order to numpy_argsort, which decides ties as NumPy does.
inline std::vector<std::int64_t> argsort_scores(std::span<const double> scores) {
  const std::size_t n = scores.size();
  struct Item {
    std::uint64_t key;  // order-preserving image of the double
    std::int64_t index;
  };
  std::vector<Item> items(n), other(n);
  constexpr int kBits = 11, kDigits = (64 + kBits - 1) / kBits;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<std::array<std::size_t, kBuckets>> histogram(kDigits);
  for (auto& h : histogram) h.fill(0);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = scores[i];
    if (std::isnan(x)) return numpy_argsort(scores);
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const std::uint64_t key = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
    items[i] = {key, static_cast<std::int64_t>(i)};
    for (int d = 0; d < kDigits; ++d) ++histogram[d][(key >> (d * kBits)) & (kBuckets - 1)];
  }
  for (int d = 0; d < kDigits; ++d) {
    auto& h = histogram[d];
    if (h[(items.empty() ? 0 : items[0].key >> (d * kBits)) & (kBuckets - 1)] == n) continue;
    std::size_t total = 0;
    for (auto& count : h) {
      const std::size_t here = count;
      count = total;
      total += here;
    }
    for (const Item& item : items) other[h[(item.key >> (d * kBits)) & (kBuckets - 1)]++] = item;
    items.swap(other);
  }
  std::vector<std::int64_t> order(n);
  for (std::size_t r = 0; r < n; ++r) {
    order[r] = items[r].index;
    if (r > 0 && scores[static_cast<std::size_t>(order[r])] == scores[static_cast<std::size_t>(order[r - 1])])
      return numpy_argsort(scores);
  }
  return order;
}

}  // namespace textaudit::cleaning::detail
