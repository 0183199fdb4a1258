// The bad-input suite (issue 9): every malformed input the issue lists, run through the `textaudit`
// command, must stop with a one-line message naming file, line and column (where there is one), a
// documented exit code (tests/test_util.h, cli/command.h: 1 I/O, 2 usage, 4 bad data), no output
// file left in --out, and the input byte-identical afterwards. Odd but valid inputs must succeed,
// with a warning where the result is weaker. Cases the library tests already cover in depth
// (tests/dataset_test.cc, tests/npy_test.cc, tests/label_issues_cli_test.cc) are run here end to
// end through the CLI only. Also: determinism of issues.csv / summary.json across runs and thread
// counts, and regressions found by fuzzing (fuzz/).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/redteam.h"
#include "io/dataset.h"
#include "io/npy.h"
#include "test_util.h"
#include "text/data_error.h"

namespace fs = std::filesystem;
using textaudit::DataError;
using textaudit::testing::cli_path;
using textaudit::testing::source_path;

namespace {

constexpr int kExitOk = 0, kExitError = 1, kExitBadData = 4;

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("textaudit_bad_input_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = (path / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Run {
  int code = -1;
  std::string out, err;
};

// Runs `textaudit ARGS` in `dir` (through sh, after `shell_prefix`, e.g. a ulimit).
Run run_cli(const std::string& args, const fs::path& dir, const std::string& shell_prefix = "") {
  const std::string out_path = (dir / "cli_stdout.txt").string(), err_path = (dir / "cli_stderr.txt").string();
  const std::string command = "cd '" + dir.string() + "' && " + shell_prefix + " '" + cli_path() + "' " + args +
                              " > '" + out_path + "' 2> '" + err_path + "'";
  const int status = std::system(command.c_str());
  Run run;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out_path);
  run.err = slurp(err_path);
  fs::remove(out_path);
  fs::remove(err_path);
  return run;
}

// Files (not directories) under `dir`.
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  return out;
}

// `n` rows of two separable classes "a" and "b", each text different (no near-duplicates).
std::vector<std::pair<std::string, std::string>> good_rows(int n) {
  static const char* const kA[] = {"lovely", "sunny", "bright", "cheerful", "warm", "happy", "golden", "calm"};
  static const char* const kB[] = {"gloomy", "rainy", "dark", "grim", "cold", "sad", "grey", "storm"};
  std::vector<std::pair<std::string, std::string>> rows;
  for (int i = 0; i < n; ++i) {
    const bool a = i % 2 == 0;
    const char* const* words = a ? kA : kB;
    std::string text = std::string(words[i % 8]) + " " + words[(i / 2 + 3) % 8] + " " + words[(i / 3 + 5) % 8] +
                       " day" + std::to_string(i) + " note" + std::to_string(i * 7 % 13);
    rows.emplace_back(text, a ? "a" : "b");
  }
  return rows;
}

std::string good_csv(int n, const std::string& eol = "\n") {
  std::string csv = "text,label" + eol;
  for (const auto& [text, label] : good_rows(n)) csv += text + "," + label + eol;
  return csv;
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

nlohmann::json summary_of(const fs::path& out) { return nlohmann::json::parse(slurp((out / "summary.json").string())); }

std::vector<std::string> class_names(const nlohmann::json& summary) {
  std::vector<std::string> names;
  for (const auto& c : summary["classes"]) names.push_back(c["name"].get<std::string>());
  return names;
}

bool has_warning(const nlohmann::json& summary, const std::string& needle) {
  for (const auto& w : summary["warnings"]) {
    if (w.get<std::string>().find(needle) != std::string::npos) return true;
  }
  return false;
}

struct BadCase {
  std::string name, file, content, args;
  int exit_code;
  std::vector<std::string> expect;  // substrings of the one-line message (file, line, column, reason)
};

// Runs `audit FILE --out out/ ARGS` and checks the failure contract.
void check_bad_audit(const BadCase& c) {
  TempDir dir;
  const std::string input = dir.write(c.file, c.content);
  const fs::path out = dir.path / "out";
  const Run run = run_cli("audit '" + input + "' --out '" + out.string() + "' -q " + c.args, dir.path);
  INFO("stderr: " << run.err);
  CHECK(run.code == c.exit_code);
  CHECK(one_line(run.err));
  CHECK_THAT(run.err, Catch::StartsWith("textaudit: error: "));
  for (const auto& e : c.expect) CHECK_THAT(run.err, Catch::Contains(e));
  CHECK(files_in(out).empty());
  CHECK(slurp(input) == c.content);
}

}  // namespace

