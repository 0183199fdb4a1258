// cleaning/numpy_sort.h: NumPy 1.24's default argsort (kind='quicksort', an unstable introsort) and
// pairwise summation, ported so that cleanlab's selections, rankings and sums come out identical.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace textaudit::cleaning {

// np.argsort(values) as NumPy 1.24 computes it (`aquicksort_` in numpy/core/src/npysort/quicksort.cpp):
// introsort with median-of-three pivots, insertion sort for partitions of at most 16 elements and a
// heapsort fallback once the depth budget 2*floor(log2(n)) runs out. Not stable: the order of equal
// keys is NumPy's, which decides cleanlab's ties. NaNs sort last. O(n log n).
std::vector<std::int64_t> numpy_argsort(std::span<const double> values);

// In-place variant: sorts the row indices `order` (a permutation of 0..n-1 on entry, usually iota)
// by values[order[i]], exactly as numpy_argsort does for that starting permutation.
void numpy_argsort_inplace(std::span<const double> values, std::span<std::int64_t> order);

// The set np.argsort(values)[:m], ascending by index, without sorting when possible: a linear-time
// selection gives the m smallest values; only when equal keys straddle position m (so NumPy's tie
// order matters) does it fall back to numpy_argsort. m <= 0 gives {}, m >= n every index.
std::vector<std::int64_t> numpy_argsort_head_set(std::span<const double> values, std::int64_t m);

// np.sum of a 1-D float64 array: NumPy's pairwise summation (8-way unrolled blocks of <= 128,
// recursive halving above). `stride` is in elements.
double numpy_pairwise_sum(const double* values, std::int64_t n, std::int64_t stride = 1);

}  // namespace textaudit::cleaning
