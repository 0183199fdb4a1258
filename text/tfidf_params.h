// text/tfidf_params.h: TfidfParams, the options of TfidfVectorizer (scikit-learn's names and
// defaults), and check_params(), which validates them once at the entry points.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace textaudit::text {

enum class StripAccents { kNone, kUnicode, kAscii };  // scikit-learn: None, "unicode", "ascii"
enum class Norm { kNone, kL1, kL2 };                  // scikit-learn: None, "l1", "l2"
enum class DecodeError { kStrict, kReplace, kIgnore };  // invalid UTF-8: throw | U+FFFD | drop

// scikit-learn packs "count" (int) and "fraction of documents" (float) into one min_df/max_df
// argument; here the choice is explicit.
struct DocFreq {
  bool is_fraction = false;
  double value = 1;  // a count >= 1, or a fraction in [0, 1]
  static DocFreq count(std::int64_t n) { return {false, static_cast<double>(n)}; }
  static DocFreq fraction(double f) { return {true, f}; }
  // The document-count threshold for a corpus of n_docs documents (fractions: f * n_docs).
  double threshold(std::int64_t n_docs) const {
    return is_fraction ? value * static_cast<double>(n_docs) : value;
  }
};

struct TfidfParams {
  bool lowercase = true;                           // Python str.lower() before tokenizing
  StripAccents strip_accents = StripAccents::kNone;  // NFKD then drop marks / non-ASCII
  std::string token_pattern = R"((?u)\b\w\w+\b)";  // Python re syntax; see tokenizer.h
  std::pair<int, int> ngram_range = {1, 1};        // (min_n, max_n), 1 <= min_n <= max_n
  DocFreq min_df = DocFreq::count(1);              // drop terms seen in fewer documents
  DocFreq max_df = DocFreq::fraction(1.0);         // drop terms seen in more documents
  std::int64_t max_features = 0;                   // keep the most frequent terms; 0 = no limit
  bool use_idf = true;                             // multiply tf by idf
  bool smooth_idf = true;                          // idf = ln((1 + n) / (1 + df)) + 1, else ln(n / df) + 1
  bool sublinear_tf = false;                       // tf -> 1 + ln(tf)
  Norm norm = Norm::kL2;                           // row normalization
  bool binary = false;                             // tf = 1 for every present term
  int n_threads = 0;                               // 0 = hardware threads; output identical for any value
  DecodeError decode_error = DecodeError::kStrict;  // invalid UTF-8 in a document
};

// Throws std::invalid_argument naming the field, its value and the allowed range (also for a
// token_pattern that does not compile or has more than one capturing group).
void check_params(const TfidfParams& params);

// scikit-learn spellings: "unicode"/"ascii"/"none", "l1"/"l2"/"none", "strict"/"replace"/"ignore".
StripAccents parse_strip_accents(const std::string& name);  // throws std::invalid_argument
Norm parse_norm(const std::string& name);                    // throws std::invalid_argument
DecodeError parse_decode_error(const std::string& name);     // throws std::invalid_argument

}  // namespace textaudit::text
