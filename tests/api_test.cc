// The public header (include/textaudit/textaudit.h) as a user sees it: what it exposes, what it
// must not drag in, and concurrent audits by distinct Auditor objects.
#include "textaudit/textaudit.h"

// Checked before anything else is included: the public header must not leak the CLI's or the
// reports' libraries into a user's build.
#if defined(CLI11_VERSION) || defined(FMT_VERSION) || defined(NLOHMANN_JSON_VERSION_MAJOR)
#error "textaudit/textaudit.h leaks CLI11, fmt or nlohmann_json"
#endif

#include <catch2/catch.hpp>

#include <thread>

#include "io/dataset.h"
#include "test_util.h"

namespace {

// Every per-row column and aggregate of two results, compared exactly (timings excepted).
void require_same(const textaudit::AuditResult& a, const textaudit::AuditResult& b) {
  REQUIRE(a.n_rows == b.n_rows);
  REQUIRE(a.classes == b.classes);
  REQUIRE(a.pred_probs == b.pred_probs);
  CHECK(a.is_label_issue == b.is_label_issue);
  CHECK(a.label_quality == b.label_quality);
  CHECK(a.is_near_duplicate == b.is_near_duplicate);
  CHECK(a.near_duplicate_set == b.near_duplicate_set);
  CHECK(a.is_outlier == b.is_outlier);
  CHECK(a.outlier_score == b.outlier_score);
  CHECK(a.is_ambiguous == b.is_ambiguous);
  CHECK(a.is_suspected_poison == b.is_suspected_poison);
  CHECK(a.poison_score == b.poison_score);
  CHECK(a.trigger == b.trigger);
  CHECK(a.issue_score == b.issue_score);
  CHECK(a.reasons == b.reasons);
  CHECK(a.confident_joint == b.confident_joint);
  CHECK(a.alarms == b.alarms);
  CHECK(a.warnings == b.warnings);
  REQUIRE(a.triggers.size() == b.triggers.size());
  for (std::size_t t = 0; t < a.triggers.size(); ++t) CHECK(a.triggers[t].term == b.triggers[t].term);
}

}  // namespace

TEST_CASE("Distinct Auditor objects running concurrently give the sequential results", "[api]") {
  textaudit::io::ReadOptions read;
  read.text_column = "SMS";
  read.label_column = "Label";
  auto ds = textaudit::io::read_dataset(textaudit::testing::source_path("data/sms_spam.tsv"), read);
  // 2,000 rows with a planted backdoor (copies of spam with 'tfc', labelled ham), so that the
  // trigger analysis, its second cross-validation and every other stage run in both threads.
  ds.texts.resize(2000);
  ds.labels.resize(2000);
  for (std::size_t i = 0, planted = 0; i < 2000 && planted < 12; ++i) {
    if (ds.labels[i] != "spam") continue;
    ds.texts.push_back("tfc " + ds.texts[i]);
    ds.labels.push_back("ham");
    ++planted;
  }

  textaudit::AuditOptions a;
  a.n_threads = 2;
  textaudit::AuditOptions b = a;  // a different audit: bigrams, another seed
  b.tfidf.ngram_range = {1, 2};
  b.random_state = 7;
  const textaudit::Auditor auditor_a(a), auditor_b(b);

  const textaudit::AuditResult seq_a = auditor_a.run(ds.texts, ds.labels);
  const textaudit::AuditResult seq_b = auditor_b.run(ds.texts, ds.labels);
  REQUIRE_FALSE(seq_a.triggers.empty());

  textaudit::AuditResult par_a, par_b, par_a2;
  std::thread ta([&] { par_a = auditor_a.run(ds.texts, ds.labels); });
  std::thread tb([&] { par_b = auditor_b.run(ds.texts, ds.labels); });
  std::thread ta2([&] { par_a2 = textaudit::Auditor(a).run(ds.texts, ds.labels); });  // same options, own object
  ta.join();
  tb.join();
  ta2.join();
  require_same(seq_a, par_a);
  require_same(seq_b, par_b);
  require_same(seq_a, par_a2);
  CHECK(seq_a.pred_probs != seq_b.pred_probs);  // the two audits really differ
}

TEST_CASE("The public header exposes the parts under their folder namespaces", "[api]") {
  const std::vector<std::string> texts = {"free prize call now", "see you at lunch", "win a free prize now",
                                          "lunch at noon then", "claim your free prize", "meeting at noon"};
  const std::vector<std::string> labels = {"spam", "ham", "spam", "ham", "spam", "ham"};
  textaudit::text::TfidfVectorizer vectorizer;
  const textaudit::text::CsrMatrix X = vectorizer.fit_transform(texts);
  const textaudit::text::EncodedLabels y = textaudit::text::encode_labels(labels);
  REQUIRE(y.classes == std::vector<std::string>{"ham", "spam"});
  const auto folds = textaudit::crossval::stratified_kfold(y.y, 2, 3);
  const auto cv = textaudit::crossval::cross_val_predict(X, y.y, 2, {}, folds);
  REQUIRE(cv.pred_probs.rows() == 6);
  for (int r = 0; r < 6; ++r) CHECK(cv.pred_probs(r, y.y[r]) > 0.5);  // every row reads as its label
  CHECK(textaudit::cleaning::find_label_issues(y.y, cv.pred_probs).empty());
  CHECK_THROWS_AS(textaudit::Auditor(textaudit::AuditOptions{.n_splits = 1}), std::invalid_argument);
}