TEST_CASE("malformed datasets stop the audit with exit 4, file:line and column, nothing written", "[cli][io][bad-input]") {
  const std::string good = good_csv(20);  // lines 2..21 hold the rows
  const std::vector<BadCase> cases{
      {"empty file", "empty.csv", "", "", kExitBadData, {"empty.csv", "empty"}},
      {"only a BOM", "bom_only.csv", "\xEF\xBB\xBF", "", kExitBadData, {"bom_only.csv", "empty"}},
      {"header only", "header.csv", "text,label\n", "", kExitBadData, {"header.csv", "no data rows"}},
      {"missing text column", "notext.csv", "body,label\nhello there,a\n", "", kExitBadData,
       {"notext.csv:1:", "no text column 'text'", "'body', 'label'"}},
      {"missing label column", "nolabel.csv", "text,Label\nhello there,a\n", "", kExitBadData,
       {"nolabel.csv:1:", "no label column 'label'", "did you mean --label-column Label"}},
      {"a column name given that does not exist", "good.csv", good, "--text-column body", kExitBadData,
       {"good.csv:1:", "no text column 'body'", "'text', 'label'"}},
      {"duplicate column names", "dup.csv", "text,label,text\nx y,a,z\n", "", kExitBadData, {"dup.csv:1:", "column 'text'", "twice"}},
      {"ragged row (CSV)", "ragged.csv", good + "one,two,three\n", "", kExitBadData,
       {"ragged.csv:22:", "expected 2 fields", "found 3"}},
      {"ragged row (TSV)", "ragged.tsv", "text\tlabel\nhello world\ta\nno tab here\n", "", kExitBadData,
       {"ragged.tsv:3:", "found 1"}},
      {"unterminated quote", "quote.csv", good + "\"never closed,a\nmore text,b\n", "", kExitBadData,
       {"quote.csv:22:", "unterminated"}},
      {"NUL byte", "nul.csv", good + std::string("nul\0here,a\n", 11), "", kExitBadData, {"nul.csv:22:", "column 'text'", "NUL"}},
      {"NUL byte in the label", "nul2.csv", good + std::string("text,a\0\n", 9), "", kExitBadData, {"nul2.csv:22:", "column 'label'", "NUL"}},
      {"NUL byte inside quotes", "nulq.csv", good + std::string("\"nul\0here\",a\n", 13), "", kExitBadData,
       {"nulq.csv:22:", "column 'text'", "NUL"}},
      {"invalid UTF-8: overlong", "overlong.csv", good + "bad \xC0\xAF slash,a\n", "", kExitBadData,
       {"overlong.csv:22:", "column 'text'", "invalid UTF-8", "0xC0"}},
      {"invalid UTF-8: surrogate", "surrogate.csv", good + "bad \xED\xA0\x80 half,a\n", "", kExitBadData,
       {"surrogate.csv:22:", "column 'text'", "invalid UTF-8", "0xED"}},
      {"invalid UTF-8: truncated sequence", "truncated.csv", good + "euro \xE2\x82,a\n", "", kExitBadData,
       {"truncated.csv:22:", "column 'text'", "invalid UTF-8"}},
      {"invalid UTF-8 in the label", "badlabel.csv", good + "fine text,\xFF\n", "", kExitBadData,
       {"badlabel.csv:22:", "column 'label'", "invalid UTF-8"}},
      {"invalid UTF-8 in JSON Lines", "bad.jsonl", "{\"text\": \"ok words\", \"label\": \"a\"}\n{\"text\": \"x\xC0\xAF\", \"label\": \"b\"}\n",
       "", kExitBadData, {"bad.jsonl:2:", "invalid UTF-8"}},
      {"JSON Lines: not JSON", "notjson.jsonl", "{\"text\": \"ok words\", \"label\": \"a\"}\n{\"text\": oops\n", "", kExitBadData,
       {"notjson.jsonl:2:", "not valid JSON"}},
      // Found by fuzz/dataset_fuzzer: a number too large for a double escaped as nlohmann's
      // out_of_range (exit 1, no line) instead of a DataError.
      {"JSON Lines: number overflow", "overflow.jsonl", "{\"text\": \"ok words\", \"label\": \"a\"}\n{\"text\": \"b c\", \"label\": 1e99999}\n",
       "", kExitBadData, {"overflow.jsonl:2:", "not valid JSON"}},
      {"empty label", "emptylabel.csv", good + "some text,\n", "", kExitBadData, {"emptylabel.csv:22:", "column 'label'", "empty label"}},
      {"one class only", "oneclass.csv", "text,label\nhello world,a\nother words,a\nmore words,a\n", "", kExitBadData,
       {"oneclass.csv", "at least two classes"}},
      {"all texts empty", "emptytexts.csv", "text,label\n,a\n,b\n\"\",a\n,b\n,a\n,b\n,a\n,b\n,a\n,b\n", "", kExitBadData,
       {"emptytexts.csv", "empty vocabulary"}},
      {"no text has a token", "notokens.csv", "text,label\n!!,a\n?,b\n. .,a\n-,b\n!,a\n+,b\n*,a\n/,b\n=,a\n%,b\n", "",
       kExitBadData, {"notokens.csv", "empty vocabulary"}},
  };
  for (const BadCase& c : cases) {
    DYNAMIC_SECTION(c.name) { check_bad_audit(c); }
  }
}

