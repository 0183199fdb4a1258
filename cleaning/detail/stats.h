// cleaning/detail/stats.h: numpy's median and percentile (linear interpolation), for parity.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace textaudit::cleaning::detail {

// np.percentile(values, q) with the default 'linear' method, including numpy's _lerp, which
// interpolates from the upper end when the fraction is >= 0.5. Requires non-empty values.
// Selects the two order statistics it needs instead of sorting (the same values).
inline double percentile(std::vector<double> values, double q) {
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double t = pos - static_cast<double>(lo);
  const auto lo_it = values.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(values.begin(), lo_it, values.end());
  const double a = *lo_it;
  const double b = hi == lo ? a : *std::min_element(lo_it + 1, values.end());
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// np.median: the middle value, or the mean of the two middle values.
inline double median(std::vector<double> values) {
  const std::size_t n = values.size(), mid = n / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = values[mid];
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return (lower + upper) / 2.0;
}

}  // namespace textaudit::cleaning::detail
