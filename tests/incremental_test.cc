// Incremental audits: `textaudit fit --save-model`, `audit NEW --baseline ACCEPTED [--model FILE]`,
// Auditor::fit_baseline / run_incremental, on a new batch of data/sms_spam.tsv rows.
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
#include "io/dataset.h"
#include "io/table.h"
#include "test_util.h"
#include "text/data_error.h"

namespace fs = std::filesystem;
using textaudit::testing::cli_path;
using textaudit::testing::source_path;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("textaudit_incr_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(const std::string& args, std::string* err = nullptr) {
  const std::string err_path = (fs::temp_directory_path() / ("textaudit_incr_err_" + std::to_string(::getpid()))).string();
  const int status = std::system((cli_path() + " " + args + " > /dev/null 2> " + err_path).c_str());
  if (err != nullptr) *err = slurp(err_path);
  fs::remove(err_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Rows {
  std::vector<std::string> texts, labels;
  void add(std::string text, std::string label) {
    texts.push_back(std::move(text));
    labels.push_back(std::move(label));
  }
  std::string tsv() const {
    std::string out = "Label\tSMS\n";
    for (std::size_t i = 0; i < texts.size(); ++i) out += labels[i] + "\t" + texts[i] + "\n";
    return out;
  }
};

constexpr std::size_t kAccepted = 4500;  // the first rows of data/sms_spam.tsv; the other 1074 are new

// The accepted rows, the clean new batch, and a planted batch: the clean batch plus 10 copies of
// accepted ham rows labelled spam (conflicting duplicates) and 10 new spam rows with the trigger
// "tfc" inserted, labelled ham. planted_source[i] = the accepted row the i-th duplicate copies.
struct Split {
  Rows accepted, clean, planted;
  std::vector<std::int64_t> planted_source;
};

const Split& split() {
  static const Split s = [] {
    textaudit::io::ReadOptions options;
    options.text_column = "SMS";
    options.label_column = "Label";
    const auto ds = textaudit::io::read_dataset(source_path("data/sms_spam.tsv"), options);
    Split out;
    for (std::size_t i = 0; i < ds.texts.size(); ++i) (i < kAccepted ? out.accepted : out.clean).add(ds.texts[i], ds.labels[i]);
    out.planted = out.clean;
    std::mt19937_64 rng(7);
    while (out.planted_source.size() < 10) {
      const std::size_t r = rng() % kAccepted;
      std::size_t words = 1;
      for (const char c : ds.texts[r]) words += c == ' ';
      if (ds.labels[r] != "ham" || words < 10) continue;
      if (std::find(out.planted_source.begin(), out.planted_source.end(), std::int64_t(r)) != out.planted_source.end()) continue;
      out.planted_source.push_back(static_cast<std::int64_t>(r));
      out.planted.add(ds.texts[r], "spam");
    }
    std::vector<std::size_t> spam;
    for (std::size_t i = 0; i < out.clean.texts.size(); ++i) {
      if (out.clean.labels[i] == "spam") spam.push_back(i);
    }
    std::shuffle(spam.begin(), spam.end(), rng);
    for (int c = 0; c < 10; ++c) {
      std::string text = out.clean.texts[spam[c]];
      const std::size_t space = text.find(' ', text.size() / 2);
      text.insert(space == std::string::npos ? text.size() : space, " tfc");
      out.planted.add(text, "ham");
    }
    return out;
  }();
  return s;
}

const textaudit::audit::BaselineModel& model() {
  static const textaudit::audit::BaselineModel m =
      textaudit::audit::Auditor().fit_baseline(split().accepted.texts, split().accepted.labels);
  return m;
}

double cosine(const textaudit::text::CsrMatrix& A, std::int64_t a, const textaudit::text::CsrMatrix& B, std::int64_t b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < A.row_indices(a).size(); ++i) {
    na += double(A.row_values(a)[i]) * A.row_values(a)[i];
    for (std::size_t j = 0; j < B.row_indices(b).size(); ++j) {
      if (A.row_indices(a)[i] == B.row_indices(b)[j]) dot += double(A.row_values(a)[i]) * B.row_values(b)[j];
    }
  }
  for (const float v : B.row_values(b)) nb += double(v) * v;
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
}

}  // namespace

