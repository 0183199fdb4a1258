// `textaudit label-issues` end to end: cleanlab's ranking from files, and clear errors (exit 4) on
// bad inputs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "io/npy.h"
#include "io/table.h"
#include "test_util.h"

namespace fs = std::filesystem;
using textaudit::testing::cli_path;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("textaudit_li_cli_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream((path / name).string(), std::ios::binary) << content;
    return (path / name).string();
  }
};

// Runs the CLI; returns its exit code, stderr in `err`.
int run(const std::string& args, std::string* err = nullptr, const fs::path& dir = fs::temp_directory_path()) {
  const std::string err_path = (dir / "stderr.txt").string();
  const int status = std::system((cli_path() + " " + args + " > /dev/null 2> " + err_path).c_str());
  if (err != nullptr) {
    std::ifstream in(err_path);
    std::stringstream ss;
    ss << in.rdbuf();
    *err = ss.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("label-issues reproduces cleanlab's ranked label issues on the real SMS case", "[cli][cleaning]") {
  const auto ref = textaudit::testing::read_reference("cleanlab/real_sms_spam.json");
  TempDir dir;
  std::string labels, probs = "ham,spam\n";
  const auto& P = ref["pred_probs"];
  for (std::size_t i = 0; i < ref["labels"].size(); ++i) {
    labels += std::to_string(ref["labels"][i].get<int>()) + "\n";
    char line[96];
    std::snprintf(line, sizeof line, "%.17g,%.17g\n", P[i][0].get<double>(), P[i][1].get<double>());
    probs += line;
  }
  const auto labels_path = dir.write("labels.txt", labels);
  const auto probs_path = dir.write("pred_probs.csv", probs);
  const auto out = (dir.path / "issues.csv").string();
  REQUIRE(run("label-issues --labels " + labels_path + " --pred-probs " + probs_path + " --out " + out, nullptr,
              dir.path) == 0);
  const auto table = textaudit::io::read_table(out);
  REQUIRE(table.rows.size() >= 2);
  CHECK(table.rows[0] == std::vector<std::string>{"row", "given_label", "predicted_label", "label_quality", "is_label_issue"});
  std::vector<int> rows;
  for (std::size_t i = 1; i < table.rows.size(); ++i) rows.push_back(std::stoi(table.rows[i][0]));
  std::vector<int> expected = ref["expected"]["ranked"]["self_confidence"].get<std::vector<int>>();
  CHECK(rows == expected);

  SECTION("the same from .npy probabilities") {
    textaudit::DenseMatrix m(static_cast<Eigen::Index>(P.size()), 2);
    for (std::size_t i = 0; i < P.size(); ++i) {
      m(static_cast<Eigen::Index>(i), 0) = P[i][0].get<double>();
      m(static_cast<Eigen::Index>(i), 1) = P[i][1].get<double>();
    }
    const auto npy = (dir.path / "pred_probs.npy").string();
    textaudit::io::write_npy(npy, m);
    const auto out2 = (dir.path / "issues2.csv").string();
    REQUIRE(run("label-issues --labels " + labels_path + " --pred-probs " + npy + " --out " + out2, nullptr, dir.path) == 0);
    // Without a header the classes are the column indices; rows and scores are the same.
    const auto t2 = textaudit::io::read_table(out2);
    REQUIRE(t2.rows.size() == table.rows.size());
    for (std::size_t i = 1; i < t2.rows.size(); ++i) {
      CHECK(t2.rows[i][0] == table.rows[i][0]);
      CHECK(t2.rows[i][3] == table.rows[i][3]);
    }
  }
}

TEST_CASE("label-issues rejects bad inputs with exit code 4 and a clear message", "[cli][cleaning]") {
  TempDir dir;
  const auto labels = dir.write("labels.txt", "0\n1\n0\n1\n");
  struct Bad {
    std::string name, probs, expect;
  };
  const std::vector<Bad> cases{
      {"rows differ", "0.9,0.1\n0.2,0.8\n0.7,0.3\n", "rows"},
      {"NaN", "0.9,0.1\nnan,0.8\n0.7,0.3\n0.4,0.6\n", "p.csv:2"},
      {"negative", "0.9,0.1\n-0.2,1.2\n0.7,0.3\n0.4,0.6\n", "p.csv:2"},
      {"not summing to 1", "0.9,0.3\n0.2,0.8\n0.7,0.3\n0.4,0.6\n", "sum"},
      {"ragged", "0.9,0.1\n0.2\n0.7,0.3\n0.4,0.6\n", "p.csv:2: ragged"},
      {"empty", "", "empty"},
  };
  for (const Bad& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const auto probs = dir.write("p.csv", c.probs);
      std::string err;
      CHECK(run("label-issues --labels " + labels + " --pred-probs " + probs, &err, dir.path) == 4);
      CHECK_THAT(err, Catch::Contains(c.expect, Catch::CaseSensitive::No));
    }
  }
  SECTION("a label outside the classes") {
    const auto bad_labels = dir.write("bad_labels.txt", "0\n1\n2\n1\n");
    const auto probs = dir.write("p.csv", "0.9,0.1\n0.2,0.8\n0.7,0.3\n0.4,0.6\n");
    std::string err;
    CHECK(run("label-issues --labels " + bad_labels + " --pred-probs " + probs, &err, dir.path) == 4);
    CHECK_THAT(err, Catch::Contains("bad_labels.txt"));
  }
}

TEST_CASE("crossval --issues is label-issues --all on the probabilities it writes, in one command", "[cli][cleaning]") {
  TempDir dir;
  const std::string data = textaudit::testing::source_path("data/sms_spam.tsv");
  const std::string pp = (dir.path / "pp.csv").string(), issues = (dir.path / "issues.csv").string();
  REQUIRE(run("crossval " + data + " --text-column SMS --label-column Label --seed 0 --filter-by both --out " + pp +
                  " --issues " + issues,
              nullptr, dir.path) == 0);
  const std::string separate = (dir.path / "separate.csv").string();
  REQUIRE(run("label-issues --labels " + data + " --label-column Label --pred-probs " + pp +
                  " --filter-by both --all --out " + separate,
              nullptr, dir.path) == 0);
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::string one = slurp(issues);
  CHECK(one.size() > 100000);  // every row of the 5,574
  CHECK(one == slurp(separate));
  const auto table = textaudit::io::read_table(issues);
  std::size_t flagged = 0;
  for (std::size_t i = 1; i < table.rows.size(); ++i) flagged += table.rows[i][4] == "true";
  CHECK(flagged > 10);
  // .json: the label-issues JSON document.
  const std::string json = (dir.path / "issues.json").string();
  REQUIRE(run("crossval " + data + " --text-column SMS --label-column Label --seed 0 --filter-by both --out " + pp + " --issues " + json, nullptr, dir.path) == 0);
  const auto doc = nlohmann::json::parse(slurp(json));
  CHECK(doc["num_label_issues"].get<std::size_t>() == flagged);
  CHECK(doc["class_mapping"] == "sorted_names");  // the data's label names, sorted, as label-issues names it
  CHECK(doc["classes"] == nlohmann::json::array({"ham", "spam"}));
  CHECK(doc["rows"].size() == table.rows.size() - 1);
}
