// The NumPy 1.24 argsort port: a correct sort (checked against a brute-force ordering test), NumPy's
// exact order on ties (golden outputs of np.argsort, numpy 1.24.2), and the head-set shortcut.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "cleaning/numpy_sort.h"

using textaudit::cleaning::numpy_argsort;
using textaudit::cleaning::numpy_argsort_head_set;
using textaudit::cleaning::numpy_pairwise_sum;

namespace {

std::vector<double> random_keys(std::mt19937_64& rng, std::size_t n, int distinct) {
  std::uniform_int_distribution<int> pick(0, distinct - 1);
  std::vector<double> v(n);
  for (double& x : v) x = pick(rng) * 0.25;
  return v;
}

}  // namespace

TEST_CASE("numpy_argsort returns a permutation that orders the keys", "[cleaning]") {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 500; ++trial) {
    const std::size_t n = trial < 100 ? static_cast<std::size_t>(trial) : rng() % 3000;
    const std::vector<double> v = random_keys(rng, n, 1 + static_cast<int>(rng() % 50));
    const std::vector<std::int64_t> order = numpy_argsort(v);
    std::vector<std::int64_t> sorted_idx = order;
    std::sort(sorted_idx.begin(), sorted_idx.end());
    for (std::size_t i = 0; i < n; ++i) REQUIRE(sorted_idx[i] == static_cast<std::int64_t>(i));
    for (std::size_t i = 1; i < n; ++i) REQUIRE(v[order[i - 1]] <= v[order[i]]);  // brute force
  }
}

TEST_CASE("numpy_argsort is stable up to 16 elements (insertion sort) like NumPy", "[cleaning]") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const std::vector<double> v = random_keys(rng, rng() % 17, 3);
    std::vector<std::int64_t> stable(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) stable[i] = static_cast<std::int64_t>(i);
    std::stable_sort(stable.begin(), stable.end(), [&](auto a, auto b) { return v[a] < v[b]; });
    CHECK(numpy_argsort(v) == stable);
  }
}

TEST_CASE("numpy_argsort reproduces np.argsort's order of ties above 16 elements", "[cleaning]") {
  // Outputs of np.argsort on numpy 1.24.2 (introsort partitions reorder equal keys).
  const std::vector<double> a = {0, 4, 4, 4, 1, 0, 2, 4, 1, 4, 1, 4, 1, 2, 1, 1, 4};
  CHECK(numpy_argsort(a) ==
        std::vector<std::int64_t>{0, 5, 14, 12, 10, 15, 8, 4, 13, 6, 7, 9, 3, 11, 2, 1, 16});
  std::vector<double> b;
  for (int i = 0; i < 40; ++i) b.push_back(i % 3 == 0 ? 3 : i % 3);
  CHECK(numpy_argsort(b) ==
        std::vector<std::int64_t>{19, 25, 22, 31, 16, 13, 34, 10, 28, 7, 1, 37, 4, 35,
                                  26, 23, 2, 20, 38, 32, 17, 29, 5, 11, 8, 14, 33, 30,
                                  36, 0, 24, 21, 18, 15, 12, 9, 6, 3, 27, 39});
  // NaN sorts last.
  const std::vector<double> c = {2, std::numeric_limits<double>::quiet_NaN(), 1};
  CHECK(numpy_argsort(c) == std::vector<std::int64_t>{2, 0, 1});
}

TEST_CASE("numpy_argsort_head_set equals the first m of numpy_argsort as a set", "[cleaning]") {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 300; ++trial) {
    // Every tenth input is large enough for the sampled-cutoff fast path (n > 8192).
    const std::size_t n = trial % 10 == 0 ? 8193 + rng() % 20000 : 1 + rng() % 400;
    const int distinct = 1 + static_cast<int>(rng() % (trial % 2 ? 200 : 100000));
    const std::vector<double> v = random_keys(rng, n, distinct);
    const auto m = static_cast<std::int64_t>(rng() % (v.size() + 2)) - 1;
    std::vector<std::int64_t> want = numpy_argsort(v);
    want.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(m, 0, static_cast<std::int64_t>(v.size()))));
    std::sort(want.begin(), want.end());
    CHECK(numpy_argsort_head_set(v, m) == want);
  }
}

TEST_CASE("numpy_pairwise_sum follows NumPy's blocking", "[cleaning]") {
  std::vector<double> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / static_cast<double>(i + 1);
  double sequential = 0;
  for (double x : v) sequential += x;
  const double pairwise = numpy_pairwise_sum(v.data(), static_cast<std::int64_t>(v.size()));
  CHECK(pairwise == Approx(sequential).epsilon(1e-14));
  CHECK(pairwise == 7.485470860550345);  // np.sum(1 / np.arange(1, 1001)) on numpy 1.24.2
  CHECK(numpy_pairwise_sum(v.data(), 5) == (((v[0] + v[1]) + v[2]) + v[3]) + v[4]);
}
