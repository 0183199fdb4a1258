// .npy reader/writer following numpy/lib/format.py: magic "\x93NUMPY", version bytes, a little-endian
// uint16 (v1) or uint32 (v2, v3) header length, a Python dict literal padded so the data starts at
// a multiple of 64 bytes, then the raw array in C order.
#include "io/npy.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"
#include "text/data_error.h"

namespace textaudit::io {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy code assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw DataError(path, 0, "", message);
}

// Value of 'key' in the header dict, as raw text up to the next top-level ',' or '}'.
std::string dict_value(const std::string& header, const std::string& key, const std::string& path) {
  std::size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos) pos = header.find("\"" + key + "\"");
  if (pos == std::string::npos) fail(path, "malformed .npy header: no '" + key + "' in " + shorten(header, 80));
  pos = header.find(':', pos);
  if (pos == std::string::npos) fail(path, "malformed .npy header: " + shorten(header, 80));
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  std::size_t end = pos;
  int depth = 0;
  while (end < header.size()) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
    ++end;
  }
  return header.substr(pos, end - pos);
}

// Product of the dimensions, or -1 when it exceeds what any file could hold (2^62).
std::int64_t element_count(const NpyHeader& h) {
  std::int64_t count = 1;
  for (std::int64_t d : h.shape) {
    if (__builtin_mul_overflow(count, d, &count) || count > (std::int64_t{1} << 62)) return -1;
  }
  return count;
}

// Bytes per element of a dtype such as '<f8' or '|u1': 1, 2, 4 or 8; 0 for anything else.
int item_size(const std::string& descr) {
  const std::string digits = descr.substr(2);
  if (digits == "1" || digits == "2" || digits == "4" || digits == "8") return digits[0] - '0';
  return 0;
}

struct Body {
  const char* data;
  std::int64_t count;
  int itemsize;
};

Body checked_body(const std::string& bytes, const NpyHeader& h, const std::string& path) {
  if (h.fortran_order) {
    fail(path, "fortran_order=True arrays are not supported; save with np.save(path, "
               "np.ascontiguousarray(a))");
  }
  if (h.descr.size() < 3 || (h.descr[0] != '<' && h.descr[0] != '|' && h.descr[0] != '=')) {
    fail(path, "unsupported dtype '" + h.descr + "' (big-endian or unknown); expected '<f8', '<f4' "
               "or a little-endian integer type");
  }
  const int itemsize = item_size(h.descr);
  if (itemsize == 0) fail(path, "unsupported dtype '" + shorten(h.descr, 20) + "' (item size not 1, 2, 4 or 8 bytes)");
  const std::int64_t count = element_count(h);
  if (count < 0) fail(path, "shape too large for any file: " + std::to_string(h.shape.size()) + " dimensions of up to " +
                              std::to_string(*std::max_element(h.shape.begin(), h.shape.end())));
  const std::uint64_t need = static_cast<std::uint64_t>(count) * static_cast<std::uint64_t>(itemsize);
  if (bytes.size() < h.data_offset || bytes.size() - h.data_offset < need) {
    fail(path, "truncated .npy body: expected " + std::to_string(need) + " bytes of data for shape " +
                   std::to_string(count) + " x " + h.descr + ", found " +
                   std::to_string(bytes.size() > h.data_offset ? bytes.size() - h.data_offset : 0));
  }
  return {bytes.data() + h.data_offset, count, itemsize};
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string header_text(const std::string& descr, const std::vector<std::int64_t>& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ", ";
  }
  dict += "), }";
  // Pad with spaces and a final newline so that magic(6)+version(2)+len(2)+header is a multiple of 64.
  const std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  return out + dict;
}

}  // namespace

