// Tests for cleaning/knn.h and cleaning/near_duplicates.h: Datalab parity on dense features
// (tests/reference/cleanlab_features) and the sparse TF-IDF join against brute force.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "cleaning/knn.h"
#include "cleaning/near_duplicates.h"
#include "feature_reference.h"
#include "test_util.h"

namespace cl = textaudit::cleaning;
using textaudit::DenseMatrix;
using textaudit::text::CsrMatrix;

namespace {

// The indices of expected row i at positions [j, end) where the distance ties with position j
// (within 1e-12), and whether that run reaches the end of the list.
std::pair<std::multiset<std::int64_t>, bool> tie_run(const nlohmann::json& ind, const nlohmann::json& dist,
                                                     std::size_t i, int j, int* end_out) {
  const int k = static_cast<int>(ind[i].size());
  int end = j + 1;
  while (end < k && std::abs(dist[i][end].get<double>() - dist[i][j].get<double>()) < 1e-12) ++end;
  std::multiset<std::int64_t> members;
  for (int t = j; t < end; ++t) members.insert(ind[i][t].get<std::int64_t>());
  *end_out = end;
  return {members, end == k};
}

// Neighbour lists must match index for index, except among rows at the same distance (within
// 1e-12): cleanlab's order there comes from numpy's argpartition (introselect) on last-bit
// distances and is arbitrary (e.g. feat_n1000_d32 row 157 lists the identical rows 994, 989, 990,
// 991, 992, 993, 996). Ties are ours by row index. A tied run cut off by k may hold other copies
// of the same point: there each of our neighbours must be, or be identical to, an expected one.
void check_graph(const cl::KnnGraph& g, const nlohmann::json& expected, const DenseMatrix& x,
                 const std::string& name) {
  const auto& ind = expected.at("indices");
  const auto& dist = expected.at("distances");
  REQUIRE(g.k == expected.at("k").get<int>());
  REQUIRE(g.rows() == static_cast<std::int64_t>(ind.size()));
  const std::string metric = expected.at("metric").get<std::string>();
  REQUIRE(std::string(cl::metric_name(g.metric)) ==
          (metric == "scipy.spatial.distance.euclidean" ? "euclidean" : metric));
  int mismatched_runs = 0, exact_runs = 0;
  for (std::int64_t i = 0; i < g.rows(); ++i) {
    for (int j = 0; j < g.k; ++j) {
      INFO(name << " row " << i << " neighbour " << j);
      CHECK(g.distance(i, j) == Approx(dist[i][j].get<double>()).margin(1e-9));
    }
    for (int j = 0, end = 0; j < g.k; j = end) {
      const auto [want, cut] = tie_run(ind, dist, static_cast<std::size_t>(i), j, &end);
      std::multiset<std::int64_t> got;
      for (int t = j; t < end; ++t) got.insert(g.index(i, t));
      if (!cut) {
        mismatched_runs += want != got;
        ++exact_runs;
        continue;
      }
      for (const auto r : got) {
        mismatched_runs += std::none_of(want.begin(), want.end(), [&](std::int64_t w) { return x.row(w) == x.row(r); });
      }
    }
  }
  CHECK(mismatched_runs == 0);
  CHECK(exact_runs > g.rows() * g.k / 2);  // most neighbours are untied
}

std::set<std::int64_t> as_set(const nlohmann::json& a) { return {a.begin(), a.end()}; }

}  // namespace

