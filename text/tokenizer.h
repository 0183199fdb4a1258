// text/tokenizer.h: scikit-learn's word analyzer (preprocess, tokenize, n-grams) for TfidfParams.
//
// The default token_pattern (?u)\b\w\w+\b, and every pattern of the form \b\w...\w+\b, runs on a
// hand-written scanner with Python's Unicode \w (text/utf8.h: is_word_char): a token is a maximal
// run of word characters of at least that many code points. Any other pattern is compiled with
// re2 after removing a leading "(?u)"; there \w, \d, \s and \b keep re2's ASCII-only meaning (write
// [\pL\pN_] for a Unicode word character). As in scikit-learn, a pattern with one capturing group
// yields that group; more than one group is an error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/tfidf_params.h"

namespace re2 {
class RE2;
}

namespace textaudit::text {

// Byte range of a token inside Analyzer::text().
struct TokenSpan {
  std::uint32_t begin = 0;
  std::uint32_t size = 0;
};

// Preprocesses and tokenizes one document at a time, reusing its buffers; not thread-safe (use
// one Analyzer per thread). Construction throws std::invalid_argument for bad params.
class Analyzer {
 public:
  explicit Analyzer(const TfidfParams& params);
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  // Lowercases / strips accents as configured and finds the tokens of `doc`; the results stay
  // valid until the next run(). Throws DataError for invalid UTF-8 when decode_error is strict.
  void run(std::string_view doc);
  // The preprocessed document; at least kTextPadding bytes after its end are readable (their
  // values are unspecified).
  std::string_view text() const { return text_; }
  const TfidfParams& params() const { return params_; }
  static constexpr std::size_t kTextPadding = 8;
  const std::vector<TokenSpan>& tokens() const { return tokens_; }
  std::string_view token(std::size_t i) const { return {text_.data() + tokens_[i].begin, tokens_[i].size}; }

  // Calls emit(std::string_view term) for every term of the last run(): the n-grams for
  // n = min_n..max_n (all unigrams, then all bigrams, ...), tokens joined by one space. At least
  // kTextPadding readable bytes follow each term.
  template <typename Emit>
  void for_each_term(Emit&& emit);
  // As for_each_term, but only the n-grams with n >= 2 (for callers that take unigrams from tokens()).
  template <typename Emit>
  void for_each_ngram(Emit&& emit);

 private:
  void scan_ascii_or_fallback(std::string_view doc);
  void run_with_regex(std::string_view doc);
  void run_unicode(std::string_view doc);
  void scan_words_unicode();
  void run_regex();

  TfidfParams params_;
  int min_token_chars_ = 2;       // scanner: minimum code points per token
  std::unique_ptr<re2::RE2> re_;  // null when the scanner handles the pattern
  std::string text_;
  std::vector<TokenSpan> tokens_;
  std::vector<char32_t> code_points_;
  std::string ngram_;
};

// The terms scikit-learn's build_analyzer()(doc) returns for `params`.
std::vector<std::string> analyze(std::string_view doc, const TfidfParams& params = {});
// The tokens (unigrams, before n-grams) of `doc`.
std::vector<std::string> tokenize(std::string_view doc, const TfidfParams& params = {});

template <typename Emit>
void Analyzer::for_each_term(Emit&& emit) {
  if (params_.ngram_range.first == 1) {
    for (std::size_t i = 0; i < tokens_.size(); ++i) emit(token(i));
  }
  for_each_ngram(emit);
}

template <typename Emit>
void Analyzer::for_each_ngram(Emit&& emit) {
  const int min_n = params_.ngram_range.first;
  const int max_n = params_.ngram_range.second;
  const std::size_t n_tokens = tokens_.size();
  for (int n = std::max(min_n, 2); n <= max_n && static_cast<std::size_t>(n) <= n_tokens; ++n) {
    for (std::size_t i = 0; i + n <= n_tokens; ++i) {
      ngram_.assign(token(i));
      for (int k = 1; k < n; ++k) {
        ngram_.push_back(' ');
        ngram_.append(token(i + k));
      }
      if (ngram_.capacity() < ngram_.size() + kTextPadding) ngram_.reserve(ngram_.size() + kTextPadding);
      emit(std::string_view(ngram_));
    }
  }
}

}  // namespace textaudit::text
