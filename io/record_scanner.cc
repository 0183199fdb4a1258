#include "io/record_scanner.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace textaudit::io::detail {

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("cannot read " + path + ": not a regular file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("cannot read " + path + ": " + std::strerror(err));
    }
    ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const char*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::release_before(std::size_t offset) {
  constexpr std::size_t kChunk = std::size_t{64} << 20;
  const long page = ::sysconf(_SC_PAGESIZE);
  if (data_ == nullptr || offset < released_ + kChunk) return;
  const std::size_t end = offset / static_cast<std::size_t>(page) * static_cast<std::size_t>(page);
  ::madvise(const_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

std::size_t bom_length(std::string_view bytes) {
  return bytes.size() >= 3 && bytes.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
}

std::size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;  // continuation byte, overlong lead (C0/C1) or F5..FF
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

namespace {

// Index of the first byte in [pos, n) equal to a, b, c or d; n if there is none. Fields are
// mostly plain text: SSE2 (every x86-64) tests 16 bytes per step.
std::size_t find_first_of4(const char* data, std::size_t pos, std::size_t n, char a, char b, char c, char d) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d);
  for (; pos + 16 <= n; pos += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return pos + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; pos < n; ++pos) {
    const char x = data[pos];
    if (x == a || x == b || x == c || x == d) return pos;
  }
  return n;
}

}  // namespace

RecordScanner::RecordScanner(std::string_view bytes, char delimiter, bool quoting, std::size_t start)
    : bytes_(bytes), delimiter_(delimiter), quoting_(quoting), pos_(start) {}

bool RecordScanner::next(Record& record) {
  const std::size_t n = bytes_.size();
  if (pos_ >= n) return false;
  const char* data = bytes_.data();
  record.n_fields = 0;
  record.error.clear();
  record.error_field = 0;
  record.line = line_;
  record.begin = pos_;
  record.blank = false;

  auto new_field = [&record]() -> std::string& {
    if (record.n_fields == record.fields.size()) record.fields.emplace_back();
    std::string& f = record.fields[record.n_fields++];
    f.clear();
    return f;
  };
  // Consumes a line terminator at pos_ (LF, CRLF or lone CR); returns false if none is there.
  auto end_of_line = [&]() -> bool {
    if (data[pos_] == '\n') {
      ++pos_;
    } else if (data[pos_] == '\r') {
      ++pos_;
      if (pos_ < n && data[pos_] == '\n') ++pos_;
    } else {
      return false;
    }
    ++line_;
    return true;
  };

  if (data[pos_] == '\n' || data[pos_] == '\r') {
    end_of_line();
    record.blank = true;
    record.end = pos_;
    return true;
  }

  std::string* field = &new_field();
  while (pos_ < n) {
    const char c = data[pos_];
    if (quoting_ && c == '"' && field->empty()) {
      // Quoted field: runs to the next quote not doubled; may hold delimiters and line breaks.
      ++pos_;
      bool closed = false;
      while (pos_ < n) {
        const std::size_t stop = find_first_of4(data, pos_, n, '"', '\n', '\r', '"');
        field->append(data + pos_, stop - pos_);
        pos_ = stop;
        if (pos_ >= n) break;
        if (data[pos_] != '"') {  // a line break inside the field: LF, or CR not followed by LF
          if (data[pos_] == '\n' || pos_ + 1 >= n || data[pos_ + 1] != '\n') ++line_;
          field->push_back(data[pos_++]);
          continue;
        }
        if (pos_ + 1 < n && data[pos_ + 1] == '"') {
          field->push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;
        closed = true;
        break;
      }
      if (!closed) {
        record.error = "unterminated quoted field (the quote opened on line " + std::to_string(record.line) +
                       " is never closed)";
        record.end = pos_;
        return true;
      }
      // Text after a closing quote (`"a"b`) is kept literally, as Python's csv module does.
      continue;
    }
    if (c == delimiter_) {
      field = &new_field();
      ++pos_;
      continue;
    }
    if (c == '\n' || c == '\r') {
      end_of_line();
      break;
    }
    if (c == '\0') {
      record.error = "NUL byte in the data";
      record.error_field = record.n_fields;
      // Skip to the end of the line so that a caller skipping bad rows can go on.
      while (pos_ < n && data[pos_] != '\n') ++pos_;
      if (pos_ < n) end_of_line();
      record.end = pos_;
      return true;
    }
    // Plain run of bytes up to the next special character.
    const std::size_t stop = find_first_of4(data, pos_ + 1, n, delimiter_, '\n', '\r', '\0');
    field->append(data + pos_, stop - pos_);
    pos_ = stop;
  }
  record.end = pos_;
  return true;
}

}  // namespace textaudit::io::detail
