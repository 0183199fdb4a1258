// text/utf8.cc: see utf8.h. Character properties come from utf8proc; the few rules where Python
// differs from utf8proc's helpers (full lowercase of U+0130, final sigma) are spelled out here.
#include "text/utf8.h"

#include <array>
#include <string>
#include <utility>

#include <utf8proc.h>

#include "text/data_error.h"

namespace textaudit::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one sequence at p (p < end) following the well-formed byte table of Unicode §3.9
// (Table 3-7). Returns the sequence length and sets `cp`; on an ill-formed sequence returns the
// negated length of its maximal subpart (at least 1), which is what Python replaces by one U+FFFD.
int decode_one(const unsigned char* p, const unsigned char* end, char32_t& cp) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  int len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i < len; ++i) {
    if (p + i >= end) return -i;
    const unsigned char b = p[i];
    if (b < lo || b > hi) return -i;
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
  }
  return len;
}

// Letters and digits added in Unicode 15.0 (utf8proc 2.8) that Python 3.11 (Unicode 14.0, the
// scikit-learn reference) does not know, so its str.isalnum() is False for them. Checked
// exhaustively against Python 3.11 for every code point.
constexpr std::array<std::pair<char32_t, char32_t>, 16> kNewInUnicode15 = {{
    {0x1123F, 0x11240}, {0x11F02, 0x11F02}, {0x11F04, 0x11F10}, {0x11F12, 0x11F33},
    {0x11F50, 0x11F59}, {0x1342F, 0x1342F}, {0x13441, 0x13446}, {0x1B132, 0x1B132},
    {0x1B155, 0x1B155}, {0x1D2C0, 0x1D2D3}, {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D},
    {0x1E4D0, 0x1E4EB}, {0x1E4F0, 0x1E4F9}, {0x2B739, 0x2B739}, {0x31350, 0x323AF},
}};

bool new_in_unicode15(char32_t c) {
  if (c < kNewInUnicode15.front().first) return false;
  for (const auto& [lo, hi] : kNewInUnicode15) {
    if (c >= lo && c <= hi) return true;
  }
  return false;
}

bool category_is_word(utf8proc_category_t cat) {
  switch (cat) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Unicode "Cased": has a case mapping or is a cased letter (used by the final-sigma rule).
bool is_cased(char32_t c) {
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT)
    return true;
  const auto i = static_cast<utf8proc_int32_t>(c);
  return utf8proc_tolower(i) != i || utf8proc_toupper(i) != i;
}

// Unicode "Case_Ignorable": Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter/MidNumLet/Single_Quote.
bool is_case_ignorable(char32_t c) {
  switch (c) {
    case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
    case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
    case 0xFF07: case 0xFF0E: case 0xFF1A:
      return true;
    default:
      break;
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_SK:
      return true;
    default:
      return false;
  }
}

// CPython's handle_capital_sigma: Σ is final when preceded by a cased letter (skipping
// case-ignorables) and not followed by one.
bool is_final_sigma(const std::vector<char32_t>& text, std::size_t i) {
  std::size_t j = i;
  char32_t c = 0;
  bool found = false;
  while (j > 0) {
    c = text[--j];
    if (!is_case_ignorable(c)) {
      found = true;
      break;
    }
  }
  if (!found || !is_cased(c)) return false;
  for (j = i + 1; j < text.size(); ++j) {
    if (!is_case_ignorable(text[j])) return !is_cased(text[j]);
  }
  return true;
}

template <typename Keep>
void nfkd_filter(std::vector<char32_t>& text, Keep keep) {
  std::vector<char32_t> out;
  out.reserve(text.size() + 8);
  std::array<utf8proc_int32_t, 32> buffer;
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(c);
      continue;
    }
    int last_boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(
        static_cast<utf8proc_int32_t>(c), buffer.data(), buffer.size(),
        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT), &last_boundclass);
    if (n < 0 || n > static_cast<utf8proc_ssize_t>(buffer.size())) {  // cannot happen in Unicode 15
      out.push_back(c);
      continue;
    }
    // Canonical reordering is skipped: it only permutes characters with a non-zero combining
    // class, and both filters either drop all of those or keep none of them out of order.
    for (utf8proc_ssize_t k = 0; k < n; ++k) {
      const auto d = static_cast<char32_t>(buffer[k]);
      if (keep(d)) out.push_back(d);
    }
  }
  text.swap(out);
}

