// Confident learning against cleanlab 2.9: every case and every expected value in
// tests/reference/cleanlab/*.json (see section 1 of tests/reference/README.md).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cleaning/confident_joint.h"
#include "cleaning/detail/label_issues_prune.h"
#include "cleaning/detail/score_order.h"
#include "cleaning/label_issues.h"
#include "cleaning/numpy_sort.h"
#include "cleaning/rank.h"
#include "test_util.h"

namespace {

using nlohmann::json;
using namespace textaudit::cleaning;
using textaudit::DenseMatrix;

// Floats: the same arithmetic on the same doubles; only summation order may differ (README: 1e-9).
constexpr double kTolerance = 1e-9;

DenseMatrix to_matrix(const json& rows) {
  DenseMatrix m(static_cast<Eigen::Index>(rows.size()),
                rows.empty() ? 0 : static_cast<Eigen::Index>(rows[0].size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j].get<double>();
  return m;
}

void check_close(const std::vector<double>& ours, const json& expected) {
  REQUIRE(ours.size() == expected.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    INFO("index " << i);
    CHECK(ours[i] == Approx(expected[i].get<double>()).margin(kTolerance).epsilon(0));
  }
}

void check_close(const DenseMatrix& ours, const json& expected) {
  REQUIRE(ours.rows() == static_cast<Eigen::Index>(expected.size()));
  for (Eigen::Index i = 0; i < ours.rows(); ++i) {
    REQUIRE(ours.cols() == static_cast<Eigen::Index>(expected[i].size()));
    for (Eigen::Index j = 0; j < ours.cols(); ++j) {
      INFO("entry " << i << "," << j);
      CHECK(ours(i, j) == Approx(expected[i][j].get<double>()).margin(kTolerance).epsilon(0));
    }
  }
}

void check_counts(const CountMatrix& ours, const json& expected) {
  REQUIRE(ours.rows() == static_cast<Eigen::Index>(expected.size()));
  for (Eigen::Index i = 0; i < ours.rows(); ++i)
    for (Eigen::Index j = 0; j < ours.cols(); ++j) {
      INFO("entry " << i << "," << j);
      CHECK(ours(i, j) == expected[i][j].get<std::int64_t>());
    }
}

std::vector<std::size_t> to_indices(const json& list) {
  return list.get<std::vector<std::size_t>>();
}

// Rankings are exact, except that the README's near_ties pairs (rows whose scores differ by less
// than 1e-12 without being equal) were compared on cleanlab's machine with NumPy's AVX-512 log,
// which differs from libm by 1-2 ulp. A flipped comparison changes NumPy's quicksort partitions, so
// exact ties elsewhere in the same sort can move too. The test therefore replays NumPy's argsort
// with each listed pair's score groups kept, made equal, or swapped, and requires one of these
// hypotheses to give cleanlab's order exactly; nothing else is relaxed.
void check_ranking(const std::vector<std::size_t>& ours, const json& expected, const json& near_ties,
                   const std::vector<double>& scores) {
  const std::vector<std::size_t> want = to_indices(expected);
  if (near_ties.empty() || ours == want) {
    CHECK(ours == want);
    return;
  }
  std::vector<std::size_t> flagged = want;  // the flagged set, ascending (the mask's order)
  std::sort(flagged.begin(), flagged.end());
  std::vector<std::size_t> ours_sorted = ours;
  std::sort(ours_sorted.begin(), ours_sorted.end());
  REQUIRE(ours_sorted == flagged);
  const std::size_t pairs = near_ties.size();
  REQUIRE(pairs <= 6);
  std::size_t combos = 1;
  for (std::size_t p = 0; p < pairs; ++p) combos *= 3;
  bool reproduced = false;
  for (std::size_t combo = 0; combo < combos && !reproduced; ++combo) {
    std::vector<double> keys(flagged.size());
    for (std::size_t i = 0; i < flagged.size(); ++i) keys[i] = scores[flagged[i]];
    std::size_t code = combo;
    for (const json& pair : near_ties) {
      const int choice = static_cast<int>(code % 3);
      code /= 3;
      const double sa = scores[pair[0].get<std::size_t>()], sb = scores[pair[1].get<std::size_t>()];
      REQUIRE(std::abs(sa - sb) < 1e-12);
      const double lo = std::min(sa, sb), hi = std::max(sa, sb);
      if (choice == 0 || lo == hi) continue;
      const double replacement = choice == 1 ? lo : std::nextafter(lo, -1.0);
      for (double& k : keys)
        if (k == hi) k = replacement;
    }
    const std::vector<std::int64_t> order = numpy_argsort(keys);
    std::vector<std::size_t> replay(order.size());
    for (std::size_t r = 0; r < order.size(); ++r) replay[r] = flagged[static_cast<std::size_t>(order[r])];
    reproduced = replay == want;
  }
  INFO("cleanlab's order is not NumPy's argsort of our scores under any near-tie hypothesis");
  CHECK(reproduced);
}

FindLabelIssuesParams params_from_kwargs(const json& kwargs) {
  FindLabelIssuesParams params;
  for (const auto& [key, value] : kwargs.items()) {
    if (key == "filter_by") params.filter_by = parse_filter_by(value.get<std::string>());
    else if (key == "frac_noise") params.frac_noise = value.get<double>();
    else if (key == "min_examples_per_class") params.min_examples_per_class = value.get<int>();
    else if (key == "num_to_remove_per_class")
      params.num_to_remove_per_class = value.get<std::vector<std::int64_t>>();
    else if (key == "return_indices_ranked_by")
      params.return_indices_ranked_by = parse_label_quality_method(value.get<std::string>());
    else FAIL("unknown kwarg " << key);
  }
  return params;
}

// Runs `call` and either compares through `compare` or, when cleanlab raised, requires our error.
void expect(const json& errors, const std::string& key, const std::function<void()>& call) {
  INFO("output " << key);
  if (errors.contains(key)) {
    const std::string message = errors[key]["message"].get<std::string>();
    CHECK(errors[key]["type"] == "ValueError");
    CHECK_THROWS_WITH(call(), Catch::Contains(message));
  } else {
    call();
  }
}

std::vector<std::string> case_files() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(
           textaudit::testing::source_path("tests/reference/cleanlab")))
    if (entry.path().extension() == ".json") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void run_case(const json& c) {
  const auto labels = c["labels"].get<std::vector<int>>();
  const DenseMatrix pred_probs = to_matrix(c["pred_probs"]);
  REQUIRE(static_cast<int>(labels.size()) == c["n"].get<int>());
  REQUIRE(pred_probs.cols() == c["K"].get<int>());
  const json& expected = c["expected"];
  const json errors = expected.value("errors", json::object());
  const json near_ties = c.value("near_ties", json::object());
  auto ties_for = [&](const std::string& key) {
    return near_ties.contains(key) ? near_ties[key] : json::array();
  };
  const std::vector<std::string> filters = {"prune_by_noise_rate", "prune_by_class", "both",
                                            "confident_learning", "predicted_neq_given",
                                            "low_normalized_margin", "low_self_confidence"};
  const std::vector<std::string> methods = {"self_confidence", "normalized_margin",
                                            "confidence_weighted_entropy"};
  int checked = 0, recorded = 0;
  for (const auto& item : expected.items()) {
    const std::string& family = item.key();
    const json& value = item.value();
    if (family == "errors") continue;
    recorded += value.is_object() && family != "estimate_latent" &&
                        family != "estimate_py_and_noise_matrices_from_probabilities"
                    ? static_cast<int>(family == "label_quality_scores"
                                           ? [&] { int s = 0; for (auto& m : value) s += static_cast<int>(m.size()); return s; }()
                                           : static_cast<int>(value.size()))
                    : 1;
  }
  recorded += static_cast<int>(errors.size());

  for (const std::string& f : filters) {
    const std::string key = "find_label_issues." + f;
    const bool present = expected["find_label_issues"].contains(f);
    REQUIRE(present != errors.contains(key));
    ++checked;
    expect(errors, key, [&] {
      FindLabelIssuesParams params;
      params.filter_by = parse_filter_by(f);
      const auto ours = find_label_issues(labels, pred_probs, params);
      CHECK(ours == to_indices(expected["find_label_issues"][f]));
    });
  }
  for (const std::string& m : methods) {
    const std::string key = "ranked." + m;
    REQUIRE(expected["ranked"].contains(m) != errors.contains(key));
    ++checked;
    expect(errors, key, [&] {
      FindLabelIssuesParams params;
      params.return_indices_ranked_by = parse_label_quality_method(m);
      const auto ours = find_label_issues(labels, pred_probs, params);
      check_ranking(ours, expected["ranked"][m], ties_for(key),
                    get_label_quality_scores(labels, pred_probs, *params.return_indices_ranked_by));
    });
    for (const bool adjust : {false, true}) {
      const std::string sub = std::string("adjust_pred_probs=") + (adjust ? "true" : "false");
      const std::string lkey = "label_quality_scores." + m + "." + sub;
      const bool has = expected["label_quality_scores"].contains(m) &&
                       expected["label_quality_scores"][m].contains(sub);
      REQUIRE(has != errors.contains(lkey));
      ++checked;
      expect(errors, lkey, [&] {
        const std::vector<double> ours =
            get_label_quality_scores(labels, pred_probs, parse_label_quality_method(m), adjust);
        check_close(ours, expected["label_quality_scores"][m][sub]);
      });
    }
  }
  check_close(get_confident_thresholds(labels, pred_probs), expected["confident_thresholds"]);
  check_counts(compute_confident_joint(labels, pred_probs, false).confident_joint,
               expected["confident_joint"]["calibrate=false"]);
  check_counts(compute_confident_joint(labels, pred_probs, true).confident_joint,
               expected["confident_joint"]["calibrate=true"]);
  check_close(estimate_joint(labels, pred_probs), expected["estimate_joint"]);
  checked += 4;
  for (const std::string method : {"off_diagonal", "off_diagonal_calibrated"}) {
    const std::string key = "num_label_issues." + method;
    REQUIRE(expected["num_label_issues"].contains(method) != errors.contains(key));
    ++checked;
    expect(errors, key, [&] {
      const std::int64_t ours =
          num_label_issues(labels, pred_probs, parse_num_label_issues_method(method));
      CHECK(ours == expected["num_label_issues"][method].get<std::int64_t>());
    });
  }
  {
    const json& e = expected["estimate_latent"];
    const CountMatrix cj = compute_confident_joint(labels, pred_probs, true).confident_joint;
    check_counts(cj, e["confident_joint_input"]);
    const LatentEstimates latent = estimate_latent(cj, labels);
    check_close(latent.py, e["py"]);
    check_close(latent.noise_matrix, e["noise_matrix"]);
    check_close(latent.inverse_noise_matrix, e["inverse_noise_matrix"]);
    ++checked;
  }
  {
    const json& e = expected["estimate_py_and_noise_matrices_from_probabilities"];
    const LatentEstimates latent =
        estimate_py_and_noise_matrices_from_probabilities(labels, pred_probs);
    check_close(latent.py, e["py"]);
    check_close(latent.noise_matrix, e["noise_matrix"]);
    check_close(latent.inverse_noise_matrix, e["inverse_noise_matrix"]);
    check_counts(latent.confident_joint, e["confident_joint"]);
    ++checked;
  }
  const json& variants = expected["find_label_issues_variants"];
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const json& variant = variants[v];
    const std::string key = "find_label_issues_variants[" + std::to_string(v) + "]";
    INFO(key << " " << variant["kwargs"].dump());
    const FindLabelIssuesParams params = params_from_kwargs(variant["kwargs"]);
    if (variant.contains("error")) {
      CHECK_THROWS_WITH(find_label_issues(labels, pred_probs, params),
                        Catch::Contains(variant["error"]["message"].get<std::string>()));
    } else if (variant.contains("ranked")) {
      const auto ours = find_label_issues(labels, pred_probs, params);
      check_ranking(ours, variant["ranked"], ties_for(key),
                    get_label_quality_scores(labels, pred_probs, *params.return_indices_ranked_by));
    } else {
      CHECK(find_label_issues(labels, pred_probs, params) == to_indices(variant["flagged"]));
    }
  }
  ++checked;
  // Every recorded output (each error counted once, plus the variants list) was compared.
  CHECK(checked == recorded);
}

}  // namespace

