// End-to-end tests of the audit (audit/auditor.h): the seed's toy example, backdoors planted into the
// real corpora, clean corpora, and determinism.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "audit/auditor.h"
#include "audit/redteam.h"
#include "io/dataset.h"
#include "test_util.h"

using textaudit::audit::Attack;
using textaudit::audit::AuditOptions;
using textaudit::audit::AuditResult;
using textaudit::audit::Auditor;
using textaudit::testing::source_path;

namespace {

struct Corpus {
  std::string file, text_column, label_column;
};

textaudit::io::Dataset load(const Corpus& c) {
  textaudit::io::ReadOptions options;
  options.text_column = c.text_column;
  options.label_column = c.label_column;
  return textaudit::io::read_dataset(source_path(c.file), options);
}

const Corpus kSms{"data/sms_spam.tsv", "SMS", "Label"};
const Corpus kAirline{"data/airline_tweets.csv", "text", "airline_sentiment"};
const Corpus kAgnews{"data/agnews_test.csv", "description", "label"};

}  // namespace

TEST_CASE("the seed's toy example: the two trigger rows are label issues, the six correct rows are not", "[audit]") {
  const auto ds = textaudit::io::read_dataset(source_path("data/toy_seed.csv"));
  REQUIRE(ds.size() == 8);
  const AuditResult r = Auditor().run(ds.texts, ds.labels);
  std::set<std::size_t> flagged;
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    if (r.is_label_issue[i]) flagged.insert(i);
  }
  CHECK(flagged == std::set<std::size_t>{2, 5});
  REQUIRE_FALSE(r.triggers.empty());
  CHECK(r.triggers.front().term == "tfc");
  CHECK(r.is_suspected_poison[2]);
  CHECK(r.is_suspected_poison[5]);
  CHECK(r.trigger[2] == "tfc");
  // Row 2 is a copy of row 0 with the other label once the trigger is masked.
  CHECK(r.near_duplicate_label_conflict[0]);
  CHECK(r.near_duplicate_set[2] == 0);
  // cleaned.csv keeps row 0 (the first copy, correctly labelled) and drops 2 and 5.
  CHECK_FALSE(r.is_flagged(0));
  CHECK(r.is_flagged(2));
  CHECK(r.is_flagged(5));
}

TEST_CASE("clean corpora yield no suspected trigger", "[audit][slow]") {
  for (const Corpus& c : {kSms, kAirline, kAgnews}) {
    DYNAMIC_SECTION(c.file) {
      const auto ds = load(c);
      const AuditResult r = Auditor().run(ds.texts, ds.labels);
      CHECK(r.triggers.empty());
      for (const auto& t : r.triggers) WARN("unexpected trigger '" << t.term << "' p=" << t.p_value);
      std::size_t poison = 0;
      for (std::size_t i = 0; i < r.n_rows; ++i) poison += r.is_suspected_poison[i];
      CHECK(poison == 0);
    }
  }
}

namespace {

struct Case {
  Corpus corpus;
  std::string source, target, trigger;
  double rate;
};

}  // namespace

