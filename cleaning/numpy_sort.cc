// Ports of NumPy 1.24 routines whose exact behaviour cleanlab's outputs depend on.
// Source: numpy/core/src/npysort/quicksort.cpp (aquicksort_), heapsort.cpp (aheapsort_),
// numpy/core/src/umath/loops_utils.h.src (pairwise_sum). Kept line for line close to the C so that
// a reader can diff them; do not "improve" the pivot or tie handling.
#include "cleaning/numpy_sort.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace textaudit::cleaning {
namespace {

constexpr std::int64_t kSmallQuicksort = 15;  // SMALL_QUICKSORT (partitions of <= 16 use insertion sort)
constexpr int kStackSize = 128;               // PYA_QS_STACK (NPY_BITSOF_INTP * 2)

// npy::double_tag::less: NaNs compare greater than everything, so they sort to the end.
inline bool less(double a, double b) { return a < b || (b != b && a == a); }

int get_msb(std::uint64_t unum) {
  int depth_limit = 0;
  while (unum >>= 1) depth_limit++;
  return depth_limit;
}

// aheapsort_: heapsort of the indices tosort[0..n) by v.
void aheapsort(const double* v, std::int64_t* tosort, std::int64_t n) {
  std::int64_t* a = tosort - 1;  // 1-based heap indexing, as in NumPy
  std::int64_t i, j, l, tmp;
  for (l = n >> 1; l > 0; --l) {
    tmp = a[l];
    for (i = l, j = l << 1; j <= n;) {
      if (j < n && less(v[a[j]], v[a[j + 1]])) j += 1;
      if (less(v[tmp], v[a[j]])) {
        a[i] = a[j];
        i = j;
        j += j;
      } else {
        break;
      }
    }
    a[i] = tmp;
  }
  for (; n > 1;) {
    tmp = a[n];
    a[n] = a[1];
    n -= 1;
    for (i = 1, j = 2; j <= n;) {
      if (j < n && less(v[a[j]], v[a[j + 1]])) j++;
      if (less(v[tmp], v[a[j]])) {
        a[i] = a[j];
        i = j;
        j += j;
      } else {
        break;
      }
    }
    a[i] = tmp;
  }
}

// aquicksort_: introsort of the indices tosort[0..num) by v.
void aquicksort(const double* v, std::int64_t* tosort, std::int64_t num) {
  if (num <= 1) return;
  double vp;
  std::int64_t* pl = tosort;
  std::int64_t* pr = tosort + num - 1;
  std::int64_t* stack[kStackSize];
  std::int64_t** sptr = stack;
  std::int64_t *pm, *pi, *pj, *pk, vi;
  int depth[kStackSize];
  int* psdepth = depth;
  int cdepth = get_msb(static_cast<std::uint64_t>(num)) * 2;

  for (;;) {
    if (cdepth < 0) {
      aheapsort(v, pl, pr - pl + 1);
      goto stack_pop;
    }
    while ((pr - pl) > kSmallQuicksort) {
      pm = pl + ((pr - pl) >> 1);
      if (less(v[*pm], v[*pl])) std::swap(*pm, *pl);
      if (less(v[*pr], v[*pm])) std::swap(*pr, *pm);
      if (less(v[*pm], v[*pl])) std::swap(*pm, *pl);
      vp = v[*pm];
      pi = pl;
      pj = pr - 1;
      std::swap(*pm, *pj);
      for (;;) {
        do {
          ++pi;
        } while (less(v[*pi], vp));
        do {
          --pj;
        } while (less(vp, v[*pj]));
        if (pi >= pj) break;
        std::swap(*pi, *pj);
      }
      pk = pr - 1;
      std::swap(*pi, *pk);
      // Push the larger partition, continue with the smaller one.
      if (pi - pl < pr - pi) {
        *sptr++ = pi + 1;
        *sptr++ = pr;
        pr = pi - 1;
      } else {
        *sptr++ = pl;
        *sptr++ = pi - 1;
        pl = pi + 1;
      }
      *psdepth++ = --cdepth;
    }
    // Insertion sort (stable) of the small partition.
    for (pi = pl + 1; pi <= pr; ++pi) {
      vi = *pi;
      vp = v[vi];
      pj = pi;
      pk = pi - 1;
      while (pj > pl && less(vp, v[*pk])) *pj-- = *pk--;
      *pj = vi;
    }
  stack_pop:
    if (sptr == stack) break;
    pr = *(--sptr);
    pl = *(--sptr);
    cdepth = *(--psdepth);
  }
}

}  // namespace

