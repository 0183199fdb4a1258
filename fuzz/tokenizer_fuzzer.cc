// libFuzzer harness for text/tokenizer.h (Analyzer: lowercasing, accent stripping, the scanner and
// the re2 path, n-grams) and a small TfidfVectorizer fit. Bytes 0-1 pick the parameters; the rest
// is split at '\n' into documents. Invariants: tokens lie inside the preprocessed text and are
// valid UTF-8; on ASCII text the hand-written scanner and re2 running the same pattern agree; the
// TF-IDF values are finite with unit L2 rows. DataError (invalid UTF-8 under decode_error=strict,
// no token at all) is an expected outcome; any other exception is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "io/record_scanner.h"
#include "text/data_error.h"
#include "text/tokenizer.h"
#include "text/vectorizer.h"

using namespace textaudit;

namespace {

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::vector<std::string> tokens_of(text::Analyzer& analyzer, std::string_view doc) {
  analyzer.run(doc);
  std::vector<std::string> out;
  const std::string_view t = analyzer.text();
  for (std::size_t i = 0; i < analyzer.tokens().size(); ++i) {
    const auto span = analyzer.tokens()[i];
    TEXTAUDIT_FUZZ_CHECK(static_cast<std::size_t>(span.begin) + span.size <= t.size());
    out.emplace_back(analyzer.token(i));
    TEXTAUDIT_FUZZ_CHECK(io::detail::find_invalid_utf8(out.back()) == std::string_view::npos);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t a = data[0], b = data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  text::TfidfParams params;
  params.lowercase = (a & 1) == 0;
  params.strip_accents = static_cast<text::StripAccents>((a >> 1) % 3);
  params.decode_error = static_cast<text::DecodeError>((a >> 3) % 3);
  const int max_n = 1 + (a >> 5) % 3;
  params.ngram_range = {1 + (b & 1) * (max_n - 1), max_n};
  static const char* const kPatterns[] = {R"((?u)\b\w\w+\b)", R"(\b\w+\b)", R"((?u)\b\w\w\w+\b)",
                                          R"([a-z]+|\d+)", R"((\w+)'?)", R"(\S)"};
  params.token_pattern = kPatterns[(b >> 1) % 6];
  params.n_threads = 1;
  params.sublinear_tf = (b & 16) != 0;
  params.binary = (b & 32) != 0;

  std::vector<std::string> docs;
  for (std::size_t start = 0; start <= input.size();) {
    std::size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    docs.emplace_back(input.substr(start, nl - start));
    start = nl + 1;
  }

  text::Analyzer analyzer(params);
  // The same pattern in a capturing group never takes the scanner: on ASCII input re2's ASCII \w
  // equals Python's Unicode \w, so both paths must cut the same tokens.
  text::TfidfParams via_regex = params;
  const bool scanner_pattern = (b >> 1) % 6 <= 2;
  std::string_view bare = params.token_pattern;
  if (bare.starts_with("(?u)")) bare.remove_prefix(4);
  if (scanner_pattern) via_regex.token_pattern = "(" + std::string(bare) + ")";
  text::Analyzer regex_analyzer(via_regex);
  for (const auto& doc : docs) {
    try {
      const auto tokens = tokens_of(analyzer, doc);
      if (scanner_pattern && is_ascii(doc)) TEXTAUDIT_FUZZ_CHECK(tokens == tokens_of(regex_analyzer, doc));
      analyzer.for_each_term([&](std::string_view term) { TEXTAUDIT_FUZZ_CHECK(!term.empty()); });
    } catch (const DataError&) {
    }
  }

  try {
    text::TfidfVectorizer vectorizer(params);
    const text::CsrMatrix X = vectorizer.fit_transform(docs);
    TEXTAUDIT_FUZZ_CHECK(static_cast<std::size_t>(X.rows) == docs.size());
    X.check_invariants();
    for (std::int64_t r = 0; r < X.rows; ++r) {
      double norm2 = 0;
      for (auto k = X.indptr[r]; k < X.indptr[r + 1]; ++k) {
        TEXTAUDIT_FUZZ_CHECK(std::isfinite(X.data[k]));
        TEXTAUDIT_FUZZ_CHECK(X.indices[k] >= 0 && static_cast<std::size_t>(X.indices[k]) < vectorizer.vocabulary().size());
        norm2 += static_cast<double>(X.data[k]) * X.data[k];
      }
      if (X.indptr[r + 1] > X.indptr[r]) TEXTAUDIT_FUZZ_CHECK(std::fabs(norm2 - 1.0) < 1e-4);
    }
  } catch (const DataError&) {
  }
  return 0;
}
