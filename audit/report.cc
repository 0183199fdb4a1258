// audit/report.cc: issues.csv, summary.json, report.html and the terminal summary.
#include "audit/report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "io/atomic_file.h"

namespace textaudit::audit {
namespace {

using Json = nlohmann::ordered_json;  // insertion order: a stable, readable key order

// ---------------------------------------------------------------------------------------------
// Checks and aggregates

template <typename V>
void check_size(const V& v, std::size_t n, const char* name) {
  if (v.size() != n) {
    throw std::invalid_argument(fmt::format("AuditResult::{} has {} entries; expected n_rows = {}",
                                            name, v.size(), n));
  }
}

void check_result(const AuditResult& r, const ReportContext* context) {
  const std::size_t n = r.n_rows;
  check_size(r.given_label, n, "given_label");
  check_size(r.predicted_label, n, "predicted_label");
  check_size(r.label_quality, n, "label_quality");
  check_size(r.is_label_issue, n, "is_label_issue");
  check_size(r.is_near_duplicate, n, "is_near_duplicate");
  check_size(r.near_duplicate_set, n, "near_duplicate_set");
  check_size(r.near_duplicate_label_conflict, n, "near_duplicate_label_conflict");
  check_size(r.is_outlier, n, "is_outlier");
  check_size(r.outlier_score, n, "outlier_score");
  check_size(r.is_ambiguous, n, "is_ambiguous");
  check_size(r.ambiguity_score, n, "ambiguity_score");
  check_size(r.is_suspected_poison, n, "is_suspected_poison");
  check_size(r.poison_score, n, "poison_score");
  check_size(r.trigger, n, "trigger");
  check_size(r.issue_score, n, "issue_score");
  check_size(r.reasons, n, "reasons");
  if (!r.accepted_duplicate_row.empty()) {  // incremental audits
    check_size(r.accepted_duplicate_row, n, "accepted_duplicate_row");
    check_size(r.accepted_duplicate_label, n, "accepted_duplicate_label");
    check_size(r.accepted_duplicate_similarity, n, "accepted_duplicate_similarity");
  }
  const int k = static_cast<int>(r.classes.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (r.given_label[i] < 0 || r.given_label[i] >= k || r.predicted_label[i] < -1 ||
        r.predicted_label[i] >= k) {
      throw std::invalid_argument(fmt::format(
          "AuditResult row {}: given_label {} / predicted_label {} outside the {} classes", i,
          r.given_label[i], r.predicted_label[i], k));
    }
  }
  const auto square_or_empty = [k](const DenseMatrix& m, const char* name) {
    if (m.size() != 0 && (m.rows() != k || m.cols() != k)) {
      throw std::invalid_argument(fmt::format("AuditResult::{} is {} x {}; expected K x K = {} x {}",
                                              name, m.rows(), m.cols(), k, k));
    }
  };
  square_or_empty(r.confident_joint, "confident_joint");
  square_or_empty(r.noise_matrix, "noise_matrix");
  if (!r.noise_rate.empty()) check_size(r.noise_rate, r.classes.size(), "noise_rate (K)");
  if (context != nullptr && !context->texts.empty()) check_size(context->texts, n, "texts (context)");
}

// The issue types shown per class, in display order, with their chart colours.
enum IssueType { kLabelIssue, kPoison, kNearDuplicate, kOutlier, kAmbiguous, kNumIssueTypes };
constexpr std::array<const char*, kNumIssueTypes> kIssueNames = {
    "label issue", "suspected poison", "near-duplicate", "outlier", "ambiguous"};
constexpr std::array<const char*, kNumIssueTypes> kIssueColors = {"#d6336c", "#7048e8", "#1c7ed6",
                                                                  "#e8590c", "#0c8599"};

struct Counts {
  std::array<std::int64_t, kNumIssueTypes> total{};
  std::int64_t near_duplicate_sets = 0;
  std::int64_t near_duplicate_label_conflict = 0;
  std::int64_t flagged = 0;
  std::vector<std::int64_t> class_rows;
  std::vector<std::array<std::int64_t, kNumIssueTypes>> per_class;
  std::vector<std::int64_t> class_flagged;
};

Counts count_issues(const AuditResult& r) {
  Counts c;
  c.class_rows.assign(r.classes.size(), 0);
  c.per_class.assign(r.classes.size(), {});
  c.class_flagged.assign(r.classes.size(), 0);
  std::unordered_set<std::int64_t> sets;
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    const auto g = static_cast<std::size_t>(r.given_label[i]);
    const std::array<bool, kNumIssueTypes> has = {r.is_label_issue[i], r.is_suspected_poison[i],
                                                  r.is_near_duplicate[i], r.is_outlier[i],
                                                  r.is_ambiguous[i]};
    ++c.class_rows[g];
    for (int t = 0; t < kNumIssueTypes; ++t) {
      c.total[t] += has[t];
      c.per_class[g][t] += has[t];
    }
    if (r.is_near_duplicate[i]) sets.insert(r.near_duplicate_set[i]);
    c.near_duplicate_label_conflict += r.near_duplicate_label_conflict[i];
    if (r.is_flagged(i)) {
      ++c.flagged;
      ++c.class_flagged[g];
    }
  }
  c.near_duplicate_sets = static_cast<std::int64_t>(sets.size());
  return c;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 and text helpers

// Next code point of `s` at `pos` (advanced); an ill-formed byte yields U+FFFD and advances by one.
char32_t next_code_point(std::string_view s, std::size_t& pos) {
  utf8proc_int32_t cp = 0;
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()) + pos,
                                  static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
  if (n <= 0) {
    ++pos;
    return 0xFFFD;
  }
  pos += static_cast<std::size_t>(n);
  return static_cast<char32_t>(cp);
}

void append_code_point(char32_t c, std::string& out) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// Characters that must not reach a terminal or a page verbatim: C0/C1 controls (escape sequences
// could rewrite the user's terminal), line/paragraph separators and bidi overrides (they reorder
// what is displayed, "Trojan Source").
bool is_unsafe_for_display(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

int char_width(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0xA0)) return 1;  // shown as a space or U+FFFD
  return utf8proc_charwidth(static_cast<utf8proc_int32_t>(c));
}