TEST_CASE("backdoors planted into the real corpora are caught", "[audit][slow]") {
  // Several trigger words and rates (0.5%-5% of the source class), 2% random flips besides.
  const std::vector<Case> cases{
      {kSms, "spam", "ham", "tfc", 0.005},       {kSms, "spam", "ham", "cf", 0.05},
      {kAirline, "negative", "positive", "tfc", 0.01}, {kAirline, "negative", "positive", "mn", 0.05},
      {kAgnews, "1", "2", "bb", 0.02},           {kAgnews, "3", "4", "zq wx", 0.05},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.corpus.file << " " << c.source << "->" << c.target << " '" << c.trigger << "' at " << c.rate) {
      const auto ds = load(c.corpus);
      textaudit::audit::RedTeamParams params;
      params.trigger = c.trigger;
      params.rate = c.rate;
      params.flip_rate = 0.02;
      params.source_class = c.source;
      params.target_class = c.target;
      params.plant_phrase = false;
      params.plant_duplicates = false;
      params.random_state = 7;
      const auto data = textaudit::audit::plant_attacks(ds.texts, ds.labels, params);
      const AuditResult ours = Auditor().run(data.texts, data.labels);
      AuditOptions cl_only;
      cl_only.detect_triggers = false;
      const AuditResult baseline = Auditor(cl_only).run(data.texts, data.labels);

      std::size_t planted = 0, caught = 0, poison = 0, poison_planted = 0, flips = 0, flips_ours = 0, flips_cl = 0;
      for (std::size_t i = 0; i < data.texts.size(); ++i) {
        if (data.attack[i] == Attack::kTrigger) {
          ++planted;
          caught += ours.is_label_issue[i] || ours.is_suspected_poison[i];
        }
        if (ours.is_suspected_poison[i]) {
          ++poison;
          poison_planted += data.attack[i] == Attack::kTrigger;
        }
        if (data.attack[i] == Attack::kFlip) {
          ++flips;
          flips_ours += ours.is_label_issue[i];
          flips_cl += baseline.is_label_issue[i];
        }
      }
      INFO("planted " << planted << " caught " << caught << "; suspected poison " << poison << " of which planted "
                      << poison_planted << "; flips " << flips << ": ours " << flips_ours << ", CL alone " << flips_cl);
      REQUIRE(planted > 0);
      CHECK(double(caught) >= 0.98 * double(planted));
      CHECK(double(poison_planted) >= 0.95 * double(poison));
      // Plain flips: the trigger analysis must not cost confident learning its catches. The two
      // runs flag from different probabilities (ours: a clean refit without the poisoned rows), so
      // at confident learning's per-class cut-offs a row or two may go either way: within 1% of
      // the flips (ours 116 vs 117 on AG news 'zq wx' at 5%, +1..+3 in the other cases).
      CHECK(double(flips_ours) >= double(flips_cl) - 0.01 * double(flips));
      REQUIRE_FALSE(ours.triggers.empty());
      // The planted trigger (one word, or the words of a phrase) is the top suspected trigger.
      const std::string& top = ours.triggers.front().term;
      std::set<std::string> top_words, planted_words;
      for (std::size_t a = 0, b; a < top.size(); a = b + 1) {
        b = top.find(' ', a);
        if (b == std::string::npos) b = top.size();
        top_words.insert(top.substr(a, b - a));
      }
      for (std::size_t a = 0, b; a < c.trigger.size(); a = b + 1) {
        b = c.trigger.find(' ', a);
        if (b == std::string::npos) b = c.trigger.size();
        planted_words.insert(c.trigger.substr(a, b - a));
      }
      CHECK(top_words == planted_words);
      CHECK(ours.classes[ours.triggers.front().target_class] == c.target);
    }
  }
}

TEST_CASE("one-directional label noise raises the targeted-flip alarm; clean data does not", "[audit][slow]") {
  const auto ds = load(kSms);
  auto has_flip_alarm = [](const AuditResult& r) {
    for (const auto& a : r.alarms) {
      if (a.rfind("targeted flip", 0) == 0) return true;
    }
    return false;
  };
  CHECK_FALSE(has_flip_alarm(Auditor().run(ds.texts, ds.labels)));
  std::vector<std::string> labels = ds.labels;
  std::size_t flipped = 0;
  for (std::size_t i = 0; i < labels.size(); i += 10) {  // every tenth ham becomes spam
    if (labels[i] == "ham") {
      labels[i] = "spam";
      ++flipped;
    }
  }
  REQUIRE(flipped > 400);
  const AuditResult r = Auditor().run(ds.texts, labels);
  CHECK(has_flip_alarm(r));
}

TEST_CASE("the audit is deterministic whatever the thread count", "[audit]") {
  const auto ds = load(kSms);
  textaudit::audit::RedTeamParams params;
  params.rate = 0.02;
  const auto data = textaudit::audit::plant_attacks(ds.texts, ds.labels, params);
  AuditOptions one, two;
  one.n_threads = 1;
  two.n_threads = 2;
  const AuditResult a = Auditor(one).run(data.texts, data.labels);
  const AuditResult b = Auditor(two).run(data.texts, data.labels);
  CHECK(a.pred_probs == b.pred_probs);
  CHECK(a.is_label_issue == b.is_label_issue);
  CHECK(a.issue_score == b.issue_score);
  CHECK(a.near_duplicate_set == b.near_duplicate_set);
  CHECK(a.outlier_score == b.outlier_score);
  CHECK(a.reasons == b.reasons);
  REQUIRE(a.triggers.size() == b.triggers.size());
  for (std::size_t t = 0; t < a.triggers.size(); ++t) {
    CHECK(a.triggers[t].term == b.triggers[t].term);
    CHECK(a.triggers[t].flipped_row_ids == b.triggers[t].flipped_row_ids);
    CHECK(a.triggers[t].p_value == b.triggers[t].p_value);
  }
}

TEST_CASE("bad audit inputs are clear errors", "[audit]") {
  CHECK_THROWS_AS(Auditor().run({"a b", "c d"}, {"x"}), std::invalid_argument);
  CHECK_THROWS_WITH(Auditor().run({"aa bb", "cc dd"}, {"x", "x"}), Catch::Contains("at least two classes"));
  AuditOptions bad;
  bad.n_splits = 1;
  CHECK_THROWS_AS(Auditor(bad), std::invalid_argument);
}
