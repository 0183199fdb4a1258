#include "io/dataset.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "io/record_scanner.h"
#include "text/data_error.h"

namespace textaudit::io {
namespace {

using detail::Record;

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + shorten(names[i], 40) + "'";
  }
  return out;
}

// Column position of `name` in `header`; DataError when missing (listing the columns found and,
// for a case-only mismatch, the right spelling) or when the header holds it twice.
std::size_t find_column(const std::string& path, const std::vector<std::string>& header,
                        const std::string& name, const std::string& what, const std::string& flag) {
  std::optional<std::size_t> found;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] != name) continue;
    if (found) {
      throw DataError(path, 1, name,
                      "the header names this " + what + " column twice (columns " + std::to_string(*found + 1) +
                          " and " + std::to_string(c + 1) + "); rename one of them");
    }
    found = c;
  }
  if (found) return *found;
  std::string hint;
  for (const auto& h : header) {
    if (lower_ascii(h) == lower_ascii(name)) hint = "; did you mean " + flag + " " + h + "?";
  }
  throw DataError(path, 1, "",
                  "no " + what + " column '" + name + "'; columns found: " + join_names(header) +
                      (hint.empty() ? "; choose one with " + flag : hint));
}

struct ColumnPlan {
  std::size_t text = 0;
  std::optional<std::size_t> label;
  std::vector<std::size_t> extra;
  std::vector<std::string> names;  // column names, for messages, in the order text, label, extras
};

ColumnPlan plan_columns(const std::string& path, const std::vector<std::string>& header,
                        const ReadOptions& options) {
  ColumnPlan plan;
  plan.text = find_column(path, header, options.text_column, "text", "--text-column");
  if (!options.label_column.empty()) {
    plan.label = find_column(path, header, options.label_column, "label", "--label-column");
  }
  for (const auto& name : options.extra_columns) plan.extra.push_back(find_column(path, header, name, "", "--help"));
  return plan;
}

// Validates one cell of a selected column: no NUL byte, valid UTF-8, non-empty label.
std::string check_cell(const std::string& value, bool is_label, bool require_label) {
  if (std::memchr(value.data(), '\0', value.size()) != nullptr) return "NUL byte in the field";
  const std::size_t bad = detail::find_invalid_utf8(value);
  if (bad != std::string::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(value[bad]));
    return "invalid UTF-8 (byte " + std::string(hex) + " at byte offset " + std::to_string(bad) +
           " of the field); re-encode the file as UTF-8";
  }
  if (is_label && require_label && value.empty()) return "empty label";
  return {};
}

class Builder {
 public:
  Builder(Dataset& ds, const ReadOptions& options) : ds_(ds), options_(options) {}

  // Adds one row; throws or records a skipped row on a bad cell.
  void add(std::int64_t line, std::uint64_t begin, std::uint64_t end, const ColumnPlan& plan,
           const std::vector<std::string>& cells) {
    auto fail = [&](const std::string& column, const std::string& reason) {
      if (!options_.skip_bad_rows) throw DataError(ds_.path, line, column, reason);
      ds_.skipped.push_back({line, (column.empty() ? "" : "column '" + column + "': ") + reason});
    };
    if (auto why = check_cell(cells[plan.text], false, false); !why.empty()) return fail(options_.text_column, why);
    if (plan.label) {
      if (auto why = check_cell(cells[*plan.label], true, options_.require_labels); !why.empty()) {
        return fail(options_.label_column, why);
      }
    }
    for (std::size_t e = 0; e < plan.extra.size(); ++e) {
      if (auto why = check_cell(cells[plan.extra[e]], false, false); !why.empty()) {
        return fail(options_.extra_columns[e], why);
      }
    }
    ds_.texts.push_back(cells[plan.text]);
    if (plan.label) ds_.labels.push_back(cells[*plan.label]);
    for (std::size_t e = 0; e < plan.extra.size(); ++e) ds_.extra[e].push_back(cells[plan.extra[e]]);
    ds_.lines.push_back(line);
    ds_.spans.emplace_back(begin, end);
  }

  void skip_or_throw(std::int64_t line, const std::string& reason, const std::string& column = "") {
    if (!options_.skip_bad_rows) throw DataError(ds_.path, line, column, reason);
    ds_.skipped.push_back({line, (column.empty() ? "" : "column '" + column + "': ") + reason});
  }

 private:
  Dataset& ds_;
  const ReadOptions& options_;
};

