// Tests for cleaning/outliers.h: Datalab outlier check and OutOfDistribution parity on dense
// features (tests/reference/cleanlab_features), and the sparse TF-IDF path.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cleaning/knn.h"
#include "cleaning/outliers.h"
#include "feature_reference.h"
#include "sparse_corpus.h"
#include "text/vectorizer.h"
#include "test_util.h"

namespace cl = textaudit::cleaning;
using textaudit::DenseMatrix;

TEST_CASE("find_outliers and out_of_distribution_scores match cleanlab on every reference case",
          "[cleaning][reference]") {
  for (const auto& name : textaudit::testing::feature_case_names()) {
    SECTION(name) {
      const auto ref = textaudit::testing::read_reference("cleanlab_features/" + name + ".json");
      const DenseMatrix x = textaudit::testing::json_matrix(ref.at("features"));
      const auto& dl = ref.at("expected").at("datalab");
      const auto& info = dl.at("outlier_info");
      // Datalab shares the near-duplicate check's graph (k = 10) with the outlier check.
      const cl::OutlierResult r = cl::find_outliers(x, {.k = info.at("k").get<int>(), .t = info.at("t").get<double>(),
                                                        .threshold = info.at("threshold").get<double>()});
      CHECK(r.issue_threshold == Approx(info.at("issue_threshold").get<double>()).margin(1e-9));
      CHECK(r.scaling_factor == Approx(info.at("scaling_factor").get<double>()).margin(1e-9));
      CHECK(r.average_ood_score == Approx(info.at("average_ood_score").get<double>()).margin(1e-9));
      int flag_errors = 0;
      for (std::size_t i = 0; i < r.score.size(); ++i) {
        INFO(name << " row " << i);
        CHECK(r.score[i] == Approx(dl.at("outlier_score")[i].get<double>()).margin(1e-9));
        flag_errors += r.is_outlier[i] != dl.at("is_outlier_issue")[i].get<bool>();
      }
      CHECK(flag_errors == 0);
      for (const auto& row : ref.at("planted").at("outliers")) CHECK(r.is_outlier[row.get<std::size_t>()]);

      const auto& ood = ref.at("expected").at("out_of_distribution");
      CHECK(ood.at("params_used").at("k").get<int>() == std::min<int>(10, static_cast<int>(x.rows()) - 1));
      const std::vector<double> scores = cl::out_of_distribution_scores(x);
      REQUIRE(scores.size() == ood.at("scores").size());
      for (std::size_t i = 0; i < scores.size(); ++i) {
        INFO(name << " row " << i);
        CHECK(scores[i] == Approx(ood.at("scores")[i].get<double>()).margin(1e-9));
      }
    }
  }
}

TEST_CASE("identical rows beyond k score exactly 1 in OutOfDistribution", "[cleaning]") {
  DenseMatrix x(14, 5);
  for (int r = 0; r < 14; ++r)
    for (int c = 0; c < 5; ++c) x(r, c) = r < 12 ? c + 1.0 : (r * 7 + c * 3) % 11 - 5.0;
  const auto scores = cl::out_of_distribution_scores(x);
  for (int r = 0; r < 12; ++r) CHECK(scores[r] == 1.0);
  CHECK(scores[12] < 1.0);
}

TEST_CASE("find_outliers rejects bad parameters naming them", "[cleaning]") {
  const DenseMatrix x = DenseMatrix::Random(20, 4);
  CHECK_THROWS_WITH(cl::find_outliers(x, {.t = 0.0}), Catch::Contains("t="));
  CHECK_THROWS_WITH(cl::find_outliers(x, {.threshold = 1.5}), Catch::Contains("threshold="));
  CHECK_THROWS_AS(cl::find_outliers(x, {.k = 20}), std::invalid_argument);
}