TEST_CASE("find_label_issues and the confident joint match cleanlab 2.9 on every reference case",
          "[cleaning][golden]") {
  const std::vector<std::string> files = case_files();
  REQUIRE(files.size() == 29);
  for (const std::string& file : files) {
    DYNAMIC_SECTION(file) {
      const json c = textaudit::testing::read_reference("cleanlab/" + file);
      run_case(c);
    }
  }
}

TEST_CASE("find_label_issues rejects bad parameters naming the field", "[cleaning]") {
  const std::vector<int> labels = {0, 1, 0, 1};
  DenseMatrix p(4, 2);
  p << 0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7;
  FindLabelIssuesParams params;
  params.frac_noise = 0.0;
  CHECK_THROWS_WITH(find_label_issues(labels, p, params), Catch::Contains("frac_noise"));
  params = {};
  params.num_to_remove_per_class = {1, 1, 1};
  CHECK_THROWS_WITH(find_label_issues(labels, p, params), Catch::Contains("num_to_remove_per_class"));
  CHECK_THROWS_WITH(parse_filter_by("prune"), Catch::Contains("filter_by must be one of"));
  const std::vector<int> short_labels = {0, 1, 0};
  CHECK_THROWS_WITH(find_label_issues(short_labels, p), Catch::Contains("same length"));
  const std::vector<int> bad_label = {0, 1, 0, 2};
  CHECK_THROWS_WITH(find_label_issues(bad_label, p), Catch::Contains("at least 3 columns"));
}

