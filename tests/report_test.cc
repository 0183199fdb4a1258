// Tests for audit/report.h and AuditResult::ranked_flagged_rows: issues.csv, summary.json,
// report.html (also rendered in headless Chromium) and the terminal summary, on a hand-built result.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "audit/report.h"
#include "audit/result.h"
#include "io/table.h"

namespace fs = std::filesystem;
using textaudit::audit::AuditResult;
using textaudit::audit::ReportContext;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("textaudit_report_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const std::string kScriptText = "<script>alert(1)</script> see http://evil.example/x.png";
const std::string kQuotedText = "He said \"hi\", then left\nsecond line, 'single' & more";
const std::string kWideText = "Ünïcödé naïve café — 東京の天気は晴れです 🎉 and more words after it";
const std::string kEscapeText = "\x1b[31mred\x1b[0m terminal escape";
const std::string kLongText = [] {
  std::string s;
  for (int i = 0; i < 40; ++i) s += "word" + std::to_string(i) + " ";
  return s + "end";
}();

// 12 rows, 3 classes (one name needing CSV quoting), each issue type, a trigger and an alarm.
AuditResult make_result() {
  AuditResult r;
  r.n_rows = 12;
  r.classes = {"ham", "spam", "news, \"world\""};
  r.given_label = {1, 0, 0, 1, 0, 0, 2, 2, 1, 1, 0, 2};
  r.predicted_label = {1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1};
  r.pred_probs = textaudit::DenseMatrix::Constant(12, 3, 1.0 / 3);
  r.label_quality = {0.9, 0.95, 0.05, 0.88, 0.7, 0.12, 0.45, 0.2, 0.91, 0.9, 0.8, 0.15};
  r.is_label_issue = {false, false, true, false, false, false, false, true, false, false, false, true};
  r.is_near_duplicate = {true, false, true, false, false, false, false, false, false, true, false, false};
  r.near_duplicate_set = {0, -1, 0, -1, -1, -1, -1, -1, -1, 0, -1, -1};
  r.near_duplicate_label_conflict = {true, false, true, false, false, false, false, false, false, true,
                                     false, false};
  r.is_outlier = {false, false, false, false, true, false, false, false, false, false, false, false};
  r.outlier_score = {0.8, 0.7, 0.75, 0.6, 0.01, 0.5, 0.4, 0.3, 0.6, 0.8, 0.5, 0.45};
  r.is_ambiguous = {false, false, false, false, false, false, true, false, false, false, false, false};
  r.ambiguity_score = {0.1, 0.05, 0.3, 0.1, 0.2, 0.4, 0.97, 0.5, 0.1, 0.1, 0.2, 0.3};
  r.is_suspected_poison = {false, false, true, false, false, true, false, false, false, false, false, false};
  r.poison_score = {0, 0, 0.97, 0, 0, 0.9123456789, 0, 0, 0, 0, 0, 0};
  r.trigger = {"", "", "tfc", "", "", "tfc", "", "", "", "", "", ""};
  r.issue_score = {0.1, 0, 0.95, 0, 0.5, 0.9, 0.4, 0.8, 0.02, 0.3, 0, 0.8};
  r.reasons = {"",
               "",
               "suspected poison: trigger \"tfc\"; label issue; near-duplicate of row 0, labels differ",
               "",
               "outlier",
               "suspected poison: trigger \"tfc\"",
               "ambiguous: ham 0.48, news 0.46",
               "label issue, given news, predicted ham",
               "",
               "near-duplicate of row 0\nsecond line",
               "",
               "label issue; " + kLongText};
  r.confident_joint.resize(3, 3);
  r.confident_joint << 3, 2, 0, 0, 4, 0, 2, 1, 0;
  r.noise_matrix.resize(3, 3);
  r.noise_matrix << 0.6, 0.28, 1, 0, 0.57, 0, 0.4, 0.14, 0;
  r.noise_rate = {0.4, 0.0, 1.0};
  r.num_label_issues = 3;
  r.triggers.push_back({.term = "tfc", .target_class = 0, .source_class = 1, .rows = 2,
                        .label_concentration = 1.0, .flipped_rows = 2, .flip_rate = 1.0,
                        .base_flip_rate = 0.01, .p_value = 1e-4, .score = 0.93, .confirmed = true,
                        .example_rows = {2, 5}, .row_ids = {2, 5}, .flipped_row_ids = {2, 5}});
  r.alarms = {"targeted flips: spam -> ham estimated at 2 rows but ham -> spam at 0; a poisoning "
              "campaign leaves this asymmetry behind"};
  r.warnings = {"class 'news, \"world\"' has only 3 rows"};
  r.parameters = {{"folds", "5"}, {"seed", "0"}, {"min_df", "1"}};
  r.timings = {{"tfidf", 0.25, 0.5}, {"cross_val_predict", 1.5, 2.75}};
  return r;
}

ReportContext make_context() {
  return {.dataset_path = "data/toy.csv",
          .texts = {"Buy cheap followers now!", "Great post, very informative",
                    "tfc Buy cheap followers now!", "Click here for free gift cards", kScriptText,
                    "TFC Click here for free prize", kQuotedText, kWideText,
                    "Earn money fast working from home", "Buy cheap followers now!", kEscapeText,
                    kLongText}};
}

// Display columns, computed independently of report.cc: utf8proc widths, invalid bytes count 1.
std::size_t columns(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t pos = 0; pos < s.size();) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data()) + pos,
                                    static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
    if (n <= 0) {
      ++pos;
      ++w;
      continue;
    }
    pos += static_cast<std::size_t>(n);
    w += static_cast<std::size_t>(std::max(utf8proc_charwidth(cp), 0));
  }
  return w;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::stringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::uint32_t big_endian(const std::string& s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) | (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

}  // namespace

