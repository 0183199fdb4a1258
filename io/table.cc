#include "io/table.h"

#include "io/record_scanner.h"
#include "text/data_error.h"

namespace textaudit::io {

Table read_table(const std::string& path, Format format) {
  if (format == Format::kAuto) format = detect_format(path);
  if (format == Format::kJsonl) throw std::invalid_argument("read_table reads CSV or TSV, not JSON Lines: " + path);
  detail::MappedFile file(path);
  const std::string_view bytes = file.bytes();
  const bool csv = format == Format::kCsv;
  detail::RecordScanner scanner(bytes, csv ? ',' : '\t', csv, detail::bom_length(bytes));
  detail::Record record;
  Table table;
  while (scanner.next(record)) {
    if (record.blank) continue;
    if (!record.error.empty()) throw DataError(path, record.line, "", record.error);
    std::vector<std::string> row(record.fields.begin(), record.fields.begin() + static_cast<std::ptrdiff_t>(record.n_fields));
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (detail::find_invalid_utf8(row[c]) != std::string::npos) {
        throw DataError(path, record.line, "", "invalid UTF-8 in field " + std::to_string(c + 1));
      }
    }
    table.rows.push_back(std::move(row));
    table.lines.push_back(record.line);
  }
  return table;
}

}  // namespace textaudit::io
