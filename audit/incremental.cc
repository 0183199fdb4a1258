// Auditor::fit_baseline and Auditor::run_incremental (audit/baseline.h): audits of a new batch
// against an accepted dataset with a model fitted once on the accepted rows.
//
// Decisions (see README, "Incremental audits"):
//  - Label issues: cleanlab's confident-learning rule with the accepted data's per-class
//    thresholds t_k (mean P(k) over held-out accepted rows given k): a row is flagged when the
//    classes with P(k) >= t_k exist and the most probable of them is not its label (the off-diagonal
//    of the confident joint, filter_by="confident_learning"). The model never saw the batch, so its
//    probabilities are out-of-sample like out-of-fold ones, and a row's verdict does not depend on
//    which other rows arrived with it.
//  - Near-duplicates: within the batch as in a full audit; against the accepted rows by an exact
//    cosine query: the batch rows are indexed, each accepted row probes the index with the prefix
//    of its rarest columns whose remaining norm could still reach min_cosine (any pair at or above
//    min_cosine shares a prefix column), candidates get an exact cosine.
//  - New triggers: terms of the batch absent from the accepted rows (not in the accepted
//    vocabulary), concentrated in one batch label, whose rows read as another class to the accepted
//    model (which cannot see the term); binomial test against the larger of the label's held-out
//    and in-batch misreading rates, Bonferroni-corrected over the candidates.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <time.h>
#include <unordered_map>

#include "audit/auditor.h"
#include "audit/detail/ambiguity.h"
#include "audit/detail/accepted_duplicates.h"
#include "cleaning/detail/parallel_for.h"
#include "crossval/kfold.h"
#include "text/data_error.h"
#include "text/labels.h"

namespace textaudit::audit {
namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Times one stage into result.timings and reports progress at its start and end.
class Stage {
 public:
  Stage(AuditResult& result, const ProgressCallback& progress, std::string name)
      : result_(result), progress_(progress), name_(std::move(name)),
        wall_(std::chrono::steady_clock::now()), cpu_(cpu_now()) {
    if (progress_) progress_(name_, 0.0);
  }
  ~Stage() {
    if (progress_) progress_(name_, 1.0);
    result_.timings.push_back(
        {name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(), cpu_now() - cpu_});
  }

 private:
  AuditResult& result_;
  const ProgressCallback& progress_;
  std::string name_;
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

int resolve_threads(int n_threads) { return cleaning::detail::resolve_threads(n_threads); }

std::string fmt_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void add_reason(std::string& reasons, const std::string& reason) {
  if (!reasons.empty()) reasons += "; ";
  reasons += reason;
}

// P(X >= k) for X ~ Binomial(n, p), summed in log space.
double binomial_upper_tail(std::int64_t n, std::int64_t k, double p) {
  if (k <= 0) return 1.0;
  if (k > n) return 0.0;
  if (p <= 0.0) return 0.0;
  if (p >= 1.0) return 1.0;
  const double lp = std::log(p), lq = std::log1p(-p);
  double total = 0.0;
  for (std::int64_t i = k; i <= n; ++i) {
    const double term = std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) -
                                 std::lgamma(double(n - i) + 1) + double(i) * lp + double(n - i) * lq);
    total += term;
    if (term < total * 1e-17 && double(i) > double(n) * p) break;
  }
  return std::min(1.0, total);
}

int argmax_row(const DenseMatrix& P, Eigen::Index r) {
  Eigen::Index best;
  P.row(r).maxCoeff(&best);  // first maximum, as np.argmax
  return static_cast<int>(best);
}

// Class ids of `labels` in `classes` (the model's); DataError naming `what` for an unknown one.
std::vector<int> encode_to(const std::vector<std::string>& labels, const std::vector<std::string>& classes,
                           const std::string& what) {
  std::unordered_map<std::string, int> id;
  for (std::size_t k = 0; k < classes.size(); ++k) id.emplace(classes[k], static_cast<int>(k));
  std::vector<int> y(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto it = id.find(labels[i]);
    if (it == id.end()) {
      std::string known;
      for (const auto& c : classes) known += (known.empty() ? "" : ", ") + c;
      throw DataError(what + " row " + std::to_string(i) + ": label '" + shorten(labels[i]) +
                      "' is not a class of the accepted model (" + known + ")");
    }
    y[i] = it->second;
  }
  return y;
}

}  // namespace