TEST_CASE("fit_baseline: thresholds from a held-out fold, a model that reads the accepted data", "[audit][incremental]") {
  const auto& m = model();
  REQUIRE(m.classes == std::vector<std::string>{"ham", "spam"});
  REQUIRE(m.thresholds.size() == 2);
  CHECK(m.thresholds[0] > 0.8);  // ham is the easy majority class
  CHECK(m.thresholds[1] > 0.4);
  CHECK(m.thresholds[1] < m.thresholds[0]);
  CHECK(m.model_skill > 0.4);
  CHECK(m.n_rows == static_cast<std::int64_t>(kAccepted));
}

TEST_CASE("planted conflicting duplicates and a new trigger in a new batch are found", "[audit][incremental]") {
  const auto& s = split();
  const std::size_t n_clean = s.clean.texts.size();
  const auto r = textaudit::audit::Auditor().run_incremental(s.planted.texts, s.planted.labels, model(),
                                                              s.accepted.texts, s.accepted.labels);
  REQUIRE(r.n_rows == s.planted.texts.size());
  REQUIRE(r.accepted_duplicate_row.size() == r.n_rows);
  for (std::size_t i = 0; i < 10; ++i) {
    const std::size_t row = n_clean + i;
    INFO("planted duplicate " << i);
    CHECK(r.near_duplicate_label_conflict[row]);
    CHECK(r.accepted_duplicate_label[row] == 0);  // ham
    CHECK(s.accepted.texts[r.accepted_duplicate_row[row]] == s.planted.texts[row]);
    CHECK(r.accepted_duplicate_similarity[row] == Approx(1.0).margin(1e-6));
    CHECK(r.is_flagged(row));
    CHECK(r.reasons[row].find("accepted row") != std::string::npos);
  }
  REQUIRE(r.triggers.size() == 1);
  CHECK(r.triggers[0].term == "tfc");
  CHECK(r.triggers[0].target_class == 0);
  CHECK(r.triggers[0].source_class == 1);
  std::size_t planted_poison = 0, other_poison = 0;
  for (std::size_t row = 0; row < r.n_rows; ++row) (row >= n_clean + 10 ? planted_poison : other_poison) += r.is_suspected_poison[row];
  CHECK(planted_poison == 10);
  CHECK(other_poison == 0);
  CHECK(r.alarms.size() == 1);
}

TEST_CASE("a clean new batch gives few flags and no trigger", "[audit][incremental]") {
  const auto& s = split();
  const auto r = textaudit::audit::Auditor().run_incremental(s.clean.texts, s.clean.labels, model(), s.accepted.texts,
                                                              s.accepted.labels);
  CHECK(r.triggers.empty());
  std::size_t label_issues = 0, conflicts = 0, flagged_not_repeat = 0, repeats = 0;
  for (std::size_t row = 0; row < r.n_rows; ++row) {
    label_issues += r.is_label_issue[row];
    conflicts += r.near_duplicate_label_conflict[row];
    repeats += r.accepted_duplicate_row[row] >= 0;
    flagged_not_repeat += r.is_label_issue[row] || r.is_outlier[row] || r.is_ambiguous[row];
  }
  CHECK(conflicts == 0);
  CHECK(label_issues <= r.n_rows / 50);        // SMS spam has a few real label errors
  CHECK(flagged_not_repeat <= r.n_rows / 20);
  CHECK(repeats > 50);                           // SMS repeats many messages verbatim
  CHECK(repeats < r.n_rows / 5);
}

TEST_CASE("accepted duplicates equal a brute-force cosine search", "[audit][incremental]") {
  const auto& s = split();
  const auto r = textaudit::audit::Auditor().run_incremental(s.planted.texts, s.planted.labels, model(),
                                                              s.accepted.texts, s.accepted.labels);
  const auto A = model().vectorizer.transform(s.accepted.texts);
  auto B = model().vectorizer.transform(s.planted.texts);
  // The trigger's rows are masked before matching; "tfc" is not in the accepted vocabulary, so the
  // transformed rows are already without it.
  std::size_t checked = 0;
  for (std::int64_t b = 0; b < B.rows; b += 3) {
    double best_other = -1, best_any = -1;
    for (std::int64_t a = 0; a < A.rows; ++a) {
      const double c = cosine(A, a, B, b);
      if (c < 0.9) continue;
      best_any = std::max(best_any, c);
      if (s.accepted.labels[a] != s.planted.labels[b]) best_other = std::max(best_other, c);
    }
    INFO("batch row " << b);
    if (best_any < 0) {
      CHECK(r.accepted_duplicate_row[b] == -1);
    } else {
      REQUIRE(r.accepted_duplicate_row[b] >= 0);
      CHECK(r.accepted_duplicate_similarity[b] == Approx(best_other >= 0 ? best_other : best_any).margin(1e-6));
      CHECK((r.accepted_duplicate_label[b] != r.given_label[b]) == (best_other >= 0));
    }
    ++checked;
  }
  CHECK(checked > 300);
}

