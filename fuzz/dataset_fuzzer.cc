// libFuzzer harness for io/dataset.h (CSV, TSV, JSON Lines) and io/table.h.
// Byte 0 picks the format and options; the rest is the file. A DataError is the expected outcome
// of malformed input; any other exception, a crash or a broken invariant is a finding. On success
// the rows must be valid UTF-8 without NUL, their byte spans ordered and inside the file, and the
// cleaned file written by write_subset (every row kept) must read back to the same rows.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz/fuzz_util.h"
#include "io/dataset.h"
#include "io/record_scanner.h"
#include "io/table.h"
#include "text/data_error.h"

using namespace textaudit;

namespace {

void check_dataset(const io::Dataset& ds, const io::ReadOptions& options, std::size_t file_size) {
  TEXTAUDIT_FUZZ_CHECK(ds.size() > 0);
  TEXTAUDIT_FUZZ_CHECK(ds.lines.size() == ds.size() && ds.spans.size() == ds.size());
  TEXTAUDIT_FUZZ_CHECK(ds.labels.size() == (options.label_column.empty() ? 0 : ds.size()));
  TEXTAUDIT_FUZZ_CHECK(ds.header_span.first <= ds.header_span.second && ds.header_span.second <= file_size);
  std::uint64_t previous_end = ds.header_span.second;
  std::int64_t previous_line = 0;
  for (std::size_t r = 0; r < ds.size(); ++r) {
    const auto& t = ds.texts[r];
    TEXTAUDIT_FUZZ_CHECK(std::memchr(t.data(), '\0', t.size()) == nullptr);
    TEXTAUDIT_FUZZ_CHECK(io::detail::find_invalid_utf8(t) == std::string_view::npos);
    if (!ds.labels.empty()) TEXTAUDIT_FUZZ_CHECK(!options.require_labels || !ds.labels[r].empty());
    const auto [begin, end] = ds.spans[r];
    TEXTAUDIT_FUZZ_CHECK(previous_end <= begin && begin < end && end <= file_size);
    TEXTAUDIT_FUZZ_CHECK(ds.lines[r] > previous_line);
    previous_end = end;
    previous_line = ds.lines[r];
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t control = data[0];
  static const char* const kSuffix[] = {".csv", ".tsv", ".jsonl", ".csv"};
  const std::string suffix = kSuffix[control & 3];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string path = fuzz::scratch_path(suffix);
  const std::string cleaned = fuzz::scratch_path("_cleaned" + suffix);
  fuzz::write_file(path, body);

  io::ReadOptions options;
  options.skip_bad_rows = (control & 4) != 0;
  if (control & 8) options.label_column.clear();
  if (control & 16) options.extra_columns.push_back("id");
  if (control & 32) options.require_labels = false;
  try {
    const io::Dataset ds = io::read_dataset(path, options);
    check_dataset(ds, options, body.size());
    io::write_subset(ds, std::vector<bool>(ds.size(), true), cleaned);
    // Without skipped rows the cleaned copy must read back to the same rows.
    if (ds.skipped.empty()) {
      const io::Dataset again = io::read_dataset(cleaned, options);
      TEXTAUDIT_FUZZ_CHECK(again.texts == ds.texts);
      TEXTAUDIT_FUZZ_CHECK(again.labels == ds.labels);
      TEXTAUDIT_FUZZ_CHECK(again.extra == ds.extra);
    }
  } catch (const DataError&) {
  }
  if ((control & 3) != 2) {
    try {
      const io::Table table = io::read_table(path);
      TEXTAUDIT_FUZZ_CHECK(table.rows.size() == table.lines.size());
    } catch (const DataError&) {
    }
  }
  return 0;
}
