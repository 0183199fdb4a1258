// io/npy: NumPy .npy reading (v1/v2/v3, float32/float64, integer labels) and writing, and the
// DataError for every malformed case.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "io/npy.h"
#include "text/data_error.h"

using textaudit::DataError;
using textaudit::DenseMatrix;
namespace io = textaudit::io;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("textaudit_npy_test_" + name)).string();
}

// A .npy file as numpy.lib.format writes it: magic, version, header length, padded dict, data.
std::string npy_bytes(int major, const std::string& dict, const std::string& data) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  const std::size_t len = header.size();
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out += static_cast<char>((len >> (8 * i)) & 0xff);
  return out + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("write_npy and read_npy_matrix round-trip float64 exactly", "[io]") {
  DenseMatrix m(3, 2);
  m << 0.1, 0.9, 1.0 / 3.0, 2.0 / 3.0, 0.0, 1.0;
  const std::string path = temp_path("roundtrip.npy");
  io::write_npy(path, m);
  const DenseMatrix back = io::read_npy_matrix(path);
  REQUIRE(back.rows() == 3);
  REQUIRE(back.cols() == 2);
  CHECK(back == m);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK((io::parse_npy_header(bytes, path).data_offset % 64) == 0);
  std::remove(path.c_str());
}

TEST_CASE("read_npy_matrix reads float32 and format versions 2 and 3", "[io]") {
  const std::vector<float> f = {0.25f, 0.75f, 0.5f, 0.5f};
  for (int major : {1, 2, 3}) {
    const std::string path = write_bytes(
        "f4_v" + std::to_string(major) + ".npy",
        npy_bytes(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", raw(f)));
    const DenseMatrix m = io::read_npy_matrix(path);
    REQUIRE(m.rows() == 2);
    CHECK(m(0, 1) == 0.75);
    CHECK(m(1, 0) == 0.5);
    std::remove(path.c_str());
  }
}

TEST_CASE("read_npy_int_vector reads integer labels of any width", "[io]") {
  const std::string p8 = temp_path("labels8.npy");
  io::write_npy(p8, std::vector<std::int64_t>{0, 2, 1, 1});
  CHECK(io::read_npy_int_vector(p8) == std::vector<std::int64_t>{0, 2, 1, 1});
  std::remove(p8.c_str());
  const std::string p4 = write_bytes(
      "labels4.npy", npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                               raw(std::vector<std::int32_t>{3, 0, 7})));
  CHECK(io::read_npy_int_vector(p4) == std::vector<std::int64_t>{3, 0, 7});
  std::remove(p4.c_str());
  const std::string pu = write_bytes(
      "labelsu1.npy", npy_bytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }",
                                std::string("\x01\x00", 2)));
  CHECK(io::read_npy_int_vector(pu) == std::vector<std::int64_t>{1, 0});
  std::remove(pu.c_str());
}

TEST_CASE("malformed .npy files raise DataError naming the file and the problem", "[io]") {
  const std::vector<double> d = {0.5, 0.5, 0.5, 0.5};
  struct Case {
    std::string name, bytes, message;
  };
  const std::vector<Case> cases = {
      {"magic", "NOTNUMPY........", "bad magic"},
      {"fortran", npy_bytes(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", raw(d)),
       "fortran_order=True"},
      {"dtype", npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", raw(d)),
       "unsupported dtype '<i8'"},
      {"bigendian", npy_bytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", raw(d)),
       "big-endian"},
      {"ndim", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 2), }", raw(d)),
       "expected a 2-D array"},
      {"truncated", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", raw(d)),
       "truncated .npy body"},
      {"version", npy_bytes(4, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", raw(d)),
       "unsupported .npy format version 4"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const std::string path = write_bytes(c.name + ".npy", c.bytes);
      CHECK_THROWS_AS(io::read_npy_matrix(path), DataError);
      CHECK_THROWS_WITH(io::read_npy_matrix(path), Catch::Contains(c.message) && Catch::Contains(path));
      std::remove(path.c_str());
    }
  }
  SECTION("float labels") {
    const std::string path = temp_path("float_labels.npy");
    io::write_npy(path, DenseMatrix::Zero(3, 1).eval());
    CHECK_THROWS_WITH(io::read_npy_int_vector(path), Catch::Contains("for labels"));
    std::remove(path.c_str());
  }
}
