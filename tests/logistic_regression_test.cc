// Tests for models/logistic_regression.h: scikit-learn 1.2.1 optima (tests/reference/sklearn/
// logreg_*.json, README section 4), a finite-difference gradient check, weights, save/load,
// thread-count independence and errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "models/detail/columns.h"
#include "models/logistic_regression.h"
#include "test_util.h"
#include "text/data_error.h"

using textaudit::DenseMatrix;
using textaudit::models::ClassWeight;
using textaudit::models::LogisticRegression;
using textaudit::models::LogisticRegressionParams;
using textaudit::text::CsrMatrix;

namespace {

// The reference CSR in double (for the objective, as scikit-learn evaluated it) and in float32
// (what the pipeline stores).
struct RefMatrix {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> indptr;
  std::vector<std::int32_t> indices;
  std::vector<double> data;
  CsrMatrix as_float() const {
    CsrMatrix X;
    X.rows = rows;
    X.cols = cols;
    X.indptr = indptr;
    X.indices = indices;
    X.data.assign(data.begin(), data.end());
    return X;
  }
};

RefMatrix read_csr(const nlohmann::json& j) {
  RefMatrix m;
  m.rows = j["shape"][0].get<std::int64_t>();
  m.cols = j["shape"][1].get<std::int64_t>();
  m.indptr = j["indptr"].get<std::vector<std::int64_t>>();
  m.indices = j["indices"].get<std::vector<std::int32_t>>();
  m.data = j["data"].get<std::vector<double>>();
  return m;
}

// The slow, obvious objective: C * sum_i s_i * (-log p_i[y_i]) + 0.5 * |coef|^2, computed in
// double from the double X with a log-sum-exp per row, independent of the solver's code.
double objective(const RefMatrix& X, const std::vector<int>& y, const DenseMatrix& coef,
                 const std::vector<double>& intercept, double C, const std::vector<double>& s = {}) {
  const bool binary = coef.rows() == 1;
  double loss = 0.0;
  for (std::int64_t i = 0; i < X.rows; ++i) {
    std::vector<double> z(intercept.begin(), intercept.end());
    for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p)
      for (Eigen::Index k = 0; k < coef.rows(); ++k) z[k] += X.data[p] * coef(k, X.indices[p]);
    double li;
    if (binary) {
      const double t = y[i] == 1 ? -z[0] : z[0];  // loss = log(1 + exp(t))
      li = std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t)));
    } else {
      const double zmax = *std::max_element(z.begin(), z.end());
      double sum = 0.0;
      for (double v : z) sum += std::exp(v - zmax);
      li = zmax + std::log(sum) - z[y[i]];
    }
    loss += (s.empty() ? 1.0 : s[i]) * li;
  }
  return C * loss + 0.5 * coef.squaredNorm();
}

std::vector<double> centred(std::vector<double> v) {
  if (v.size() < 2) return v;
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (double& x : v) x -= mean;
  return v;
}

DenseMatrix to_dense(const nlohmann::json& rows) {
  DenseMatrix m(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t k = 0; k < rows[i].size(); ++k) m(i, k) = rows[i][k].get<double>();
  return m;
}

// A small random sparse problem for the property tests.
struct Random {
  CsrMatrix X;
  std::vector<int> y;
};
Random random_problem(std::int64_t n, std::int64_t d, int k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Random r;
  r.X.rows = n;
  r.X.cols = d;
  for (std::int64_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(rng() % k);
    r.y.push_back(label);
    for (std::int64_t j = 0; j < d; ++j) {
      const bool informative = j % k == label && unit(rng) < 0.4;
      if (informative || unit(rng) < 0.08) {
        r.X.indices.push_back(static_cast<std::int32_t>(j));
        r.X.data.push_back(static_cast<float>(unit(rng) + (informative ? 0.5 : 0.0)));
      }
    }
    r.X.indptr.push_back(static_cast<std::int64_t>(r.X.indices.size()));
  }
  return r;
}

