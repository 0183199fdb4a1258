// io/table.h: a plain CSV/TSV table reader (every record, no header interpretation), for small
// side files such as label lists and pred_probs. Datasets use io/dataset.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/dataset.h"

namespace textaudit::io {

struct Table {
  std::vector<std::vector<std::string>> rows;  // every record, the header (if any) included
  std::vector<std::int64_t> lines;             // 1-based line where each record starts
};

// Reads every record of a CSV (RFC 4180) or TSV file (kAuto: by extension; .txt counts as TSV, so a
// one-column list reads as one cell per line). A BOM is skipped; CRLF accepted; blank lines are
// skipped. Throws DataError (file, line) for an unterminated quote, a NUL byte or invalid UTF-8,
// std::runtime_error when the file cannot be read. Rows may differ in length: the caller checks.
Table read_table(const std::string& path, Format format = Format::kAuto);

}  // namespace textaudit::io
