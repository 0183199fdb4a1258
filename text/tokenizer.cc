// text/tokenizer.cc: see tokenizer.h. scikit-learn's order of steps: lowercase, then strip
// accents, then re.findall(token_pattern), then n-grams.
#include "text/tokenizer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include <re2/re2.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  } else {
    run_with_regex(doc);
  }
  // Padding promised by text(): lets TermTable::insert_padded load whole words.
  if (text_.capacity() < text_.size() + kTextPadding) text_.reserve(text_.size() + kTextPadding);
}

void Analyzer::run_with_regex(std::string_view doc) {
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
// Unicode path. With SSE2 (every x86-64) it classifies 16 bytes at a time and walks the bit mask
// of word/non-word transitions, so the cost is per token rather than per byte.
void Analyzer::scan_ascii_or_fallback(std::string_view doc) {
  const std::size_t n = doc.size();
  text_.reserve(n + kTextPadding);
  text_.resize(n);
  char* out = text_.data();
  const auto* in = reinterpret_cast<const unsigned char*>(doc.data());
  const bool lower = params_.lowercase;
  const std::uint32_t min_chars = static_cast<std::uint32_t>(min_token_chars_);
  std::uint32_t start = 0;
  bool in_word = false;
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i a_minus = _mm_set1_epi8('A' - 1), z_plus = _mm_set1_epi8('Z' + 1);
  const __m128i la_minus = _mm_set1_epi8('a' - 1), lz_plus = _mm_set1_epi8('z' + 1);
  const __m128i d0_minus = _mm_set1_epi8('0' - 1), d9_plus = _mm_set1_epi8('9' + 1);
  const __m128i underscore = _mm_set1_epi8('_'), case_bit = _mm_set1_epi8(0x20);
  alignas(16) unsigned char tail[16];
  for (; i < n; i += 16) {
    const std::size_t len = std::min<std::size_t>(16, n - i);
    __m128i v;
    if (len == 16) {
      v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    } else {
      std::memset(tail, ' ', sizeof tail);  // spaces: not word characters
      std::memcpy(tail, in + i, len);
      v = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
    }
    if (_mm_movemask_epi8(v) != 0) {  // a byte >= 0x80 (signed compares below assume none)
      tokens_.clear();
      run_unicode(doc);
      scan_words_unicode();
      return;
    }
    const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, a_minus), _mm_cmpgt_epi8(z_plus, v));
    const __m128i lower_letter = _mm_and_si128(_mm_cmpgt_epi8(v, la_minus), _mm_cmpgt_epi8(lz_plus, v));
    const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d0_minus), _mm_cmpgt_epi8(d9_plus, v));
    const __m128i word = _mm_or_si128(_mm_or_si128(upper, lower_letter), _mm_or_si128(digit, _mm_cmpeq_epi8(v, underscore)));
    const __m128i lowered = lower ? _mm_add_epi8(v, _mm_and_si128(upper, case_bit)) : v;
    if (len == 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), lowered);
    } else {
      _mm_store_si128(reinterpret_cast<__m128i*>(tail), lowered);
      std::memcpy(out + i, tail, len);
    }
    const auto word_mask = static_cast<std::uint32_t>(_mm_movemask_epi8(word));
    // Bit k set where byte k's class differs from byte k-1's (byte -1: the previous chunk's last).
    std::uint32_t changes = (word_mask ^ ((word_mask << 1) | (in_word ? 1u : 0u))) & 0xFFFFu;
    while (changes != 0) {
      const auto k = static_cast<std::uint32_t>(__builtin_ctz(changes));
      changes &= changes - 1;
      const auto at = static_cast<std::uint32_t>(i + k);
      if (!in_word) {
        start = at;
      } else if (at - start >= min_chars) {
        tokens_.push_back({start, at - start});
      }
      in_word = !in_word;
    }
  }
  // The padding spaces of a short last chunk already closed a word running to the end.
#else
  for (; i < n; ++i) {
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
#endif
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
