// audit/redteam.h: plant known attacks into a copy of a labelled dataset, then score how well an
// audit finds them — so users measure the defence on their own data before trusting it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/result.h"

namespace textaudit::audit {

enum class Attack : int {
  kNone = 0,      // an original row, label untouched
  kTrigger,       // copy of a source-class row with the trigger word inserted, labelled target
  kPhrase,        // copy of a source-class row with a short phrase inserted (AddSent), labelled target
  kDuplicateFlip, // verbatim copy of a source-class row, labelled target
  kFlip,          // an original row whose label was changed to another class
};
std::string_view attack_name(Attack attack);  // "none", "trigger", "phrase", "duplicate_flip", "flip"

struct RedTeamParams {
  std::string trigger = "tfc";                  // rare-word trigger (inserted at a random word boundary)
  std::string phrase = "I watched this 3D movie";  // AddSent-style phrase
  double rate = 0.02;       // trigger copies, phrase copies and duplicate flips: each this share of the source class
  double flip_rate = 0.02;  // plain flips: this share of all original rows
  std::string source_class; // class A copied by the attacker; "" = the smallest class
  std::string target_class; // class B the copies are labelled; "" = the largest other class
  bool plant_trigger = true, plant_phrase = true, plant_duplicates = true, plant_flips = true;
  std::uint64_t random_state = 0;
};

struct PoisonedDataset {
  std::vector<std::string> texts;
  std::vector<std::string> labels;
  std::vector<Attack> attack;          // per row of the poisoned data
  std::vector<std::int64_t> origin;    // per row: the original row it came from (or is)
  std::vector<std::string> original_label;  // per row: the label before the attack
  std::string source_class, target_class;
};

// Planted rows are appended after the originals (flips change originals in place). Throws
// std::invalid_argument for bad rates or unknown classes.
PoisonedDataset plant_attacks(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                              const RedTeamParams& params = {});

struct DetectionScore {
  std::string attack;
  std::int64_t planted = 0;      // rows of this attack
  std::int64_t flagged = 0;      // planted rows flagged (is_label_issue or is_suspected_poison)
  double precision = 0.0;        // flagged planted / all flagged rows, counting other attacks as wrong
  double recall = 0.0;
  double f1 = 0.0;
  double recall_at_1pct_fpr = 0.0;  // planted rows scoring above the 99th percentile of clean rows' issue_score
};

// Scores per attack type plus an "all" line. A planted row counts as caught when the audit marks it
// is_label_issue or is_suspected_poison. Clean rows are kNone rows.
std::vector<DetectionScore> score_detection(const PoisonedDataset& data, const AuditResult& result);

}  // namespace textaudit::audit
