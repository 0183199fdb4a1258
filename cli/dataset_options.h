// cli/dataset_options.h: the input-file flags every command that reads a dataset shares.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "io/dataset.h"

namespace textaudit::cli {

struct DatasetOptions {
  std::string path;                   // DATA (positional)
  std::string format = "auto";        // --format csv|tsv|jsonl (auto: by extension)
  std::string text_column = "text";   // --text-column
  std::string label_column = "label"; // --label-column
  bool skip_bad_rows = false;         // --skip-bad-rows
};

// Adds DATA, --format, --text-column, --label-column and --skip-bad-rows to `app`.
void add_dataset_options(CLI::App& app, DatasetOptions& options);

// Reads the dataset; extra_columns (e.g. a fold column) are kept too. Skipped rows are reported on
// stderr (one line each, at most 20, then a count) unless quiet.
io::Dataset load_dataset(const DatasetOptions& options, const std::vector<std::string>& extra_columns = {},
                         bool require_labels = true, bool quiet = false);

}  // namespace textaudit::cli