void read_delimited(detail::MappedFile& file, Dataset& ds, const ReadOptions& options) {
  const std::string_view bytes = file.bytes();
  const bool csv = ds.format == Format::kCsv;
  const std::size_t start = detail::bom_length(bytes);
  detail::RecordScanner scanner(bytes, csv ? ',' : '\t', csv, start);
  Record record;
  // Header: the first non-blank record.
  bool have_header = false;
  while (scanner.next(record)) {
    if (record.blank) continue;
    if (!record.error.empty()) throw DataError(ds.path, record.line, "", record.error + " in the header");
    have_header = true;
    break;
  }
  if (!have_header) throw DataError(ds.path, 0, "", "the file is empty; expected a header line and data rows");
  ds.header_span = {0, record.end};
  for (std::size_t c = 0; c < record.n_fields; ++c) {
    if (detail::find_invalid_utf8(record.fields[c]) != std::string::npos) {
      throw DataError(ds.path, record.line, "", "invalid UTF-8 in the header (column " + std::to_string(c + 1) + ")");
    }
    ds.columns.push_back(record.fields[c]);
  }
  const ColumnPlan plan = plan_columns(ds.path, ds.columns, options);
  ds.extra.assign(plan.extra.size(), {});
  const std::size_t width = ds.columns.size();
  Builder builder(ds, options);
  std::vector<std::string> cells;
  while (scanner.next(record)) {
    if (record.blank) continue;
    if (!record.error.empty()) {
      const std::size_t f = record.error_field;
      builder.skip_or_throw(record.line, record.error, f >= 1 && f <= ds.columns.size() ? ds.columns[f - 1] : "");
      continue;
    }
    if (record.n_fields != width) {
      // A TSV line with fewer fields is ragged too; with more, the text may hold a tab — still
      // ragged: we never guess which tab is the separator.
      builder.skip_or_throw(record.line, "ragged row: expected " + std::to_string(width) + " fields (as the header), found " +
                                             std::to_string(record.n_fields) +
                                             (csv ? "; quote fields that contain commas" : ""));
      continue;
    }
    builder.add(record.line, record.begin, record.end, plan, record.fields);
    file.release_before(scanner.position());
  }
  (void)cells;
}

std::string json_cell(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer() || value.is_number_unsigned() || value.is_boolean()) return value.dump();
  if (value.is_number_float()) return value.dump();
  return {};
}

void read_jsonl(detail::MappedFile& file, Dataset& ds, const ReadOptions& options) {
  const std::string_view bytes = file.bytes();
  std::size_t pos = detail::bom_length(bytes);
  ds.header_span = {0, pos};
  std::int64_t line = 0;
  std::optional<ColumnPlan> plan;
  std::vector<std::string> wanted;
  wanted.push_back(options.text_column);
  if (!options.label_column.empty()) wanted.push_back(options.label_column);
  for (const auto& e : options.extra_columns) wanted.push_back(e);
  Builder builder(ds, options);
  std::vector<std::string> cells(wanted.size());
  ColumnPlan fixed;  // cells are laid out as `wanted`
  fixed.text = 0;
  if (!options.label_column.empty()) fixed.label = 1;
  for (std::size_t e = 0; e < options.extra_columns.size(); ++e) fixed.extra.push_back(wanted.size() - options.extra_columns.size() + e);
  ds.extra.assign(options.extra_columns.size(), {});
  while (pos < bytes.size()) {
    ++line;
    const std::size_t begin = pos;
    const char* nl = static_cast<const char*>(std::memchr(bytes.data() + pos, '\n', bytes.size() - pos));
    const std::size_t stop = nl == nullptr ? bytes.size() : static_cast<std::size_t>(nl - bytes.data());
    pos = nl == nullptr ? bytes.size() : stop + 1;
    std::string_view content = bytes.substr(begin, stop - begin);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (content.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (std::memchr(content.data(), '\0', content.size()) != nullptr) {
      builder.skip_or_throw(line, "NUL byte in the data");
      continue;
    }
    if (const auto bad = detail::find_invalid_utf8(content); bad != std::string_view::npos) {
      builder.skip_or_throw(line, "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the line");
      continue;
    }
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(content);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number overflow
      builder.skip_or_throw(line, std::string("not valid JSON: ") + e.what());
      continue;
    }
    if (!object.is_object()) {
      builder.skip_or_throw(line, "expected a JSON object per line");
      continue;
    }
    if (!plan) {
      for (auto it = object.begin(); it != object.end(); ++it) ds.columns.push_back(it.key());
      plan = plan_columns(ds.path, ds.columns, options);  // checks the names exist in the first row
    }
    bool ok = true;
    for (std::size_t w = 0; w < wanted.size() && ok; ++w) {
      const auto it = object.find(wanted[w]);
      if (it == object.end() || it->is_null()) {
        builder.skip_or_throw(line, "missing field '" + wanted[w] + "'");
        ok = false;
      } else if (!it->is_string() && !it->is_number() && !it->is_boolean()) {
        builder.skip_or_throw(line, "field '" + wanted[w] + "' must be a string or a number, found " + it->type_name());
        ok = false;
      } else {
        cells[w] = json_cell(*it);
      }
    }
    if (ok) builder.add(line, begin, pos, fixed, cells);
    file.release_before(pos);
  }
  if (!plan) throw DataError(ds.path, 0, "", "the file is empty; expected one JSON object per line");
}

}  // namespace

