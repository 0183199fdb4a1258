// io/record_scanner.h (internal): splits a CSV or TSV buffer into records and fields, tracking
// line numbers and byte spans. Shared by read_dataset and read_table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace textaudit::io::detail {

// Whole file in memory: the file is mapped read-only and released after parsing.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws std::runtime_error naming the path
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {data_, size_}; }
  // Tells the kernel the bytes before `offset` are no longer needed (keeps peak RSS low).
  void release_before(std::size_t offset);

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t released_ = 0;
};

struct Record {
  std::vector<std::string> fields;  // unescaped field values (capacity reused between records)
  std::size_t n_fields = 0;         // fields[0, n_fields) are this record's
  std::int64_t line = 0;            // 1-based line where the record starts
  std::uint64_t begin = 0, end = 0; // byte span, line terminator included
  bool blank = false;               // an empty line (skipped by callers)
  std::string error;                // non-empty: malformed (unterminated quote, NUL byte)
  std::size_t error_field = 0;      // 1-based field where the error is (0: not known)
};

// Iterates the records of a CSV (RFC 4180, `quoting` = true) or TSV (`quoting` = false) buffer.
// Accepts LF, CRLF and lone CR line ends; the caller skips a leading BOM via `start`.
class RecordScanner {
 public:
  RecordScanner(std::string_view bytes, char delimiter, bool quoting, std::size_t start);
  // Reads the next record into `record`; false at end of input.
  bool next(Record& record);
  std::size_t position() const { return pos_; }

 private:
  std::string_view bytes_;
  char delimiter_;
  bool quoting_;
  std::size_t pos_;
  std::int64_t line_ = 1;
};

// Length of a UTF-8 BOM at the start of `bytes` (0 or 3).
std::size_t bom_length(std::string_view bytes);

// Byte offset of the first invalid UTF-8 sequence in `s` (overlong forms, surrogates, code points
// above U+10FFFF, truncated sequences), or std::string_view::npos when `s` is valid.
std::size_t find_invalid_utf8(std::string_view s);

}  // namespace textaudit::io::detail
