// cli/csv_field.h: one CSV field as the commands write it.
#pragma once

#include <string>

namespace textaudit::cli {

// s, quoted when it holds a comma, quote or line break (RFC 4180; quotes doubled).
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace textaudit::cli