// n rows of `n_random` random columns of d plus one informative column in the label's band
// (label * d / k + [0, informative_width)), values in [0.2, 1.2).
Random sparse_random_problem(std::mt19937_64& rng, std::int64_t n, std::int64_t d, int k, int n_random,
                             int informative_width) {
  Random r;
  r.X.rows = n;
  r.X.cols = d;
  for (std::int64_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(rng() % k);
    r.y.push_back(label);
    std::vector<std::int32_t> cols;
    for (int e = 0; e < n_random; ++e) cols.push_back(static_cast<std::int32_t>(rng() % d));
    cols.push_back(static_cast<std::int32_t>(label * (d / k) + rng() % informative_width));
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    for (auto c : cols) {
      r.X.indices.push_back(c);
      r.X.data.push_back(static_cast<float>(0.2 + (rng() % 1000) / 1000.0));
    }
    r.X.indptr.push_back(static_cast<std::int64_t>(r.X.indices.size()));
  }
  return r;
}

// The gradient C * X^T (P - Y) + W of a fitted model (rows of coef) and of its intercepts,
// recomputed from the CSR rows, independently of the solver's column copy.
std::pair<DenseMatrix, std::vector<double>> slow_gradient(const LogisticRegression& model, const CsrMatrix& X,
                                                          const std::vector<int>& y, double C) {
  const DenseMatrix coef = model.coef();
  const DenseMatrix P = model.predict_proba(X);
  DenseMatrix grad = coef;  // the penalty's gradient
  std::vector<double> grad_intercept(static_cast<std::size_t>(coef.rows()), 0.0);
  const bool binary = coef.rows() == 1;
  for (std::int64_t i = 0; i < X.rows; ++i) {
    for (Eigen::Index c = 0; c < coef.rows(); ++c) {
      const int cls = binary ? 1 : static_cast<int>(c);
      const double residual = P(i, cls) - (y[static_cast<std::size_t>(i)] == cls ? 1.0 : 0.0);
      grad_intercept[static_cast<std::size_t>(c)] += C * residual;
      for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) grad(c, X.indices[p]) += C * X.data[p] * residual;
    }
  }
  return {grad, grad_intercept};
}

}  // namespace

TEST_CASE("LogisticRegression reaches scikit-learn's converged optimum on every reference fit",
          "[models][reference]") {
  for (const std::string name : {"logreg_sms1000", "logreg_airline1500", "logreg_synthetic_dense_k4"}) {
    const auto ref = textaudit::testing::read_reference("sklearn/" + name + ".json");
    const RefMatrix Xd = read_csr(ref["X"]);
    const CsrMatrix X = Xd.as_float();
    const auto y = ref["labels"].get<std::vector<int>>();
    const int n_classes = static_cast<int>(ref["fits"][0]["classes"].size());
    for (const auto& fit : ref["fits"]) {
      if (fit["role"] != "converged_reference") continue;
      const double C = fit["params"]["C"].get<double>();
      INFO(name << " C=" << C);
      LogisticRegression model({.C = C, .tol = 1e-9, .max_iter = 1000});
      model.fit(X, y, n_classes);
      CHECK(model.converged());
      CHECK(model.warnings() == std::vector<std::string>{});

      const DenseMatrix coef = model.coef();
      const DenseMatrix ref_coef = to_dense(fit["coef"]);
      REQUIRE(coef.rows() == ref_coef.rows());
      REQUIRE(coef.cols() == ref_coef.cols());
      // Objective in double on the double X: our optimum is the float32 problem's, which differs
      // from the double one only at second order in the objective.
      const double ours = objective(Xd, y, coef, model.intercept(), C);
      const double ref_objective = fit["objective"].get<double>();
      CHECK(std::abs(ours - ref_objective) <= 1e-9 * std::abs(ref_objective));
      for (const auto& other : ref["fits"]) {
        if (other["role"] == "requested" && other["params"]["C"].get<double>() == C)
          CHECK(ours <= other["objective"].get<double>());  // never worse than lbfgs
      }
      const double scale = ref_coef.cwiseAbs().maxCoeff();
      CHECK((coef - ref_coef).cwiseAbs().maxCoeff() <= 1e-5 * scale);
      const auto b = centred(model.intercept());
      const auto ref_b = centred(fit["intercept"].get<std::vector<double>>());
      for (std::size_t k = 0; k < b.size(); ++k) CHECK(std::abs(b[k] - ref_b[k]) <= 1e-5 * scale);
      const DenseMatrix proba = model.predict_proba(X);
      CHECK((proba - to_dense(fit["predict_proba"])).cwiseAbs().maxCoeff() <= 1e-6);
    }
  }
}

