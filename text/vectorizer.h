// text/vectorizer.h: TfidfVectorizer, TF-IDF features from raw documents with scikit-learn 1.2's
// TfidfVectorizer semantics (CountVectorizer then TfidfTransformer), multi-threaded.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "text/detail/term_table.h"
#include "text/sparse.h"
#include "text/tfidf_params.h"
#include "text/tokenizer.h"

namespace textaudit::text {

// Usage: TfidfVectorizer vec({.ngram_range = {1, 2}, .sublinear_tf = true});
//        CsrMatrix X = vec.fit_transform(texts);  // n_docs x vocabulary().size()
//
// Differences from scikit-learn: with max_features, terms tied in total count at the cut-off are
// kept in vocabulary (byte) order (scikit-learn breaks such ties with NumPy's unstable argsort).
// Values are computed in double and stored as float32.
class TfidfVectorizer {
 public:
  // Throws std::invalid_argument for bad params (see check_params).
  explicit TfidfVectorizer(TfidfParams params = {});

  // Learns the vocabulary and idf; returns the n_docs x n_terms matrix (rows L2-normalized by
  // default, all-zero rows stay zero). Throws std::invalid_argument when max_df < min_df in
  // documents or no term survives them, DataError when no document has a token or a document is
  // not valid UTF-8 (decode_error strict; the message names the 0-based document index).
  CsrMatrix fit_transform(const std::vector<std::string>& docs);
  void fit(const std::vector<std::string>& docs) { fit_transform(docs); }
  // The n_docs x n_terms matrix of `docs` with the fitted vocabulary (unknown terms are ignored).
  // Requires fit (throws std::logic_error otherwise).
  CsrMatrix transform(const std::vector<std::string>& docs) const;

  bool fitted() const { return fitted_; }
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }  // column order (sorted)
  const std::vector<double>& idf() const { return idf_; }                    // empty when !use_idf
  std::int32_t column_of(std::string_view term) const;                       // -1 if absent
  // Terms seen during fit but removed by min_df, max_df or max_features (scikit-learn stop_words_).
  std::int64_t dropped_terms_count() const { return dropped_terms_count_; }
  // The terms (tokens / n-grams) of one document, as scikit-learn's build_analyzer()(doc).
  std::vector<std::string> analyze(std::string_view doc) const;
  const TfidfParams& params() const { return params_; }

  // Text format "textaudit-tfidf 1": params, vocabulary and idf (hex floats), exact round trip.
  void save(std::ostream& out) const;
  // Throws DataError on a corrupt, truncated or unknown file.
  static TfidfVectorizer load(std::istream& in);

 private:
  void set_vocabulary(std::vector<std::string> vocabulary);

  TfidfParams params_;
  bool fitted_ = false;
  std::vector<std::string> vocabulary_;
  std::vector<double> idf_;
  std::int64_t dropped_terms_count_ = 0;
  detail::TermTable columns_;  // term -> column (ids equal columns)
};

}  // namespace textaudit::text
