// text/utf8.h: UTF-8 decoding and the Python string semantics the tokenizer needs: str.isalnum()
// (regex \w), str.lower() (full mapping, final sigma) and scikit-learn's strip_accents functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "text/tfidf_params.h"

namespace textaudit::text {

// Byte offset of the first byte of the first ill-formed sequence, or npos when `s` is valid
// UTF-8 (no overlongs, surrogates or code points above U+10FFFF, as Python's strict decoder).
std::size_t find_invalid_utf8(std::string_view s);
bool is_ascii(std::string_view s);

// Decodes `s` into code points. kStrict: throws DataError naming the byte offset; kReplace: each
// maximal ill-formed subsequence becomes U+FFFD (as Python's "replace"); kIgnore: it is dropped.
void decode_utf8(std::string_view s, DecodeError mode, std::vector<char32_t>& out);
void append_utf8(char32_t c, std::string& out);
std::string encode_utf8(const std::vector<char32_t>& code_points);

// Python's `c.isalnum() or c == '_'`: categories L*, Nd, Nl, No, plus '_' (Python 3.11, Unicode
// 14; utf8proc provides the categories). Marks, ZWJ and apostrophes are not word characters.
bool is_word_char(char32_t c);

// Python str.lower(): full lowercase mapping (U+0130 -> "i\u0307"), Σ -> ς in final position.
void lower_in_place(std::vector<char32_t>& text);
std::string to_lower(std::string_view s);  // requires valid UTF-8

// scikit-learn strip_accents_unicode: NFKD, then drop characters with a combining class != 0.
void strip_accents_unicode_in_place(std::vector<char32_t>& text);
// scikit-learn strip_accents_ascii: NFKD, then drop every non-ASCII character.
void strip_accents_ascii_in_place(std::vector<char32_t>& text);
std::string strip_accents(std::string_view s, StripAccents mode);  // requires valid UTF-8

}  // namespace textaudit::text
