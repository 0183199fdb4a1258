// Tests for cleaning/outliers.h: Datalab outlier check and OutOfDistribution parity on dense
// features (tests/reference/cleanlab_features), and the sparse TF-IDF path.
#include <cmath>
#include <cstdint>
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

  const auto r1 = cl::find_outliers(x, {.n_threads = 1});
  const auto r2 = cl::find_outliers(x, {.n_threads = 2});
  CHECK(r1.score == r2.score);
  CHECK(r1.is_outlier == r2.is_outlier);
  for (const auto row : corpus.outliers) {
    CHECK(r1.is_outlier[row]);
    CHECK(r1.score[row] < 0.5);
  }
  for (const double s : r1.score) CHECK((s >= 0.0 && s <= 1.0));
}
