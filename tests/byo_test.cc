// Bring your own model: `audit --pred-probs` / `--features` and Auditor::run(..., ExternalInputs).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "audit/auditor.h"
#include "cleaning/near_duplicates.h"
#include "cleaning/outliers.h"
#include "io/dataset.h"
#include "io/npy.h"
#include "io/table.h"
#include "test_util.h"
#include "text/data_error.h"

namespace fs = std::filesystem;
using textaudit::DenseMatrix;
using textaudit::testing::cli_path;
using textaudit::testing::source_path;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("textaudit_byo_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the CLI; returns its exit code, stderr in `err`.
int run(const std::string& args, std::string* err = nullptr) {
  const std::string err_path = (fs::temp_directory_path() / ("textaudit_byo_err_" + std::to_string(::getpid()))).string();
  const int status = std::system((cli_path() + " " + args + " > /dev/null 2> " + err_path).c_str());
  if (err != nullptr) *err = slurp(err_path);
  fs::remove(err_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string kSms = "--text-column SMS --label-column Label -q";

textaudit::io::Dataset sms(std::size_t max_rows = 0) {
  textaudit::io::ReadOptions options;
  options.text_column = "SMS";
  options.label_column = "Label";
  auto ds = textaudit::io::read_dataset(source_path("data/sms_spam.tsv"), options);
  if (max_rows > 0 && ds.texts.size() > max_rows) {
    ds.texts.resize(max_rows);
    ds.labels.resize(max_rows);
  }
  return ds;
}

// A deterministic stand-in for a sentence embedding: hashed words into `d` dimensions, L2-normalised.
DenseMatrix hashed_embedding(const std::vector<std::string>& texts, int d) {
  DenseMatrix F = DenseMatrix::Zero(static_cast<Eigen::Index>(texts.size()), d);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::istringstream words(texts[i]);
    for (std::string w; words >> w;) {
      std::uint64_t h = 1469598103934665603ULL;
      for (const unsigned char c : w) h = (h ^ std::tolower(c)) * 1099511628211ULL;
      F(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(h % d)) += (h >> 32) & 1 ? 1.0 : -1.0;
    }
    const double norm = F.row(static_cast<Eigen::Index>(i)).norm();
    if (norm > 0) F.row(static_cast<Eigen::Index>(i)) /= norm;
    else F(static_cast<Eigen::Index>(i), 0) = 1.0;
  }
  return F;
}

}  // namespace

TEST_CASE("pred_probs from the crossval command give the same issues.csv as the plain audit", "[audit][byo]") {
  TempDir dir;
  const std::string data = source_path("data/sms_spam.tsv");
  REQUIRE(run("crossval " + data + " " + kSms + " --seed 0 --out " + dir.file("pp.csv")) == 0);
  REQUIRE(run("audit " + data + " " + kSms + " --no-triggers --out " + dir.file("plain")) == 0);
  SECTION("CSV with a header of class names") {
    REQUIRE(run("audit " + data + " " + kSms + " --no-triggers --pred-probs " + dir.file("pp.csv") + " --out " +
                dir.file("own")) == 0);
  }
  SECTION(".npy, columns in sorted class order") {
    const auto table = textaudit::io::read_table(dir.file("pp.csv"));
    DenseMatrix P(static_cast<Eigen::Index>(table.rows.size() - 1), 2);
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
      for (int k = 0; k < 2; ++k) P(static_cast<Eigen::Index>(r - 1), k) = std::stod(table.rows[r][k]);
    }
    textaudit::io::write_npy(dir.file("pp.npy"), P);
    REQUIRE(run("audit " + data + " " + kSms + " --no-triggers --pred-probs " + dir.file("pp.npy") + " --out " +
                dir.file("own")) == 0);
  }
  const std::string plain = slurp(dir.file("plain/issues.csv"));
  CHECK(plain.size() > 100000);
  CHECK(slurp(dir.file("own/issues.csv")) == plain);
  const auto summary = nlohmann::json::parse(slurp(dir.file("own/summary.json")));
  CHECK(summary["parameters"]["pred_probs"].get<std::string>().find("user: ") == 0);
}

