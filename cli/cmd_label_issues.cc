// cli/cmd_label_issues.cc: `textaudit label-issues --labels FILE --pred-probs FILE`: confident
// learning (cleanlab's find_label_issues) on any model's out-of-fold probabilities.
//
// Class mapping (printed on stderr and stored in the JSON output as "class_mapping"):
//   "index"             integer labels are 0-based column indices of pred_probs (as cleanlab);
//   "pred_probs_header" label names are looked up in the pred_probs header row;
//   "sorted_names"      no header: column k is the k-th label name in sorted order (as
//                       scikit-learn's LabelEncoder / text/labels.h), so every class must occur.
// pred_probs rows must sum to 1 within kRowSumTolerance (1e-3) and hold finite values in [0, 1].
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cleaning/label_issues.h"
#include "cli/cl_options.h"
#include "cli/command.h"
#include "cli/label_issues_output.h"
#include "cli/pred_probs_file.h"
#include "io/atomic_file.h"
#include "io/npy.h"
#include "io/table.h"
#include "text/data_error.h"
#include "text/labels.h"

namespace textaudit::cli {
namespace {

struct LabelIssuesArgs {
  std::string labels_path, pred_probs_path, label_column, format = "csv", out_path;
  bool all = false;
  cleaning::FindLabelIssuesParams params;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool parse_int(const std::string& cell, std::int64_t& value) {
  const auto result = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return result.ec == std::errc() && result.ptr == cell.data() + cell.size() && !cell.empty();
}

struct Labels {
  std::vector<std::string> raw;        // as in the file
  std::vector<std::int64_t> lines;     // 1-based line per label (0 for .npy)
  std::vector<std::int64_t> ints;      // set when read from .npy
};

Labels read_labels(const LabelIssuesArgs& args) {
  Labels out;
  const std::string& path = args.labels_path;
  if (ends_with(path, ".npy")) {
    out.ints = io::read_npy_int_vector(path);
    out.lines.assign(out.ints.size(), 0);
    for (std::int64_t v : out.ints) out.raw.push_back(std::to_string(v));
    return out;
  }
  const io::Table table = io::read_table(path);
  std::size_t column = 0, first = 0;
  if (!args.label_column.empty()) {
    if (table.rows.empty()) throw DataError(path, 0, "", "empty file");
    const auto& header = table.rows[0];
    const auto it = std::find(header.begin(), header.end(), args.label_column);
    if (it == header.end()) {
      std::string found;
      for (const auto& h : header) found += (found.empty() ? "" : ", ") + h;
      throw DataError(path, table.lines[0], args.label_column, "no such column; columns found: " + found);
    }
    column = static_cast<std::size_t>(it - header.begin());
    first = 1;
  }
  for (std::size_t r = first; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (args.label_column.empty() && row.size() != 1) {
      throw DataError(path, table.lines[r], "", fmt::format("expected one label per line, found {} fields; "
                                                            "use --label-column for a CSV/TSV table", row.size()));
    }
    if (row.size() <= column) throw DataError(path, table.lines[r], args.label_column, "ragged row: missing label");
    if (row[column].empty()) throw DataError(path, table.lines[r], args.label_column, "empty label");
    out.raw.push_back(row[column]);
    out.lines.push_back(table.lines[r]);
  }
  if (out.raw.empty()) throw DataError(path, 0, "", "no labels (empty file)");
  return out;
}

int run_label_issues(const LabelIssuesArgs& args) {
  const PredProbs probs = read_pred_probs(args.pred_probs_path);
  const Labels labels = read_labels(args);
  const auto k = static_cast<std::int64_t>(probs.matrix.cols());
  if (static_cast<Eigen::Index>(labels.raw.size()) != probs.matrix.rows()) {
    throw DataError(args.labels_path, 0, "", fmt::format("{} labels but {} rows in {}", labels.raw.size(),
                                                         probs.matrix.rows(), args.pred_probs_path));
  }
  // Map labels to columns of pred_probs.
  std::vector<int> y(labels.raw.size());
  std::vector<std::string> classes;
  std::string mapping;
  std::vector<std::int64_t> ints = labels.ints;
  bool all_int = !ints.empty();
  if (ints.empty()) {
    ints.resize(labels.raw.size());
    all_int = true;
    for (std::size_t i = 0; i < labels.raw.size() && all_int; ++i) all_int = parse_int(labels.raw[i], ints[i]);
  }
  if (all_int) {
    mapping = "index";
    for (std::size_t i = 0; i < ints.size(); ++i) {
      if (ints[i] < 0 || ints[i] >= k) {
        throw DataError(args.labels_path, labels.lines[i], args.label_column,
                        fmt::format("label {} is outside the classes 0..{} (columns of pred_probs)", ints[i], k - 1));
      }
      y[i] = static_cast<int>(ints[i]);
    }
    if (!probs.header.empty()) classes = probs.header;
    else for (std::int64_t c = 0; c < k; ++c) classes.push_back(std::to_string(c));
  } else if (!probs.header.empty()) {
    mapping = "pred_probs_header";
    classes = probs.header;
    std::map<std::string, int> index;
    for (std::size_t c = 0; c < classes.size(); ++c) index.emplace(classes[c], static_cast<int>(c));
    std::string known;
    for (const auto& c : classes) known += (known.empty() ? "" : ", ") + c;
    for (std::size_t i = 0; i < labels.raw.size(); ++i) {
      const auto it = index.find(labels.raw[i]);
      if (it == index.end()) {
        throw DataError(args.labels_path, labels.lines[i], args.label_column,
                        "unknown label \"" + shorten(labels.raw[i]) + "\"; expected one of: " + known);
      }
      y[i] = it->second;
    }
  } else {
    mapping = "sorted_names";
    text::EncodedLabels encoded = text::encode_labels(labels.raw);
    if (static_cast<std::int64_t>(encoded.classes.size()) != k) {
      throw DataError(args.labels_path, 0, args.label_column,
                      fmt::format("{} distinct label names but pred_probs has {} columns; add a header row to "
                                  "pred_probs naming its columns", encoded.classes.size(), k));
    }
    classes = encoded.classes;
    y = encoded.y;
  }

  LabelIssuesOutput out;
  try {
    out = label_issues_output(y, probs.matrix, classes, mapping, args.params, args.all, args.format);
  } catch (const std::invalid_argument& e) {  // parameters were checked by CLI11: this is the data
    throw DataError(args.labels_path, 0, "", e.what());
  }
  const std::string& text = out.text;
  if (args.out_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    io::write_file_atomic(args.out_path, text);
  }
  if (!global_flags().quiet) {
    std::string names;
    for (std::size_t c = 0; c < classes.size(); ++c) names += fmt::format("{}{}={}", c ? ", " : "", c, classes[c]);
    std::fprintf(stderr, "textaudit label-issues: %zu of %zu rows flagged (filter_by=%s, ranked by %s); "
                 "classes (%s mapping): %s\n", out.num_issues, y.size(),
                 std::string(cleaning::filter_by_name(args.params.filter_by)).c_str(), out.rank_by.c_str(),
                 mapping.c_str(), names.c_str());
  }
  return kExitOk;
}

}  // namespace

TEXTAUDIT_REGISTER_COMMAND(Command{
    "label-issues",
    "find label errors with confident learning from labels and any model's out-of-fold pred_probs",
    40,
    [](CLI::App& app) -> std::function<int()> {
      auto args = std::make_shared<LabelIssuesArgs>();
      app.add_option("--labels", args->labels_path,
                     "given labels: one per line (.txt), a CSV/TSV column (--label-column) or .npy of ints")
          ->required();
      app.add_option("--pred-probs", args->pred_probs_path,
                     "n x K probabilities: CSV/TSV (one column per class, optional header row) or .npy")
          ->required();
      app.add_option("--label-column", args->label_column, "column holding the labels in a CSV/TSV --labels file");
      add_cl_options(app, args->params);
      args->params.n_threads = 0;
      app.add_option("--threads", args->params.n_threads, "threads (0 = all cores, the default); results do not depend on it")
          ->check(CLI::NonNegativeNumber);
      app.add_option("--format", args->format, "csv (default) or json")->check(CLI::IsMember({"csv", "json"}));
      app.add_flag("--all", args->all, "list every row in input order, not only the flagged rows in rank order");
      app.add_option("--out", args->out_path, "write here (atomically) instead of stdout");
      return [args] { return run_label_issues(*args); };
    }});

}  // namespace textaudit::cli