TEST_CASE("LogisticRegression with default parameters is at least as good as scikit-learn's lbfgs",
          "[models][reference]") {
  for (const std::string name : {"logreg_sms1000", "logreg_airline1500", "logreg_synthetic_dense_k4"}) {
    const auto ref = textaudit::testing::read_reference("sklearn/" + name + ".json");
    const RefMatrix Xd = read_csr(ref["X"]);
    const auto y = ref["labels"].get<std::vector<int>>();
    for (const auto& fit : ref["fits"]) {
      if (fit["role"] != "requested") continue;
      const double C = fit["params"]["C"].get<double>();
      INFO(name << " C=" << C);
      LogisticRegression model({.C = C});
      model.fit(Xd.as_float(), y, static_cast<int>(fit["classes"].size()));
      CHECK(model.converged());
      CHECK(objective(Xd, y, model.coef(), model.intercept(), C) <= fit["objective"].get<double>());
    }
  }
}

TEST_CASE("The gradient the solver stops on matches finite differences of the objective",
          "[models]") {
  // At a converged fit the true gradient is ~0; check it by central differences of the
  // independent objective along random directions, and that the objective reported agrees.
  for (int k : {2, 3}) {
    auto problem = random_problem(300, 40, k, 7 + k);
    RefMatrix Xd{problem.X.rows, problem.X.cols, problem.X.indptr, problem.X.indices,
                 std::vector<double>(problem.X.data.begin(), problem.X.data.end())};
    const double C = 2.0;
    LogisticRegression model({.C = C, .tol = 1e-10});
    model.fit(problem.X, problem.y, k);
    REQUIRE(model.converged());
    const DenseMatrix coef = model.coef();
    const auto b = model.intercept();
    const double f0 = objective(Xd, problem.y, coef, b, C);
    CHECK(model.objective() == Approx(f0).epsilon(1e-12));
    std::mt19937_64 rng(1);
    std::normal_distribution<double> normal;
    for (int trial = 0; trial < 5; ++trial) {
      DenseMatrix dir(coef.rows(), coef.cols());
      for (Eigen::Index i = 0; i < dir.size(); ++i) dir.data()[i] = normal(rng);
      std::vector<double> db(b.size());
      for (double& v : db) v = normal(rng);
      const double h = 1e-5;
      auto shifted = [&](double t) {
        std::vector<double> bb(b);
        for (std::size_t q = 0; q < bb.size(); ++q) bb[q] += t * db[q];
        return objective(Xd, problem.y, coef + t * dir, bb, C);
      };
      const double directional = (shifted(h) - shifted(-h)) / (2 * h);
      CHECK(std::abs(directional) <= 1e-6 * (1.0 + std::abs(f0)));
      // And a non-optimal point has a non-zero slope: the check can fail.
      const double slope_away = (shifted(1.0 + h) - shifted(1.0 - h)) / (2 * h);
      CHECK(std::abs(slope_away) > 1e-3);
    }
  }
}

TEST_CASE("class_weight=balanced equals the equivalent sample weights", "[models]") {
  for (int k : {2, 3}) {
    auto problem = random_problem(200, 30, k, 3);
    // Unbalance the classes by relabelling some rows.
    for (std::size_t i = 0; i < problem.y.size(); i += 3) problem.y[i] = 0;
    std::vector<double> counts(k, 0.0);
    for (int label : problem.y) counts[label] += 1;
    std::vector<double> weights;
    for (int label : problem.y) weights.push_back(problem.y.size() / (k * counts[label]));
    LogisticRegression balanced({.tol = 1e-10, .class_weight = ClassWeight::kBalanced});
    balanced.fit(problem.X, problem.y, k);
    LogisticRegression weighted({.tol = 1e-10});
    weighted.fit(problem.X, problem.y, k, weights);
    LogisticRegression plain({.tol = 1e-10});
    plain.fit(problem.X, problem.y, k);
    CHECK((balanced.coef() - weighted.coef()).cwiseAbs().maxCoeff() < 1e-8);
    CHECK((balanced.coef() - plain.coef()).cwiseAbs().maxCoeff() > 1e-3);
    // Explicit per-class weights give the same model too.
    std::vector<double> per_class;
    for (int c = 0; c < k; ++c) per_class.push_back(problem.y.size() / (k * counts[c]));
    LogisticRegression explicit_weights({.tol = 1e-10, .class_weights = per_class});
    explicit_weights.fit(problem.X, problem.y, k);
    CHECK((explicit_weights.coef() - weighted.coef()).cwiseAbs().maxCoeff() < 1e-8);
    // Sample weights: the weighted objective is what the fit minimises.
    RefMatrix Xd{problem.X.rows, problem.X.cols, problem.X.indptr, problem.X.indices,
                 std::vector<double>(problem.X.data.begin(), problem.X.data.end())};
    CHECK(weighted.objective() ==
          Approx(objective(Xd, problem.y, weighted.coef(), weighted.intercept(), 1.0, weights)).epsilon(1e-12));
  }
}