// One line of display text: unsafe characters become spaces, runs of spaces collapse, ends trimmed.
std::string single_line(std::string_view s) {
  std::string out;
  bool space = true;  // drops leading spaces
  for (std::size_t pos = 0; pos < s.size();) {
    char32_t c = next_code_point(s, pos);
    if (is_unsafe_for_display(c) || c == ' ' || c == 0xA0) {
      if (!space) out.push_back(' ');
      space = true;
      continue;
    }
    append_code_point(c, out);
    space = false;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// At most `max_chars` code points of `s`, with "…" appended when cut.
std::string cut_code_points(std::string_view s, std::size_t max_chars) {
  std::size_t pos = 0;
  for (std::size_t chars = 0; pos < s.size() && chars < max_chars; ++chars) next_code_point(s, pos);
  if (pos >= s.size()) return std::string(s);
  return std::string(s.substr(0, pos)) + "\u2026";
}

// `s` cut to fit `width` columns, "..." marking the cut.
std::string fit_width(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  std::string out;
  std::size_t used = 0;
  const std::size_t budget = width >= 3 ? width - 3 : 0;
  for (std::size_t pos = 0; pos < s.size();) {
    const std::size_t start = pos;
    const int w = char_width(next_code_point(s, pos));
    if (used + static_cast<std::size_t>(std::max(w, 0)) > budget) break;
    used += static_cast<std::size_t>(std::max(w, 0));
    out.append(s.substr(start, pos - start));
  }
  return out + std::string(std::min<std::size_t>(3, width), '.');
}

// Greedy word wrap of single-line text: the first line gets `first` as prefix, later ones `next`;
// words wider than a line are split. With max_lines > 0 the last line ends in "..." when cut.
std::vector<std::string> wrap(std::string_view text, std::size_t width, const std::string& first,
                              const std::string& next, std::size_t max_lines = 0) {
  std::vector<std::string> lines;
  std::string line = first;
  std::size_t used = display_width(first);
  bool line_has_word = false;
  bool truncated = false;
  const auto new_line = [&]() {
    lines.push_back(line);
    line = next;
    used = display_width(next);
    line_has_word = false;
  };
  std::size_t pos = 0;
  while (pos < text.size() && !truncated) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    const std::size_t w = display_width(word);
    if (line_has_word && used + 1 + w > width) {
      if (max_lines > 0 && lines.size() + 1 >= max_lines) {
        truncated = true;
        break;
      }
      new_line();
    }
    if (line_has_word) {
      line.push_back(' ');
      ++used;
    }
    // Split a word wider than the room left, code point by code point.
    for (std::size_t p = 0; p < word.size();) {
      const std::size_t start = p;
      const auto cw = static_cast<std::size_t>(std::max(char_width(next_code_point(word, p)), 0));
      if (used + cw > width && line_has_word) {
        if (max_lines > 0 && lines.size() + 1 >= max_lines) {
          truncated = true;
          break;
        }
        new_line();
      }
      line.append(word.substr(start, p - start));
      used += cw;
      line_has_word = true;
    }
  }
  if (truncated) line = fit_width(line + " ...", width);
  if (line_has_word || lines.empty()) lines.push_back(line);
  return lines;
}

std::string class_name(const AuditResult& r, int id) {
  return id >= 0 && id < static_cast<int>(r.classes.size()) ? r.classes[id] : std::string();
}

std::string thousands(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string percent(double part, double whole) {
  if (whole <= 0) return "0%";
  const double p = 100.0 * part / whole;
  return p > 0 && p < 0.1 ? fmt::format("{:.2f}%", p) : fmt::format("{:.1f}%", p);
}

// ---------------------------------------------------------------------------------------------
// issues.csv

// RFC 4180: a field holding a comma, quote, CR or LF is quoted, its quotes doubled.
void append_csv_field(fmt::memory_buffer& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char ch : field) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

const char* py_bool(bool b) { return b ? "True" : "False"; }

// printf's %.6g / %.6f (what fmt's {:.6g} / {:.6f} write) by std::to_chars, which formats a fixed
// precision without fmt's big-number fallback: issues.csv at 200k rows in a third of the time.
template <std::chars_format kFormat>
void append_6(fmt::memory_buffer& out, double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, kFormat, 6);
  out.append(buf, res.ptr);
}
void append_g6(fmt::memory_buffer& out, double v) { append_6<std::chars_format::general>(out, v); }
void append_f6(fmt::memory_buffer& out, double v) { append_6<std::chars_format::fixed>(out, v); }
void append_int(fmt::memory_buffer& out, std::int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t w = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    w += static_cast<std::size_t>(std::max(char_width(next_code_point(text, pos)), 0));
  }
  return w;
}

std::string issues_csv_header() {
  return "row,given_label,predicted_label,label_quality,is_label_issue,is_near_duplicate,"
         "near_duplicate_set,is_outlier,outlier_score,is_ambiguous,issue_score,"
         "is_suspected_poison,poison_score,trigger,ambiguity_score,near_duplicate_label_conflict,"
         "reasons";
}