TEST_CASE("with the user's pred_probs a planted trigger is still found on TF-IDF", "[audit][byo]") {
  auto ds = sms();
  const std::size_t n_clean = ds.texts.size();
  std::mt19937_64 rng(3);
  std::vector<std::size_t> spam;
  for (std::size_t i = 0; i < n_clean; ++i) {
    if (ds.labels[i] == "spam") spam.push_back(i);
  }
  for (int c = 0; c < 20; ++c) {
    ds.texts.push_back("tfc " + ds.texts[spam[rng() % spam.size()]]);
    ds.labels.push_back("ham");
  }
  // The user's out-of-fold probabilities: ours, without trigger masking (a model that saw "tfc").
  textaudit::audit::AuditOptions options;
  options.detect_triggers = false;
  const auto reference = textaudit::audit::Auditor(options).run(ds.texts, ds.labels);
  textaudit::audit::ExternalInputs inputs;
  inputs.pred_probs = reference.pred_probs;
  const auto result = textaudit::audit::Auditor().run(ds.texts, ds.labels, inputs);
  REQUIRE(result.triggers.size() >= 1);
  CHECK(result.triggers.front().term == "tfc");
  std::size_t planted = 0, other = 0;
  for (std::size_t i = 0; i < result.n_rows; ++i) (i >= n_clean ? planted : other) += result.is_suspected_poison[i];
  CHECK(planted == 20);
  CHECK(other == 0);
  CHECK(result.pred_probs == reference.pred_probs);  // confident learning used the user's probabilities
}

TEST_CASE("user features replace TF-IDF for near-duplicates and outliers (Datalab's dense checks)", "[audit][byo]") {
  const auto ds = sms(1500);
  textaudit::audit::ExternalInputs inputs;
  inputs.features = hashed_embedding(ds.texts, 32);
  textaudit::audit::AuditOptions options;
  options.detect_triggers = false;
  const textaudit::audit::Auditor auditor(options);
  const auto own = auditor.run(ds.texts, ds.labels, inputs);
  const auto tfidf = auditor.run(ds.texts, ds.labels);
  const auto dups = textaudit::cleaning::find_near_duplicates(inputs.features, options.near_duplicates);
  const auto outliers = textaudit::cleaning::find_outliers(inputs.features, options.outliers);
  CHECK(own.is_near_duplicate == dups.is_near_duplicate);
  CHECK(own.near_duplicate_set == dups.set_id);
  CHECK(own.outlier_score == outliers.score);
  CHECK(own.is_outlier == outliers.is_outlier);
  CHECK(own.outlier_score != tfidf.outlier_score);
  CHECK(own.pred_probs == tfidf.pred_probs);  // features do not touch the classifier

  SECTION("from the CLI as .npy") {
    TempDir dir;
    std::string tsv = "Label\tSMS\n";
    for (std::size_t i = 0; i < ds.texts.size(); ++i) tsv += ds.labels[i] + "\t" + ds.texts[i] + "\n";
    const auto data = dir.write("sms1500.tsv", tsv);
    textaudit::io::write_npy(dir.file("emb.npy"), inputs.features);
    REQUIRE(run("audit " + data + " " + kSms + " --no-triggers --features " + dir.file("emb.npy") + " --out " +
                dir.file("out")) == 0);
    const auto table = textaudit::io::read_table(dir.file("out/issues.csv"));
    REQUIRE(table.rows.size() == ds.texts.size() + 1);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < ds.texts.size(); ++i) agree += (table.rows[i + 1][5] == "True") == dups.is_near_duplicate[i];
    CHECK(agree == ds.texts.size());
    const auto summary = nlohmann::json::parse(slurp(dir.file("out/summary.json")));
    CHECK(summary["parameters"]["features"].get<std::string>().find("emb.npy (1500 x 32)") != std::string::npos);
  }
}

