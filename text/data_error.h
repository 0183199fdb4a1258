// text/data_error.h: DataError, thrown for malformed input data (as opposed to bad parameters,
// which throw std::invalid_argument). It names the file, the 1-based line and the column.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace textaudit {

class DataError : public std::runtime_error {
 public:
  // what(): "FILE:LINE: column 'COL': MESSAGE"; line 0 / empty column are left out.
  DataError(std::string file, std::int64_t line, std::string column, const std::string& message)
      : std::runtime_error(format(file, line, column, message)),
        file_(std::move(file)), line_(line), column_(std::move(column)) {}
  explicit DataError(const std::string& message) : std::runtime_error(message) {}

  const std::string& file() const { return file_; }
  std::int64_t line() const { return line_; }
  const std::string& column() const { return column_; }

 private:
  static std::string format(const std::string& file, std::int64_t line, const std::string& column,
                            const std::string& message) {
    // Built with append(): GCC 12 warns falsely (-Wrestrict) on chains of operator+ here.
    std::string out;
    out.append(file.empty() ? std::string_view("<input>") : std::string_view(file));
    if (line > 0) out.append(":").append(std::to_string(line));
    out.append(": ");
    if (!column.empty()) out.append("column '").append(column).append("': ");
    out.append(message);
    return out;
  }
  std::string file_;
  std::int64_t line_ = 0;
  std::string column_;
};

// `text` cut to at most `max_bytes` bytes (on a UTF-8 boundary) with "..." appended when cut;
// control characters shown as '?', for quoting offending cells in error messages.
inline std::string shorten(std::string_view text, std::size_t max_bytes = 40) {
  std::string out;
  std::size_t end = text.size() <= max_bytes ? text.size() : max_bytes;
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  for (std::size_t i = 0; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
  }
  if (end < text.size()) out += "...";
  return out;
}

}  // namespace textaudit