TEST_CASE("a saved model loads back exactly; a corrupt file is a DataError", "[audit][incremental]") {
  TempDir dir;
  model().save(dir.file("m.model"));
  const auto loaded = textaudit::audit::BaselineModel::load(dir.file("m.model"));
  CHECK(loaded.classes == model().classes);
  CHECK(loaded.thresholds == model().thresholds);
  CHECK(loaded.heldout_flip_rate == model().heldout_flip_rate);
  CHECK(loaded.model_skill == model().model_skill);
  const auto& s = split();
  const auto batch = loaded.vectorizer.transform(s.clean.texts);
  CHECK(loaded.model.predict_proba(batch) == model().model.predict_proba(model().vectorizer.transform(s.clean.texts)));
  std::string bytes = slurp(dir.file("m.model"));
  std::ofstream(dir.file("cut.model"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK_THROWS_AS(textaudit::audit::BaselineModel::load(dir.file("cut.model")), textaudit::DataError);
  std::ofstream(dir.file("other.model"), std::ios::binary) << "textaudit-tfidf 1\n";
  CHECK_THROWS_WITH(textaudit::audit::BaselineModel::load(dir.file("other.model")),
                    Catch::Contains("other.model") && Catch::Contains("not a valid textaudit model file"));
}

TEST_CASE("textaudit fit + audit --baseline --model write the audit's files with the accepted matches", "[audit][incremental][cli]") {
  TempDir dir;
  const auto& s = split();
  std::ofstream(dir.file("accepted.tsv"), std::ios::binary) << s.accepted.tsv();
  std::ofstream(dir.file("new.tsv"), std::ios::binary) << s.planted.tsv();
  const std::string cols = " --text-column SMS --label-column Label -q";
  REQUIRE(run("fit " + dir.file("accepted.tsv") + cols + " --save-model " + dir.file("m.model")) == 0);
  REQUIRE(run("audit " + dir.file("new.tsv") + cols + " --baseline " + dir.file("accepted.tsv") + " --model " +
              dir.file("m.model") + " --out " + dir.file("out")) == 0);
  for (const char* f : {"issues.csv", "summary.json", "report.html", "cleaned.tsv"}) CHECK(fs::exists(dir.path / "out" / f));
  const auto issues = textaudit::io::read_table(dir.file("out/issues.csv"));
  REQUIRE(issues.rows.size() == s.planted.texts.size() + 1);
  REQUIRE(issues.rows[0].back() == "accepted_duplicate_similarity");
  const std::size_t first_dup = s.clean.texts.size() + 1;  // + header
  CHECK(issues.rows[first_dup][issues.rows[0].size() - 3] == std::to_string(s.planted_source[0]));
  CHECK(issues.rows[first_dup][issues.rows[0].size() - 2] == "ham");
  const auto summary = nlohmann::json::parse(slurp(dir.file("out/summary.json")));
  CHECK(summary["counts"]["accepted_duplicate_label_conflict"].get<int>() >= 10);
  CHECK(summary["triggers"][0]["term"] == "tfc");
  CHECK(summary["parameters"]["mode"].get<std::string>().find("incremental") == 0);

  // Without --model the model is fitted on the accepted rows first: the same issues.
  REQUIRE(run("audit " + dir.file("new.tsv") + cols + " --baseline " + dir.file("accepted.tsv") + " --out " +
              dir.file("out2")) == 0);
  CHECK(slurp(dir.file("out2/issues.csv")) == slurp(dir.file("out/issues.csv")));

  std::string err;
  std::ofstream(dir.file("bad.tsv"), std::ios::binary) << "Label\tSMS\nhma\thello there\n";
  CHECK(run("audit " + dir.file("bad.tsv") + cols + " --baseline " + dir.file("accepted.tsv") + " --model " +
                dir.file("m.model") + " --out " + dir.file("out3"), &err) == 4);
  CHECK(err.find("'hma' is not a class of the accepted model") != std::string::npos);
  CHECK(run("audit " + dir.file("new.tsv") + cols + " --baseline " + dir.file("accepted.tsv") + " --model " +
                dir.file("accepted.tsv") + " --out " + dir.file("out3"), &err) == 4);
  CHECK(err.find("accepted.tsv") != std::string::npos);
}
