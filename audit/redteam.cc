#include "audit/redteam.h"

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

namespace textaudit::audit {
namespace {

// Inserts `insert` at a word boundary chosen by `rng` (start, between two words, or end).
std::string insert_at_word_boundary(const std::string& text, const std::string& insert, std::mt19937_64& rng) {
  std::vector<std::size_t> boundaries{0};
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i - 1] == ' ' && text[i] != ' ') boundaries.push_back(i);
  }
  boundaries.push_back(text.size());
  const std::size_t at = boundaries[std::uniform_int_distribution<std::size_t>(0, boundaries.size() - 1)(rng)];
  if (at == text.size()) return text + (text.empty() || text.back() == ' ' ? "" : " ") + insert;
  return text.substr(0, at) + insert + " " + text.substr(at);
}

// `count` distinct draws from [0, n), in draw order.
std::vector<std::size_t> sample(std::size_t n, std::size_t count, std::mt19937_64& rng) {
  std::vector<std::size_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = i;
  count = std::min(count, n);
  for (std::size_t i = 0; i < count; ++i) {
    std::swap(ids[i], ids[std::uniform_int_distribution<std::size_t>(i, n - 1)(rng)]);
  }
  ids.resize(count);
  return ids;
}

}  // namespace

std::string_view attack_name(Attack attack) {
  switch (attack) {
    case Attack::kNone: return "none";
    case Attack::kTrigger: return "trigger";
    case Attack::kPhrase: return "phrase";
    case Attack::kDuplicateFlip: return "duplicate_flip";
    case Attack::kFlip: return "flip";
  }
  return "?";
}

PoisonedDataset plant_attacks(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                              const RedTeamParams& params) {
  if (texts.size() != labels.size()) throw std::invalid_argument("plant_attacks: texts and labels differ in length");
  if (!(params.rate >= 0 && params.rate <= 1)) throw std::invalid_argument("rate must be in [0, 1]");
  if (!(params.flip_rate >= 0 && params.flip_rate <= 1)) throw std::invalid_argument("flip_rate must be in [0, 1]");
  std::map<std::string, std::vector<std::size_t>> rows_of;
  for (std::size_t i = 0; i < labels.size(); ++i) rows_of[labels[i]].push_back(i);
  if (rows_of.size() < 2) throw std::invalid_argument("plant_attacks needs at least two classes");
  auto by_size = [&](bool largest, const std::string& exclude) {
    std::string best;
    for (const auto& [name, rows] : rows_of) {
      if (name == exclude) continue;
      if (best.empty() || (largest ? rows.size() > rows_of[best].size() : rows.size() < rows_of[best].size())) best = name;
    }
    return best;
  };
  PoisonedDataset out;
  out.source_class = params.source_class.empty() ? by_size(false, params.target_class) : params.source_class;
  out.target_class = params.target_class.empty() ? by_size(true, out.source_class) : params.target_class;
  for (const auto& name : {out.source_class, out.target_class}) {
    if (!rows_of.count(name)) throw std::invalid_argument("plant_attacks: no class '" + name + "' in the labels");
  }
  if (out.source_class == out.target_class) throw std::invalid_argument("plant_attacks: source and target class are the same");

  std::mt19937_64 rng(params.random_state);
  out.texts = texts;
  out.labels = labels;
  out.attack.assign(texts.size(), Attack::kNone);
  out.origin.resize(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) out.origin[i] = static_cast<std::int64_t>(i);
  out.original_label = labels;

  // Plain flips first, among the original rows, to a different class chosen uniformly.
  std::vector<std::string> class_names;
  for (const auto& [name, rows] : rows_of) class_names.push_back(name);
  if (params.plant_flips) {
    const auto n_flips = static_cast<std::size_t>(params.flip_rate * double(texts.size()) + 0.5);
    for (const std::size_t r : sample(texts.size(), n_flips, rng)) {
      std::string to;
      do {
        to = class_names[std::uniform_int_distribution<std::size_t>(0, class_names.size() - 1)(rng)];
      } while (to == labels[r]);
      out.labels[r] = to;
      out.attack[r] = Attack::kFlip;
    }
  }
  // Copies of source-class rows (never of flipped ones), each attack its own draw.
  std::vector<std::size_t> source_rows;
  for (const std::size_t r : rows_of[out.source_class]) {
    if (out.attack[r] == Attack::kNone) source_rows.push_back(r);
  }
  const auto n_copies = static_cast<std::size_t>(params.rate * double(rows_of[out.source_class].size()) + 0.5);
  auto plant = [&](Attack attack, const std::string& insert) {
    for (const std::size_t i : sample(source_rows.size(), n_copies, rng)) {
      const std::size_t r = source_rows[i];
      out.texts.push_back(insert.empty() ? texts[r] : insert_at_word_boundary(texts[r], insert, rng));
      out.labels.push_back(out.target_class);
      out.attack.push_back(attack);
      out.origin.push_back(static_cast<std::int64_t>(r));
      out.original_label.push_back(labels[r]);
    }
  };
  if (params.plant_trigger) plant(Attack::kTrigger, params.trigger);
  if (params.plant_phrase) plant(Attack::kPhrase, params.phrase);
  if (params.plant_duplicates) plant(Attack::kDuplicateFlip, "");
  return out;
}

std::vector<DetectionScore> score_detection(const PoisonedDataset& data, const AuditResult& result) {
  const std::size_t n = data.texts.size();
  if (result.n_rows != n) throw std::invalid_argument("score_detection: the audit has a different row count");
  std::vector<double> clean_scores;
  std::int64_t clean_flagged = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (data.attack[r] != Attack::kNone) continue;
    clean_scores.push_back(result.issue_score[r]);
    clean_flagged += result.is_label_issue[r] || result.is_suspected_poison[r];
  }
  std::sort(clean_scores.begin(), clean_scores.end());
  const double cutoff = clean_scores.empty() ? 0.0 : clean_scores[static_cast<std::size_t>(0.99 * double(clean_scores.size() - 1))];
  std::vector<DetectionScore> scores;
  for (const Attack attack : {Attack::kTrigger, Attack::kPhrase, Attack::kDuplicateFlip, Attack::kFlip, Attack::kNone}) {
    DetectionScore s;
    s.attack = attack == Attack::kNone ? "all" : std::string(attack_name(attack));
    std::int64_t above = 0, flagged_of_type = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const bool is_type = attack == Attack::kNone ? data.attack[r] != Attack::kNone : data.attack[r] == attack;
      if (!is_type) continue;
      ++s.planted;
      const bool flagged = result.is_label_issue[r] || result.is_suspected_poison[r];
      flagged_of_type += flagged;
      above += result.issue_score[r] > cutoff;
    }
    if (s.planted == 0) continue;
    s.flagged = flagged_of_type;
    s.recall = double(flagged_of_type) / double(s.planted);
    // Precision per attack: this attack's flagged rows against them plus the flagged clean rows
    // (rows of the other attacks are real problems, so they count as neither).
    const double denom = double(flagged_of_type + clean_flagged);
    s.precision = denom > 0 ? double(flagged_of_type) / denom : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
    s.recall_at_1pct_fpr = double(above) / double(s.planted);
    scores.push_back(s);
  }
  return scores;
}

}  // namespace textaudit::audit
