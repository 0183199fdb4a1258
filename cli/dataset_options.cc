#include "cli/dataset_options.h"

#include <cstdio>

#include "cli/command.h"

namespace textaudit::cli {

void add_dataset_options(CLI::App& app, DatasetOptions& options) {
  app.add_option("DATA", options.path, "labelled text file: .csv (RFC 4180), .tsv or .jsonl")->required();
  app.add_option("--format", options.format, "input format: csv, tsv, jsonl or auto (by extension)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "csv", "tsv", "jsonl", "json", "ndjson"}));
  app.add_option("--text-column", options.text_column, "column holding the text")->capture_default_str();
  app.add_option("--label-column", options.label_column, "column holding the given label")->capture_default_str();
  app.add_flag("--skip-bad-rows", options.skip_bad_rows,
               "skip malformed rows (counted and reported) instead of stopping at the first");
}

io::Dataset load_dataset(const DatasetOptions& options, const std::vector<std::string>& extra_columns,
                         bool require_labels, bool quiet) {
  io::ReadOptions read;
  read.format = io::parse_format(options.format);
  read.text_column = options.text_column;
  read.label_column = options.label_column;
  read.extra_columns = extra_columns;
  read.skip_bad_rows = options.skip_bad_rows;
  read.require_labels = require_labels;
  global_flags().input_path = options.path;
  io::Dataset ds = io::read_dataset(options.path, read);
  if (!ds.skipped.empty() && !quiet) {
    std::size_t shown = 0;
    for (const auto& s : ds.skipped) {
      if (shown++ == 20) break;
      std::fprintf(stderr, "textaudit: warning: %s:%lld: skipped: %s\n", ds.path.c_str(), static_cast<long long>(s.line),
                   s.reason.c_str());
    }
    std::fprintf(stderr, "textaudit: warning: skipped %zu malformed rows of %s (--skip-bad-rows)\n", ds.skipped.size(),
                 ds.path.c_str());
  }
  return ds;
}

}  // namespace textaudit::cli