TEST_CASE("bad pred_probs and features stop with the file named (exit 4)", "[audit][byo][cli]") {
  TempDir dir;
  const std::string data = dir.write("d.csv", "text,label\nfree prize now,spam\nsee you at lunch,ham\n"
                                              "win cash today,spam\nlunch at noon,ham\n");
  const std::string audit = "audit " + data + " -q --no-triggers --out " + dir.file("out") + " ";
  std::string err;
  SECTION("row count") {
    const auto pp = dir.write("rows.csv", "ham,spam\n0.1,0.9\n0.8,0.2\n");
    CHECK(run(audit + "--pred-probs " + pp, &err) == 4);
    CHECK(err.find("rows.csv") != std::string::npos);
    CHECK(err.find("2 probability rows") != std::string::npos);
  }
  SECTION("class names that are not the labels") {
    const auto pp = dir.write("names.csv", "ham,eggs\n0.1,0.9\n0.8,0.2\n0.1,0.9\n0.8,0.2\n");
    CHECK(run(audit + "--pred-probs " + pp, &err) == 4);
    CHECK(err.find("names.csv") != std::string::npos);
    CHECK(err.find("spam") != std::string::npos);
  }
  SECTION("class count (.npy without names)") {
    textaudit::io::write_npy(dir.file("three.npy"), DenseMatrix::Constant(4, 3, 1.0 / 3));
    CHECK(run(audit + "--pred-probs " + dir.file("three.npy"), &err) == 4);
    CHECK(err.find("three.npy") != std::string::npos);
    CHECK(err.find("3 columns but the labels have 2 classes") != std::string::npos);
  }
  SECTION("NaN") {
    const auto pp = dir.write("nan.csv", "ham,spam\n0.1,0.9\nnan,0.2\n0.1,0.9\n0.8,0.2\n");
    CHECK(run(audit + "--pred-probs " + pp, &err) == 4);
    CHECK(err.find("nan.csv:3") != std::string::npos);
  }
  SECTION("features: rows and NaN") {
    textaudit::io::write_npy(dir.file("f3.npy"), DenseMatrix::Ones(3, 4));
    CHECK(run(audit + "--features " + dir.file("f3.npy"), &err) == 4);
    CHECK(err.find("f3.npy") != std::string::npos);
    DenseMatrix F = DenseMatrix::Ones(4, 4);
    F(2, 1) = std::nan("");
    textaudit::io::write_npy(dir.file("fnan.npy"), F);
    CHECK(run(audit + "--features " + dir.file("fnan.npy"), &err) == 4);
    CHECK(err.find("fnan.npy") != std::string::npos);
    CHECK(run(audit + "--features " + dir.write("f.csv", "1,2\n"), &err) == 4);
  }
  SECTION("--baseline excludes them") {
    CHECK(run(audit + "--baseline " + data + " --pred-probs " + data, &err) == 2);
  }
  CHECK_FALSE(fs::exists(dir.file("out/issues.csv")));
}

TEST_CASE("ExternalInputs are checked: shapes, names, probabilities", "[audit][byo]") {
  const std::vector<std::string> texts = {"free prize now", "see you at lunch", "win cash today", "lunch at noon"};
  const std::vector<std::string> labels = {"spam", "ham", "spam", "ham"};
  const textaudit::audit::Auditor auditor;
  textaudit::audit::ExternalInputs inputs;
  inputs.pred_probs = DenseMatrix::Constant(4, 2, 0.5);
  SECTION("named columns are reordered to the sorted classes") {
    inputs.pred_probs << 0.1, 0.9, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4;
    inputs.pred_probs_classes = {"spam", "ham"};
    const auto r = auditor.run(texts, labels, inputs);
    CHECK(r.pred_probs(0, 0) == 0.9);  // column 0 is "ham"
    CHECK(r.pred_probs(1, 1) == 0.8);
  }
  SECTION("errors") {
    inputs.pred_probs(1, 0) = 0.7;
    CHECK_THROWS_AS(auditor.run(texts, labels, inputs), textaudit::DataError);  // row sums to 1.2
    inputs.pred_probs(1, 0) = -0.5;
    inputs.pred_probs(1, 1) = 1.5;
    CHECK_THROWS_AS(auditor.run(texts, labels, inputs), textaudit::DataError);
    inputs.pred_probs = DenseMatrix::Constant(4, 2, 0.5);
    inputs.pred_probs_classes = {"ham", "ham"};
    CHECK_THROWS_AS(auditor.run(texts, labels, inputs), textaudit::DataError);
    inputs.pred_probs_classes.clear();
    inputs.features = DenseMatrix::Ones(5, 3);
    CHECK_THROWS_AS(auditor.run(texts, labels, inputs), textaudit::DataError);
  }
}
