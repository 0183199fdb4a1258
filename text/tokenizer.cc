// text/tokenizer.cc: see tokenizer.h. scikit-learn's order of steps: lowercase, then strip
// accents, then re.findall(token_pattern), then n-grams.
#include "text/tokenizer.h"

#include <array>
#include <limits>
#include <stdexcept>
#include <string>

#include <re2/re2.h>

#include "text/utf8.h"

namespace textaudit::text {
namespace {

struct AsciiTables {
  std::array<bool, 128> word{};
  std::array<char, 128> lower{};
  AsciiTables() {
    for (int c = 0; c < 128; ++c) {
      word[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
  }
};
const AsciiTables kAscii;

// Returns k >= 1 when `pattern` is (?u)\b, then k-1 times \w, then \w+, then \b: Python's
// findall then yields exactly the maximal runs of >= k word characters. 0 otherwise.
int scanner_min_chars(std::string_view pattern) {
  if (pattern.starts_with("(?u)")) pattern.remove_prefix(4);
  if (!pattern.starts_with(R"(\b)") || !pattern.ends_with(R"(\w+\b)")) return 0;
  pattern.remove_prefix(2);
  pattern.remove_suffix(5);
  int k = 1;
  while (pattern.starts_with(R"(\w)")) {
    pattern.remove_prefix(2);
    ++k;
  }
  return pattern.empty() ? k : 0;
}

std::string re2_pattern(std::string_view pattern) {
  if (pattern.starts_with("(?u)")) pattern.remove_prefix(4);
  return std::string(pattern);
}

}  // namespace

Analyzer::Analyzer(const TfidfParams& params) : params_(params) {
  check_params(params_);
  min_token_chars_ = scanner_min_chars(params_.token_pattern);
  if (min_token_chars_ == 0) {
    RE2::Options options;
    options.set_log_errors(false);
    re_ = std::make_unique<RE2>(re2_pattern(params_.token_pattern), options);
  }
}

Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

void Analyzer::run(std::string_view doc) {
  if (doc.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("document of " + std::to_string(doc.size()) +
                                " bytes; at most 4 GiB per document are supported");
  }
  tokens_.clear();
  if (!re_) {
    scan_ascii_or_fallback(doc);
    return;
  }
  if (is_ascii(doc)) {
    text_.assign(doc);
    if (params_.lowercase) {
      for (char& ch : text_) ch = kAscii.lower[static_cast<unsigned char>(ch)];
    }
  } else {
    run_unicode(doc);
    text_.clear();
    for (char32_t c : code_points_) append_utf8(c, text_);
  }
  run_regex();
}

// The hot path: one pass that lowercases into text_ and cuts word runs, for pure-ASCII documents
// (stripping accents never changes ASCII text). At the first byte >= 0x80 it restarts on the
// Unicode path.
void Analyzer::scan_ascii_or_fallback(std::string_view doc) {
  const std::size_t n = doc.size();
  text_.resize(n);
  char* out = text_.data();
  const auto* in = reinterpret_cast<const unsigned char*>(doc.data());
  const bool lower = params_.lowercase;
  const std::uint32_t min_chars = static_cast<std::uint32_t>(min_token_chars_);
  std::uint32_t start = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = in[i];
    if (c >= 0x80) {
      tokens_.clear();
      run_unicode(doc);
      scan_words_unicode();
      return;
    }
    out[i] = lower ? kAscii.lower[c] : static_cast<char>(c);
    const bool word = kAscii.word[c];
    if (word != in_word) {
      if (word) {
        start = static_cast<std::uint32_t>(i);
      } else if (i - start >= min_chars) {
        tokens_.push_back({start, static_cast<std::uint32_t>(i - start)});
      }
      in_word = word;
    }
  }
  if (in_word && n - start >= min_chars) tokens_.push_back({start, static_cast<std::uint32_t>(n - start)});
}

void Analyzer::run_unicode(std::string_view doc) {
  decode_utf8(doc, params_.decode_error, code_points_);
  if (params_.lowercase) lower_in_place(code_points_);
  if (params_.strip_accents == StripAccents::kUnicode) {
    strip_accents_unicode_in_place(code_points_);
  } else if (params_.strip_accents == StripAccents::kAscii) {
    strip_accents_ascii_in_place(code_points_);
  }
}

// Encodes code_points_ into text_ while cutting runs of >= min_token_chars_ word characters.
void Analyzer::scan_words_unicode() {
  text_.clear();
  std::uint32_t start = 0;
  int run_chars = 0;
  for (char32_t c : code_points_) {
    const bool word = is_word_char(c);
    if (word) {
      if (run_chars == 0) start = static_cast<std::uint32_t>(text_.size());
      ++run_chars;
    } else if (run_chars > 0) {
      if (run_chars >= min_token_chars_) {
        tokens_.push_back({start, static_cast<std::uint32_t>(text_.size() - start)});
      }
      run_chars = 0;
    }
    append_utf8(c, text_);
  }
  if (run_chars >= min_token_chars_) {
    tokens_.push_back({start, static_cast<std::uint32_t>(text_.size() - start)});
  }
}

// Python re.findall: leftmost matches, scanning on after each; an empty match moves on by one
// character. With one capturing group the group is the token.
void Analyzer::run_regex() {
  const re2::StringPiece text(text_.data(), text_.size());
  const int n_groups = re_->NumberOfCapturingGroups();
  std::array<re2::StringPiece, 2> match;
  std::size_t pos = 0;
  while (pos <= text_.size()) {
    if (!re_->Match(text, pos, text_.size(), RE2::UNANCHORED, match.data(), n_groups + 1)) break;
    const re2::StringPiece& token = match[n_groups == 1 ? 1 : 0];
    if (token.data() != nullptr) {
      tokens_.push_back({static_cast<std::uint32_t>(token.data() - text_.data()),
                         static_cast<std::uint32_t>(token.size())});
    } else {
      tokens_.push_back({static_cast<std::uint32_t>(match[0].data() - text_.data()), 0});
    }
    const std::size_t match_end = static_cast<std::size_t>(match[0].data() - text_.data()) + match[0].size();
    if (match[0].empty()) {
      std::size_t next = match_end + 1;  // skip one whole UTF-8 character
      while (next < text_.size() && (static_cast<unsigned char>(text_[next]) & 0xC0) == 0x80) ++next;
      pos = next;
    } else {
      pos = match_end;
    }
  }
}

std::vector<std::string> analyze(std::string_view doc, const TfidfParams& params) {
  Analyzer analyzer(params);
  analyzer.run(doc);
  std::vector<std::string> terms;
  analyzer.for_each_term([&](std::string_view term) { terms.emplace_back(term); });
  return terms;
}

std::vector<std::string> tokenize(std::string_view doc, const TfidfParams& params) {
  Analyzer analyzer(params);
  analyzer.run(doc);
  std::vector<std::string> tokens;
  tokens.reserve(analyzer.tokens().size());
  for (std::size_t i = 0; i < analyzer.tokens().size(); ++i) tokens.emplace_back(analyzer.token(i));
  return tokens;
}

}  // namespace textaudit::text