namespace {

// Mean cosine distance of each row to its k nearest other rows, by brute force.
std::vector<double> brute_force_knn_average(const textaudit::text::CsrMatrix& x, int k) {
  std::vector<double> norm(x.rows);
  for (std::int64_t r = 0; r < x.rows; ++r) {
    double s = 0;
    for (const float v : x.row_values(r)) s += double(v) * v;
    norm[r] = s > 0 ? std::sqrt(s) : 1.0;
  }
  std::vector<double> dense(x.cols, 0.0), avg(x.rows), d;
  for (std::int64_t a = 0; a < x.rows; ++a) {
    for (std::int64_t e = x.indptr[a]; e < x.indptr[a + 1]; ++e) dense[x.indices[e]] = x.data[e] / norm[a];
    d.clear();
    for (std::int64_t b = 0; b < x.rows; ++b) {
      if (b == a) continue;
      double dot = 0;
      for (std::int64_t e = x.indptr[b]; e < x.indptr[b + 1]; ++e) dot += x.data[e] / norm[b] * dense[x.indices[e]];
      d.push_back(std::clamp(1.0 - dot, 0.0, 2.0));
    }
    std::partial_sort(d.begin(), d.begin() + k, d.end());
    avg[a] = std::accumulate(d.begin(), d.begin() + k, 0.0) / k;
    for (std::int64_t e = x.indptr[a]; e < x.indptr[a + 1]; ++e) dense[x.indices[e]] = 0.0;
  }
  return avg;
}

// Ranks from 1, ties sharing their mean rank (as scipy.stats.rankdata).
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (std::size_t t = i; t <= j; ++t) r[order[t]] = (i + j) / 2.0 + 1.0;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  const auto ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size()), mean = (n + 1) / 2;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) * (ra[i] - mean);
    sbb += (rb[i] - mean) * (rb[i] - mean);
  }
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("the sparse reference-sample outlier score ranks rows like exact kNN and flags planted outliers",
          "[cleaning]") {
  const auto corpus = textaudit::testing::synthetic_corpus(3000, 3);
  textaudit::text::TfidfVectorizer vec;
  const auto x = vec.fit_transform(corpus.docs);
  const auto exact = brute_force_knn_average(x, 10);

  SECTION("a sample of every row is the exact kNN average") {
    const auto r = cl::find_outliers(x, {.n_reference = 100000});
    REQUIRE(r.average_distance.size() == exact.size());
    for (std::size_t i = 0; i < exact.size(); ++i) CHECK(r.average_distance[i] == Approx(exact[i]).margin(1e-5));
  }
  SECTION("the default sample (2048 of 3310 rows) keeps the ranks of the exact kNN average") {
    for (const std::uint64_t seed : {0, 1}) {
      const auto r = cl::find_outliers(x, {.random_state = seed});
      const double rho = spearman(r.average_distance, exact);
      INFO("seed " << seed << ": Spearman vs exact kNN average " << rho);  // 0.87 at seed 0
      CHECK(rho >= 0.8);
    }
  }
  SECTION("a small sample puts the planted outliers last, flags them, and any thread count agrees") {
    // 512 of 3310 rows: ranks drift from the exact kNN average (Spearman ~0.5 here: the sample
    // misses most near copies), but rows of words nobody else uses stay the farthest.
    const auto r1 = cl::find_outliers(x, {.n_reference = 512, .random_state = 7, .n_threads = 1});
    const auto r2 = cl::find_outliers(x, {.n_reference = 512, .random_state = 7, .n_threads = 2});
    CHECK(r1.average_distance == r2.average_distance);
    CHECK(r1.is_outlier == r2.is_outlier);
    double lowest_other = 1.0;
    std::vector<bool> planted(x.rows, false);
    for (const auto row : corpus.outliers) planted[row] = true;
    for (std::int64_t i = 0; i < x.rows; ++i)
      if (!planted[i]) lowest_other = std::min(lowest_other, r1.score[i]);
    for (const auto row : corpus.outliers) {
      CHECK(r1.is_outlier[row]);
      CHECK(r1.score[row] < lowest_other);
    }
    for (const double s : r1.score) CHECK((s >= 0.0 && s <= 1.0));
  }
  SECTION("bad parameters are named") {
    CHECK_THROWS_WITH(cl::find_outliers(x, {.k = 10, .n_reference = 10}), Catch::Contains("n_reference=10"));
    CHECK_THROWS_WITH(cl::find_outliers(x, {.k = 0}), Catch::Contains("k=0"));
  }
}

TEST_CASE("the sparse outlier graph finds most true cosine neighbours and flags planted outliers",
          "[cleaning]") {
  const auto corpus = textaudit::testing::synthetic_corpus(3000, 3);
  textaudit::text::TfidfVectorizer vec;
  const auto x = vec.fit_transform(corpus.docs);
  const int k = 10;
  const auto g = cl::knn_graph(x, {.k = k, .n_threads = 2});
  REQUIRE(g.rows() == x.rows);
  // Brute force: the k-th nearest cosine distance of each row; a found neighbour counts when it is
  // no farther than that (ties make the exact index set ambiguous).
  std::vector<double> dense(x.cols, 0.0);
  std::int64_t hits = 0;
  for (std::int64_t a = 0; a < x.rows; ++a) {
    for (std::int64_t e = x.indptr[a]; e < x.indptr[a + 1]; ++e) dense[x.indices[e]] = x.data[e];
    std::vector<double> d;
    for (std::int64_t b = 0; b < x.rows; ++b) {
      if (b == a) continue;
      double dot = 0;
      for (std::int64_t e = x.indptr[b]; e < x.indptr[b + 1]; ++e) dot += x.data[e] * dense[x.indices[e]];
      d.push_back(std::clamp(1.0 - dot, 0.0, 2.0));
    }
    std::nth_element(d.begin(), d.begin() + (k - 1), d.end());
    for (int j = 0; j < k; ++j) hits += g.distance(a, j) <= d[k - 1] + 1e-6;
    for (std::int64_t e = x.indptr[a]; e < x.indptr[a + 1]; ++e) dense[x.indices[e]] = 0.0;
  }
  const double recall = static_cast<double>(hits) / (x.rows * k);
  INFO("recall@10 " << recall);
  CHECK(recall >= 0.75);  // a random projection to 256 dims is noisy for short texts (see knn.h)

  const auto method = cl::SparseOutlierMethod::kKnnGraph;
  const auto r1 = cl::find_outliers(x, {.sparse_method = method, .n_threads = 1});
  const auto r2 = cl::find_outliers(x, {.sparse_method = method, .n_threads = 2});
  CHECK(r1.score == r2.score);
  CHECK(r1.is_outlier == r2.is_outlier);
  for (const auto row : corpus.outliers) {
    CHECK(r1.is_outlier[row]);
    CHECK(r1.score[row] < 0.5);
  }
  for (const double s : r1.score) CHECK((s >= 0.0 && s <= 1.0));
}