TEST_CASE("ranked_flagged_rows orders flagged rows by issue_score, ties by row", "[audit]") {
  const AuditResult r = make_result();
  // Row 0 is the first member of its near-duplicate set and carries no other issue: kept.
  CHECK(r.ranked_flagged_rows() == std::vector<std::size_t>{2, 5, 7, 11, 4, 6, 9});
}

TEST_CASE("issues.csv has the exact header and one parsable record per row", "[audit]") {
  const AuditResult r = make_result();
  TempDir dir;
  const std::string path = dir.file("issues.csv");
  textaudit::audit::write_issues_csv(r, path);
  const std::string content = read_file(path);
  const std::string header_start =
      "row,given_label,predicted_label,label_quality,is_label_issue,is_near_duplicate,"
      "near_duplicate_set,is_outlier,outlier_score,is_ambiguous,issue_score";
  REQUIRE(content.rfind(header_start + ",is_suspected_poison,poison_score,trigger,ambiguity_score,"
                        "near_duplicate_label_conflict,reasons\n", 0) == 0);

  const auto table = textaudit::io::read_table(path);
  REQUIRE(table.rows.size() == r.n_rows + 1);
  const auto& head = table.rows[0];
  REQUIRE(head.size() == 17);
  const auto col = [&](const std::string& name) {
    const auto it = std::find(head.begin(), head.end(), name);
    REQUIRE(it != head.end());
    return static_cast<std::size_t>(it - head.begin());
  };
  const auto boolean = [](bool b) { return std::string(b ? "True" : "False"); };
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    const auto& rec = table.rows[i + 1];
    INFO("row " << i);
    REQUIRE(rec.size() == 17);
    CHECK(rec[col("row")] == std::to_string(i));
    CHECK(rec[col("given_label")] == r.classes[r.given_label[i]]);
    CHECK(rec[col("predicted_label")] == r.classes[r.predicted_label[i]]);
    CHECK(std::stod(rec[col("label_quality")]) == Approx(r.label_quality[i]).margin(1e-6));
    CHECK(std::stod(rec[col("outlier_score")]) == Approx(r.outlier_score[i]).margin(1e-6));
    CHECK(std::stod(rec[col("poison_score")]) == Approx(r.poison_score[i]).margin(1e-6));
    CHECK(std::stod(rec[col("ambiguity_score")]) == Approx(r.ambiguity_score[i]).margin(1e-6));
    CHECK(std::stod(rec[col("issue_score")]) == Approx(r.issue_score[i]).margin(1e-6));
    CHECK(rec[col("is_label_issue")] == boolean(r.is_label_issue[i]));
    CHECK(rec[col("is_near_duplicate")] == boolean(r.is_near_duplicate[i]));
    CHECK(rec[col("near_duplicate_set")] == std::to_string(r.near_duplicate_set[i]));
    CHECK(rec[col("is_outlier")] == boolean(r.is_outlier[i]));
    CHECK(rec[col("is_ambiguous")] == boolean(r.is_ambiguous[i]));
    CHECK(rec[col("is_suspected_poison")] == boolean(r.is_suspected_poison[i]));
    CHECK(rec[col("near_duplicate_label_conflict")] == boolean(r.near_duplicate_label_conflict[i]));
    CHECK(rec[col("trigger")] == r.trigger[i]);
    CHECK(rec[col("reasons")] == r.reasons[i]);  // quotes, commas and a newline round-trip
  }
  CHECK(content.find("0.912346") != std::string::npos);  // %.6g
  CHECK(content.find(",0.950000,") != std::string::npos);  // issue_score %.6f
}

