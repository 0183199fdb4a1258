// The hot kernels of the pipeline, one benchmark each, on the TF-IDF matrix of a real corpus
// ($TEXTAUDIT_CORPUS, a CSV with a `label` column and the text in $TEXTAUDIT_TEXT_COLUMN, default
// `text`, as bench/make_corpus.py writes; without it: data/agnews_test.csv, column description):
// sparse scores X W (the forward half of every gradient and Hessian product), the softmax on top
// (predict_proba), one Newton iteration (objective, gradient, Hessian diagonal and the CG's
// Hessian-vector products), the confident joint, and near-duplicate candidate generation.
// Tokenizer and fit_transform: text_bench; find_label_issues: label_issues_bench.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "cleaning/confident_joint.h"
#include "cleaning/near_duplicates.h"
#include "io/dataset.h"
#include "models/logistic_regression.h"
#include "text/labels.h"
#include "text/vectorizer.h"

namespace {

namespace ta = textaudit;

struct Corpus {
  ta::text::CsrMatrix X;
  std::vector<int> y;
  int n_classes = 0;
  ta::models::LogisticRegression model;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    const char* env = std::getenv("TEXTAUDIT_CORPUS");
    const std::string path = env ? env : std::string(TEXTAUDIT_SOURCE_DIR) + "/data/agnews_test.csv";
    const char* column = std::getenv("TEXTAUDIT_TEXT_COLUMN");
    ta::io::ReadOptions options;
    options.text_column = column ? column : env ? "text" : "description";
    options.label_column = "label";
    const ta::io::Dataset data = ta::io::read_dataset(path, options);
    Corpus out;
    ta::text::TfidfVectorizer vectorizer;
    out.X = vectorizer.fit_transform(data.texts);
    const auto encoded = ta::text::encode_labels(data.labels);
    out.y = encoded.y;
    out.n_classes = static_cast<int>(encoded.classes.size());
    out.model.fit(out.X, out.y, out.n_classes);
    return out;
  }();
  return c;
}

void set_counters(benchmark::State& state, const ta::text::CsrMatrix& X) {
  state.counters["rows"] = static_cast<double>(X.rows);
  state.counters["nnz"] = static_cast<double>(X.nnz());
  state.counters["nnz_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * X.nnz()),
                                                   benchmark::Counter::kIsRate);
}

void BM_SparseScores(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    const auto scores = c.model.decision_function(c.X);
    benchmark::DoNotOptimize(scores.data());
  }
  set_counters(state, c.X);
}
BENCHMARK(BM_SparseScores)->Unit(benchmark::kMillisecond);

void BM_PredictProbaSoftmax(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    const auto proba = c.model.predict_proba(c.X);
    benchmark::DoNotOptimize(proba.data());
  }
  set_counters(state, c.X);
}
BENCHMARK(BM_PredictProbaSoftmax)->Unit(benchmark::kMillisecond);

// One trust-region Newton iteration from zero: f, gradient, Hessian diagonal, CG products.
void BM_NewtonIteration(benchmark::State& state) {
  const Corpus& c = corpus();
  ta::models::LogisticRegressionParams params;
  params.max_iter = 1;
  params.n_threads = static_cast<int>(state.range(0));
  int hess = 0;
  for (auto _ : state) {
    ta::models::LogisticRegression model(params);
    model.fit(c.X, c.y, c.n_classes);
    hess = model.n_hessian_products();
  }
  state.counters["hessian_products"] = hess;
  set_counters(state, c.X);
}
BENCHMARK(BM_NewtonIteration)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ConfidentJoint(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const int k = static_cast<int>(state.range(1));
  std::mt19937_64 rng(7);
  std::gamma_distribution<double> gamma(1.0, 1.0);
  std::vector<int> labels(static_cast<std::size_t>(n));
  ta::DenseMatrix probs(n, k);
  for (std::int64_t i = 0; i < n; ++i) {
    double total = 0;
    for (int j = 0; j < k; ++j) total += probs(i, j) = gamma(rng) + (j == i % k ? 3.0 : 0.0);
    probs.row(i) /= total;
    labels[static_cast<std::size_t>(i)] = static_cast<int>((i * 7919) % k);
  }
  for (auto _ : state) {
    const auto cj = ta::cleaning::compute_confident_joint(labels, probs, true, static_cast<int>(state.range(2)));
    benchmark::DoNotOptimize(cj.confident_joint.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ConfidentJoint)->Args({1'000'000, 4, 1})->Args({1'000'000, 4, 2})->Args({1'000'000, 20, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// Exact sparse cosine candidates (prefix filtering) and the near-duplicate sets.
void BM_NearDuplicateCandidates(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t groups = 0;
  for (auto _ : state) {
    const auto r = ta::cleaning::find_near_duplicates(c.X, {.min_cosine = 0.9, .n_threads = static_cast<int>(state.range(0))});
    groups = r.groups.size();
  }
  state.counters["groups"] = static_cast<double>(groups);
  set_counters(state, c.X);
}
BENCHMARK(BM_NearDuplicateCandidates)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