void write_issues_csv(const AuditResult& r, const std::string& path) {
  check_result(r, nullptr);
  // Class names are quoted once, not per row.
  std::vector<std::string> names;
  for (const auto& name : r.classes) {
    fmt::memory_buffer b;
    append_csv_field(b, name);
    names.emplace_back(b.data(), b.size());
  }
  io::AtomicFile file(path);
  fmt::memory_buffer out;
  out.append(issues_csv_header());
  const bool incremental = !r.accepted_duplicate_row.empty();
  if (incremental) out.append(std::string_view(",accepted_duplicate_row,accepted_duplicate_label,accepted_duplicate_similarity"));
  out.push_back('\n');
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    const int p = r.predicted_label[i];
    // Each column's value and the comma after it.
    auto col = [&](std::string_view v) { out.append(v); out.push_back(','); };
    auto col_g6 = [&](double v) { append_g6(out, v); out.push_back(','); };
    auto col_int = [&](std::int64_t v) { append_int(out, v); out.push_back(','); };
    auto col_quoted = [&](const std::string& v) { append_csv_field(out, v); out.push_back(','); };
    col_int(static_cast<std::int64_t>(i));
    col(names[r.given_label[i]]);
    col(p >= 0 ? std::string_view(names[p]) : "");
    col_g6(r.label_quality[i]);
    col(py_bool(r.is_label_issue[i]));
    col(py_bool(r.is_near_duplicate[i]));
    col_int(r.is_near_duplicate[i] ? r.near_duplicate_set[i] : std::int64_t{-1});
    col(py_bool(r.is_outlier[i]));
    col_g6(r.outlier_score[i]);
    col(py_bool(r.is_ambiguous[i]));
    append_f6(out, r.issue_score[i]);
    out.push_back(',');
    col(py_bool(r.is_suspected_poison[i]));
    col_g6(r.poison_score[i]);
    col_quoted(r.trigger[i]);
    col_g6(r.ambiguity_score[i]);
    col(py_bool(r.near_duplicate_label_conflict[i]));
    append_csv_field(out, r.reasons[i]);
    if (incremental) {
      const int a = r.accepted_duplicate_label[i];
      fmt::format_to(fmt::appender(out), ",{},{},{:.6g}", r.accepted_duplicate_row[i],
                     a >= 0 ? std::string_view(names[a]) : "", r.accepted_duplicate_similarity[i]);
    }
    out.push_back('\n');
    if (out.size() > (1u << 20)) {
      file.stream().write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  file.stream().write(out.data(), static_cast<std::streamsize>(out.size()));
  file.commit();
}

// ---------------------------------------------------------------------------------------------
// summary.json

namespace {

Json class_matrix_json(const AuditResult& r, const DenseMatrix& m, const char* rows_are,
                       const char* columns_are) {
  Json j;
  j["rows"] = rows_are;
  j["columns"] = columns_are;
  j["classes"] = r.classes;
  Json values = Json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    Json row = Json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(i, c));
    values.push_back(std::move(row));
  }
  j["values"] = std::move(values);
  return j;
}

}  // namespace

std::string summary_json(const AuditResult& r, const ReportContext& context) {
  check_result(r, &context);
  const Counts c = count_issues(r);
  Json j;
  j["version"] = context.version;
  j["dataset"] = context.dataset_path;
  j["rows"] = r.n_rows;
  Json classes = Json::array();
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    classes.push_back(Json{{"name", r.classes[k]}, {"count", c.class_rows[k]}});
  }
  j["classes"] = std::move(classes);
  j["counts"] = Json{{"label_issue", c.total[kLabelIssue]},
                     {"near_duplicate", c.total[kNearDuplicate]},
                     {"near_duplicate_sets", c.near_duplicate_sets},
                     {"near_duplicate_label_conflict", c.near_duplicate_label_conflict},
                     {"outlier", c.total[kOutlier]},
                     {"ambiguous", c.total[kAmbiguous]},
                     {"suspected_poison", c.total[kPoison]},
                     {"flagged", c.flagged}};
  if (!r.accepted_duplicate_row.empty()) {
    std::int64_t repeats = 0, conflicts = 0;
    for (std::size_t i = 0; i < r.n_rows; ++i) {
      if (r.accepted_duplicate_row[i] < 0) continue;
      (r.accepted_duplicate_label[i] != r.given_label[i] ? conflicts : repeats) += 1;
    }
    j["counts"]["accepted_duplicate"] = repeats + conflicts;
    j["counts"]["accepted_duplicate_label_conflict"] = conflicts;
  }
  Json per_class;
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    per_class[r.classes[k]] = Json{{"rows", c.class_rows[k]},
                                   {"label_issue", c.per_class[k][kLabelIssue]},
                                   {"suspected_poison", c.per_class[k][kPoison]},
                                   {"near_duplicate", c.per_class[k][kNearDuplicate]},
                                   {"outlier", c.per_class[k][kOutlier]},
                                   {"ambiguous", c.per_class[k][kAmbiguous]},
                                   {"flagged", c.class_flagged[k]}};
  }
  j["issues_per_class"] = per_class.is_null() ? Json::object() : per_class;
  j["num_label_issues"] = r.num_label_issues;
  Json noise;
  Json rates = Json::object();
  for (std::size_t k = 0; k < r.noise_rate.size(); ++k) rates[r.classes[k]] = r.noise_rate[k];
  noise["noise_rate"] = std::move(rates);
  noise["noise_matrix"] =
      class_matrix_json(r, r.noise_matrix, "given label", "true label (P(given | true))");
  noise["confident_joint"] =
      class_matrix_json(r, r.confident_joint, "given label", "estimated true label");
  j["noise"] = std::move(noise);
  Json triggers = Json::array();
  for (const auto& t : r.triggers) {
    triggers.push_back(Json{{"term", t.term},
                            {"target_class", class_name(r, t.target_class)},
                            {"target_class_id", t.target_class},
                            {"source_class", class_name(r, t.source_class)},
                            {"source_class_id", t.source_class},
                            {"rows", t.rows},
                            {"label_concentration", t.label_concentration},
                            {"flipped_rows", t.flipped_rows},
                            {"flip_rate", t.flip_rate},
                            {"base_flip_rate", t.base_flip_rate},
                            {"p_value", t.p_value},
                            {"score", t.score},
                            {"confirmed", t.confirmed},
                            {"example_rows", t.example_rows},
                            {"flipped_row_ids", t.flipped_row_ids}});
  }
  j["triggers"] = std::move(triggers);
  j["alarms"] = r.alarms;
  j["warnings"] = r.warnings;
  Json params = Json::object();
  for (const auto& [name, value] : r.parameters) params[name] = value;
  j["parameters"] = std::move(params);
  Json stages = Json::array();
  double wall = 0, cpu = 0;
  for (const auto& t : r.timings) {
    stages.push_back(Json{{"stage", t.stage}, {"wall_seconds", t.wall_seconds},
                          {"cpu_seconds", t.cpu_seconds}});
    wall += t.wall_seconds;
    cpu += t.cpu_seconds;
  }
  j["timings"] = Json{{"stages", std::move(stages)}, {"total_wall_seconds", wall},
                      {"total_cpu_seconds", cpu}};
  // Invalid UTF-8 in a name is replaced rather than thrown on: the summary must always be written.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

void write_summary_json(const AuditResult& r, const ReportContext& context,
                        const std::string& path) {
  io::write_file_atomic(path, summary_json(r, context));
}


// ---------------------------------------------------------------------------------------------
// report.html