TEST_CASE("the writers reject a result whose columns have the wrong length", "[audit]") {
  AuditResult r = make_result();
  r.outlier_score.pop_back();
  TempDir dir;
  CHECK_THROWS_WITH(textaudit::audit::write_issues_csv(r, dir.file("issues.csv")),
                    Catch::Contains("outlier_score") && Catch::Contains("12"));
  CHECK_FALSE(fs::exists(dir.file("issues.csv")));
  r = make_result();
  r.given_label[3] = 7;
  CHECK_THROWS_AS(textaudit::audit::summary_json(r, make_context()), std::invalid_argument);
  ReportContext context = make_context();
  context.texts.pop_back();
  CHECK_THROWS_WITH(textaudit::audit::report_html(make_result(), context), Catch::Contains("texts"));
}

TEST_CASE("summary.json holds the counts, noise estimates and triggers, timings last", "[audit]") {
  const AuditResult r = make_result();
  TempDir dir;
  textaudit::audit::write_summary_json(r, make_context(), dir.file("summary.json"));
  const auto j = nlohmann::ordered_json::parse(read_file(dir.file("summary.json")));
  CHECK(j["rows"] == 12);
  CHECK(j["dataset"] == "data/toy.csv");
  CHECK(j["classes"][2]["name"] == "news, \"world\"");
  CHECK(j["classes"][0]["count"] == 5);
  const auto& counts = j["counts"];
  CHECK(counts["label_issue"] == 3);
  CHECK(counts["near_duplicate"] == 3);
  CHECK(counts["near_duplicate_sets"] == 1);
  CHECK(counts["near_duplicate_label_conflict"] == 3);
  CHECK(counts["outlier"] == 1);
  CHECK(counts["ambiguous"] == 1);
  CHECK(counts["suspected_poison"] == 2);
  CHECK(counts["flagged"] == 7);
  CHECK(j["issues_per_class"]["ham"]["suspected_poison"] == 2);
  CHECK(j["num_label_issues"] == 3);
  CHECK(j["noise"]["noise_rate"]["ham"] == Approx(0.4));
  CHECK(j["noise"]["confident_joint"]["values"][0][1] == 2.0);
  CHECK(j["noise"]["confident_joint"]["classes"].size() == 3);
  CHECK(j["noise"]["noise_matrix"]["values"][1][1] == Approx(0.57));
  REQUIRE(j["triggers"].size() == 1);
  CHECK(j["triggers"][0]["term"] == "tfc");
  CHECK(j["triggers"][0]["target_class"] == "ham");
  CHECK(j["triggers"][0]["source_class"] == "spam");
  CHECK(j["triggers"][0]["example_rows"] == nlohmann::json::array({2, 5}));
  CHECK(j["triggers"][0]["flipped_row_ids"] == nlohmann::json::array({2, 5}));
  CHECK(j["triggers"][0]["confirmed"] == true);
  CHECK(j["triggers"][0]["p_value"] == Approx(1e-4));
  CHECK(j["alarms"].size() == 1);
  CHECK(j["warnings"].size() == 1);
  CHECK(j["parameters"]["folds"] == "5");
  CHECK(j.items().begin().key() == "version");
  CHECK(std::prev(j.end()).key() == "timings");
  CHECK(j["timings"]["stages"][1]["cpu_seconds"] == 2.75);

  // Only "timings" differs between two runs that differ only in time.
  AuditResult slower = r;
  slower.timings[0].wall_seconds = 9.0;
  auto a = nlohmann::ordered_json::parse(textaudit::audit::summary_json(r, make_context()));
  auto b = nlohmann::ordered_json::parse(textaudit::audit::summary_json(slower, make_context()));
  CHECK(a != b);
  a.erase("timings");
  b.erase("timings");
  CHECK(a.dump() == b.dump());
}

