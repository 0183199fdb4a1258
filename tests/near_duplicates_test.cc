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
#include "sparse_corpus.h"
#include "text/vectorizer.h"
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
        const auto [first_run, cut_binding] = tie_run(kg.at("indices"), kg.at("distances"), static_cast<std::size_t>(i), 0, &end);
        const bool cut = cut_binding;  // a plain variable: clang 14 cannot capture structured bindings
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

// ---- sparse TF-IDF path ----------------------------------------------------------------------

namespace {

// All pairs (a < b) with cosine >= min_cosine, by brute force over every pair of rows.
std::set<std::pair<std::int64_t, std::int64_t>> brute_force_pairs(const CsrMatrix& m, double min_cosine) {
  std::vector<double> norm(m.rows);
  for (std::int64_t r = 0; r < m.rows; ++r) {
    double s = 0;
    for (const float v : m.row_values(r)) s += double(v) * v;
    norm[r] = std::sqrt(s);
  }
  std::set<std::pair<std::int64_t, std::int64_t>> pairs;
  std::vector<double> dense(m.cols, 0.0);
  for (std::int64_t a = 0; a < m.rows; ++a) {
    if (norm[a] == 0) continue;
    for (std::int64_t e = m.indptr[a]; e < m.indptr[a + 1]; ++e) dense[m.indices[e]] = m.data[e];
    for (std::int64_t b = a + 1; b < m.rows; ++b) {
      if (norm[b] == 0) continue;
      double dot = 0;
      for (std::int64_t e = m.indptr[b]; e < m.indptr[b + 1]; ++e) dot += m.data[e] * dense[m.indices[e]];
      if (dot / (norm[a] * norm[b]) >= min_cosine) pairs.insert({a, b});
    }
    for (std::int64_t e = m.indptr[a]; e < m.indptr[a + 1]; ++e) dense[m.indices[e]] = 0.0;
  }
  return pairs;
}

}  // namespace

TEST_CASE("the sparse join finds the near-duplicate pairs that brute force finds", "[cleaning]") {
  const auto corpus = textaudit::testing::synthetic_corpus(3000, 11);
  textaudit::text::TfidfVectorizer vec;
  const CsrMatrix x = vec.fit_transform(corpus.docs);
  for (const double min_cosine : {0.9, 0.7, 0.5}) {
    SECTION("min_cosine " + std::to_string(min_cosine)) {
      const auto truth = brute_force_pairs(x, min_cosine);
      REQUIRE(truth.size() > 100);
      const auto r = cl::find_near_duplicates(x, {.min_cosine = min_cosine, .n_threads = 2});
      // Reported pairs join first copies; expand them over the exact-duplicate groups.
      std::vector<std::vector<std::int64_t>> copies(x.rows);
      for (std::int64_t i = 0; i < x.rows; ++i) copies[i] = {i};
      for (const auto& grp : r.exact_duplicate_groups) copies[grp[0]] = grp;
      std::set<std::pair<std::int64_t, std::int64_t>> found;
      for (const auto& grp : r.exact_duplicate_groups)
        for (std::size_t a = 0; a < grp.size(); ++a)
          for (std::size_t b = a + 1; b < grp.size(); ++b) found.insert({grp[a], grp[b]});
      for (const auto& p : r.pairs) {
        CHECK(p.similarity >= min_cosine);
        for (const auto a : copies[p.a])
          for (const auto b : copies[p.b]) found.insert({std::min(a, b), std::max(a, b)});
      }
      std::size_t hits = 0;
      for (const auto& p : truth) hits += found.count(p);
      INFO("true pairs " << truth.size() << ", found " << found.size() << ", hits " << hits);
      CHECK(static_cast<double>(hits) / truth.size() >= 0.99);
      CHECK(found.size() - hits <= truth.size() / 100);  // and little else
      // Every planted exact copy is found, in one group with its source.
      for (const auto& [src, copy] : corpus.exact_copies) {
        CHECK(r.set_id[src] >= 0);
        CHECK(r.set_id[src] == r.set_id[copy]);
        CHECK(r.score[copy] == 0.0);
      }
      // Set ids are the smallest member of each connected group.
      for (const auto& grp : r.groups)
        for (const auto row : grp) CHECK(r.set_id[row] == grp.front());
    }
  }
}

