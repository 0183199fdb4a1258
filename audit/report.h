// audit/report.h: the audit's outputs — issues.csv (one row per input row), summary.json (counts,
// noise estimates, triggers, parameters, timings), a self-contained report.html and the terminal
// summary the CLI prints.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "audit/result.h"

namespace textaudit::audit {

// What the reports show beside the AuditResult.
struct ReportContext {
  std::string dataset_path;        // shown in the header of every report
  std::vector<std::string> texts;  // the n_rows input texts (shown for flagged rows); empty: no texts
  std::string version = "0.1.0";   // textaudit version written into summary.json and report.html
};

// Every writer first checks that the per-row vectors of `result` are n_rows long, that labels are
// class ids in [0, K) (predicted_label may be -1) and that context.texts is empty or n_rows long;
// it throws std::invalid_argument naming the field otherwise. Files are written atomically (temp
// file + rename, io/atomic_file.h); std::runtime_error names a path that cannot be written.

// issues.csv (RFC 4180, UTF-8, "\n" line ends): a header, then one record per input row in input
// order. Columns: row (0-based), given_label, predicted_label (class names), label_quality,
// is_label_issue, is_near_duplicate, near_duplicate_set (-1 when none), is_outlier, outlier_score,
// is_ambiguous, issue_score, is_suspected_poison, poison_score, trigger, ambiguity_score,
// near_duplicate_label_conflict, reasons; incremental audits add accepted_duplicate_row (-1 when
// none), accepted_duplicate_label, accepted_duplicate_similarity. Booleans are True/False (pandas
// reads them as bool); scores are %.6g, issue_score %.6f.
void write_issues_csv(const AuditResult& result, const std::string& path);
// The header line of issues.csv, without the line end.
std::string issues_csv_header();

// summary.json as a pretty-printed string: version, dataset, rows, classes (name, count), counts per
// issue type, issues per class, noise estimates (noise_rate per class, noise_matrix, confident_joint
// with class names), num_label_issues, triggers, alarms, warnings, parameters — in a fixed key
// order — and, last, "timings": the only time-dependent key.
std::string summary_json(const AuditResult& result, const ReportContext& context);
void write_summary_json(const AuditResult& result, const ReportContext& context,
                        const std::string& path);

// report.html: one self-contained page (inline CSS and SVG, no script, no network; a
// Content-Security-Policy forbids any load): summary, alarms, suspected triggers, charts
// (label-quality histogram, confident-joint heatmap, issues per class) and the top
// kReportMaxRows flagged rows with their text. Every input-derived string is HTML-escaped.
inline constexpr std::size_t kReportMaxRows = 200;
std::string report_html(const AuditResult& result, const ReportContext& context);
void write_report_html(const AuditResult& result, const ReportContext& context,
                       const std::string& path);

// The terminal summary: rows, classes, counts per issue type, noise rate per class, alarms,
// suspected triggers, then the `top` most suspicious rows (row, labels, score, reasons, text cut to
// at most two lines). Every line fits in `width` display columns (UTF-8 aware; wide characters
// count 2). Ends with "\n". Throws std::invalid_argument when width < 40 or top < 0.
std::string format_terminal_summary(const AuditResult& result, const ReportContext& context,
                                    int width = 80, int top = 10);

// Display columns of UTF-8 text in a terminal (utf8proc widths: combining marks 0, East Asian wide
// and emoji 2; control characters and invalid bytes count 1).
std::size_t display_width(std::string_view text);

}  // namespace textaudit::audit