NpyHeader parse_npy_header(const std::string& bytes, const std::string& path) {
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) {
    fail(path, "not a NumPy .npy file (bad magic; expected \\x93NUMPY)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  std::uint64_t header_len = 0, prefix = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(path, "truncated .npy header");
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    prefix = 12;
  } else {
    fail(path, "unsupported .npy format version " + std::to_string(major) + "; expected 1, 2 or 3");
  }
  if (bytes.size() < prefix + header_len) fail(path, "truncated .npy header");
  const std::string header = bytes.substr(prefix, header_len);
  NpyHeader h;
  h.data_offset = prefix + header_len;
  std::string descr = dict_value(header, "descr", path);
  if (descr.size() < 5 || (descr.front() != '\'' && descr.front() != '"') || descr.back() != descr.front()) {
    fail(path, "unsupported dtype " + shorten(descr, 40) + " (structured arrays are not supported)");
  }
  h.descr = descr.substr(1, descr.size() - 2);
  const std::string fortran = dict_value(header, "fortran_order", path);
  if (fortran != "False" && fortran != "True") fail(path, "malformed fortran_order: " + shorten(fortran, 20));
  h.fortran_order = fortran == "True";
  const std::string shape = dict_value(header, "shape", path);
  if (shape.empty() || shape.front() != '(' || shape.back() != ')') {
    fail(path, "malformed shape: " + shorten(shape, 40));
  }
  std::string inner = shape.substr(1, shape.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const std::string digits = item.substr(first, item.find_last_not_of(' ') - first + 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.empty() || digits.size() > 18) {
      fail(path, "malformed shape: " + shorten(shape, 40));
    }
    h.shape.push_back(std::stoll(digits));
  }
  return h;
}

DenseMatrix read_npy_matrix(const std::string& path) {
  const std::string bytes = read_all(path);
  const NpyHeader h = parse_npy_header(bytes, path);
  if (h.shape.size() != 1 && h.shape.size() != 2) {
    fail(path, "expected a 2-D array (n_samples x K), got " + std::to_string(h.shape.size()) +
                   " dimensions");
  }
  const std::string kind = h.descr.substr(1);
  if (kind != "f8" && kind != "f4") {
    fail(path, "unsupported dtype '" + h.descr + "' for probabilities; expected float64 ('<f8') or "
               "float32 ('<f4')");
  }
  const Body body = checked_body(bytes, h, path);
  const Eigen::Index rows = h.shape[0], cols = h.shape.size() == 2 ? h.shape[1] : 1;
  DenseMatrix m(rows, cols);
  double* out = m.data();
  for (std::int64_t i = 0; i < body.count; ++i) {
    out[i] = body.itemsize == 8 ? load<double>(body.data + i * 8)
                                : static_cast<double>(load<float>(body.data + i * 4));
  }
  return m;
}

std::vector<std::int64_t> read_npy_int_vector(const std::string& path) {
  const std::string bytes = read_all(path);
  const NpyHeader h = parse_npy_header(bytes, path);
  const bool column = h.shape.size() == 2 && h.shape[1] == 1;
  if (h.shape.size() != 1 && !column) {
    fail(path, "expected a 1-D array of labels, got " + std::to_string(h.shape.size()) +
                   " dimensions");
  }
  const char kind = h.descr.size() >= 2 ? h.descr[1] : '?';
  if (kind != 'i' && kind != 'u') {
    fail(path, "unsupported dtype '" + h.descr + "' for labels; expected integers such as int64 "
               "('<i8') or int32 ('<i4')");
  }
  const Body body = checked_body(bytes, h, path);
  std::vector<std::int64_t> out(static_cast<std::size_t>(body.count));
  for (std::int64_t i = 0; i < body.count; ++i) {
    const char* p = body.data + i * body.itemsize;
    std::int64_t v = 0;
    switch (body.itemsize) {
      case 1: v = kind == 'i' ? load<std::int8_t>(p) : load<std::uint8_t>(p); break;
      case 2: v = kind == 'i' ? load<std::int16_t>(p) : load<std::uint16_t>(p); break;
      case 4: v = kind == 'i' ? load<std::int32_t>(p) : load<std::uint32_t>(p); break;
      case 8: v = load<std::int64_t>(p); break;
      default: fail(path, "unsupported integer size in dtype '" + h.descr + "'");
    }
    out[static_cast<std::size_t>(i)] = v;
  }
  return out;
}

void write_npy(const std::string& path, const DenseMatrix& matrix) {
  std::string out = header_text("<f8", {matrix.rows(), matrix.cols()});
  out.append(reinterpret_cast<const char*>(matrix.data()),
             static_cast<std::size_t>(matrix.size()) * sizeof(double));
  write_file_atomic(path, out);
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& values) {
  std::string out = header_text("<i8", {static_cast<std::int64_t>(values.size())});
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int64_t));
  write_file_atomic(path, out);
}

}  // namespace textaudit::io