namespace {

// Escapes &<>"' (safe in text and quoted attributes); invalid UTF-8 and control characters other
// than tab and newline become U+FFFD, so untrusted text can neither inject markup nor garble it.
void append_html(std::string& out, std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();) {
    const char32_t c = next_code_point(s, pos);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': case '\n': out.push_back(static_cast<char>(c)); break;
      default: append_code_point(is_unsafe_for_display(c) ? 0xFFFD : c, out);
    }
  }
}

std::string html(std::string_view s) {
  std::string out;
  append_html(out, s);
  return out;
}

// `text` escaped, with the whole-word occurrences of `term` (ASCII case-insensitive, as the
// vectorizer lowercases) wrapped in <mark>.
std::string html_marked(std::string_view text, std::string_view term) {
  if (term.empty()) return html(text);
  const auto lower = [](std::string_view v) {
    std::string l(v);
    for (auto& ch : l) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    return l;
  };
  const std::string lt = lower(text), lterm = lower(term);
  const auto is_word = [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
           static_cast<unsigned char>(ch) >= 0x80;
  };
  std::string out;
  std::size_t done = 0;
  for (std::size_t at = lt.find(lterm); at != std::string::npos; at = lt.find(lterm, at + 1)) {
    const std::size_t end = at + lterm.size();
    if (at < done || (at > 0 && is_word(lt[at - 1])) || (end < lt.size() && is_word(lt[end]))) continue;
    append_html(out, text.substr(done, at - done));
    out += "<mark>";
    append_html(out, text.substr(at, lterm.size()));
    out += "</mark>";
    done = end;
  }
  append_html(out, text.substr(done));
  return out;
}

// 1234 -> "1,234"; 12345.6 -> "12.3k"; 0.5 -> "0.5" (calibrated joints are not integers).
std::string compact(double v) {
  const double a = std::fabs(v);
  if (a >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  if (std::fabs(v - std::round(v)) < 0.05) return thousands(static_cast<std::int64_t>(std::round(v)));
  return fmt::format("{:.1f}", v);
}

// Colour between white and `rgb` at t in [0, 1].
std::string tint(std::array<int, 3> rgb, double t) {
  t = std::clamp(t, 0.0, 1.0);
  const auto mix = [t](int c) { return static_cast<int>(std::lround(255 + (c - 255) * t)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(rgb[0]), mix(rgb[1]), mix(rgb[2]));
}

constexpr const char* kSvgOpen =
    "<svg viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
    "role=\"img\" aria-label=\"{}\" font-size=\"11\">";

// Label-quality histogram, flagged rows beside the rest, on a log scale so that a few hundred
// flagged rows stay visible next to a million clean ones.
std::string svg_quality_histogram(const AuditResult& r) {
  constexpr int kBins = 20, W = 520, H = 270, L = 46, R = 10, T = 30, B = 44;
  std::array<std::int64_t, kBins> flagged{}, clean{};
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    const double q = r.label_quality[i];
    if (!(q == q)) continue;
    const int b = std::clamp(static_cast<int>(q * kBins), 0, kBins - 1);
    (r.is_flagged(i) ? flagged : clean)[b]++;
  }
  std::int64_t max_count = 1;
  for (int b = 0; b < kBins; ++b) max_count = std::max({max_count, flagged[b], clean[b]});
  // The axis tops out at the next 1-2-5 step above the largest bar, past 100 at the next power of 10.
  double top = 1;
  for (int step = 0; top < static_cast<double>(max_count); ++step) {
    top *= top >= 100 ? 10 : (step % 3 == 1 ? 2.5 : 2);
  }
  const double pw = W - L - R, ph = H - T - B;
  const auto y = [&](double count) { return T + ph - ph * std::log10(count + 1) / std::log10(top + 1); };
  std::string s = fmt::format(kSvgOpen, W, H, W, H, "label quality histogram");
  std::vector<double> ticks = {0};
  for (double v = 1; v <= top * 1.001; v *= 10) {
    for (double m : {1.0, 2.0, 5.0}) {
      if (m * v <= top * 1.001 && (top <= 100 || (m == 1.0 && v >= 10))) ticks.push_back(m * v);
    }
  }
  for (double v : ticks) {
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e9ecef\"/>"
                     "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
                     L, W - R, y(v), y(v), L - 6, y(v) + 4, compact(v));
  }
  const double bw = pw / kBins;
  for (int b = 0; b < kBins; ++b) {
    const double x = L + b * bw;
    const std::array<std::pair<std::int64_t, const char*>, 2> bars = {
        std::pair{clean[b], "#adb5bd"}, std::pair{flagged[b], "#d6336c"}};
    for (int k = 0; k < 2; ++k) {
      if (bars[k].first == 0) continue;
      const double top = y(static_cast<double>(bars[k].first));
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                       "<title>quality {:.2f}-{:.2f}: {} {} rows</title></rect>",
                       x + 1.5 + k * (bw - 3) / 2, top, (bw - 3) / 2, T + ph - top, bars[k].second,
                       b / double(kBins), (b + 1) / double(kBins), thousands(bars[k].first),
                       k ? "flagged" : "unflagged");
    }
  }
  s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#57606a\"/>", L, W - R,
                   T + ph, T + ph);
  for (int t = 0; t <= 5; ++t) {
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#57606a\">{:.1f}</text>",
                     L + pw * t / 5, T + ph + 15, t / 5.0);
  }
  s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1b1f24\">label quality "
                   "(lower = more likely mislabelled)</text>", L + pw / 2, H - 8);
  s += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#57606a\">rows (log scale)</text>", L - 40);
  s += fmt::format("<rect x=\"{}\" y=\"6\" width=\"10\" height=\"10\" fill=\"#d6336c\"/><text x=\"{}\" "
                   "y=\"15\">flagged</text><rect x=\"{}\" y=\"6\" width=\"10\" height=\"10\" "
                   "fill=\"#adb5bd\"/><text x=\"{}\" y=\"15\">not flagged</text>",
                   W - 180, W - 166, W - 100, W - 86);
  return s + "</svg>";
}