TEST_CASE("the library reports the same malformed cells with file, line and column", "[io][bad-input]") {
  TempDir dir;
  auto error_of = [&](const std::string& name, const std::string& content) -> DataError {
    try {
      textaudit::io::read_dataset(dir.write(name, content));
    } catch (const DataError& e) {
      return e;
    }
    FAIL("no DataError for " << name);
    return DataError("");
  };
  const DataError nul = error_of("q.csv", std::string("text,label\nok,a\n\"a\0b\",b\n", 23));
  CHECK(nul.line() == 3);
  CHECK(nul.column() == "text");
  const DataError label = error_of("l.tsv", "text\tlabel\nok\ta\nfine\t\xED\xA0\x80\n");
  CHECK(label.line() == 3);
  CHECK(label.column() == "label");
  const DataError json = error_of("j.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n\n{\"text\": \"b\\u0000\", \"label\": \"y\"}\n");
  CHECK(json.line() == 3);
  CHECK_THAT(json.what(), Catch::Contains("NUL"));
}

TEST_CASE("odd but valid datasets are audited, with a warning where the result is weaker", "[cli][io][bad-input]") {
  TempDir dir;
  const fs::path out = dir.path / "out";
  auto audit_ok = [&](const std::string& name, const std::string& content, const std::string& args = "") {
    const std::string input = dir.write(name, content);
    fs::remove_all(out);
    const Run run = run_cli("audit '" + input + "' --out '" + out.string() + "' -q " + args, dir.path);
    INFO(name << " stderr: " << run.err);
    REQUIRE(run.code == kExitOk);
    CHECK(slurp(input) == content);
    for (const char* f : {"issues.csv", "summary.json", "report.html"}) CHECK(fs::exists(out / f));
    return summary_of(out);
  };
  auto n_rows = [](const nlohmann::json& summary) { return summary["rows"].get<int>(); };

  SECTION("a BOM, CRLF line ends, mixed LF / CRLF / CR line ends, quoted newlines") {
    CHECK(n_rows(audit_ok("bom.csv", "\xEF\xBB\xBF" + good_csv(20))) == 20);
    CHECK(n_rows(audit_ok("crlf.csv", good_csv(20, "\r\n"))) == 20);
    std::string mixed = "text,label\r\n";
    const char* eols[] = {"\n", "\r\n", "\r"};
    int i = 0;
    for (const auto& [text, label] : good_rows(20)) {
      mixed += (i % 4 == 1 ? "\"" + text + "\nsecond line, with comma\"" : text) + "," + label + eols[i % 3];
      ++i;
    }
    const auto summary = audit_ok("mixed.csv", mixed);
    CHECK(n_rows(summary) == 20);
    // cleaned.csv holds the kept rows byte for byte: here, every row's line ending survives.
    const std::string cleaned = slurp((out / "cleaned.csv").string());
    CHECK_THAT(cleaned, Catch::Contains("second line, with comma\"") && Catch::StartsWith("text,label\r\n"));
  }
  SECTION("a class with one row, and more folds than rows of a class") {
    const auto one = audit_ok("single.csv", good_csv(20) + "zebra crossing,c\n");
    CHECK(n_rows(one) == 21);
    CHECK(has_warning(one, "fewer than n_splits"));
    std::string three = good_csv(20) + "zebra crossing,c\nzebra stripes,c\nzebra herd,c\n";
    const auto folds = audit_ok("three.csv", three, "--folds 5");
    CHECK(has_warning(folds, "has only 3 rows, fewer than n_splits=5"));
  }
  SECTION("a 10 MB field") {
    std::string big;
    while (big.size() < (10u << 20)) big += "lovely sunny ";
    const auto summary = audit_ok("big.csv", good_csv(20) + "\"" + big + "\",a\n");
    CHECK(n_rows(summary) == 21);
  }
  SECTION("labels that look numeric and labels that are strings") {
    std::string numeric = "text,label\n", mixed = "text,label\n";
    int i = 0;
    for (const auto& [text, label] : good_rows(20)) {
      numeric += text + "," + (label == "a" ? "1" : "2") + "\n";
      mixed += text + "," + (label == "a" ? "007" : "spam") + "\n";
      ++i;
    }
    const auto s1 = audit_ok("numeric.csv", numeric);
    CHECK(class_names(s1) == std::vector<std::string>{"1", "2"});
    const auto s2 = audit_ok("mixed_labels.csv", mixed);
    CHECK(class_names(s2) == std::vector<std::string>{"007", "spam"});  // "007" stays a string, not 7
    const auto jsonl = audit_ok("numeric.jsonl", [&] {
      std::string j;
      for (const auto& [text, label] : good_rows(20)) j += "{\"text\": \"" + text + "\", \"label\": " + (label == "a" ? "0" : "1") + "}\n";
      return j;
    }());
    CHECK(class_names(jsonl) == std::vector<std::string>{"0", "1"});
  }
  SECTION("some texts without a token") {
    const auto summary = audit_ok("sometokens.csv", good_csv(20) + "!!,a\n,b\n");
    CHECK(has_warning(summary, "have no token"));
  }
}