std::vector<char32_t> decode_valid(std::string_view s) {
  std::vector<char32_t> cps;
  decode_utf8(s, DecodeError::kStrict, cps);
  return cps;
}

}  // namespace

std::size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  const auto* begin = p;
  char32_t cp;
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const int n = decode_one(p, end, cp);
    if (n < 0) return static_cast<std::size_t>(p - begin);
    p += n;
  }
  return std::string_view::npos;
}

bool is_ascii(std::string_view s) {
  unsigned char acc = 0;
  for (char ch : s) acc |= static_cast<unsigned char>(ch);
  return acc < 0x80;
}

void decode_utf8(std::string_view s, DecodeError mode, std::vector<char32_t>& out) {
  out.clear();
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* begin = p;
  const auto* end = p + s.size();
  char32_t cp;
  while (p < end) {
    const int n = decode_one(p, end, cp);
    if (n > 0) {
      out.push_back(cp);
      p += n;
      continue;
    }
    if (mode == DecodeError::kStrict) {
      throw DataError("invalid UTF-8 at byte " + std::to_string(p - begin) + " (near \"" +
                      shorten(std::string_view(reinterpret_cast<const char*>(begin), s.size())
                                  .substr(p - begin > 20 ? p - begin - 20 : 0, 40)) +
                      "\"); fix the encoding or use decode_error \"replace\"");
    }
    if (mode == DecodeError::kReplace) out.push_back(kReplacement);
    p += -n;
  }
}

void append_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encode_utf8(const std::vector<char32_t>& code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (char32_t c : code_points) append_utf8(c, out);
  return out;
}

bool is_word_char(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  return category_is_word(utf8proc_category(static_cast<utf8proc_int32_t>(c))) && !new_in_unicode15(c);
}

void lower_in_place(std::vector<char32_t>& text) {
  // U+0130 is the only unconditional SpecialCasing lowercase that differs from the simple
  // mapping; it grows the text, so it is handled in a second pass (rare).
  bool has_dotted_i = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') text[i] = c + 32;
    } else if (c == 0x130) {
      has_dotted_i = true;
    } else if (c == 0x3A3) {
      text[i] = is_final_sigma(text, i) ? 0x3C2 : 0x3C3;
    } else {
      text[i] = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
    }
  }
  if (!has_dotted_i) return;
  std::vector<char32_t> out;
  out.reserve(text.size() + 4);
  for (char32_t c : text) {
    if (c == 0x130) {
      out.push_back('i');
      out.push_back(0x307);
    } else {
      out.push_back(c);
    }
  }
  text.swap(out);
}

std::string to_lower(std::string_view s) {
  auto cps = decode_valid(s);
  lower_in_place(cps);
  return encode_utf8(cps);
}

void strip_accents_unicode_in_place(std::vector<char32_t>& text) {
  nfkd_filter(text, [](char32_t d) {
    return d < 0x80 || utf8proc_get_property(static_cast<utf8proc_int32_t>(d))->combining_class == 0;
  });
}

void strip_accents_ascii_in_place(std::vector<char32_t>& text) {
  nfkd_filter(text, [](char32_t d) { return d < 0x80; });
}

std::string strip_accents(std::string_view s, StripAccents mode) {
  if (mode == StripAccents::kNone || is_ascii(s)) return std::string(s);
  auto cps = decode_valid(s);
  if (mode == StripAccents::kUnicode) {
    strip_accents_unicode_in_place(cps);
  } else {
    strip_accents_ascii_in_place(cps);
  }
  return encode_utf8(cps);
}

}  // namespace textaudit::text
