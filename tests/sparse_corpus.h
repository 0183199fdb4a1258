// A deterministic synthetic text corpus for the sparse near-duplicate and outlier tests: topic
// words, planted exact copies, near copies (one word changed) and outliers (words no other row uses).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace textaudit::testing {

struct SyntheticCorpus {
  std::vector<std::string> docs;
  std::vector<std::pair<std::size_t, std::size_t>> exact_copies;  // (source, copy)
  std::vector<std::size_t> outliers;
};

inline SyntheticCorpus synthetic_corpus(std::size_t n_base, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto word = [](std::size_t id) {
    static const char* syl[] = {"ba", "de", "fi", "go", "ku", "la", "me", "ni", "po", "ru", "sa", "te"};
    std::string w = "w";
    for (std::size_t v = id + 1; v; v /= 12) w += syl[v % 12];
    return w;
  };
  std::vector<double> weights(3000);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> zipf(weights.begin(), weights.end());
  std::uniform_int_distribution<int> length(6, 20);
  std::uniform_int_distribution<std::size_t> topic_of(0, 39), topic_word(0, 59);
  std::bernoulli_distribution on_topic(0.7);
  SyntheticCorpus c;
  for (std::size_t i = 0; i < n_base; ++i) {  // 40 topics of 60 words each, plus shared Zipf words
    std::string d;
    const std::size_t topic = topic_of(rng);
    for (int t = length(rng); t > 0; --t)
      d += word(on_topic(rng) ? 3000 + topic * 60 + topic_word(rng) : zipf(rng)) + " ";
    c.docs.push_back(d);
  }
  std::uniform_int_distribution<std::size_t> pick(0, n_base - 1);
  for (std::size_t i = 0; i < n_base / 20; ++i) {  // exact copies
    const std::size_t s = pick(rng);
    c.exact_copies.emplace_back(s, c.docs.size());
    c.docs.push_back(c.docs[s]);
  }
  for (std::size_t i = 0; i < n_base / 20; ++i) {  // near copies: one more word
    c.docs.push_back(c.docs[pick(rng)] + word(zipf(rng)));
  }
  for (std::size_t i = 0; i < 10; ++i) {  // outliers: words of their own
    c.outliers.push_back(c.docs.size());
    c.docs.push_back("zq" + std::to_string(i) + "x zr" + std::to_string(i) + "y zs" + std::to_string(i) + "z");
  }
  return c;
}

}  // namespace textaudit::testing