BaselineModel Auditor::fit_baseline(const std::vector<std::string>& texts, const std::vector<std::string>& labels) const {
  const AuditOptions& o = options_;
  if (texts.size() != labels.size()) {
    throw std::invalid_argument("Auditor::fit_baseline: " + std::to_string(texts.size()) + " texts but " +
                                std::to_string(labels.size()) + " labels");
  }
  if (texts.empty()) throw DataError("nothing to fit: the accepted data has no rows");
  const int n_threads = resolve_threads(o.n_threads);
  const text::EncodedLabels encoded = text::encode_labels(labels);
  if (encoded.classes.size() < 2) {
    throw DataError("every accepted row has the label '" + encoded.classes.front() + "': a model needs two classes");
  }
  const int K = static_cast<int>(encoded.classes.size());
  const std::vector<int>& y = encoded.y;
  const std::size_t n = texts.size();

  BaselineModel m;
  m.classes = encoded.classes;
  m.n_rows = static_cast<std::int64_t>(n);
  text::TfidfParams tfidf = o.tfidf;
  tfidf.n_threads = o.n_threads;  // saved with the model: 0 = all cores of whoever loads it
  m.vectorizer = text::TfidfVectorizer(tfidf);
  const text::CsrMatrix X = m.vectorizer.fit_transform(texts);

  // Thresholds from one held-out fold (out-of-sample, as the batch will be), then the final model
  // on all rows, warm-started from the fold's model (the objective is strictly convex: same optimum).
  const crossval::FoldAssignment folds = crossval::stratified_kfold(y, K, o.n_splits, /*shuffle=*/true, o.random_state);
  std::vector<std::size_t> train, held;
  for (std::size_t r = 0; r < n; ++r) (folds.test_fold[r] == 0 ? held : train).push_back(r);
  models::LogisticRegressionParams params = o.model;
  params.n_threads = n_threads;
  params.warm_start = true;
  m.model = models::LogisticRegression(params);
  std::vector<int> y_train;
  for (const std::size_t r : train) y_train.push_back(y[r]);
  m.model.fit(X.select_rows(train), y_train, K);
  const DenseMatrix P = m.model.predict_proba(X.select_rows(held));
  std::vector<double> sum(K, 0.0), count(K, 0.0), flips(K, 0.0), prior(K, 0.0);
  double model_loss = 0.0;
  for (std::size_t i = 0; i < held.size(); ++i) {
    const int k = y[held[i]];
    const auto row = static_cast<Eigen::Index>(i);
    sum[k] += P(row, k);
    count[k] += 1;
    flips[k] += argmax_row(P, row) != k;
    model_loss -= std::log(std::max(P(row, k), 1e-15));
  }
  double prior_loss = 0.0;
  for (int k = 0; k < K; ++k) {
    prior[k] = count[k] / double(held.size());
    prior_loss -= prior[k] > 0 ? prior[k] * std::log(prior[k]) : 0.0;
  }
  model_loss /= double(held.size());
  m.model_skill = prior_loss > 0 ? 1.0 - model_loss / prior_loss : 0.0;
  for (int k = 0; k < K; ++k) {
    // A class with no held-out row (tiny data) keeps threshold 1: its rows are never confidently it.
    m.thresholds.push_back(count[k] > 0 ? sum[k] / count[k] : 1.0);
    m.heldout_flip_rate.push_back(count[k] > 0 ? flips[k] / count[k] : 0.0);
  }
  m.model.fit(X, y, K);
  params.warm_start = false;
  m.model.set_params(params);
  return m;
}

