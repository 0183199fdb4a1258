// find_label_issues with default arguments on synthetic out-of-fold probabilities: 1M rows x 4 and
// x 20 classes (issue 4; cleanlab 2.9 takes 1.12 s / 4.45 s on this machine). BM_FindLabelIssues
// is cleanlab's default call (the mask); BM_FindLabelIssuesRanked adds
// return_indices_ranked_by=self_confidence (the flagged rows, most likely label error first). Inputs follow the
// reference generator's recipe, w * onehot(true) + (1 - w) * Dirichlet(1), 10% flipped labels,
// generated deterministically (seed 42).
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "cleaning/label_issues.h"

namespace {

struct Synthetic {
  std::vector<int> labels;
  textaudit::DenseMatrix pred_probs;
};

Synthetic make_synthetic(std::int64_t n, int k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::gamma_distribution<double> gamma(1.0, 1.0);
  std::uniform_int_distribution<int> cls(0, k - 1);
  Synthetic s;
  s.labels.resize(static_cast<std::size_t>(n));
  s.pred_probs.resize(n, k);
  for (std::int64_t i = 0; i < n; ++i) {
    const int truth = cls(rng);
    const double w = unit(rng);
    double total = 0;
    for (int j = 0; j < k; ++j) total += s.pred_probs(i, j) = gamma(rng);
    double row_sum = 0;
    for (int j = 0; j < k; ++j) {
      double& p = s.pred_probs(i, j);
      p = (1 - w) * p / total + (j == truth ? w : 0.0);
      row_sum += p;
    }
    for (int j = 0; j < k; ++j) s.pred_probs(i, j) /= row_sum;
    s.labels[static_cast<std::size_t>(i)] = unit(rng) < 0.1 ? cls(rng) : truth;
  }
  return s;
}

void BM_FindLabelIssues(benchmark::State& state) {
  const Synthetic s = make_synthetic(state.range(0), static_cast<int>(state.range(1)), 42);
  textaudit::cleaning::FindLabelIssuesParams params;
  params.n_threads = static_cast<int>(state.range(2));
  std::size_t flagged = 0;
  for (auto _ : state) {
    const auto mask = textaudit::cleaning::find_label_issues_mask(s.labels, s.pred_probs, params);
    flagged = 0;
    for (bool b : mask) flagged += b;
    benchmark::DoNotOptimize(flagged);
  }
  state.counters["flagged"] = static_cast<double>(flagged);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_FindLabelIssuesRanked(benchmark::State& state) {
  const Synthetic s = make_synthetic(state.range(0), static_cast<int>(state.range(1)), 42);
  textaudit::cleaning::FindLabelIssuesParams params;
  params.n_threads = static_cast<int>(state.range(2));
  params.return_indices_ranked_by = textaudit::cleaning::LabelQualityMethod::kSelfConfidence;
  std::size_t flagged = 0;
  for (auto _ : state) {
    const auto ranked = textaudit::cleaning::find_label_issues(s.labels, s.pred_probs, params);
    flagged = ranked.size();
    benchmark::DoNotOptimize(ranked.data());
  }
  state.counters["flagged"] = static_cast<double>(flagged);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_FindLabelIssues)
    ->Args({1'000'000, 4, 1})
    ->Args({1'000'000, 20, 1})
    ->Args({1'000'000, 4, 2})
    ->Args({1'000'000, 20, 2})
    ->ArgNames({"n", "K", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_FindLabelIssuesRanked)
    ->Args({1'000'000, 4, 2})
    ->Args({1'000'000, 20, 2})
    ->ArgNames({"n", "K", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
