// Memory bound of the dataset reader (issue 9): reading holds the text once, not the raw file
// twice over. read_dataset maps the file and releases the pages behind the parser
// (MappedFile::release_before, every 64 MiB), so its peak is the rows it keeps plus one window.
// The audit's peak on the 1M-row corpus is measured by bench/audit_memory.sh.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/dataset.h"

namespace fs = std::filesystem;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;  // shadow memory and quarantine make RSS meaningless
#else
constexpr bool kSanitized = false;
#endif

// Resident set size of this process now, in bytes.
std::int64_t current_rss() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

}  // namespace

TEST_CASE("read_dataset's peak memory is the kept text plus one window, not the file twice", "[io][memory]") {
  if (kSanitized) return;
  // 160 MiB of CSV: 80k rows of ~2 KiB, so that per-row bookkeeping is small next to the text.
  const fs::path path = fs::temp_directory_path() / ("textaudit_memory_test_" + std::to_string(::getpid()) + ".csv");
  constexpr int kRows = 80000;
  std::int64_t text_bytes = 0;
  {
    std::ofstream out(path, std::ios::binary);
    out << "text,label\n";
    std::string text;
    for (int r = 0; r < kRows; ++r) {
      text.clear();
      for (int w = 0; text.size() < 2048; ++w) text += "word" + std::to_string((r * 31 + w * 7) % 9973) + ' ';
      text_bytes += static_cast<std::int64_t>(text.size());
      out << text << ',' << (r % 3 == 0 ? "spam" : "ham") << '\n';
    }
  }
  const std::int64_t file_bytes = static_cast<std::int64_t>(fs::file_size(path));

  // In a child process, so that ru_maxrss is the reader's alone.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::int64_t result[3] = {current_rss(), 0, 0};
    try {
      const auto ds = textaudit::io::read_dataset(path.string());
      struct rusage usage {};
      ::getrusage(RUSAGE_SELF, &usage);
      result[1] = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
      result[2] = static_cast<std::int64_t>(ds.size());
    } catch (...) {
    }
    if (::write(fds[1], result, sizeof result) != sizeof result) _exit(1);
    _exit(0);
  }
  ::close(fds[1]);
  std::int64_t result[3] = {0, 0, 0};
  const auto got = ::read(fds[0], result, sizeof result);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  fs::remove(path);
  REQUIRE(got == static_cast<ssize_t>(sizeof result));
  REQUIRE(result[2] == kRows);
  const std::int64_t growth = result[1] - result[0];
  // Kept: the texts (+ malloc rounding), per row a std::string for text and label, the line and
  // span (~120 bytes); transient: one 64 MiB window of mapped file; 16 MiB slack.
  const std::int64_t bound = text_bytes + text_bytes / 64 + std::int64_t{kRows} * 128 + (std::int64_t{80} << 20);
  INFO("file " << file_bytes / 1048576 << " MiB, text " << text_bytes / 1048576 << " MiB, peak growth "
               << growth / 1048576 << " MiB, bound " << bound / 1048576 << " MiB");
  CHECK(growth <= bound);
  CHECK(growth < file_bytes * 2 - (std::int64_t{32} << 20));  // i.e. clearly not the file held twice
}