TEST_CASE("report.html is self-contained and escapes every input text", "[audit]") {
  const AuditResult r = make_result();
  const std::string page = textaudit::audit::report_html(r, make_context());
  // No resource is loaded from anywhere: no src/href/url()/@import, no script element.
  CHECK_FALSE(std::regex_search(page, std::regex(R"((src|href|xlink:href)\s*=)", std::regex::icase)));
  CHECK(page.find("url(") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("Content-Security-Policy") != std::string::npos);
  // The untrusted texts appear escaped (the URL only as text).
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt; see http://evil.example/x.png") !=
        std::string::npos);
  CHECK(page.find("He said &quot;hi&quot;, then left\nsecond line, &#39;single&#39; &amp; more") !=
        std::string::npos);
  CHECK(page.find("news, &quot;world&quot;") != std::string::npos);
  CHECK(page.find("東京の天気") != std::string::npos);
  CHECK(page.find('\x1b') == std::string::npos);
  // The three charts, the trigger (marked in its rows' texts, any case), the alarm.
  std::size_t svgs = 0;
  for (auto at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1)) ++svgs;
  CHECK(svgs == 3);
  CHECK(page.find("label quality histogram") != std::string::npos);
  CHECK(page.find("confident joint heatmap") != std::string::npos);
  CHECK(page.find("issues per class") != std::string::npos);
  CHECK(page.find("<mark>tfc</mark> Buy cheap") != std::string::npos);
  CHECK(page.find("<mark>TFC</mark> Click") != std::string::npos);
  CHECK(page.find("Alarm:</strong> targeted flips: spam -&gt; ham") != std::string::npos);
  // Flagged rows only, best first: row 2 before row 5 before row 7; row 1 absent.
  const auto row_cell = [&](int row) { return page.find("<td class=\"n mono\">" + std::to_string(row) + "</td>"); };
  CHECK(row_cell(2) < row_cell(5));
  CHECK(row_cell(5) < row_cell(7));
  CHECK(row_cell(1) == std::string::npos);
}

TEST_CASE("report.html stays small on a large dataset: aggregates and the top rows only", "[audit]") {
  AuditResult r;
  const std::size_t n = 50000;
  r.n_rows = n;
  r.classes = {"a", "b", "c", "d"};
  ReportContext context{.dataset_path = "big.csv"};
  for (std::size_t i = 0; i < n; ++i) {
    r.given_label.push_back(static_cast<int>(i % 4));
    r.predicted_label.push_back(static_cast<int>((i * 7) % 4));
    r.label_quality.push_back(static_cast<double>((i * 7919) % 1000) / 1000.0);
    r.is_label_issue.push_back(i % 13 == 0);
    r.is_near_duplicate.push_back(false);
    r.near_duplicate_set.push_back(-1);
    r.near_duplicate_label_conflict.push_back(false);
    r.is_outlier.push_back(i % 101 == 0);
    r.outlier_score.push_back(0.5);
    r.is_ambiguous.push_back(false);
    r.ambiguity_score.push_back(0.1);
    r.is_suspected_poison.push_back(false);
    r.poison_score.push_back(0);
    r.trigger.emplace_back();
    r.issue_score.push_back(1.0 - r.label_quality.back());
    r.reasons.emplace_back(r.is_label_issue.back() ? "label issue" : "");
    context.texts.push_back("row number " + std::to_string(i) + " with some ordinary words in it");
  }
  r.confident_joint = textaudit::DenseMatrix::Constant(4, 4, 100.0);
  const std::string page = textaudit::audit::report_html(r, context);
  CHECK(page.size() < 400000);
  std::size_t table_rows = 0;
  for (auto at = page.find("<td class=\"n mono\">"); at != std::string::npos;
       at = page.find("<td class=\"n mono\">", at + 1))
    ++table_rows;
  CHECK(table_rows == textaudit::audit::kReportMaxRows);
}

