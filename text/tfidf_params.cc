// text/tfidf_params.cc: parameter checks, with scikit-learn's ranges (1.2.1 _parameter_constraints).
#include "text/tfidf_params.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <re2/re2.h>

namespace textaudit::text {
namespace {

std::string number(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

void check_doc_freq(const DocFreq& df, const char* name) {
  if (df.is_fraction) {
    if (!(df.value >= 0.0 && df.value <= 1.0)) {
      throw std::invalid_argument(std::string(name) + " = " + number(df.value) +
                                  " as a fraction of documents; must be in [0, 1]");
    }
  } else if (!(df.value >= 1.0) || df.value != std::floor(df.value)) {
    throw std::invalid_argument(std::string(name) + " = " + number(df.value) +
                                " as a document count; must be an integer >= 1");
  }
}

}  // namespace

void check_params(const TfidfParams& params) {
  const auto [min_n, max_n] = params.ngram_range;
  if (min_n < 1 || max_n < min_n) {
    throw std::invalid_argument("ngram_range = (" + std::to_string(min_n) + ", " + std::to_string(max_n) +
                                "); need 1 <= min_n <= max_n");
  }
  check_doc_freq(params.min_df, "min_df");
  check_doc_freq(params.max_df, "max_df");
  if (params.max_features < 0) {
    throw std::invalid_argument("max_features = " + std::to_string(params.max_features) +
                                "; must be >= 1, or 0 for no limit");
  }
  if (params.n_threads < 0) {
    throw std::invalid_argument("n_threads = " + std::to_string(params.n_threads) +
                                "; must be >= 1, or 0 for all hardware threads");
  }
  if (params.token_pattern.empty()) throw std::invalid_argument("token_pattern is empty");
  std::string_view pattern = params.token_pattern;
  if (pattern.starts_with("(?u)")) pattern.remove_prefix(4);
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re.ok()) {
    throw std::invalid_argument("token_pattern \"" + params.token_pattern + "\" does not compile: " + re.error());
  }
  if (re.NumberOfCapturingGroups() > 1) {
    throw std::invalid_argument("token_pattern \"" + params.token_pattern + "\" has " +
                                std::to_string(re.NumberOfCapturingGroups()) +
                                " capturing groups; at most 1 is allowed (use (?:...) for grouping)");
  }
}

StripAccents parse_strip_accents(const std::string& name) {
  if (name == "unicode") return StripAccents::kUnicode;
  if (name == "ascii") return StripAccents::kAscii;
  if (name == "none" || name.empty()) return StripAccents::kNone;
  throw std::invalid_argument("strip_accents = \"" + name + "\"; expected unicode, ascii or none");
}

Norm parse_norm(const std::string& name) {
  if (name == "l2") return Norm::kL2;
  if (name == "l1") return Norm::kL1;
  if (name == "none") return Norm::kNone;
  throw std::invalid_argument("norm = \"" + name + "\"; expected l2, l1 or none");
}

DecodeError parse_decode_error(const std::string& name) {
  if (name == "strict") return DecodeError::kStrict;
  if (name == "replace") return DecodeError::kReplace;
  if (name == "ignore") return DecodeError::kIgnore;
  throw std::invalid_argument("decode_error = \"" + name + "\"; expected strict, replace or ignore");
}

}  // namespace textaudit::text
