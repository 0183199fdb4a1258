// libFuzzer harness for io/npy.h: the header parser and both array readers on arbitrary bytes.
// A DataError is the expected outcome of a malformed file; any other exception, a crash, an
// allocation far beyond the file's size or a shape that disagrees with the result is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "io/npy.h"
#include "text/data_error.h"

using namespace textaudit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string path = fuzz::scratch_path(".npy");
  fuzz::write_file(path, bytes);
  try {
    const io::NpyHeader h = io::parse_npy_header(bytes, path);
    TEXTAUDIT_FUZZ_CHECK(h.data_offset <= bytes.size());
  } catch (const DataError&) {
  }
  try {
    const DenseMatrix m = io::read_npy_matrix(path);
    // Every element comes from the body: at least 4 bytes (float32) each.
    TEXTAUDIT_FUZZ_CHECK(static_cast<std::size_t>(m.size()) <= size / 4);
  } catch (const DataError&) {
  }
  try {
    const std::vector<std::int64_t> v = io::read_npy_int_vector(path);
    TEXTAUDIT_FUZZ_CHECK(v.size() <= size);
  } catch (const DataError&) {
  }
  return 0;
}