Format parse_format(std::string_view name) {
  const std::string n = lower_ascii(name);
  if (n == "auto") return Format::kAuto;
  if (n == "csv") return Format::kCsv;
  if (n == "tsv" || n == "tab") return Format::kTsv;
  if (n == "jsonl" || n == "json" || n == "ndjson") return Format::kJsonl;
  throw std::invalid_argument("unknown format '" + std::string(name) + "'; expected csv, tsv or jsonl");
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::kAuto: return "auto";
    case Format::kCsv: return "csv";
    case Format::kTsv: return "tsv";
    case Format::kJsonl: return "jsonl";
  }
  return "?";
}

Format detect_format(std::string_view path) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  const std::string ext = dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)
                              ? std::string()
                              : lower_ascii(path.substr(dot + 1));
  if (ext == "csv") return Format::kCsv;
  if (ext == "tsv" || ext == "tab" || ext == "txt") return Format::kTsv;
  if (ext == "jsonl" || ext == "ndjson" || ext == "json") return Format::kJsonl;
  throw std::invalid_argument("cannot tell the format of '" + std::string(path) +
                              "' from its extension; use --format csv|tsv|jsonl");
}

Dataset read_dataset(const std::string& path, const ReadOptions& options) {
  if (options.text_column.empty()) throw std::invalid_argument("text_column must not be empty");
  Dataset ds;
  ds.path = path;
  ds.format = options.format == Format::kAuto ? detect_format(path) : options.format;
  detail::MappedFile file(path);
  if (file.bytes().size() == detail::bom_length(file.bytes())) {
    throw DataError(path, 0, "", "the file is empty; expected a header line and data rows");
  }
  if (ds.format == Format::kJsonl) {
    read_jsonl(file, ds, options);
  } else {
    read_delimited(file, ds, options);
  }
  if (ds.texts.empty()) {
    throw DataError(path, 0, "", ds.skipped.empty() ? "no data rows (only a header)"
                                                    : "no usable rows: all " + std::to_string(ds.skipped.size()) +
                                                          " rows were malformed");
  }
  return ds;
}

void write_subset(const Dataset& dataset, const std::vector<bool>& keep, const std::string& out_path) {
  if (keep.size() != dataset.spans.size()) {
    throw std::invalid_argument("write_subset: keep has " + std::to_string(keep.size()) + " entries for " +
                                std::to_string(dataset.spans.size()) + " rows");
  }
  const int fd = ::open(dataset.path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot reopen " + dataset.path + ": " + std::strerror(errno));
  AtomicFile out(out_path);
  std::string buffer;
  auto copy = [&](std::uint64_t begin, std::uint64_t end) {
    buffer.resize(end - begin);
    std::size_t done = 0;
    while (done < buffer.size()) {
      const ssize_t got = ::pread(fd, buffer.data() + done, buffer.size() - done, static_cast<off_t>(begin + done));
      if (got <= 0) {
        ::close(fd);
        throw std::runtime_error("cannot read " + dataset.path + " (was it changed during the run?)");
      }
      done += static_cast<std::size_t>(got);
    }
    out.stream().write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  };
  copy(dataset.header_span.first, dataset.header_span.second);
  // Kept rows whose records follow each other in the file are copied as one range (one read per
  // run of kept rows instead of one per row), up to kMaxRun bytes at a time.
  constexpr std::uint64_t kMaxRun = std::uint64_t{1} << 22;
  for (std::size_t r = 0; r < keep.size();) {
    if (!keep[r]) {
      ++r;
      continue;
    }
    const std::uint64_t begin = dataset.spans[r].first;
    std::uint64_t end = dataset.spans[r].second;
    for (++r; r < keep.size() && keep[r] && dataset.spans[r].first == end && end - begin < kMaxRun; ++r) {
      end = dataset.spans[r].second;
    }
    copy(begin, end);
    // The last line of a file may lack a terminator: add one so that the next kept row starts
    // on its own line.
    if (!buffer.empty() && buffer.back() != '\n' && buffer.back() != '\r') out.stream().put('\n');
  }
  ::close(fd);
  out.commit();
}

}  // namespace textaudit::io