void numpy_argsort_inplace(std::span<const double> values, std::span<std::int64_t> order) {
  aquicksort(values.data(), order.data(), static_cast<std::int64_t>(order.size()));
}

std::vector<std::int64_t> numpy_argsort(std::span<const double> values) {
  std::vector<std::int64_t> order(values.size());
  std::iota(order.begin(), order.end(), std::int64_t{0});
  aquicksort(values.data(), order.data(), static_cast<std::int64_t>(order.size()));
  return order;
}

std::vector<std::int64_t> numpy_argsort_head_set(std::span<const double> values, std::int64_t m) {
  const auto n = static_cast<std::int64_t>(values.size());
  std::vector<std::int64_t> out;
  if (m <= 0 || n == 0) return out;
  if (m >= n) {
    out.resize(n);
    std::iota(out.begin(), out.end(), std::int64_t{0});
    return out;
  }
  // The first m of any correct sort are the m smallest keys; the set is independent of the sort
  // algorithm unless the m-th and (m+1)-th smallest keys are equal (or unordered).
  const auto by_key = [](double x, double y) { return less(x, y); };  // inlined, unlike &less
  // Fast path for large inputs: a cutoff q taken from a strided sample; when at least m keys are
  // <= q, the m smallest keys (and the (m+1)-th, if also <= q) are all among those candidates, so
  // the selection only needs them. Exactness does not depend on the sample, only speed does.
  if (n > 8192 && m < n / 2) {
    constexpr std::int64_t kSample = 1024;
    std::vector<double> sample(kSample);
    for (std::int64_t s = 0; s < kSample; ++s) sample[s] = values[s * (n / kSample)];
    const std::int64_t rank = std::min<std::int64_t>(kSample - 1, (m * kSample / n) * 3 / 2 + 16);
    std::nth_element(sample.begin(), sample.begin() + rank, sample.end(), by_key);
    const double q = sample[rank];
    std::vector<std::int64_t> candidates;
    candidates.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n, 2 * m + 64)));
    for (std::int64_t i = 0; i < n; ++i)
      if (values[i] <= q) candidates.push_back(i);
    const auto c = static_cast<std::int64_t>(candidates.size());
    if (c == m) return candidates;  // a <= q < b: the set is unique
    if (c > m) {
      std::vector<double> keys(static_cast<std::size_t>(c));
      for (std::int64_t i = 0; i < c; ++i) keys[i] = values[candidates[i]];
      std::nth_element(keys.begin(), keys.begin() + (m - 1), keys.end(), by_key);
      const double a = keys[m - 1];
      const double b = *std::min_element(keys.begin() + m, keys.end(), by_key);
      if (a < b) {
        for (std::int64_t i : candidates)
          if (values[i] <= a) out.push_back(i);
        if (static_cast<std::int64_t>(out.size()) == m) return out;
        out.clear();
      }
      std::vector<std::int64_t> order = numpy_argsort(values);  // tie across the cut
      order.resize(m);
      std::sort(order.begin(), order.end());
      return order;
    }
  }
  std::vector<double> tmp(values.begin(), values.end());
  std::nth_element(tmp.begin(), tmp.begin() + (m - 1), tmp.end(), by_key);
  const double a = tmp[m - 1];
  const double b = *std::min_element(tmp.begin() + m, tmp.end(), by_key);
  if (a < b) {
    out.reserve(m);
    for (std::int64_t i = 0; i < n; ++i)
      if (values[i] <= a) out.push_back(i);
    if (static_cast<std::int64_t>(out.size()) == m) return out;
    out.clear();  // defensive: fall through to the exact sort
  }
  std::vector<std::int64_t> order = numpy_argsort(values);
  order.resize(m);
  std::sort(order.begin(), order.end());
  return order;
}

double numpy_pairwise_sum(const double* a, std::int64_t n, std::int64_t stride) {
  if (n < 8) {
    double res = 0.;
    for (std::int64_t i = 0; i < n; i++) res += a[i * stride];
    return res;
  } else if (n <= 128) {  // PW_BLOCKSIZE
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j * stride];
    std::int64_t i;
    for (i = 8; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[i * stride];
    return res;
  } else {
    std::int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return numpy_pairwise_sum(a, n2, stride) + numpy_pairwise_sum(a + n2 * stride, n - n2, stride);
  }
}

}  // namespace textaudit::cleaning