TEST_CASE("The fit is bit-identical for any thread count", "[models]") {
  auto problem = random_problem(5000, 300, 4, 11);
  std::vector<DenseMatrix> coefs;
  for (int threads : {1, 2, 3}) {
    LogisticRegression model({.tol = 1e-8, .n_threads = threads});
    model.fit(problem.X, problem.y, 4);
    coefs.push_back(model.coef());
    CHECK(model.predict_proba(problem.X) == LogisticRegression({.tol = 1e-8}).fit(problem.X, problem.y, 4).predict_proba(problem.X));
  }
  CHECK(coefs[0] == coefs[1]);
  CHECK(coefs[0] == coefs[2]);
}

TEST_CASE("A fit and probabilities on a row subset of X equal those on a copy of the rows", "[models]") {
  for (int k : {2, 4}) {
    auto problem = random_problem(3000, 200, k, 31 + k);
    std::vector<std::size_t> rows;
    std::vector<std::int64_t> ids, others;
    std::vector<int> y;
    std::vector<double> weights;
    for (std::size_t i = 0; i < problem.y.size(); ++i) {
      if (i % 7 == 3 || i % 11 == 0) {
        others.push_back(static_cast<std::int64_t>(i));
        continue;
      }
      rows.push_back(i);
      ids.push_back(static_cast<std::int64_t>(i));
      y.push_back(problem.y[i]);
      weights.push_back(1.0 + static_cast<double>(i % 3));
    }
    const CsrMatrix sub = problem.X.select_rows(rows);
    LogisticRegression copied({.n_threads = 2});
    copied.fit(sub, y, k, weights);
    LogisticRegression in_place({.n_threads = 2});
    in_place.fit(problem.X, ids, y, k, weights);
    CHECK(in_place.n_hessian_products() == copied.n_hessian_products());
    CHECK(in_place.coef() == copied.coef());
    CHECK(in_place.intercept() == copied.intercept());
    std::vector<std::size_t> other_rows(others.begin(), others.end());
    std::reverse(others.begin(), others.end());  // any order
    std::reverse(other_rows.begin(), other_rows.end());
    CHECK(in_place.predict_proba(problem.X, others) == copied.predict_proba(problem.X.select_rows(other_rows)));
  }
  auto problem = random_problem(50, 10, 2, 1);
  LogisticRegression model;
  CHECK_THROWS_WITH(model.fit(problem.X, std::vector<std::int64_t>{3, 2}, std::vector<int>{0, 1}, 2),
                    Catch::Contains("strictly ascending"));
  CHECK_THROWS_WITH(model.fit(problem.X, std::vector<std::int64_t>{1, 50}, std::vector<int>{0, 1}, 2),
                    Catch::Contains("entry 1 is 50"));
  CHECK_THROWS_WITH(model.fit(problem.X, std::vector<std::int64_t>{1, 2}, std::vector<int>{0}, 2),
                    Catch::Contains("2 rows are fitted"));
  model.fit(problem.X, problem.y, 2);
  CHECK_THROWS_WITH(model.predict_proba(problem.X, std::vector<std::int64_t>{-1}), Catch::Contains("outside"));
}