TEST_CASE("the sparse join is exact among template siblings, where the bounds must decide", "[cleaning]") {
  // 600 rows from 6 templates: each row has its template's 24 columns with jittered weights, some
  // of them dropped, plus 2 columns of its own. Siblings share most columns (the signature test
  // cannot separate them) and their cosines spread across 0.8-1, around every threshold below.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  CsrMatrix x;
  x.cols = 6 * 24 + 1200;
  std::vector<std::vector<double>> base(6, std::vector<double>(24));
  for (auto& t : base)
    for (auto& w : t) w = 0.2 + unit(rng);
  for (int r = 0; r < 600; ++r) {
    const int t = r % 6;
    const double jitter = r % 3 == 0 ? 0.05 : 0.4;
    std::vector<std::pair<std::int32_t, float>> row;
    for (int c = 0; c < 24; ++c) {
      if (unit(rng) < 0.08) continue;
      row.emplace_back(t * 24 + c, static_cast<float>(base[t][c] * (1.0 + jitter * (unit(rng) - 0.5))));
    }
    for (int k = 0; k < 2; ++k) row.emplace_back(6 * 24 + (2 * r + k), static_cast<float>(0.3 * unit(rng)));
    std::sort(row.begin(), row.end());
    for (const auto& [c, v] : row) {
      x.indices.push_back(c);
      x.data.push_back(v);
    }
    x.indptr.push_back(static_cast<std::int64_t>(x.indices.size()));
    ++x.rows;
  }
  for (const double min_cosine : {0.97, 0.95, 0.9}) {
    INFO("min_cosine " << min_cosine);
    const auto truth = brute_force_pairs(x, min_cosine);
    REQUIRE(truth.size() > 200);
    const auto r = cl::find_near_duplicates(x, {.min_cosine = min_cosine, .n_threads = 2});
    CHECK(r.exact_duplicate_groups.empty());
    std::set<std::pair<std::int64_t, std::int64_t>> found;
    for (const auto& p : r.pairs) found.insert({p.a, p.b});
    CHECK(found == truth);
  }
}

TEST_CASE("the sparse join gives the same result on 1 and 2 threads and when repeated", "[cleaning]") {
  const auto corpus = textaudit::testing::synthetic_corpus(2000, 5);
  textaudit::text::TfidfVectorizer vec;
  const CsrMatrix x = vec.fit_transform(corpus.docs);
  const auto a = cl::find_near_duplicates(x, {.min_cosine = 0.8, .n_threads = 1});
  const auto b = cl::find_near_duplicates(x, {.min_cosine = 0.8, .n_threads = 2});
  const auto c = cl::find_near_duplicates(x, {.min_cosine = 0.8, .n_threads = 2});
  for (const auto* other : {&b, &c}) {
    CHECK(a.set_id == other->set_id);
    CHECK(a.score == other->score);
    CHECK(a.nearest_neighbor == other->nearest_neighbor);
    REQUIRE(a.pairs.size() == other->pairs.size());
    for (std::size_t i = 0; i < a.pairs.size(); ++i) {
      CHECK(a.pairs[i].a == other->pairs[i].a);
      CHECK(a.pairs[i].b == other->pairs[i].b);
      CHECK(a.pairs[i].similarity == other->pairs[i].similarity);
    }
  }
}

TEST_CASE("empty rows are exact duplicates of each other and of nothing else", "[cleaning]") {
  CsrMatrix x;
  x.rows = 5;
  x.cols = 3;
  x.indptr = {0, 1, 1, 2, 2, 3};
  x.indices = {0, 1, 0};
  x.data = {1.0f, 1.0f, 1.0f};
  const auto r = cl::find_near_duplicates(x);
  CHECK(r.exact_duplicate_groups == std::vector<std::vector<std::int64_t>>{{0, 4}, {1, 3}});
  CHECK(r.set_id == std::vector<std::int64_t>{0, 1, -1, 1, 0});
  CHECK_THROWS_WITH(cl::find_near_duplicates(x, {.min_cosine = 0.0}), Catch::Contains("min_cosine"));
}