TEST_CASE("thread count does not change the flagged rows", "[cleaning]") {
  const json c = textaudit::testing::read_reference("cleanlab/synth_k7_n5000_imbalanced.json");
  const auto labels = c["labels"].get<std::vector<int>>();
  const DenseMatrix p = to_matrix(c["pred_probs"]);
  for (const char* f : {"prune_by_noise_rate", "prune_by_class", "both"}) {
    FindLabelIssuesParams one, many;
    one.filter_by = many.filter_by = parse_filter_by(f);
    many.n_threads = 3;
    CHECK(find_label_issues(labels, p, one) == find_label_issues(labels, p, many));
  }
}

namespace {

// Synthetic out-of-fold probabilities as in bench/label_issues_bench.cc: w * onehot(true) +
// (1 - w) * Dirichlet(1), a share of labels flipped. class_weight skews the classes (class c drawn
// with weight class_weight^c); levels > 0 rounds probabilities to multiples of 1/levels (ties);
// sorted orders the rows by label.
struct Synthetic {
  std::vector<int> labels;
  DenseMatrix pred_probs;
};

Synthetic make_synthetic(Eigen::Index n, int k, std::uint64_t seed, double class_weight = 1.0,
                         int levels = 0, bool sorted = false, double flip = 0.1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::gamma_distribution<double> gamma(1.0, 1.0);
  std::vector<double> weights(static_cast<std::size_t>(k));
  for (int c = 0; c < k; ++c) weights[static_cast<std::size_t>(c)] = std::pow(class_weight, c);
  std::discrete_distribution<int> cls(weights.begin(), weights.end());
  Synthetic s;
  s.labels.resize(static_cast<std::size_t>(n));
  s.pred_probs.resize(n, k);
  for (Eigen::Index i = 0; i < n; ++i) {
    const int truth = cls(rng);
    const double w = unit(rng);
    double total = 0;
    for (int j = 0; j < k; ++j) total += s.pred_probs(i, j) = gamma(rng);
    for (int j = 0; j < k; ++j) {
      double& p = s.pred_probs(i, j);
      p = (1 - w) * p / total + (j == truth ? w : 0.0);
      if (levels > 0) p = std::round(p * levels) / levels;
    }
    s.labels[static_cast<std::size_t>(i)] = unit(rng) < flip ? cls(rng) : truth;
  }
  if (sorted) {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
      return s.labels[static_cast<std::size_t>(a)] < s.labels[static_cast<std::size_t>(b)];
    });
    Synthetic t;
    t.labels.resize(s.labels.size());
    t.pred_probs.resize(n, k);
    for (Eigen::Index r = 0; r < n; ++r) {
      t.labels[static_cast<std::size_t>(r)] = s.labels[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])];
      t.pred_probs.row(r) = s.pred_probs.row(order[static_cast<std::size_t>(r)]);
    }
    return t;
  }
  return s;
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the two-pass prune filters flag exactly the rows of the step-by-step version",
          "[cleaning]") {
  struct Case {
    const char* name;
    std::function<Synthetic()> make;  // called only in its own section
  };
  const std::vector<Case> cases = {
      {"K=4, 100k rows", [] { return make_synthetic(100'000, 4, 1); }},
      {"K=20, 50k rows", [] { return make_synthetic(50'000, 20, 2); }},
      {"K=7 skewed (tiny classes)", [] { return make_synthetic(60'000, 7, 3, 0.3); }},
      {"K=5, probabilities in 1/8 steps (ties at the cuts)",
       [] { return make_synthetic(50'000, 5, 4, 1.0, 8); }},
      {"K=3 sorted by label, 40% flipped", [] { return make_synthetic(50'000, 3, 5, 0.7, 0, true, 0.4); }},
      {"K=2, 300 rows", [] { return make_synthetic(300, 2, 6); }},
      {"K=70 (two column groups)", [] { return make_synthetic(10'000, 70, 7); }},
  };
  for (const Case& spec : cases) {
    DYNAMIC_SECTION(spec.name) {
      const Synthetic data = spec.make();
      const auto k = static_cast<int>(data.pred_probs.cols());
      std::vector<FindLabelIssuesParams> variants(6);
      variants[1].filter_by = FilterBy::kPruneByClass;
      variants[2].filter_by = FilterBy::kBoth;
      variants[3].frac_noise = 0.5;
      variants[4].min_examples_per_class = 3000;
      variants[5].num_to_remove_per_class.assign(static_cast<std::size_t>(k), 40);
      for (std::size_t v = 0; v < variants.size(); ++v) {
        INFO("variant " << v);
        const std::vector<bool> want =
            detail::prune_filter_mask_reference(data.labels, data.pred_probs, variants[v]);
        for (int threads : {1, 2, 3}) {
          INFO("threads " << threads);
          FindLabelIssuesParams params = variants[v];
          params.n_threads = threads;
          const std::vector<bool> got = find_label_issues_mask(data.labels, data.pred_probs, params);
          CHECK(got == want);
        }
      }
    }
  }
}

TEST_CASE("the two-pass prune filters report bad input as the step-by-step version does",
          "[cleaning]") {
  const Synthetic s = make_synthetic(70'000, 3, 8);
  const auto same_error = [](const std::vector<int>& labels, const DenseMatrix& p,
                             const FindLabelIssuesParams& params) {
    const std::string fast = error_of([&] { find_label_issues_mask(labels, p, params); });
    const std::string slow =
        error_of([&] { detail::prune_filter_mask_reference(labels, p, params); });
    CHECK(fast != "(no error)");
    CHECK(fast == slow);
    return fast;
  };
  FindLabelIssuesParams params;
  params.n_threads = 2;
  SECTION("a NaN, and a value above 1 earlier in a later block") {
    DenseMatrix p = s.pred_probs;
    p(65'000, 2) = std::nan("");
    p(40'000, 1) = 1.5;
    CHECK_THAT(same_error(s.labels, p, params), Catch::Contains("row 40000, column 1"));
    params.frac_noise = 2.0;  // the values are checked before the parameters, as cleanlab does
    CHECK_THAT(same_error(s.labels, p, params), Catch::Contains("row 40000, column 1"));
  }
  SECTION("labels out of range, one class only, bad parameters") {
    std::vector<int> labels = s.labels;
    labels[50'000] = 3;
    CHECK_THAT(same_error(labels, s.pred_probs, params), Catch::Contains("at least 4 columns"));
    labels[60'000] = -1;
    CHECK_THAT(same_error(labels, s.pred_probs, params), Catch::Contains("positive integers"));
    CHECK_THAT(same_error(std::vector<int>(s.labels.size(), 1), s.pred_probs, params),
               Catch::Contains("at least 2 classes"));
    CHECK_THAT(same_error(std::vector<int>(5, 0), s.pred_probs, params), Catch::Contains("same length"));
    params.min_examples_per_class = -1;
    CHECK_THAT(same_error(s.labels, s.pred_probs, params), Catch::Contains("min_examples_per_class"));
  }
  SECTION("labels all 0 pass and flag nothing") {
    const std::vector<int> zeros(s.labels.size(), 0);
    CHECK(find_label_issues_mask(zeros, s.pred_probs, params) ==
          detail::prune_filter_mask_reference(zeros, s.pred_probs, params));
  }
}

TEST_CASE("argsort_scores gives numpy_argsort's order, ties and NaN included", "[cleaning]") {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> unit(-0.001, 1.0);
  std::vector<double> scores(50'000);
  for (double& x : scores) x = unit(rng);
  CHECK(detail::argsort_scores(scores) == numpy_argsort(scores));
  std::vector<double> tied = scores;
  for (std::size_t i = 0; i < tied.size(); i += 7) tied[i] = tied[i / 2];  // equal keys
  CHECK(detail::argsort_scores(tied) == numpy_argsort(tied));
  std::vector<double> zeros = {0.5, -0.0, 0.25, 0.0, 1.0};  // -0.0 == 0.0 is a tie for NumPy
  CHECK(detail::argsort_scores(zeros) == numpy_argsort(zeros));
  std::vector<double> with_nan = {0.5, std::nan(""), 0.25, 1.0};
  CHECK(detail::argsort_scores(with_nan) == numpy_argsort(with_nan));
  CHECK(detail::argsort_scores(std::vector<double>{}).empty());
  const std::vector<double> one = {0.3};
  CHECK(detail::argsort_scores(one) == std::vector<std::int64_t>{0});
}

TEST_CASE("find_label_issues ranks like order_label_issues", "[cleaning]") {
  const Synthetic s = make_synthetic(100'000, 6, 10);
  const Synthetic q = make_synthetic(30'000, 4, 11, 1.0, 16);  // scores in 1/16 steps: many ties
  for (const Synthetic* data : {&s, &q}) {
    for (auto method : {LabelQualityMethod::kSelfConfidence, LabelQualityMethod::kNormalizedMargin,
                        LabelQualityMethod::kConfidenceWeightedEntropy}) {
      FindLabelIssuesParams params;
      params.return_indices_ranked_by = method;
      const std::vector<bool> mask = find_label_issues_mask(data->labels, data->pred_probs, params);
      CHECK(find_label_issues(data->labels, data->pred_probs, params) ==
            order_label_issues(mask, data->labels, data->pred_probs, method));
    }
  }
}

TEST_CASE("the two-pass prune filters flag the same rows without AVX2", "[cleaning]") {
  for (const Synthetic& data : {make_synthetic(30'000, 20, 12), make_synthetic(30'000, 5, 13, 0.5, 8),
                                make_synthetic(5'000, 67, 14)}) {
    FindLabelIssuesParams params;
    params.n_threads = 2;
    const std::vector<bool> want = detail::prune_filter_mask_reference(data.labels, data.pred_probs, params);
    detail::allow_avx2_for_testing(false);
    const std::vector<bool> without = find_label_issues_mask(data.labels, data.pred_probs, params);
    detail::allow_avx2_for_testing(true);
    CHECK(without == want);
    CHECK(find_label_issues_mask(data.labels, data.pred_probs, params) == want);
  }
}
