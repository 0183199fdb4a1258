// cli/float_text.h: write_shortest(p, float), the text fmt::format("{}", v) gives for a float —
// the shortest decimal that reads back as the same float — written faster than fmt does.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace textaudit::cli {
namespace detail {

// The 8 decimal digits of v < 10^8 as ASCII in one word, the first digit in the lowest byte
// (SWAR: two 4-digit halves in 32-bit lanes, then pairs in 16-bit lanes, then single digits;
// no lane's product overflows into the next). Kept in a register: no loads of freshly stored bytes.
inline std::uint64_t eight_digits_value(std::uint32_t v) {
  std::uint64_t x = (v / 10000) | (static_cast<std::uint64_t>(v % 10000) << 32);
  std::uint64_t t = ((x * 5243) >> 19) & 0x0000007F0000007FULL;  // floor(y / 100) for y < 10^4
  x = t | ((x - t * 100) << 16);
  t = ((x * 103) >> 10) & 0x000F000F000F000FULL;  // floor(z / 10) for z < 100
  return t | ((x - t * 10) << 8);                 // digit values, not yet ASCII
}

inline void store8(char* p, std::uint64_t w) { std::memcpy(p, &w, 8); }

}  // namespace detail

// Writes the decimal digits of 0 < v < 10^8 at p (8 bytes from p must be writable) and returns
// the end, as std::to_chars but without its table loads.
inline char* write_small_uint(char* p, std::uint32_t v) {
  const std::uint64_t x = detail::eight_digits_value(v);
  const int leading_zeros = std::countr_zero(x) / 8;  // zero bytes before the first digit; v > 0
  detail::store8(p, (x | 0x3030303030303030ULL) >> (8 * leading_zeros));
  return p + 8 - leading_zeros;
}

// Writes the text of fmt::format("{}", v) at p (at most 17 bytes) and returns its end; the 32
// bytes from p must be writable (bytes past the end are scratch). Dragonbox (fmt's to_decimal)
// finds the shortest digits; the fixed notation that fmt picks for decimal exponents in [-4, 16)
// — every TF-IDF value — is written here with whole-word stores instead of fmt's general
// do_write_float, which costs as much as to_decimal itself. Zero, infinities, NaN and the
// exponent notation go to fmt.
inline char* write_shortest(char* p, float v) {
  const auto bits = std::bit_cast<std::uint32_t>(v);
  if ((bits & 0x7F800000u) == 0x7F800000u || (bits & 0x7FFFFFFFu) == 0) {
    return fmt::format_to(p, FMT_COMPILE("{}"), v);
  }
  if (bits >> 31) {
    *p++ = '-';
    v = -v;
  }
  const auto dec = fmt::detail::dragonbox::to_decimal(v);
  const std::uint32_t s = dec.significand;  // < 10^9 for a float
  int n = 0;                                // its number of digits
  std::uint64_t w = 0;                      // its last min(n, 8) digits, ASCII, first in the lowest byte
  char lead = 0;                            // the first digit when n == 9
  if (s >= 100000000) {
    lead = static_cast<char>('0' + s / 100000000);
    w = detail::eight_digits_value(s % 100000000) | 0x3030303030303030ULL;
    n = 9;
  } else {
    const std::uint64_t x = detail::eight_digits_value(s);
    const int leading_zeros = std::countr_zero(x) / 8;
    w = (x | 0x3030303030303030ULL) >> (8 * leading_zeros);
    n = 8 - leading_zeros;
  }
  const int point = dec.exponent + n;  // digits before the decimal point (<= 0: "0.0...")
  if (point - 1 < -4 || point - 1 >= 16) return fmt::format_to(p, FMT_COMPILE("{}"), v);
  if (point <= 0) {  // 1234e-6 -> 0.001234: "0." and up to three zeros, then the digits
    detail::store8(p, 0x3030303030302E30ULL);  // "0.000000"
    p += 2 - point;
    if (n == 9) *p++ = lead;
    detail::store8(p, w);
    return p + (n == 9 ? 8 : n);
  }
  if (n == 9) {  // rare outside [0, 1): one digit before the rest
    *p = lead;
    if (point == 1) {
      p[1] = '.';
      detail::store8(p + 2, w);
      return p + 10;
    }
    char digits[16];
    digits[0] = lead;
    detail::store8(digits + 1, w);
    for (int i = 0; i < 9; ++i) *p++ = digits[i];  // then as below, byte by byte
    if (dec.exponent >= 0) {
      std::memset(p, '0', 16);
      return p + dec.exponent;
    }
    p -= 9;
    for (int i = 8; i >= point; --i) p[i + 1] = digits[i];
    p[point] = '.';
    return p + 10;
  }
  detail::store8(p, w);
  if (dec.exponent >= 0) {  // 1234e2 -> 123400
    std::memset(p + n, '0', 16);
    return p + point;
  }
  detail::store8(p + point + 1, w >> (8 * point));  // 1234e-2 -> 12.34
  p[point] = '.';
  return p + n + 1;
}

}  // namespace textaudit::cli
