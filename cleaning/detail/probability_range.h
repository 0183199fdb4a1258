// cleaning/detail/probability_range.h: the range checks of cleanlab's check_inputs (labels within
// the columns of pred_probs; every pred_probs value within [-1e-6, 1 + 1e-6],
// FLOATING_POINT_COMPARISON, two doubles per SSE2 compare), with cleanlab's messages. Shared by the
// confident joint and the fused prune filters.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace textaudit::cleaning::detail {

// Throws as cleanlab when the smallest label is negative or the largest has no column (k columns).
inline void check_label_range(int lowest, int highest, std::int64_t k) {
  if (lowest < 0) {
    throw std::invalid_argument("Labels must be positive integers corresponding to class indices.");
  }
  if (highest >= k) {
    throw std::invalid_argument("pred_probs must have at least " + std::to_string(highest + 1) +
                                " columns, based on the largest class index which appears in "
                                "labels.");
  }
}

inline constexpr double kLowestProbability = 0.0 - 1e-6;
inline constexpr double kHighestProbability = 1.0 + 1e-6;

inline bool probability_in_range(double v) { return v >= kLowestProbability && v <= kHighestProbability; }

// True when every value of p[0, n) is in range (NaN is not).
inline bool all_probabilities_in_range(const double* p, std::int64_t n) {
  std::int64_t i = 0;
#if defined(__SSE2__)
  const __m128d low = _mm_set1_pd(kLowestProbability), high = _mm_set1_pd(kHighestProbability);
  __m128d ok = _mm_castsi128_pd(_mm_set1_epi32(-1));
  for (; i + 2 <= n; i += 2) {
    const __m128d v = _mm_loadu_pd(p + i);
    ok = _mm_and_pd(ok, _mm_and_pd(_mm_cmpge_pd(v, low), _mm_cmple_pd(v, high)));
  }
  if (_mm_movemask_pd(ok) != 3) return false;
#endif
  bool all = true;
  for (; i < n; ++i) all &= probability_in_range(p[i]);
  return all;
}

}  // namespace textaudit::cleaning::detail