AuditResult Auditor::run_incremental(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                                     const BaselineModel& model, const std::vector<std::string>& accepted_texts,
                                     const std::vector<std::string>& accepted_labels) const {
  const AuditOptions& o = options_;
  if (texts.size() != labels.size() || accepted_texts.size() != accepted_labels.size()) {
    throw std::invalid_argument("Auditor::run_incremental: texts and labels differ in length");
  }
  if (texts.empty()) throw DataError("nothing to audit: the new batch has no rows");
  if (!model.vectorizer.fitted() || !model.model.fitted() || model.thresholds.size() != model.classes.size()) {
    throw std::invalid_argument("Auditor::run_incremental: the BaselineModel is not fitted");
  }
  const int n_threads = resolve_threads(o.n_threads);
  const std::size_t n = texts.size();
  const int K = static_cast<int>(model.classes.size());
  AuditResult result;
  result.n_rows = n;
  result.classes = model.classes;
  result.given_label = encode_to(labels, model.classes, "new batch");
  const std::vector<int>& y = result.given_label;
  const std::vector<int> ya = encode_to(accepted_labels, model.classes, "accepted data");
  auto add_param = [&](std::string name, std::string value) { result.parameters.emplace_back(std::move(name), std::move(value)); };
  add_param("mode", "incremental: new rows audited against accepted rows");
  add_param("accepted_rows", std::to_string(accepted_texts.size()));
  add_param("model_rows", std::to_string(model.n_rows));
  add_param("label_issues", "confident learning with the accepted data's per-class thresholds (held-out fold)");
  add_param("near_duplicate_min_cosine", fmt_double(o.near_duplicates.min_cosine));
  add_param("detect_triggers", o.detect_triggers ? "true" : "false");
  add_param("model_skill", fmt_double(model.model_skill));
  if (model.n_rows != static_cast<std::int64_t>(accepted_texts.size())) {
    result.warnings.push_back("the model was fitted on " + std::to_string(model.n_rows) + " rows but the accepted data has " +
                              std::to_string(accepted_texts.size()) + "; refit it (textaudit fit) when the accepted data changes");
  }

  // 1. Features of both sides with the accepted vocabulary; terms the accepted data never had are
  //    dropped by transform (and examined as new-trigger candidates below).
  text::CsrMatrix Xb, Xa;
  {
    Stage stage(result, o.progress, "vectorize batch");
    Xb = model.vectorizer.transform(texts);
  }
  {
    Stage stage(result, o.progress, "vectorize accepted");
    Xa = model.vectorizer.transform(accepted_texts);
  }
  std::int64_t empty_rows = 0;
  for (std::int64_t r = 0; r < Xb.rows; ++r) empty_rows += Xb.row_nnz(r) == 0;
  if (empty_rows > 0) {
    result.warnings.push_back(std::to_string(empty_rows) +
                              " new rows have no term of the accepted vocabulary; their predictions are the class priors");
  }

  // 2. New-trigger candidates: batch terms in at most trigger_max_accepted_rows accepted rows.
  std::vector<cleaning::SuspectedTrigger> candidates;
  std::vector<std::int32_t> masked_columns;
  if (o.detect_triggers) {
    Stage stage(result, o.progress, "screen new terms");
    std::vector<std::int64_t> df;
    if (o.incremental.trigger_max_accepted_rows > 0) {
      df.assign(static_cast<std::size_t>(Xa.cols), 0);
      for (const std::int32_t c : Xa.indices) ++df[c];
    }
    std::map<std::string, std::vector<std::int64_t>> rows_of;  // term -> batch rows (ascending)
    for (std::size_t r = 0; r < n; ++r) {
      std::vector<std::string> terms = model.vectorizer.analyze(texts[r]);
      std::sort(terms.begin(), terms.end());
      terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
      for (auto& term : terms) {
        const std::int32_t c = model.vectorizer.column_of(term);
        if (c >= 0 && (df.empty() || df[c] > o.incremental.trigger_max_accepted_rows)) continue;
        rows_of[std::move(term)].push_back(static_cast<std::int64_t>(r));
      }
    }
    const double max_rows = std::max<double>(double(o.triggers.min_rows), o.triggers.max_row_fraction * double(n));
    // Terms that always occur together (an inserted phrase) form one candidate.
    std::map<std::vector<std::int64_t>, std::vector<std::string>> groups;
    for (auto& [term, rows] : rows_of) {
      if (static_cast<std::int64_t>(rows.size()) < o.triggers.min_rows || double(rows.size()) > max_rows) continue;
      groups[rows].push_back(term);
    }
    for (auto& [rows, terms] : groups) {
      std::vector<std::int64_t> per_class(K, 0);
      for (const std::int64_t r : rows) ++per_class[y[r]];
      const int target = static_cast<int>(std::max_element(per_class.begin(), per_class.end()) - per_class.begin());
      const double concentration = double(per_class[target]) / double(rows.size());
      if (concentration < o.triggers.min_concentration) continue;
      cleaning::SuspectedTrigger t;
      for (const auto& term : terms) {
        t.term += (t.term.empty() ? "" : " ") + term;
        const std::int32_t c = model.vectorizer.column_of(term);
        if (c >= 0) t.columns.push_back(c);
      }
      t.target_class = target;
      t.rows = static_cast<std::int64_t>(rows.size());
      t.label_concentration = concentration;
      t.row_ids = rows;
      masked_columns.insert(masked_columns.end(), t.columns.begin(), t.columns.end());
      candidates.push_back(std::move(t));
    }
  }
  const bool l2 = model.vectorizer.params().norm == text::Norm::kL2;
  if (!masked_columns.empty()) {
    Xb = Xb.without_columns(masked_columns, l2);
    Xa = Xa.without_columns(masked_columns, l2);
  }

  // 3. The accepted model's reading of every new row (out-of-sample: it never saw them).
  {
    Stage stage(result, o.progress, "predict");
    result.pred_probs = model.model.predict_proba(Xb);
  }
  const DenseMatrix& P = result.pred_probs;

  // 4. Label issues: confidently another class by the accepted data's thresholds.
  {
    Stage stage(result, o.progress, "label issues");
    result.is_label_issue.assign(n, false);
    result.label_quality.assign(n, 0.0);
    result.predicted_label.assign(n, 0);
    result.confident_joint = DenseMatrix::Zero(K, K);
    for (std::size_t r = 0; r < n; ++r) {
      const auto row = static_cast<Eigen::Index>(r);
      result.label_quality[r] = P(row, y[r]);  // self-confidence, cleanlab's default
      result.predicted_label[r] = argmax_row(P, row);
      int confident = -1;
      for (int k = 0; k < K; ++k) {
        if (P(row, k) >= model.thresholds[k] && (confident < 0 || P(row, k) > P(row, confident))) confident = k;
      }
      if (confident < 0) continue;
      result.confident_joint(y[r], confident) += 1;
      result.is_label_issue[r] = confident != y[r];
    }
    if (model.model_skill < o.min_model_skill) {
      std::int64_t withheld = 0;
      for (std::size_t r = 0; r < n; ++r) {
        withheld += result.is_label_issue[r];
        result.is_label_issue[r] = false;
      }
      result.warnings.push_back("the accepted model predicts no better than the class frequencies on held-out rows (skill " +
                                fmt_double(model.model_skill) + "), so its " + std::to_string(withheld) +
                                " confident-learning flags are withheld");
    }
    for (std::size_t r = 0; r < n; ++r) result.num_label_issues += result.is_label_issue[r];
    // Noise estimates of the batch from its (uncalibrated) confident joint.
    result.noise_matrix = DenseMatrix::Zero(K, K);
    result.noise_rate.assign(K, 0.0);
    for (int j = 0; j < K; ++j) {
      const double col = result.confident_joint.col(j).sum();
      for (int i = 0; i < K; ++i) result.noise_matrix(i, j) = col > 0 ? result.confident_joint(i, j) / col : (i == j);
    }
    for (int i = 0; i < K; ++i) {
      const double row = result.confident_joint.row(i).sum();
      result.noise_rate[i] = row > 0 ? 1.0 - result.confident_joint(i, i) / row : 0.0;
    }
  }

  // 5. New triggers, judged on the model's reading (it cannot see a term the accepted data lacks).
  cleaning::PoisonRows poison;
  poison.is_suspected_poison.assign(n, false);
  poison.poison_score.assign(n, 0.0);
  poison.trigger_index.assign(n, -1);
  poison.read_as.assign(n, -1);
  if (!candidates.empty()) {
    Stage stage(result, o.progress, "confirm triggers");
    std::vector<char> carries(n, 0);
    for (const auto& t : candidates) {
      for (const std::int64_t r : t.row_ids) carries[r] = 1;
    }
    std::vector<double> base_rows(K, 0.0), base_flips(K, 0.0);
    for (std::size_t r = 0; r < n; ++r) {
      if (carries[r] || Xb.row_nnz(static_cast<std::int64_t>(r)) == 0) continue;
      base_rows[y[r]] += 1;
      base_flips[y[r]] += result.predicted_label[r] != y[r];
    }
    const double n_tests = double(candidates.size());
    for (auto& t : candidates) {
      const int target = t.target_class;
      std::vector<std::int64_t> votes(K, 0);
      std::vector<std::tuple<double, std::int64_t, int>> flipped;
      std::int64_t target_rows = 0;
      for (const std::int64_t r : t.row_ids) {
        // A row with no other known term reads as the prior: no evidence either way.
        if (y[r] != target || Xb.row_nnz(r) == 0) continue;
        ++target_rows;
        const int guess = result.predicted_label[r];
        if (guess == target) continue;
        ++votes[guess];
        flipped.emplace_back(P(r, target), r, guess);
      }
      const double batch_base = base_rows[target] > 0 ? base_flips[target] / base_rows[target] : 0.0;
      t.base_flip_rate = std::max(model.heldout_flip_rate[target], batch_base);
      t.flipped_rows = static_cast<std::int64_t>(flipped.size());
      t.flip_rate = target_rows > 0 ? double(t.flipped_rows) / double(target_rows) : 0.0;
      t.source_class = t.flipped_rows > 0 ? static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin()) : -1;
      t.p_value = std::min(1.0, binomial_upper_tail(target_rows, t.flipped_rows, std::max(t.base_flip_rate, 1e-3)) * n_tests);
      const double significance = std::min(1.0, -std::log10(std::max(t.p_value, 1e-300)) / 10.0);
      t.score = t.label_concentration * t.flip_rate * significance;
      t.confirmed = t.flipped_rows >= o.triggers.min_rows && t.flip_rate >= o.triggers.min_flip_rate &&
                    t.p_value <= o.incremental.trigger_max_p_value;
      std::sort(flipped.begin(), flipped.end());
      for (const auto& [p, r, as] : flipped) {
        if (t.example_rows.size() < 5) t.example_rows.push_back(r);
        t.flipped_row_ids.push_back(r);
        t.read_as.push_back(as);
      }
      std::vector<std::int64_t> order = t.flipped_row_ids;
      std::sort(order.begin(), order.end());
      std::vector<int> read_as_sorted;
      for (const std::int64_t r : order) {
        const auto it = std::find(t.flipped_row_ids.begin(), t.flipped_row_ids.end(), r);
        read_as_sorted.push_back(t.read_as[static_cast<std::size_t>(it - t.flipped_row_ids.begin())]);
      }
      t.flipped_row_ids = std::move(order);
      t.read_as = std::move(read_as_sorted);
      if (t.confirmed) result.triggers.push_back(t);
    }
    std::stable_sort(result.triggers.begin(), result.triggers.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    for (std::size_t ti = 0; ti < result.triggers.size(); ++ti) {
      const auto& t = result.triggers[ti];
      for (std::size_t i = 0; i < t.flipped_row_ids.size(); ++i) {
        const std::int64_t r = t.flipped_row_ids[i];
        const double score = t.score * (1.0 - P(r, t.target_class));
        if (poison.is_suspected_poison[r] && poison.poison_score[r] >= score) continue;
        poison.is_suspected_poison[r] = true;
        poison.poison_score[r] = score;
        poison.trigger_index[r] = static_cast<int>(ti);
        poison.read_as[r] = t.read_as[i];
      }
    }
  }

  // 6. Near-duplicates within the batch and of accepted rows.
  cleaning::NearDuplicateResult dups;
  std::vector<detail::AcceptedMatch> matches;
  {
    Stage stage(result, o.progress, "near-duplicates");
    cleaning::NearDuplicateParams params = o.near_duplicates;
    params.n_threads = n_threads;
    dups = cleaning::find_near_duplicates(Xb, params);
    matches = detail::match_accepted(Xa, ya, Xb, y, params.min_cosine, n_threads);
  }
  result.is_near_duplicate = dups.is_near_duplicate;
  result.near_duplicate_set = dups.set_id;
  result.near_duplicate_label_conflict.assign(n, false);
  result.accepted_duplicate_row.assign(n, -1);
  result.accepted_duplicate_label.assign(n, -1);
  result.accepted_duplicate_similarity.assign(n, 0.0);
  std::vector<std::string> dup_reason(n);
  // A row carrying a confirmed trigger, given its target, that copies a row of another class once
  // the trigger is gone is a planted copy even when the model is unsure (as in the full audit).
  auto mark_planted_copy = [&](std::size_t r, int copied_label) {
    if (poison.is_suspected_poison[r]) return;
    for (std::size_t ti = 0; ti < result.triggers.size(); ++ti) {
      const auto& t = result.triggers[ti];
      if (y[r] != t.target_class || copied_label == t.target_class ||
          !std::binary_search(t.row_ids.begin(), t.row_ids.end(), static_cast<std::int64_t>(r))) {
        continue;
      }
      poison.is_suspected_poison[r] = true;
      poison.poison_score[r] = t.score * (1.0 - P(static_cast<Eigen::Index>(r), t.target_class));
      poison.trigger_index[r] = static_cast<int>(ti);
      poison.read_as[r] = copied_label;
      return;
    }
  };
  for (const auto& group : dups.groups) {
    std::set<int> group_labels;
    for (const std::int64_t r : group) group_labels.insert(y[r]);
    if (group_labels.size() < 2) continue;
    for (const std::int64_t r : group) {
      result.near_duplicate_label_conflict[r] = true;
      for (const std::int64_t s : group) {
        if (y[s] == y[r]) continue;
        dup_reason[r] = "near-duplicate of new row " + std::to_string(s) + " labelled '" + result.classes[y[s]] + "'";
        mark_planted_copy(static_cast<std::size_t>(r), y[s]);
        break;
      }
    }
  }
  for (std::size_t r = 0; r < n; ++r) {
    const detail::AcceptedMatch& m = matches[r];
    if (m.row < 0) continue;
    result.accepted_duplicate_row[r] = m.row;
    result.accepted_duplicate_label[r] = ya[m.row];
    result.accepted_duplicate_similarity[r] = m.cosine;
    result.is_near_duplicate[r] = true;
    if (ya[m.row] != y[r]) {
      result.near_duplicate_label_conflict[r] = true;
      dup_reason[r] = "near-duplicate of accepted row " + std::to_string(m.row) + " labelled '" + result.classes[ya[m.row]] +
                      "' (cosine " + fmt_double(std::round(m.cosine * 1000) / 1000) + ")";
      mark_planted_copy(r, ya[m.row]);
    }
  }

  // 7. Outliers among the new rows.
  {
    Stage stage(result, o.progress, "outliers");
    cleaning::OutlierParams params = o.outliers;
    params.n_threads = n_threads;
    params.k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(params.k), n - 1));
    if (params.k >= 1 && params.n_reference > params.k) {
      cleaning::OutlierResult outliers = cleaning::find_outliers(Xb, params);
      result.is_outlier = std::move(outliers.is_outlier);
      result.outlier_score = std::move(outliers.score);
    } else {
      result.is_outlier.assign(n, false);
      result.outlier_score.assign(n, 1.0);
    }
  }

  // 8. Combine, as the full audit does (audit/auditor.cc step 9), with the accepted duplicates.
  result.is_suspected_poison = poison.is_suspected_poison;
  result.poison_score = poison.poison_score;
  result.trigger.assign(n, "");
  result.is_ambiguous.assign(n, false);
  result.ambiguity_score.assign(n, 0.0);
  result.issue_score.assign(n, 0.0);
  result.reasons.assign(n, "");
  for (std::size_t r = 0; r < n; ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    const int given = y[r];
    const detail::RowAmbiguity amb = detail::row_ambiguity(P, row);
    const int top1 = amb.top1, top2 = amb.top2;
    result.ambiguity_score[r] = amb.entropy;
    if (result.is_suspected_poison[r]) {
      result.is_label_issue[r] = true;
      result.trigger[r] = result.triggers[poison.trigger_index[r]].term;
    }
    result.is_ambiguous[r] = !result.is_label_issue[r] && amb.margin < o.ambiguity_margin && (given == top1 || given == top2);
    const double lq = result.label_quality[r];
    double score = 0.5 * (1.0 - lq);
    std::string& why = result.reasons[r];
    if (result.is_suspected_poison[r]) {
      score = std::max(score, 0.9 + 0.1 * result.poison_score[r]);
      add_reason(why, "carries new suspected trigger '" + result.trigger[r] + "' (absent from the accepted data); reads as '" +
                          result.classes[poison.read_as[r]] + "'");
    } else if (result.is_label_issue[r]) {
      score = std::max(score, 0.5 + 0.5 * (1.0 - lq));
      add_reason(why, "label '" + result.classes[given] + "' but the accepted model predicts '" +
                          result.classes[result.predicted_label[r]] + "' (p=" +
                          fmt_double(std::round(P(row, result.predicted_label[r]) * 100) / 100) + ")");
    }
    if (result.near_duplicate_label_conflict[r]) {
      score = std::max(score, 0.45 + 0.4 * (1.0 - lq));
      add_reason(why, dup_reason[r]);
    } else if (result.accepted_duplicate_row[r] >= 0) {
      score = std::max(score, 0.3);
      add_reason(why, "repeats accepted row " + std::to_string(result.accepted_duplicate_row[r]));
    } else if (result.is_near_duplicate[r] && result.near_duplicate_set[r] != static_cast<std::int64_t>(r)) {
      score = std::max(score, 0.3);
      add_reason(why, "repeats new row " + std::to_string(result.near_duplicate_set[r]));
    }
    if (result.is_outlier[r]) {
      score = std::max(score, 0.3 + 0.2 * (1.0 - result.outlier_score[r]));
      add_reason(why, "outlier (unlike the other new rows)");
    }
    if (result.is_ambiguous[r]) {
      score = std::max(score, 0.25 + 0.25 * result.ambiguity_score[r]);
      add_reason(why, "ambiguous between '" + result.classes[top1] + "' and '" + result.classes[top2] + "'");
    }
    result.issue_score[r] = std::clamp(score, 0.0, 1.0);
  }
  std::int64_t conflicts = 0, repeats = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (result.accepted_duplicate_row[r] < 0) continue;
    (result.accepted_duplicate_label[r] != y[r] ? conflicts : repeats) += 1;
  }
  add_param("accepted_duplicate_conflicts", std::to_string(conflicts));
  add_param("accepted_duplicate_repeats", std::to_string(repeats));
  for (const auto& t : result.triggers) {
    result.alarms.push_back("new suspected backdoor trigger '" + t.term + "' (absent from the accepted data): " +
                            std::to_string(t.flipped_rows) + " of " + std::to_string(t.rows) + " new rows carrying it are labelled '" +
                            result.classes[t.target_class] + "' but read as '" + result.classes[std::max(t.source_class, 0)] + "'");
  }
  return result;
}

}  // namespace textaudit::audit