TEST_CASE("bad pred_probs and .npy files are exit 4 naming the file", "[cli][io][bad-input]") {
  TempDir dir;
  const std::string labels = dir.write("labels.txt", "0\n1\n0\n1\n");
  struct Case {
    std::string name, file, bytes, expect;
  };
  auto npy = [](const std::string& dict, const std::string& body) {
    std::string header = dict;
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header + body;
  };
  auto doubles = [](std::vector<double> v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8); };
  const std::string ok_body = doubles({0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.4, 0.6});
  const std::vector<Case> cases{
      {"inf", "p.csv", "0.9,0.1\ninf,0.8\n0.7,0.3\n0.4,0.6\n", "p.csv:2"},
      {"one column", "p.csv", "1\n1\n1\n1\n", "at least 2"},
      {"header wider than the rows", "p.csv", "a,b,c\n0.9,0.1\n0.2,0.8\n0.7,0.3\n0.4,0.6\n", "p.csv:1"},
      {"not a number", "p.csv", "0.9,0.1\n0.2,zero\n0.7,0.3\n0.4,0.6\n", "p.csv:2"},
      {"NaN in .npy", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }",
                                   doubles({0.9, 0.1, std::nan(""), 0.8, 0.7, 0.3, 0.4, 0.6})), "p.npy"},
      {"rows not summing to 1 in .npy", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }",
                                                     doubles({0.9, 0.3, 0.2, 0.8, 0.7, 0.3, 0.4, 0.6})), "sum"},
      {".npy wrong dtype", "p.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4, 2), }", ok_body),
       "unsupported dtype '<i8'"},
      {".npy wrong shape (3-D)", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }", ok_body),
       "2-D"},
      {".npy wrong width", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 1), }", ok_body.substr(0, 32)),
       "at least 2"},
      {".npy wrong number of rows", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", ok_body.substr(0, 32)),
       "rows"},
      {".npy truncated body", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }", ok_body.substr(0, 60)),
       "truncated .npy body"},
      {".npy truncated header", "p.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }", "").substr(0, 40),
       "truncated .npy header"},
      // Found by fuzz/npy_fuzzer: an item size that is not a number threw std::invalid_argument
      // from std::stoi (exit 2, "stoi") instead of a DataError.
      {".npy item size not a number", "p.npy", npy("{'descr': '<f\x01', 'fortran_order': False, 'shape': (4, 2), }", ok_body),
       "unsupported dtype"},
      {".npy shape overflowing 64 bits", "p.npy",
       npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 3037000500), }", ok_body),
       "too large"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const std::string probs = dir.write(c.file, c.bytes);
      const Run run = run_cli("label-issues --labels '" + labels + "' --pred-probs '" + probs + "'", dir.path);
      INFO("stderr: " << run.err);
      CHECK(run.code == kExitBadData);
      CHECK(one_line(run.err));
      CHECK_THAT(run.err, Catch::Contains(probs) && Catch::Contains(c.expect, Catch::CaseSensitive::No));
      CHECK(slurp(probs) == c.bytes);
    }
  }
  SECTION("float labels in .npy") {
    const std::string float_labels = dir.write("labels.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
                                                               doubles({0, 1, 0, 1})));
    const std::string probs = dir.write("p.csv", "0.9,0.1\n0.2,0.8\n0.7,0.3\n0.4,0.6\n");
    const Run run = run_cli("label-issues --labels '" + float_labels + "' --pred-probs '" + probs + "'", dir.path);
    CHECK(run.code == kExitBadData);
    CHECK_THAT(run.err, Catch::Contains("labels.npy") && Catch::Contains("for labels"));
  }
}