TEST_CASE("knn_graph and find_near_duplicates match cleanlab Datalab on every reference case",
          "[cleaning][reference]") {
  for (const auto& name : textaudit::testing::feature_case_names()) {
    SECTION(name) {
      const auto ref = textaudit::testing::read_reference("cleanlab_features/" + name + ".json");
      const DenseMatrix x = textaudit::testing::json_matrix(ref.at("features"));
      const auto& dl = ref.at("expected").at("datalab");
      const cl::KnnGraph g = cl::knn_graph(x, {.k = 10});
      check_graph(g, dl.at("knn_graph"), x, name);

      const auto& info = dl.at("near_duplicate_info");
      const cl::NearDuplicateResult r = cl::find_near_duplicates(g, info.at("threshold").get<double>());
      CHECK(r.median_nn_distance ==
            Approx(info.at("median_distance_to_nearest_neighbor").get<double>()).margin(1e-9));
      CHECK(r.average_near_duplicate_score ==
            Approx(info.at("average_near_duplicate_score").get<double>()).margin(1e-9));
      const auto n = static_cast<std::int64_t>(x.rows());
      int flag_errors = 0, set_errors = 0, nn_errors = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        INFO(name << " row " << i);
        flag_errors += r.is_near_duplicate[i] != dl.at("is_near_duplicate_issue")[i].get<bool>();
        CHECK(r.score[i] == Approx(dl.at("near_duplicate_score")[i].get<double>()).margin(1e-9));
        const std::set<std::int64_t> got(r.sets[i].begin(), r.sets[i].end());
        set_errors += got != as_set(dl.at("near_duplicate_sets")[i]);
        CHECK(r.sets[i].size() == got.size());
        int end = 0;
        const auto& kg = dl.at("knn_graph");
        const auto [first_run, cut] = tie_run(kg.at("indices"), kg.at("distances"), static_cast<std::size_t>(i), 0, &end);
        CHECK(info.at("nearest_neighbor")[i] == kg.at("indices")[i][0]);
        nn_errors += std::none_of(first_run.begin(), first_run.end(), [&](std::int64_t w) {
          return w == r.nearest_neighbor[i] || (cut && x.row(w) == x.row(r.nearest_neighbor[i]));
        });
        CHECK(r.distance_to_nearest_neighbor[i] ==
              Approx(info.at("distance_to_nearest_neighbor")[i].get<double>()).margin(1e-9));
      }
      CHECK(flag_errors == 0);
      CHECK(set_errors == 0);
      CHECK(nn_errors == 0);

      // The whole-matrix entry point gives the same, plus the planted exact copies.
      const auto direct = cl::find_near_duplicates(x);
      CHECK(direct.is_near_duplicate == r.is_near_duplicate);
      for (const auto& pair : ref.at("planted").at("exact_copies")) {
        const std::vector<std::int64_t> want = {pair[0].get<std::int64_t>(), pair[1].get<std::int64_t>()};
        const bool listed = std::any_of(direct.exact_duplicate_groups.begin(), direct.exact_duplicate_groups.end(),
                                        [&](const auto& grp) {
                                          return std::includes(grp.begin(), grp.end(), want.begin(), want.end());
                                        });
        CHECK(listed);
      }
    }
  }
}

TEST_CASE("identical rows beyond k fill the whole neighbour list with the lowest other copies",
          "[cleaning]") {
  DenseMatrix x(16, 2);
  for (int r = 0; r < 16; ++r) {
    x(r, 0) = r < 13 ? 1.0 : r;
    x(r, 1) = r < 13 ? 2.0 : -r;
  }
  const auto g = cl::knn_graph(x, {.k = 4});
  REQUIRE(g.metric == cl::Metric::kEuclidean);
  for (int j = 0; j < 4; ++j) {
    CHECK(g.index(0, j) == j + 1);
    CHECK(g.distance(0, j) == 0.0);
    CHECK(g.index(5, j) == j);  // 0, 1, 2, 3: row 5 itself is skipped
    CHECK(g.distance(5, j) == 0.0);
  }
}

TEST_CASE("knn_graph rejects k outside [1, n_samples)", "[cleaning]") {
  DenseMatrix x = DenseMatrix::Random(5, 4);
  CHECK_THROWS_AS(cl::knn_graph(x, {.k = 5}), std::invalid_argument);
  CHECK_THROWS_AS(cl::knn_graph(x, {.k = 0}), std::invalid_argument);
  CHECK_THROWS_WITH(cl::knn_graph(x, {.k = 7}), Catch::Contains("n_samples=5"));
}

TEST_CASE("the HNSW path finds the exact graph on clustered data and is repeatable", "[cleaning]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  DenseMatrix x(1500, 16);
  for (int r = 0; r < x.rows(); ++r)
    for (int c = 0; c < x.cols(); ++c) x(r, c) = normal(rng) + (c == r % 16 ? 4.0 : 0.0);
  const auto exact = cl::knn_graph(x, {.k = 10});
  const auto approx1 = cl::knn_graph(x, {.k = 10, .max_exact_rows = 100, .n_threads = 1});
  const auto approx2 = cl::knn_graph(x, {.k = 10, .max_exact_rows = 100, .n_threads = 2});
  CHECK_FALSE(approx1.exact);
  CHECK(approx1.indices == approx2.indices);
  CHECK(approx1.distances == approx2.distances);
  std::int64_t hits = 0;
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (int j = 0; j < 10; ++j)
      for (int t = 0; t < 10; ++t) hits += approx1.index(i, j) == exact.index(i, t);
  CHECK(static_cast<double>(hits) / (x.rows() * 10.0) > 0.98);
}