// The classes a chart shows: all when at most `limit`, else the `limit` largest (by `weight`),
// in class order.
std::vector<std::size_t> shown_classes(const std::vector<std::int64_t>& weight, std::size_t limit) {
  std::vector<std::size_t> ids(weight.size());
  for (std::size_t k = 0; k < ids.size(); ++k) ids[k] = k;
  if (ids.size() <= limit) return ids;
  std::stable_sort(ids.begin(), ids.end(),
                   [&](std::size_t a, std::size_t b) { return weight[a] > weight[b]; });
  ids.resize(limit);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Confident joint as a heatmap: agreement (diagonal) in blue, estimated label errors in red, each
// on its own square-root scale so that off-diagonal counts stay visible beside a large diagonal.
std::string svg_confident_joint(const AuditResult& r, const Counts& c) {
  const DenseMatrix& cj = r.confident_joint;
  if (cj.size() == 0) return "<p class=\"muted\">The confident joint was not computed.</p>";
  const auto ids = shown_classes(c.class_rows, 30);
  const int k = static_cast<int>(ids.size());
  const int cell = std::clamp(360 / std::max(k, 1), 16, 64);
  std::size_t longest = 1;
  for (auto id : ids) longest = std::max(longest, std::min<std::size_t>(display_width(r.classes[id]), 16));
  const int L = 30 + static_cast<int>(longest) * 7, T = 34 + static_cast<int>(longest * 5);
  const int W = std::max(L + k * cell + static_cast<int>(longest) * 6 + 10, 300), H = T + k * cell + 10;
  double max_diag = 0, max_off = 0;
  for (auto i : ids)
    for (auto j : ids) (i == j ? max_diag : max_off) = std::max(i == j ? max_diag : max_off, cj(i, j));
  const auto label = [&](std::size_t id) { return html(cut_code_points(single_line(r.classes[id]), 16)); };
  std::string s = fmt::format(kSvgOpen, W, H, W, H, "confident joint heatmap");
  s += fmt::format("<text x=\"{}\" y=\"12\" fill=\"#1b1f24\">estimated true label &#8594;</text>", L);
  s += fmt::format("<text transform=\"translate(12 {}) rotate(-90)\" text-anchor=\"end\" "
                   "fill=\"#1b1f24\">given label &#8594;</text>", T);
  const int font = std::min(12, cell / 3 + 2);
  for (int a = 0; a < k; ++a) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
                     L - 6, T + a * cell + cell / 2, label(ids[a]));
    s += fmt::format("<text transform=\"translate({} {}) rotate(-40)\">{}</text>",
                     L + a * cell + cell / 2, T - 6, label(ids[a]));
    for (int b = 0; b < k; ++b) {
      const double v = cj(ids[a], ids[b]);
      const bool diag = a == b;
      const double max = diag ? max_diag : max_off;
      const double t = max > 0 ? std::sqrt(std::max(v, 0.0) / max) : 0.0;
      const std::string fill = tint(diag ? std::array{28, 126, 214} : std::array{224, 49, 49}, 0.08 + 0.92 * t);
      s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\">"
                       "<title>given {}, estimated true {}: {}</title></rect>",
                       L + b * cell, T + a * cell, cell, cell, v > 0 ? fill : "#f8f9fa",
                       label(ids[a]), label(ids[b]), compact(v));
      if (cell >= 24) {
        s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\" "
                         "font-size=\"{}\" fill=\"{}\">{}</text>",
                         L + b * cell + cell / 2, T + a * cell + cell / 2, font,
                         t > 0.6 ? "#fff" : "#1b1f24", compact(v));
      }
    }
  }
  s += "</svg>";
  if (ids.size() < r.classes.size()) {
    s += fmt::format("<p class=\"muted\">The {} largest of {} classes.</p>", ids.size(), r.classes.size());
  }
  return s;
}

// Issues per given class as horizontal grouped bars, one bar per issue type.
std::string svg_issues_per_class(const AuditResult& r, const Counts& c) {
  const auto ids = shown_classes(c.class_flagged, 25);
  constexpr int kBar = 8, kGap = 12, W = 520, T = 34;
  std::size_t longest = 1;
  for (auto id : ids) longest = std::max(longest, std::min<std::size_t>(display_width(r.classes[id]), 16));
  const int L = 14 + static_cast<int>(longest) * 7, R = 48;
  const int group = kNumIssueTypes * kBar + kGap;
  const int H = T + static_cast<int>(ids.size()) * group + 6;
  std::int64_t max_count = 1;
  for (auto id : ids)
    for (auto v : c.per_class[id]) max_count = std::max(max_count, v);
  std::string s = fmt::format(kSvgOpen, W, H, W, H, "issues per class");
  for (int t = 0, x = 4; t < kNumIssueTypes; ++t) {
    s += fmt::format("<rect x=\"{}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" "
                     "y=\"15\">{}</text>", x, kIssueColors[t], x + 14, kIssueNames[t]);
    x += 30 + static_cast<int>(std::string_view(kIssueNames[t]).size()) * 6;
  }
  const double pw = W - L - R;
  for (std::size_t g = 0; g < ids.size(); ++g) {
    const std::size_t id = ids[g];
    const int y0 = T + static_cast<int>(g) * group;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
                     L - 6, y0 + kNumIssueTypes * kBar / 2,
                     html(cut_code_points(single_line(r.classes[id]), 16)));
    for (int t = 0; t < kNumIssueTypes; ++t) {
      const auto v = c.per_class[id][t];
      const double w = pw * static_cast<double>(v) / static_cast<double>(max_count);
      if (v == 0) continue;
      s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: {} "
                       "{}</title></rect><text x=\"{:.1f}\" y=\"{}\" font-size=\"9\" "
                       "dominant-baseline=\"middle\" fill=\"#57606a\">{}</text>",
                       L, y0 + t * kBar, std::max(w, 1.0), kBar - 1, kIssueColors[t],
                       html(r.classes[id]), thousands(v), kIssueNames[t], L + w + 3,
                       y0 + t * kBar + kBar / 2, thousands(v));
    }
  }
  s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#57606a\"/></svg>", L, L,
                   T - 4, H - 4);
  if (ids.size() < r.classes.size()) {
    s += fmt::format("<p class=\"muted\">The {} classes with most flagged rows, of {}.</p>", ids.size(),
                     r.classes.size());
  }
  return s;
}