TEST_CASE("an output that cannot be written is exit 1 naming it, with no partial file", "[cli][io][bad-input]") {
  TempDir dir;
  const std::string content = good_csv(40);
  const std::string input = dir.write("data.csv", content);
  SECTION("--out below a regular file") {
    const std::string blocker = dir.write("not_a_dir", "x");
    const Run run = run_cli("audit '" + input + "' --out '" + blocker + "/out' -q", dir.path);
    CHECK(run.code == kExitError);
    CHECK(one_line(run.err));
    CHECK_THAT(run.err, Catch::Contains("not_a_dir"));
  }
  SECTION("--out in a directory without write permission") {
    // root may write anywhere; a read-only file system (/sys) is the equivalent then.
    std::string target = "/sys/textaudit_bad_input_test_out";
    if (::geteuid() != 0) {
      fs::create_directories(dir.path / "ro");
      fs::permissions(dir.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
      target = (dir.path / "ro" / "out").string();
    }
    const Run run = run_cli("audit '" + input + "' --out '" + target + "' -q", dir.path);
    CHECK(run.code == kExitError);
    CHECK(one_line(run.err));
    CHECK_THAT(run.err, Catch::Contains(target));
    CHECK_FALSE(fs::exists(target));
  }
  SECTION("a full disk: /dev/full") {
    const Run cv = run_cli("crossval '" + input + "' --out /dev/full --folds 2", dir.path);
    CHECK(cv.code == kExitError);
    CHECK_THAT(cv.err, Catch::Contains("/dev/full") && Catch::Contains("No space"));
    const std::string labels = dir.write("labels.txt", "0\n1\n0\n1\n");
    const std::string probs = dir.write("p.csv", "0.9,0.1\n0.2,0.8\n0.7,0.3\n0.4,0.6\n");
    const Run li = run_cli("label-issues --all --labels '" + labels + "' --pred-probs '" + probs + "' --out /dev/full", dir.path);
    CHECK(li.code == kExitError);
    CHECK_THAT(li.err, Catch::Contains("/dev/full") && Catch::Contains("No space"));
  }
  SECTION("a full disk while the audit writes its reports: nothing is left in --out") {
    // A file-size limit makes write() fail with EFBIG part way through the outputs (SIGXFSZ
    // ignored), as a full disk would with ENOSPC. 8 KiB lets the small files through and stops
    // report.html; 1 KiB stops the first file.
    for (const char* limit : {"1", "8"}) {
      DYNAMIC_SECTION("ulimit -f " << limit) {
        const fs::path out = dir.path / "out";
        fs::remove_all(out);
        const Run run = run_cli("audit '" + input + "' --out '" + out.string() + "' -q", dir.path,
                                std::string("trap '' XFSZ; ulimit -f ") + limit + ";");
        INFO("stderr: " << run.err);
        CHECK(run.code == kExitError);
        CHECK(one_line(run.err));
        CHECK_THAT(run.err, Catch::Contains(out.string()));
        CHECK(files_in(out).empty());
        CHECK(slurp(input) == content);
      }
    }
  }
  CHECK(slurp(input) == content);
}

TEST_CASE("issues.csv and summary.json are byte-identical across runs and --threads 1 / 2", "[cli][audit][determinism]") {
  // The SMS corpus with a planted trigger, copies and flips, so that every stage (trigger screen,
  // the second cross-validation, near-duplicates, outliers) has work to do.
  textaudit::io::ReadOptions read{.text_column = "SMS", .label_column = "Label"};
  const auto ds = textaudit::io::read_dataset(source_path("data/sms_spam.tsv"), read);
  textaudit::audit::RedTeamParams params;
  params.rate = 0.02;
  params.flip_rate = 0.01;
  params.source_class = "spam";
  params.target_class = "ham";
  const auto planted = textaudit::audit::plant_attacks(ds.texts, ds.labels, params);
  TempDir dir;
  std::string jsonl;
  for (std::size_t i = 0; i < planted.texts.size(); ++i) {
    jsonl += nlohmann::json{{"text", planted.texts[i]}, {"label", planted.labels[i]}}.dump() + "\n";
  }
  const std::string input = dir.write("planted.jsonl", jsonl);
  auto audit = [&](const std::string& name, int threads) {
    const fs::path out = dir.path / name;
    const Run run = run_cli("audit '" + input + "' --out '" + out.string() + "' -q --threads " + std::to_string(threads), dir.path);
    REQUIRE(run.code == kExitOk);
    nlohmann::json summary = summary_of(out);
    REQUIRE(summary.contains("timings"));
    summary.erase("timings");
    return std::make_pair(slurp((out / "issues.csv").string()), summary.dump(1));
  };
  const auto one = audit("t1", 1);
  const auto two = audit("t2", 2);
  const auto two_again = audit("t2b", 2);
  CHECK_THAT(one.second, Catch::Contains("tfc"));  // the planted trigger was found
  CHECK(one.first == two.first);
  CHECK(one.second == two.second);
  CHECK(two.first == two_again.first);
  CHECK(two.second == two_again.second);
}
