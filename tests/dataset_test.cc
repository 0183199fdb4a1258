// Tests for io/: the CSV/TSV/JSONL dataset reader, the table reader and atomic outputs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "io/atomic_file.h"
#include "io/dataset.h"
#include "io/table.h"
#include "test_util.h"
#include "text/data_error.h"

namespace fs = std::filesystem;
using textaudit::DataError;
using textaudit::io::Format;
using textaudit::io::read_dataset;
using textaudit::io::ReadOptions;
using textaudit::testing::source_path;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("textaudit_io_test_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int c = 0;
    return c;
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

std::string error_of(const std::string& path, const ReadOptions& options = {}) {
  try {
    read_dataset(path, options);
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the real corpora load with every row", "[io]") {
  SECTION("sms_spam.tsv: tab-separated, quotes are text") {
    ReadOptions options{.text_column = "SMS", .label_column = "Label"};
    const auto ds = read_dataset(source_path("data/sms_spam.tsv"), options);
    REQUIRE(ds.format == Format::kTsv);
    REQUIRE(ds.size() == 5574);
    std::map<std::string, int> counts;
    for (const auto& l : ds.labels) ++counts[l];
    CHECK(counts["ham"] == 4827);
    CHECK(counts["spam"] == 747);
    // The first message with a quote character (0-based 282 per the reference README) keeps it.
    const auto ref = textaudit::testing::read_reference("cleanlab/real_sms_spam.json");
    for (std::size_t i = 0; i < ds.size(); ++i) REQUIRE(ds.texts[i] == ref["texts"][i].get<std::string>());
  }
  SECTION("airline_tweets.csv: RFC 4180 with quoted commas and newlines") {
    ReadOptions options{.text_column = "text", .label_column = "airline_sentiment"};
    const auto ds = read_dataset(source_path("data/airline_tweets.csv"), options);
    REQUIRE(ds.size() == 14640);
    int with_newline = 0;
    for (const auto& t : ds.texts) with_newline += t.find('\n') != std::string::npos;
    CHECK(with_newline == 138);
    const auto ref = textaudit::testing::read_reference("cleanlab/real_airline_tweets.json");
    for (std::size_t i = 0; i < ds.size(); ++i) REQUIRE(ds.texts[i] == ref["texts"][i].get<std::string>());
    CHECK(ds.lines.front() == 2);
  }
  SECTION("agnews_test.csv: quoted fields") {
    ReadOptions options{.text_column = "description", .label_column = "label", .extra_columns = {"title"}};
    const auto ds = read_dataset(source_path("data/agnews_test.csv"), options);
    REQUIRE(ds.size() == 7600);
    REQUIRE(ds.extra.size() == 1);
    CHECK(ds.extra[0].size() == 7600);
    std::map<std::string, int> counts;
    for (const auto& l : ds.labels) ++counts[l];
    CHECK(counts.size() == 4);
    CHECK(counts["1"] == 1900);
  }
}

TEST_CASE("malformed files give an error naming file, line and column", "[io]") {
  TempDir dir;
  SECTION("empty file") {
    CHECK_THAT(error_of(dir.write("e.csv", "")), Catch::Contains("e.csv") && Catch::Contains("empty"));
    CHECK_THAT(error_of(dir.write("bom.csv", "\xEF\xBB\xBF")), Catch::Contains("empty"));
  }
  SECTION("header only") {
    CHECK_THAT(error_of(dir.write("h.csv", "text,label\n")), Catch::Contains("no data rows"));
  }
  SECTION("missing column lists the columns found") {
    const auto msg = error_of(dir.write("m.csv", "body,Label\nhello,a\n"));
    CHECK_THAT(msg, Catch::Contains("no text column 'text'") && Catch::Contains("'body', 'Label'"));
    const auto msg2 = error_of(dir.write("m2.csv", "text,Label\nhello,a\n"));
    CHECK_THAT(msg2, Catch::Contains("did you mean --label-column Label"));
  }
  SECTION("duplicate column names") {
    CHECK_THAT(error_of(dir.write("d.csv", "text,label,text\na,b,c\n")), Catch::Contains("twice"));
  }
  SECTION("ragged row") {
    const auto msg = error_of(dir.write("r.csv", "text,label\nhello,a\nbad,row,extra\n"));
    CHECK_THAT(msg, Catch::Contains("r.csv:3:") && Catch::Contains("expected 2 fields") && Catch::Contains("found 3"));
    const auto tsv = error_of(dir.write("r.tsv", "text\tlabel\nonly one field\n"));
    CHECK_THAT(tsv, Catch::Contains("r.tsv:2:") && Catch::Contains("found 1"));
  }
  SECTION("unterminated quote") {
    const auto msg = error_of(dir.write("q.csv", "text,label\nok,a\n\"never closed,b\nmore\n"));
    CHECK_THAT(msg, Catch::Contains("q.csv:3:") && Catch::Contains("unterminated"));
  }
  SECTION("NUL byte") {
    const auto msg = error_of(dir.write("n.csv", std::string("text,label\nab\0c,x\n", 17)));
    CHECK_THAT(msg, Catch::Contains("n.csv:2:") && Catch::Contains("NUL"));
  }
  SECTION("invalid UTF-8: overlong, surrogate, truncated") {
    for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xE2\x82", "\xFF"}) {
      const auto msg = error_of(dir.write("u.csv", "text,label\nok,a\nx" + bad + "y,b\n"));
      CHECK_THAT(msg, Catch::Contains("u.csv:3:") && Catch::Contains("column 'text'") && Catch::Contains("UTF-8"));
    }
  }
  SECTION("empty label") {
    CHECK_THAT(error_of(dir.write("l.csv", "text,label\nhello,\n")), Catch::Contains("column 'label'") && Catch::Contains("empty label"));
  }
  SECTION("skip_bad_rows counts and reports instead") {
    ReadOptions options{.skip_bad_rows = true};
    const auto ds = read_dataset(dir.write("s.csv", "text,label\nok,a\nbad,row,x\nfine,b\n"), options);
    CHECK(ds.size() == 2);
    REQUIRE(ds.skipped.size() == 1);
    CHECK(ds.skipped[0].line == 3);
  }
}

TEST_CASE("odd but valid files read correctly", "[io]") {
  TempDir dir;
  SECTION("BOM, CRLF, quoted newline, doubled quotes, mixed line endings") {
    const auto p = dir.write("ok.csv", "\xEF\xBB\xBFtext,label\r\n\"a, \"\"quoted\"\"\r\nline\",x\r\nplain,y\nlast,z\rtail,w");
    const auto ds = read_dataset(p);
    REQUIRE(ds.size() == 4);
    CHECK(ds.columns[0] == "text");
    CHECK(ds.texts[0] == "a, \"quoted\"\r\nline");
    CHECK(ds.texts[1] == "plain");
    CHECK(ds.texts[3] == "tail");
    CHECK(ds.lines == std::vector<std::int64_t>{2, 4, 5, 6});
  }
  SECTION("long fields: every line break kind inside quotes, at every offset of a 16-byte block") {
    std::string csv = "text,label\n";
    std::vector<std::string> expected;
    for (int i = 0; i < 48; ++i) {
      const char* breaks[] = {"\n", "\r\n", "\r"};
      const std::string text = std::string(i, 'a') + breaks[i % 3] + "b,\"" + std::string(i % 20, 'c');
      std::string quoted;
      for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      csv += "\"" + quoted + "\"," + std::to_string(i) + "\n";
      expected.push_back(text);
      csv += std::string(i, 'p') + "la\"in," + std::to_string(i) + "\n";  // a quote mid-field is text
      expected.push_back(std::string(i, 'p') + "la\"in");
    }
    csv += "ragged\n";
    const auto p = dir.write("long.csv", csv);
    CHECK_THROWS_WITH(read_dataset(p), Catch::Contains(":146:"));  // 1 + 48 * 3 lines before it
    ReadOptions skip;
    skip.skip_bad_rows = true;
    const auto ds = read_dataset(p, skip);
    REQUIRE(ds.texts == expected);
    for (int i = 0; i < 48; ++i) {
      CHECK(ds.lines[2 * i] == 2 + 3 * i);
      CHECK(ds.lines[2 * i + 1] == 4 + 3 * i);
    }
    REQUIRE(ds.skipped.size() == 1);
    CHECK(ds.skipped[0].line == 146);
  }
  SECTION("blank lines are skipped") {
    const auto ds = read_dataset(dir.write("b.csv", "text,label\n\nhello,a\n\n"));
    CHECK(ds.size() == 1);
  }
  SECTION("JSON Lines with string and numeric labels") {
    const auto ds = read_dataset(dir.write("d.jsonl", "{\"text\": \"hi \\\"there\\\"\", \"label\": 1}\n\n{\"label\": \"2\", \"text\": \"yo\"}\n"));
    REQUIRE(ds.size() == 2);
    CHECK(ds.texts[0] == "hi \"there\"");
    CHECK(ds.labels == std::vector<std::string>{"1", "2"});
    CHECK_THAT(error_of(dir.write("bad.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\"}\n")),
               Catch::Contains("bad.jsonl:2:") && Catch::Contains("missing field 'label'"));
    CHECK_THAT(error_of(dir.write("bad2.jsonl", "{\"text\": \"a\", \"label\": 1}\n{oops\n")),
               Catch::Contains("bad2.jsonl:2:") && Catch::Contains("not valid JSON"));
  }
  SECTION("a 10 MB field") {
    const std::string big(10 << 20, 'x');
    const auto ds = read_dataset(dir.write("big.csv", "text,label\n\"" + big + "\",a\n"));
    REQUIRE(ds.size() == 1);
    CHECK(ds.texts[0].size() == big.size());
  }
  SECTION("format by extension or explicitly") {
    CHECK(textaudit::io::detect_format("x.tsv") == Format::kTsv);
    CHECK(textaudit::io::detect_format("dir.v1/x.JSONL") == Format::kJsonl);
    CHECK_THROWS_AS(textaudit::io::detect_format("x.parquet"), std::invalid_argument);
    ReadOptions options{.format = Format::kTsv};
    const auto ds = read_dataset(dir.write("data.dat", "text\tlabel\n\"q\tz\n"), options);
    CHECK(ds.texts[0] == "\"q");
  }
}

TEST_CASE("write_subset copies the kept rows byte for byte", "[io]") {
  TempDir dir;
  const std::string content = "\xEF\xBB\xBFtext,label\r\n\"multi\r\nline\",a\r\nsecond,b\r\nthird,c";
  const auto in = dir.write("in.csv", content);
  const auto ds = read_dataset(in);
  const auto out = (dir.path / "cleaned.csv").string();
  textaudit::io::write_subset(ds, {true, false, true}, out);
  CHECK(slurp(out) == "\xEF\xBB\xBFtext,label\r\n\"multi\r\nline\",a\r\nthird,c\n");
  CHECK(slurp(in) == content);  // the input is untouched
  SECTION("runs of kept rows are copied whole, around dropped and skipped rows") {
    const std::string rows = "text,label\none,a\ntwo,b\nbad,row,here\nthree,c\nfour,d\nfive,e";
    const auto path = dir.write("runs.csv", rows);
    const auto runs = read_dataset(path, ReadOptions{.skip_bad_rows = true});
    REQUIRE(runs.size() == 5);
    auto texts_moved = runs;
    texts_moved.texts.clear();  // as the audit command does before writing (spans decide the rows)
    const auto kept = (dir.path / "runs_kept.csv").string();
    textaudit::io::write_subset(texts_moved, {true, true, true, false, true}, kept);
    CHECK(slurp(kept) == "text,label\none,a\ntwo,b\nthree,c\nfive,e\n");
    textaudit::io::write_subset(runs, std::vector<bool>(5, true), kept);
    CHECK(slurp(kept) == "text,label\none,a\ntwo,b\nthree,c\nfour,d\nfive,e\n");
    CHECK_THROWS_AS(textaudit::io::write_subset(runs, {true, true}, kept), std::invalid_argument);
  }
  SECTION("on the real SMS file every line comes back") {
    ReadOptions options{.text_column = "SMS", .label_column = "Label"};
    const auto sms = read_dataset(source_path("data/sms_spam.tsv"), options);
    const auto copy = (dir.path / "sms_copy.tsv").string();
    textaudit::io::write_subset(sms, std::vector<bool>(sms.size(), true), copy);
    CHECK(slurp(copy) == slurp(source_path("data/sms_spam.tsv")));
  }
}

TEST_CASE("atomic files leave nothing behind on failure", "[io]") {
  TempDir dir;
  const auto target = (dir.path / "out.txt").string();
  {
    textaudit::io::AtomicFile file(target);
    file.stream() << "partial";
  }  // destroyed without commit
  CHECK(fs::is_empty(dir.path));
  textaudit::io::write_file_atomic(target, "whole");
  CHECK(slurp(target) == "whole");
  SECTION("a full disk is an error naming the path") {
    try {
      textaudit::io::write_file_atomic("/dev/full", std::string(1 << 16, 'x'));
      FAIL("no error");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("/dev/full") && Catch::Contains("No space"));
    }
  }
  SECTION("an output directory that cannot be created") {
    CHECK_THROWS_WITH(textaudit::io::ensure_output_dir(target + "/sub"), Catch::Contains("not a directory", Catch::CaseSensitive::No));
  }
}

TEST_CASE("read_table returns every record", "[io]") {
  TempDir dir;
  const auto t = textaudit::io::read_table(dir.write("p.csv", "a,b\n0.5,0.5\n\n1,0\n"));
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[1] == std::vector<std::string>{"0.5", "0.5"});
  CHECK(t.lines == std::vector<std::int64_t>{1, 2, 4});
  const auto l = textaudit::io::read_table(dir.write("labels.txt", "ham\nspam, with comma\n"));
  CHECK(l.rows[1] == std::vector<std::string>{"spam, with comma"});
}