constexpr const char* kStyle = R"css(
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 32px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.meta,.muted{color:var(--muted)}.meta b{color:var(--fg)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:20px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--panel);border-top:4px solid var(--c,#57606a)}
.card .n{font-size:24px;font-weight:650}.card .l{font-size:13px;color:var(--muted)}
.alarm,.warn{border-radius:6px;padding:12px 16px;margin:12px 0}
.alarm{background:#fff0f0;border:1px solid #ffc9c9;border-left:6px solid #c92a2a}
.alarm strong{color:#c92a2a}
.warn{background:#fff9db;border:1px solid #ffec99;border-left:6px solid #e67700}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{white-space:pre-wrap;overflow-wrap:anywhere;min-width:260px}
tr.trig td{border-bottom:0}tr.ex td{padding-top:0;font-size:13px}
mark{background:#e5dbff;color:#5f3dc4;font-weight:600;border-radius:3px;padding:0 2px}
.b{display:inline-block;padding:0 7px;margin:1px 2px 1px 0;border-radius:10px;font-size:12px;color:#fff;white-space:nowrap}
.lbl{font-weight:600}.arrow{color:var(--muted)}.same{color:var(--muted)}
.why{font-size:13px;color:var(--muted);margin-top:3px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:12px 14px;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:2px}figcaption span{display:block;font-weight:400;font-size:13px;color:var(--muted);margin-bottom:6px}
svg{max-width:100%;height:auto;font-family:inherit}
footer{margin-top:36px;font-size:13px;color:var(--muted)}
@media print{main{max-width:none;padding:0}body{font-size:12px}.charts{display:block}
figure,tr,.alarm,.card{break-inside:avoid}figure{margin-bottom:12px}h2{break-after:avoid}
.card,.alarm,.warn,.b,mark,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

void append_badges(std::string& out, const AuditResult& r, std::size_t row) {
  const std::array<bool, kNumIssueTypes> has = {r.is_label_issue[row], r.is_suspected_poison[row],
                                                r.is_near_duplicate[row], r.is_outlier[row],
                                                r.is_ambiguous[row]};
  for (int t = 0; t < kNumIssueTypes; ++t) {
    if (!has[t]) continue;
    std::string name = kIssueNames[t];
    if (t == kNearDuplicate) {
      name = fmt::format("duplicate of set {}{}", r.near_duplicate_set[row],
                         r.near_duplicate_label_conflict[row] ? ", labels differ" : "");
    }
    out += fmt::format("<span class=\"b\" style=\"background:{}\">{}</span>", kIssueColors[t], name);
  }
}

}  // namespace

std::string report_html(const AuditResult& r, const ReportContext& context) {
  check_result(r, &context);
  const Counts c = count_issues(r);
  const double n = static_cast<double>(r.n_rows);
  const bool have_texts = !context.texts.empty();
  std::string o;
  o.reserve(1 << 16);
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'; img-src data:\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  o += fmt::format("<meta name=\"generator\" content=\"textaudit {}\">\n<title>textaudit report: {}</title>\n",
                   html(context.version), html(context.dataset_path));
  o += fmt::format("<style>{}</style></head>\n<body><main>\n", kStyle);

  // Header and counts.
  o += "<header><h1>textaudit report</h1>\n";
  o += fmt::format("<p class=\"meta\"><b class=\"mono\">{}</b> &middot; <b>{}</b> rows &middot; <b>{}</b> "
                   "classes ({}) &middot; textaudit {}</p></header>\n",
                   html(context.dataset_path.empty() ? "<input>" : context.dataset_path),
                   thousands(r.n_rows), r.classes.size(),
                   [&] {
                     std::string list;
                     for (std::size_t k = 0; k < r.classes.size() && k < 12; ++k) {
                       list += (k ? ", " : "") + html(cut_code_points(r.classes[k], 24)) + " " +
                               thousands(c.class_rows[k]);
                     }
                     if (r.classes.size() > 12) list += fmt::format(", &hellip; {} more", r.classes.size() - 12);
                     return list;
                   }(),
                   html(context.version));
  const auto card = [&](const char* color, std::int64_t v, const std::string& label) {
    o += fmt::format("<div class=\"card\" style=\"--c:{}\"><div class=\"n\">{}</div><div class=\"l\">{}"
                     "</div></div>", color, thousands(v), label);
  };
  o += "<section class=\"cards\">";
  card("#1b1f24", c.flagged, "flagged rows (" + percent(static_cast<double>(c.flagged), n) + ")");
  card(kIssueColors[kLabelIssue], c.total[kLabelIssue], "label issues");
  card(kIssueColors[kPoison], c.total[kPoison], "suspected poison");
  card(kIssueColors[kNearDuplicate], c.total[kNearDuplicate],
       fmt::format("near-duplicates in {} sets, {} with label conflict", thousands(c.near_duplicate_sets),
                   thousands(c.near_duplicate_label_conflict)));
  card(kIssueColors[kOutlier], c.total[kOutlier], "outliers");
  card(kIssueColors[kAmbiguous], c.total[kAmbiguous], "ambiguous");
  o += "</section>\n";

  // Alarms, triggers and warnings: what a reader must see first.
  for (const auto& alarm : r.alarms) {
    o += "<div class=\"alarm\"><strong>Alarm:</strong> " + html(alarm) + "</div>\n";
  }
  if (!r.triggers.empty()) {
    o += "<section><h2>Suspected backdoor triggers</h2>\n<p class=\"muted\">Rare terms concentrated in "
         "one given label whose rows read as another class once the term's own weight is removed &mdash; "
         "the mark of rows copied from one class, stamped with a trigger and relabelled.</p>\n"
         "<table><tr><th>Trigger</th><th>Pushes rows into</th><th>Rows read as</th><th class=\"n\">Rows</th>"
         "<th class=\"n\">In target label</th><th class=\"n\">Flip without it</th><th class=\"n\">Base flip "
         "rate</th><th class=\"n\">p-value</th><th class=\"n\">Score</th>"
         "</tr>\n";
    for (const auto& t : r.triggers) {
      o += fmt::format("<tr class=\"trig\"><td><mark>{}</mark>{}</td><td class=\"lbl\">{}</td><td class=\"lbl\">{}</td>"
                       "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td>"
                       "<td class=\"n\">{}</td><td class=\"n\">{:.2g}</td><td class=\"n\">{:.2f}</td></tr>\n"
                       "<tr class=\"ex\"><td></td><td colspan=\"8\" class=\"text\">",
                       html(t.term), t.confirmed ? "" : "<div class=\"why\">candidate</div>",
                       html(class_name(r, t.target_class)), html(class_name(r, t.source_class)),
                       thousands(t.rows), percent(t.label_concentration, 1.0),
                       thousands(t.flipped_rows), percent(t.flip_rate, 1.0),
                       percent(t.base_flip_rate, 1.0), t.p_value, t.score);
      for (std::size_t e = 0; e < t.example_rows.size() && e < 3; ++e) {
        const auto row = t.example_rows[e];
        o += fmt::format("<div><span class=\"mono muted\">row {}</span>", row);
        if (have_texts && row >= 0 && static_cast<std::size_t>(row) < r.n_rows) {
          o += ": " + html_marked(cut_code_points(context.texts[row], 160), t.term);
        }
        o += "</div>";
      }
      o += "</td></tr>\n";
    }
    o += "</table></section>\n";
  }
  for (const auto& warning : r.warnings) {
    o += "<div class=\"warn\"><strong>Warning:</strong> " + html(warning) + "</div>\n";
  }

  // Pictures.
  o += "<section><h2>Overview</h2><div class=\"charts\">\n";
  o += "<figure><figcaption>Label quality<span>cleanlab's self-confidence score per row; flagged rows "
       "in red.</span></figcaption>" + svg_quality_histogram(r) + "</figure>\n";
  o += "<figure><figcaption>Confident joint<span>Rows counted by given label (rows) and estimated true "
       "label (columns); red cells are estimated label errors.</span></figcaption>" +
       svg_confident_joint(r, c) + "</figure>\n";
  o += "<figure><figcaption>Issues per class<span>Rows of each given label, per issue type.</span>"
       "</figcaption>" + svg_issues_per_class(r, c) + "</figure>\n";
  o += "</div></section>\n";

  // Per-class table.
  o += "<section><h2>Classes</h2><table><tr><th>Class</th><th class=\"n\">Rows</th><th class=\"n\">"
       "Estimated noise rate</th>";
  for (int t = 0; t < kNumIssueTypes; ++t) o += fmt::format("<th class=\"n\">{}</th>", kIssueNames[t]);
  o += "<th class=\"n\">flagged</th></tr>\n";
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    o += fmt::format("<tr><td class=\"lbl\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                     html(r.classes[k]), thousands(c.class_rows[k]),
                     k < r.noise_rate.size() ? percent(r.noise_rate[k], 1.0) : "&ndash;");
    for (int t = 0; t < kNumIssueTypes; ++t) o += "<td class=\"n\">" + thousands(c.per_class[k][t]) + "</td>";
    o += "<td class=\"n\">" + thousands(c.class_flagged[k]) + "</td></tr>\n";
  }
  o += "</table></section>\n";

  // The flagged rows.
  const auto ranked = r.ranked_flagged_rows();
  const std::size_t shown = std::min(ranked.size(), kReportMaxRows);
  o += "<section><h2>Flagged rows</h2>\n";
  if (ranked.empty()) {
    o += "<p>No row was flagged.</p>";
  } else {
    o += fmt::format("<p class=\"muted\">The {} most suspicious of {} flagged rows, by issue score "
                     "(0&ndash;1, higher = more suspicious). Row numbers are 0-based; every row is in "
                     "<code>issues.csv</code>.</p>\n", thousands(static_cast<std::int64_t>(shown)),
                     thousands(c.flagged));
    o += "<table><tr><th class=\"n\">Row</th><th>Given &#8594; predicted</th><th class=\"n\">Score</th>"
         "<th class=\"n\">Quality</th><th>Issues</th>";
    if (have_texts) o += "<th>Text</th>";
    o += "</tr>\n";
    for (std::size_t i = 0; i < shown; ++i) {
      const std::size_t row = ranked[i];
      const int g = r.given_label[row], p = r.predicted_label[row];
      o += fmt::format("<tr><td class=\"n mono\">{}</td><td><span class=\"lbl\">{}</span> <span "
                       "class=\"arrow\">&#8594;</span> <span class=\"{}\">{}</span></td><td class=\"n\">"
                       "{:.3f}</td><td class=\"n\">{:.3f}</td><td>",
                       row, html(class_name(r, g)), g == p ? "same" : "lbl", html(class_name(r, p)),
                       r.issue_score[row], r.label_quality[row]);
      append_badges(o, r, row);
      if (!r.trigger[row].empty()) o += "<div class=\"why\">trigger <mark>" + html(r.trigger[row]) + "</mark></div>";
      if (!r.reasons[row].empty()) o += "<div class=\"why\">" + html(r.reasons[row]) + "</div>";
      o += "</td>";
      if (have_texts) {
        o += "<td class=\"text\">" + html_marked(cut_code_points(context.texts[row], 600), r.trigger[row]) + "</td>";
      }
      o += "</tr>\n";
    }
    o += "</table>";
  }
  o += "</section>\n";

  // How the audit ran.
  o += "<section><h2>Parameters and timings</h2><div class=\"charts\"><div><table><tr><th>Parameter</th>"
       "<th>Value</th></tr>\n";
  for (const auto& [name, value] : r.parameters) {
    o += "<tr><td class=\"mono\">" + html(name) + "</td><td class=\"mono\">" + html(value) + "</td></tr>\n";
  }
  o += "</table></div><div id=\"timings\"><table><tr><th>Stage</th><th class=\"n\">Wall s</th>"
       "<th class=\"n\">CPU s</th></tr>\n";
  for (const auto& t : r.timings) {
    o += fmt::format("<tr><td>{}</td><td class=\"n\">{:.2f}</td><td class=\"n\">{:.2f}</td></tr>\n",
                     html(t.stage), t.wall_seconds, t.cpu_seconds);
  }
  o += "</table></div></div></section>\n";
  o += fmt::format("<footer>Generated by textaudit {}. Label quality, noise rates and the confident "
                   "joint follow cleanlab's confident learning (Northcutt et al., 2021).</footer>\n"
                   "</main></body></html>\n", html(context.version));
  return o;
}

void write_report_html(const AuditResult& r, const ReportContext& context, const std::string& path) {
  io::write_file_atomic(path, report_html(r, context));
}

// ---------------------------------------------------------------------------------------------
// Terminal summary

std::string format_terminal_summary(const AuditResult& r, const ReportContext& context, int width,
                                    int top) {
  if (width < 40) throw std::invalid_argument(fmt::format("width = {}; expected >= 40", width));
  if (top < 0) throw std::invalid_argument(fmt::format("top = {}; expected >= 0", top));
  check_result(r, &context);
  const Counts c = count_issues(r);
  const auto w = static_cast<std::size_t>(width);
  const double n = static_cast<double>(r.n_rows);
  std::vector<std::string> lines;
  const auto add = [&](std::string_view text, const std::string& first = "",
                       const std::string& next = "    ", std::size_t max_lines = 0) {
    for (auto& line : wrap(single_line(text), w, first, next, max_lines)) lines.push_back(line);
  };

  add(fmt::format("textaudit {} audit of {}", context.version,
                  context.dataset_path.empty() ? "<input>" : context.dataset_path));
  add(fmt::format("{} rows, {} classes; {} flagged ({})", thousands(r.n_rows), r.classes.size(),
                  thousands(c.flagged), percent(static_cast<double>(c.flagged), n)));
  lines.emplace_back();
  const std::size_t label_width = std::min<std::size_t>(22, w - 19);  // 2 + label + 9 + 2 + 6
  lines.push_back(fmt::format("{:<{}}{:>9}  {:>6}", "Issues found", label_width + 2, "rows", "share"));
  const auto count_line = [&](const char* label, std::int64_t v) {
    lines.push_back(fit_width(fmt::format("  {:<{}}{:>9}  {:>6}", label, label_width, thousands(v),
                                          percent(static_cast<double>(v), n)), w));
  };
  count_line("label issues", c.total[kLabelIssue]);
  count_line("suspected poison", c.total[kPoison]);
  count_line("near-duplicates", c.total[kNearDuplicate]);
  if (c.total[kNearDuplicate] > 0) {
    add(fmt::format("in {} set(s); {} rows share a set with another label", thousands(c.near_duplicate_sets),
                    thousands(c.near_duplicate_label_conflict)), "      ", "      ");
  }
  count_line("outliers", c.total[kOutlier]);
  count_line("ambiguous", c.total[kAmbiguous]);

  // Per class: at most 15 lines, the classes with the highest noise rate first.
  lines.emplace_back();
  lines.emplace_back("Classes (rows, estimated noise rate)");
  std::vector<std::size_t> order(r.classes.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  const auto rate = [&](std::size_t k) { return k < r.noise_rate.size() ? r.noise_rate[k] : 0.0; };
  if (order.size() > 15) {
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return rate(a) > rate(b); });
  }
  std::size_t name_width = 5;
  for (std::size_t k : order) name_width = std::max(name_width, display_width(single_line(r.classes[k])));
  name_width = std::min(name_width, std::min<std::size_t>(w / 3, 28));
  for (std::size_t i = 0; i < order.size() && i < 15; ++i) {
    const std::size_t k = order[i];
    const std::string name = fit_width(single_line(r.classes[k]), name_width);
    const std::string pad(name_width - std::min(name_width, display_width(name)), ' ');
    std::string line = fmt::format("  {}{} {:>9}", name, pad, thousands(c.class_rows[k]));
    if (k < r.noise_rate.size()) line += fmt::format("  noise {:>6}", percent(rate(k), 1.0));
    if (c.per_class[k][kLabelIssue] > 0)
      line += "  label issues " + thousands(c.per_class[k][kLabelIssue]);
    lines.push_back(fit_width(line, w));
  }
  if (order.size() > 15) add(fmt::format("... {} more classes in summary.json", order.size() - 15), "  ");

  for (const auto& alarm : r.alarms) {
    lines.emplace_back();
    add(alarm, "ALARM: ", "       ");
  }
  if (!r.triggers.empty()) {
    lines.emplace_back();
    lines.emplace_back("Suspected backdoor triggers");
    for (std::size_t i = 0; i < r.triggers.size() && i < 10; ++i) {
      const auto& t = r.triggers[i];
      add(fmt::format("\"{}\" pushes {} rows into {} ({} of them labelled so); {} read as {} "
                      "without it (base rate {}); score {:.2f}{}",
                      t.term, thousands(t.rows), class_name(r, t.target_class),
                      percent(t.label_concentration, 1.0), thousands(t.flipped_rows),
                      class_name(r, t.source_class), percent(t.base_flip_rate, 1.0), t.score,
                      t.confirmed ? "" : " (unconfirmed candidate)"),
          "  ", "      ");
    }
    if (r.triggers.size() > 10) add(fmt::format("... {} more in summary.json", r.triggers.size() - 10), "  ");
  }
  if (!r.warnings.empty()) lines.emplace_back();
  for (const auto& warning : r.warnings) add(warning, "warning: ", "         ");

  const auto ranked = r.ranked_flagged_rows();
  lines.emplace_back();
  if (ranked.empty()) {
    lines.emplace_back("No rows flagged.");
  } else {
    const std::size_t shown = std::min(ranked.size(), static_cast<std::size_t>(top));
    add(fmt::format("Top {} of {} flagged rows (row numbers 0-based; all rows in issues.csv)",
                    shown, thousands(c.flagged)));
    for (std::size_t i = 0; i < shown; ++i) {
      const std::size_t row = ranked[i];
      const std::string labels =
          fit_width(single_line(class_name(r, r.given_label[row])), 20) + " -> " +
          fit_width(single_line(class_name(r, r.predicted_label[row])), 20);
      lines.push_back(fit_width(fmt::format("  row {}  {}  score {:.3f}  quality {:.3f}", row,
                                            labels, r.issue_score[row], r.label_quality[row]), w));
      if (!r.reasons[row].empty()) add(r.reasons[row], "    ", "    ", 2);
      if (!context.texts.empty()) add("| " + context.texts[row], "    ", "      ", 2);
    }
  }
  std::string out;
  for (const auto& line : lines) {
    out += line;
    out.push_back('\n');
  }
  return out;
}

}  // namespace textaudit::audit