TEST_CASE("A warm start reaches the same optimum in fewer iterations", "[models]") {
  auto problem = random_problem(2000, 100, 3, 5);
  LogisticRegression cold({.tol = 1e-9});
  cold.fit(problem.X, problem.y, 3);
  // Drop some rows, refit from the previous solution.
  std::vector<std::size_t> rows;
  std::vector<int> y;
  for (std::size_t i = 0; i < problem.y.size(); ++i)
    if (i % 5 != 0) {
      rows.push_back(i);
      y.push_back(problem.y[i]);
    }
  const CsrMatrix sub = problem.X.select_rows(rows);
  LogisticRegression fresh({.tol = 1e-9});
  fresh.fit(sub, y, 3);
  LogisticRegression warm = cold;
  warm.set_params({.tol = 1e-9, .warm_start = true});
  warm.fit(sub, y, 3);
  CHECK(warm.converged());
  CHECK(warm.n_iter() < fresh.n_iter());
  CHECK((warm.coef() - fresh.coef()).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("A subsample start reaches the same optimum", "[models]") {
  // 6000 rows: with subsample_start_rows = 1000 the fit starts from every 5th row (1200), which
  // itself starts from every 5th of those (240 rows, 80 per class).
  auto problem = random_problem(6000, 100, 3, 7);
  for (const auto weight : {textaudit::models::ClassWeight::kNone, textaudit::models::ClassWeight::kBalanced}) {
    LogisticRegression plain({.tol = 1e-9, .class_weight = weight, .subsample_start_rows = 0});
    plain.fit(problem.X, problem.y, 3);
    LogisticRegression started({.tol = 1e-9, .class_weight = weight, .subsample_start_rows = 1000});
    started.fit(problem.X, problem.y, 3);
    REQUIRE(plain.converged());
    REQUIRE(started.converged());
    CHECK(std::abs(started.objective() - plain.objective()) <= 1e-9 * plain.objective());
    CHECK((started.coef() - plain.coef()).cwiseAbs().maxCoeff() < 1e-6);
    // The subsample fits' products are counted, and the start saves steps on all the rows.
    CHECK(started.n_hessian_products() != plain.n_hessian_products());
    CHECK(started.n_iter() < plain.n_iter());
  }
  SECTION("a class too rare for the subsample: no subsample start") {
    std::vector<int> y = problem.y;
    int rare = 0;
    for (int& label : y)
      if (label == 2 && ++rare > 100) label = 0;  // 100 rows of class 2: 20 in the subsample
    LogisticRegression plain({.tol = 1e-9, .subsample_start_rows = 0});
    LogisticRegression started({.tol = 1e-9, .subsample_start_rows = 1000});
    plain.fit(problem.X, y, 3);
    started.fit(problem.X, y, 3);
    CHECK(started.n_hessian_products() == plain.n_hessian_products());
    CHECK(started.coef() == plain.coef());
  }
}

TEST_CASE("save and load round-trip the fitted model exactly", "[models]") {
  for (int k : {2, 4}) {
    auto problem = random_problem(300, 25, k, 9);
    LogisticRegression model({.C = 0.5});
    model.fit(problem.X, problem.y, k);
    std::stringstream buffer;
    model.save(buffer);
    const LogisticRegression loaded = LogisticRegression::load(buffer);
    CHECK(loaded.coef() == model.coef());
    CHECK(loaded.intercept() == model.intercept());
    CHECK(loaded.classes() == model.classes());
    CHECK(loaded.predict_proba(problem.X) == model.predict_proba(problem.X));
    std::string bytes = buffer.str();
    SECTION("a truncated file is a DataError") {
      std::stringstream cut(bytes.substr(0, bytes.size() / 2));
      CHECK_THROWS_AS(LogisticRegression::load(cut), textaudit::DataError);
    }
    SECTION("another version is rejected with the version named") {
      bytes.replace(bytes.find(" 1\n"), 3, " 9\n");
      std::stringstream other(bytes);
      CHECK_THROWS_WITH(LogisticRegression::load(other), Catch::Contains("version"));
    }
  }
}

TEST_CASE("Classes without rows get probability 0 and a binary sub-problem", "[models]") {
  auto problem = random_problem(200, 20, 2, 4);
  for (int& label : problem.y) label = label == 1 ? 3 : 0;  // classes 0 and 3 of 4
  LogisticRegression model;
  model.fit(problem.X, problem.y, 4);
  CHECK(model.classes() == std::vector<int>{0, 3});
  CHECK(model.coef().rows() == 1);
  const DenseMatrix proba = model.predict_proba(problem.X);
  REQUIRE(proba.cols() == 4);
  CHECK(proba.col(1).cwiseAbs().maxCoeff() == 0.0);
  CHECK(proba.col(2).cwiseAbs().maxCoeff() == 0.0);
  CHECK((proba.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
}

TEST_CASE("Bad parameters and single-class data are rejected with clear messages", "[models]") {
  auto problem = random_problem(50, 10, 2, 1);
  CHECK_THROWS_WITH(LogisticRegression({.C = 0}).fit(problem.X, problem.y, 2), Catch::Contains("C must be"));
  CHECK_THROWS_WITH(LogisticRegression({.max_iter = 0}).fit(problem.X, problem.y, 2), Catch::Contains("max_iter"));
  std::vector<int> one(problem.y.size(), 1);
  CHECK_THROWS_AS(LogisticRegression().fit(problem.X, one, 2), textaudit::DataError);
  CHECK_THROWS_WITH(LogisticRegression().fit(problem.X, one, 2), Catch::Contains("two classes"));
  std::vector<int> short_y(problem.y.begin(), problem.y.end() - 1);
  CHECK_THROWS_AS(LogisticRegression().fit(problem.X, short_y, 2), std::invalid_argument);
}

TEST_CASE("Non-convergence is reported with the iteration count", "[models]") {
  const auto ref = textaudit::testing::read_reference("sklearn/logreg_airline1500.json");
  const CsrMatrix X = read_csr(ref["X"]).as_float();
  LogisticRegression model({.C = 10.0, .tol = 1e-12, .max_iter = 2});
  model.fit(X, ref["labels"].get<std::vector<int>>(), 3);
  CHECK_FALSE(model.converged());
  REQUIRE(model.warnings().size() == 1);
  CHECK_THAT(model.warnings()[0], Catch::Contains("did not converge in 2 iterations"));
}

TEST_CASE("The default stop (tol = 0) ends within ftol of the optimum, and tol > 0 is a gradient test",
          "[models]") {
  for (int k : {2, 4}) {
    auto problem = random_problem(1500, 120, k, 21 + k);
    LogisticRegression converged({.tol = 1e-10});
    converged.fit(problem.X, problem.y, k);
    REQUIRE(converged.converged());
    const double f_star = converged.objective();

    LogisticRegression by_default;
    by_default.fit(problem.X, problem.y, k);
    CHECK(by_default.converged());
    const double ftol = LogisticRegressionParams{}.ftol;
    CHECK(by_default.objective_gap() <= ftol * f_star);
    // The estimate uses the Hessian's diagonal; allow it to be off by 10x.
    CHECK(by_default.objective() - f_star <= 10 * ftol * f_star);

    // A loose ftol stops early, at a measurably worse objective (the check above can fail).
    LogisticRegression loose({.ftol = 1e-3});
    loose.fit(problem.X, problem.y, k);
    CHECK(loose.converged());
    CHECK(loose.objective() - f_star > 10 * ftol * f_star);
    CHECK(loose.n_hessian_products() < by_default.n_hessian_products());

    LogisticRegression gradient({.tol = 1e-3});
    gradient.fit(problem.X, problem.y, k);
    CHECK(gradient.converged());
    CHECK(gradient.max_abs_gradient() <= 1e-3);
  }
}

TEST_CASE("Wide problems (many column tasks) reach a zero gradient computed the slow way", "[models]") {
  // 20000 features, cut into several column tasks of the solver's column copy of X (and the
  // prefetches run past row and column ends). The gradient C * X^T (P - Y) + W is recomputed here
  // from the CSR rows, independently of the solver's transpose.
  std::mt19937_64 rng(3);
  for (int k : {2, 5}) {
    const Random problem = sparse_random_problem(rng, 800, 20000, k, 12, 50);
    const CsrMatrix& X = problem.X;
    const std::vector<int>& y = problem.y;
    const double C = 3.0;
    std::vector<DenseMatrix> coefs;
    for (int threads : {1, 2}) {
      LogisticRegression model({.C = C, .tol = 1e-9, .n_threads = threads});
      model.fit(X, y, k);
      REQUIRE(model.converged());
      coefs.push_back(model.coef());
      CHECK(slow_gradient(model, X, y, C).first.cwiseAbs().maxCoeff() <= 1e-7);
    }
    CHECK(coefs[0] == coefs[1]);
  }
}

TEST_CASE("The column copy in row blocks holds the same entries, in the same order, as one block", "[models]") {
  std::mt19937_64 rng(11);
  CsrMatrix X;
  X.rows = 1000;
  X.cols = 37;
  for (std::int64_t i = 0; i < X.rows; ++i) {
    std::vector<std::int32_t> cols;
    for (int e = 0; e < 5; ++e) cols.push_back(static_cast<std::int32_t>(rng() % X.cols));
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    for (auto c : cols) {
      X.indices.push_back(c);
      X.data.push_back(static_cast<float>(rng() % 100));
    }
    X.indptr.push_back(static_cast<std::int64_t>(X.indices.size()));
  }
  std::vector<std::int64_t> subset;
  for (std::int64_t i = 0; i < X.rows; i += 1 + static_cast<std::int64_t>(rng() % 3)) subset.push_back(i);
  for (const bool use_subset : {false, true}) {
    const std::span<const std::int64_t> rows = use_subset ? std::span<const std::int64_t>(subset) : std::span<const std::int64_t>();
    const auto one = textaudit::models::detail::make_columns(X, rows, 3, 1 << 30);  // clamped to 65536
    REQUIRE(one.n_blocks == 1);
    REQUIRE(one.block_rows == textaudit::models::detail::kMaxBlockRows);
    for (const std::int64_t block_rows : {1, 7, 64, 999}) {
      const auto blocked = textaudit::models::detail::make_columns(X, rows, 3, block_rows);
      const auto threaded = textaudit::models::detail::make_columns(X, rows, 3, block_rows, 3);  // block-parallel
      CHECK(threaded.indptr == blocked.indptr);
      CHECK(threaded.rows == blocked.rows);
      CHECK(threaded.vals == blocked.vals);
      CHECK(threaded.task_begin == blocked.task_begin);
      const std::int64_t n = use_subset ? static_cast<std::int64_t>(subset.size()) : X.rows;
      CHECK(blocked.n_blocks == (n + block_rows - 1) / block_rows);
      CHECK(blocked.block_rows == block_rows);
      CHECK(blocked.task_begin == one.task_begin);
      for (std::int64_t j = 0; j < X.cols; ++j) {
        std::vector<std::pair<std::int32_t, float>> a, b;
        for (std::int64_t e = one.indptr[j]; e < one.indptr[j + 1]; ++e) a.emplace_back(one.rows[e], one.vals[e]);
        for (std::int64_t blk = 0; blk < blocked.n_blocks; ++blk) {
          for (std::int64_t e = blocked.indptr[blk * X.cols + j]; e < blocked.indptr[blk * X.cols + j + 1]; ++e) {
            CHECK(blocked.rows[e] < block_rows);  // relative to the block's first row
            b.emplace_back(static_cast<std::int32_t>(blk * block_rows + blocked.rows[e]), blocked.vals[e]);
          }
        }
        CHECK(a == b);
      }
    }
  }
}

TEST_CASE("Tall problems (several row blocks of the column copy) reach a zero gradient computed the slow way",
          "[models]") {
  // 150,000 rows x 8 classes: three row blocks of the solver's column copy of X (detail/columns.h),
  // so every column pass carries its sums from block to block.
  std::mt19937_64 rng(5);
  const int k = 8;
  const Random problem = sparse_random_problem(rng, 150000, 300, k, 5, 10);
  const double C = 0.5;
  LogisticRegression model({.C = C, .tol = 1e-8, .n_threads = 2});
  model.fit(problem.X, problem.y, k);
  REQUIRE(model.converged());
  const auto [grad, grad_intercept] = slow_gradient(model, problem.X, problem.y, C);
  CHECK(grad.cwiseAbs().maxCoeff() <= 1e-6);
  for (const double g : grad_intercept) CHECK(std::abs(g) <= 1e-6);
}
