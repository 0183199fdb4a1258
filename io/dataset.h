// io/dataset.h: reads a labelled text dataset (CSV, TSV or JSON Lines) into memory.
// CSV is RFC 4180 (quoted fields with commas, quotes and newlines; optional BOM; CRLF). TSV is the
// IANA format: fields split at tabs, no quoting (quote characters are text). JSONL: one object per
// line; the named fields must be strings or numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace textaudit::io {

enum class Format { kAuto, kCsv, kTsv, kJsonl };

// "csv" | "tsv" | "jsonl" (also "json", "ndjson"); "auto" picks by file extension.
Format parse_format(std::string_view name);  // throws std::invalid_argument
std::string_view format_name(Format format);
// By extension: .csv, .tsv/.tab/.txt, .jsonl/.ndjson/.json; throws std::invalid_argument otherwise.
Format detect_format(std::string_view path);

struct ReadOptions {
  Format format = Format::kAuto;            // kAuto: by extension
  std::string text_column = "text";         // required
  std::string label_column = "label";       // empty: the dataset has no labels
  std::vector<std::string> extra_columns;   // further columns to keep (e.g. a fold column)
  bool skip_bad_rows = false;               // count and report malformed rows instead of failing
  bool require_labels = true;               // an empty label cell is an error
};

// One malformed row that was skipped (only with skip_bad_rows).
struct SkippedRow {
  std::int64_t line = 0;  // 1-based line where the record starts
  std::string reason;
};

struct Dataset {
  std::string path;
  Format format = Format::kCsv;
  std::vector<std::string> columns;           // header names as in the file (JSONL: first row's keys)
  std::vector<std::string> texts;             // one per row, valid UTF-8
  std::vector<std::string> labels;            // one per row (empty when no label column)
  std::vector<std::vector<std::string>> extra;  // extra[c][row], for ReadOptions::extra_columns
  std::vector<std::int64_t> lines;            // 1-based line where each row's record starts
  // Byte range [begin, end) of each row's record in the file, line terminator included, so that
  // a cleaned file can be written byte-identical to the input lines.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  std::pair<std::uint64_t, std::uint64_t> header_span{0, 0};  // BOM and header line (CSV/TSV)
  std::vector<SkippedRow> skipped;

  std::size_t size() const { return texts.size(); }
};

// Reads `path`. Throws DataError naming file, line and column for malformed input (empty file,
// missing column — listing the columns found —, ragged row, unterminated quote, NUL byte, invalid
// UTF-8, empty label), unless skip_bad_rows, and std::runtime_error when the file cannot be read.
Dataset read_dataset(const std::string& path, const ReadOptions& options = {});

// Writes the header and the records of the rows where keep[row] is true, copying their bytes from
// the original file, to `out_path` atomically. keep.size() must equal dataset.spans.size() (the
// rows read; texts may have been moved out).
void write_subset(const Dataset& dataset, const std::vector<bool>& keep, const std::string& out_path);

}  // namespace textaudit::io
