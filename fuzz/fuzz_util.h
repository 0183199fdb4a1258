// fuzz/fuzz_util.h: helpers shared by the libFuzzer harnesses.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace textaudit::fuzz {

// A per-process scratch file (the readers take paths); `suffix` picks the format by extension.
// TMPDIR (default /tmp) holds it; a tmpfs such as /dev/shm makes the harness faster.
inline std::string scratch_path(const std::string& suffix) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/textaudit_fuzz_" +
         std::to_string(::getpid()) + suffix;
}

inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::abort();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Stops the run with a message when an invariant fails (libFuzzer records the input).
#define TEXTAUDIT_FUZZ_CHECK(cond)                                                          \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);   \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

}  // namespace textaudit::fuzz
