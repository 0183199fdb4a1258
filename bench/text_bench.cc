// Benchmarks of the text pipeline: tokenization (Analyzer) and TfidfVectorizer::fit_transform on
// a deterministic synthetic corpus (Zipf-like words, some accented), sized by the range argument.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "text/tokenizer.h"
#include "text/vectorizer.h"

namespace {

// n_docs documents of 5-60 words drawn from a Zipf-like vocabulary of 50k pseudo-words; about 2%
// of the documents contain a non-ASCII word (the Unicode path).
std::vector<std::string> synthetic_corpus(std::int64_t n_docs, std::uint32_t seed) {
  static const char* const kSyllables[] = {"ba", "de", "fi", "go", "ku", "la", "me", "ni", "po", "ru",
                                           "sa", "te", "vi", "zo", "ka", "No", "Re", "ST", "x", "q"};
  std::mt19937 rng(seed);
  std::vector<std::string> words;
  for (int i = 0; i < 50000; ++i) {
    std::string w;
    for (int v = i + 1; v > 0; v /= 20) w += kSyllables[v % 20];
    words.push_back(w);
  }
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> length(5, 60);
  std::vector<std::string> docs;
  docs.reserve(n_docs);
  for (std::int64_t d = 0; d < n_docs; ++d) {
    std::string doc;
    const int n = length(rng);
    for (int k = 0; k < n; ++k) {
      const auto rank = static_cast<std::size_t>(std::pow(50000.0, u(rng))) - 1;  // ~ 1/rank
      doc += words[rank];
      doc += k % 7 == 6 ? ", " : " ";
    }
    if (u(rng) < 0.02) doc += " caf\u00e9 na\u00efve \u00c9T\u00c9";
    docs.push_back(std::move(doc));
  }
  return docs;
}

std::int64_t total_bytes(const std::vector<std::string>& docs) {
  std::int64_t n = 0;
  for (const auto& d : docs) n += static_cast<std::int64_t>(d.size());
  return n;
}

void BM_Tokenize(benchmark::State& state) {
  const auto docs = synthetic_corpus(state.range(0), 42);
  textaudit::text::Analyzer analyzer(textaudit::text::TfidfParams{});
  for (auto _ : state) {
    std::size_t tokens = 0;
    for (const auto& doc : docs) {
      analyzer.run(doc);
      tokens += analyzer.tokens().size();
    }
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(state.iterations() * total_bytes(docs));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Tokenize)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_FitTransform(benchmark::State& state) {
  const auto docs = synthetic_corpus(state.range(0), 42);
  textaudit::text::TfidfParams params;
  params.n_threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    textaudit::text::TfidfVectorizer vec(params);
    benchmark::DoNotOptimize(vec.fit_transform(docs));
  }
  state.SetBytesProcessed(state.iterations() * total_bytes(docs));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FitTransform)->Args({100000, 1})->Args({100000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FitTransformBigrams(benchmark::State& state) {
  const auto docs = synthetic_corpus(state.range(0), 42);
  textaudit::text::TfidfParams params;
  params.ngram_range = {1, 2};
  params.min_df = textaudit::text::DocFreq::count(2);
  for (auto _ : state) {
    textaudit::text::TfidfVectorizer vec(params);
    benchmark::DoNotOptimize(vec.fit_transform(docs));
  }
  state.SetBytesProcessed(state.iterations() * total_bytes(docs));
}
BENCHMARK(BM_FitTransformBigrams)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