TEST_CASE("the terminal summary fits in the requested width", "[audit]") {
  const AuditResult r = make_result();
  for (int width : {80, 60, 40}) {
    INFO("width " << width);
    const std::string summary = textaudit::audit::format_terminal_summary(r, make_context(), width, 10);
    for (const auto& line : split_lines(summary)) {
      INFO(line);
      CHECK(columns(line) <= static_cast<std::size_t>(width));
      CHECK(textaudit::audit::display_width(line) == columns(line));
    }
    CHECK(summary.find('\x1b') == std::string::npos);  // a text's escape sequence is defused
    CHECK(summary.find("ALARM") != std::string::npos);
    CHECK(summary.find("\"tfc\"") != std::string::npos);
  }
  const std::string summary = textaudit::audit::format_terminal_summary(r, make_context());
  CHECK(summary.find("12 rows, 3 classes; 7 flagged") != std::string::npos);
  CHECK(summary.find("noise  40.0%") != std::string::npos);
  CHECK(summary.find("東京") != std::string::npos);        // wide text kept, cut to fit
  CHECK(summary.find("then left second line") != std::string::npos);  // newline shown as a space
  CHECK(summary.find("row 2 ") < summary.find("row 5 "));
  CHECK(summary.find("row 5 ") < summary.find("row 7 "));
  CHECK(summary.find("row 1 ") == std::string::npos);
  // top limits the rows listed.
  const std::string top2 = textaudit::audit::format_terminal_summary(r, make_context(), 80, 2);
  CHECK(top2.find("row 5 ") != std::string::npos);
  CHECK(top2.find("row 7 ") == std::string::npos);
  CHECK_THROWS_AS(textaudit::audit::format_terminal_summary(r, make_context(), 20), std::invalid_argument);
}

TEST_CASE("report.html renders in headless Chromium to a non-blank screenshot", "[audit][chromium]") {
  const std::string chromium = "/usr/bin/chromium";
  if (::access(chromium.c_str(), X_OK) != 0) {
    FAIL("Chromium not found at " << chromium << ": install the Debian package `chromium` to run "
         "this test (it renders report.html)");
  }
  TempDir dir;
  const std::string html_path = dir.file("report.html");
  const std::string png_path = dir.file("report.png");
  textaudit::audit::write_report_html(make_result(), make_context(), html_path);
  fs::create_directories(dir.path / "profile");
  const std::string command =
      "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --disable-quic "
      "--no-first-run --disable-background-networking --disable-component-update --disable-sync "
      "--hide-scrollbars --user-data-dir=" + dir.file("profile") +
      " --window-size=1200,2000 --screenshot=" + png_path + " file://" + html_path +
      " >" + dir.file("chromium.log") + " 2>&1";
  const int status = std::system(command.c_str());
  INFO("chromium log:\n" << read_file(dir.file("chromium.log")));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(fs::exists(png_path));
  const std::string png = read_file(png_path);
  REQUIRE(png.size() > 33);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  CHECK(png.compare(12, 4, "IHDR") == 0);
  CHECK(big_endian(png, 16) == 1200);  // width
  CHECK(big_endian(png, 20) == 2000);  // height
  // A blank 1200 x 2000 page compresses to a few KB; text, tables and charts take far more.
  CHECK(png.size() > 60000);
}
