#include "audit/auditor.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "audit/detail/ambiguity.h"
#include "audit/detail/inputs.h"
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

// Rows r with selected(r) read again out of fold: by models[test_fold[r]] on row r of X, into
// probs (rows whose fold has no model keep their values).
template <class Selected>
void read_by_own_fold(const std::vector<models::LogisticRegression>& models, const std::vector<int>& test_fold,
                      const text::CsrMatrix& X, Selected&& selected, DenseMatrix& probs) {
  std::vector<std::vector<std::int64_t>> fold_rows(models.size());
  for (std::int64_t r = 0; r < X.rows; ++r) {
    const auto f = static_cast<std::size_t>(test_fold[static_cast<std::size_t>(r)]);
    if (f < fold_rows.size() && selected(r)) fold_rows[f].push_back(r);
  }
  for (std::size_t f = 0; f < fold_rows.size(); ++f) {
    if (fold_rows[f].empty()) continue;
    const DenseMatrix p = models[f].predict_proba(X, fold_rows[f]);
    for (std::size_t i = 0; i < fold_rows[f].size(); ++i)
      probs.row(static_cast<Eigen::Index>(fold_rows[f][i])) = p.row(static_cast<Eigen::Index>(i));
  }
}

int resolve_threads(int n_threads) {
  if (n_threads > 0) return n_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string fmt_double(double v) {
  std::ostringstream out;
  out.precision(6);
  out << v;
  return out.str();
}

std::string join_rows(const std::vector<std::int64_t>& rows, std::int64_t skip, std::size_t max_rows) {
  std::string out;
  std::size_t shown = 0;
  for (const std::int64_t r : rows) {
    if (r == skip) continue;
    if (shown == max_rows) return out + ", ...";
    if (!out.empty()) out += ", ";
    out += std::to_string(r);
    ++shown;
  }
  return out;
}

void add_reason(std::string& reasons, const std::string& reason) {
  if (!reasons.empty()) reasons += "; ";
  reasons += reason;
}

void record_parameters(const AuditOptions& o, const std::vector<std::string>& classes, AuditResult& r) {
  auto add = [&](std::string name, std::string value) { r.parameters.emplace_back(std::move(name), std::move(value)); };
  add("ngram_range", std::to_string(o.tfidf.ngram_range.first) + "," + std::to_string(o.tfidf.ngram_range.second));
  add("min_df", fmt_double(o.tfidf.min_df.value) + (o.tfidf.min_df.is_fraction ? " (fraction)" : " (documents)"));
  add("max_df", fmt_double(o.tfidf.max_df.value) + (o.tfidf.max_df.is_fraction ? " (fraction)" : " (documents)"));
  add("max_features", std::to_string(o.tfidf.max_features));
  add("sublinear_tf", o.tfidf.sublinear_tf ? "true" : "false");
  add("lowercase", o.tfidf.lowercase ? "true" : "false");
  add("C", fmt_double(o.model.C));
  add("tol", fmt_double(o.model.tol));
  add("max_iter", std::to_string(o.model.max_iter));
  add("class_weight", o.model.class_weight == models::ClassWeight::kBalanced ? "balanced" : "none");
  add("folds", o.folds.empty() ? std::to_string(o.n_splits) : "user-supplied");
  add("seed", std::to_string(o.random_state));
  add("filter_by", std::string(cleaning::filter_by_name(o.label_issues.filter_by)));
  add("frac_noise", fmt_double(o.label_issues.frac_noise));
  add("min_examples_per_class", std::to_string(o.label_issues.min_examples_per_class));
  add("near_duplicate_min_cosine", fmt_double(o.near_duplicates.min_cosine));
  add("outlier_k", std::to_string(o.outliers.k));
  add("ambiguity_margin", fmt_double(o.ambiguity_margin));
  add("detect_triggers", o.detect_triggers ? "true" : "false");
  add("classes", std::to_string(classes.size()));
}

}  // namespace

void check_options(const AuditOptions& options) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("AuditOptions: " + what); };
  if (options.folds.empty() && options.n_splits < 2) bad("n_splits must be >= 2, got " + std::to_string(options.n_splits));
  if (options.n_threads < 0) bad("n_threads must be >= 0");
  if (!(options.ambiguity_margin >= 0 && options.ambiguity_margin <= 1)) bad("ambiguity_margin must be in [0, 1]");
  if (!(options.alarm_min_ratio >= 1)) bad("alarm_min_ratio must be >= 1");
  if (!(options.alarm_min_rate >= 0 && options.alarm_min_rate <= 1)) bad("alarm_min_rate must be in [0, 1]");
  text::check_params(options.tfidf);
  models::check_params(options.model);
  cleaning::check_params(options.triggers);
}

Auditor::Auditor(AuditOptions options) : options_(std::move(options)) { check_options(options_); }

AuditResult Auditor::run(const std::vector<std::string>& texts, const std::vector<std::string>& labels) const {
  return run(texts, labels, ExternalInputs{});
}

AuditResult Auditor::run(const std::vector<std::string>& texts, const std::vector<std::string>& labels,
                         const ExternalInputs& inputs) const {
  const AuditOptions& o = options_;
  if (texts.size() != labels.size()) {
    throw std::invalid_argument("Auditor::run: " + std::to_string(texts.size()) + " texts but " +
                                std::to_string(labels.size()) + " labels");
  }
  if (texts.empty()) throw DataError("nothing to audit: the dataset has no rows");
  if (!o.folds.empty() && o.folds.size() != texts.size()) {
    throw std::invalid_argument("AuditOptions::folds has " + std::to_string(o.folds.size()) + " entries for " +
                                std::to_string(texts.size()) + " rows");
  }
  const int n_threads = resolve_threads(o.n_threads);
  AuditResult result;
  const std::size_t n = texts.size();
  result.n_rows = n;

  const text::EncodedLabels encoded = text::encode_labels(labels);
  if (encoded.classes.size() < 2) {
    throw DataError("every row has the label '" + encoded.classes.front() +
                    "': an audit needs at least two classes to tell label errors from the rest");
  }
  result.classes = encoded.classes;
  result.given_label = encoded.y;
  const std::vector<int>& y = result.given_label;
  const int K = static_cast<int>(result.classes.size());
  record_parameters(o, result.classes, result);
  // Bring your own model: the user's pred_probs replace cross-validation, their features TF-IDF
  // for near-duplicates and outliers.
  const bool own_probs = inputs.pred_probs.size() > 0;
  const bool own_features = inputs.features.size() > 0;
  if (own_probs) result.pred_probs = detail::checked_pred_probs(inputs, result.classes, n);
  if (own_features) detail::check_features(inputs, n);
  detail::record_inputs(inputs, o.detect_triggers, result);

  // 1. Features.
  text::TfidfParams tfidf_params = o.tfidf;
  tfidf_params.n_threads = n_threads;
  text::TfidfVectorizer vectorizer(tfidf_params);
  text::CsrMatrix X;
  {
    Stage stage(result, o.progress, "vectorize");
    X = vectorizer.fit_transform(texts);
  }
  std::int64_t empty_rows = 0;
  for (std::int64_t r = 0; r < X.rows; ++r) empty_rows += X.row_nnz(r) == 0;
  if (empty_rows > 0) {
    result.warnings.push_back(std::to_string(empty_rows) +
                              " rows have no token the vectorizer keeps; their predictions are the class priors");
  }

  // 2. Folds.
  crossval::FoldAssignment folds;  // not needed with the user's pred_probs
  if (!own_probs) {
    folds = o.folds.empty() ? crossval::stratified_kfold(y, K, o.n_splits, /*shuffle=*/true, o.random_state)
                            : crossval::fold_assignment(o.folds, y, K);
    for (const auto& w : folds.warnings) result.warnings.push_back(w);
  }

  models::LogisticRegressionParams model_params = o.model;
  model_params.n_threads = n_threads;

  // 3. Out-of-fold probabilities on every term: the standard pipeline's, which confident learning
  //    uses unless a trigger is confirmed. The fold models are kept for the trigger analysis.
  crossval::CrossValResult cv;
  if (!own_probs) {
    Stage stage(result, o.progress, "cross-validate");
    crossval::ProgressCallback on_fold;
    if (o.progress) on_fold = [&](int done, int total) { o.progress("cross-validate", double(done) / double(total)); };
    cv = crossval::cross_val_predict(X, y, K, model_params, folds, n_threads, on_fold, nullptr,
                                     /*keep_fold_models=*/o.detect_triggers);
    result.pred_probs = std::move(cv.pred_probs);
    for (const auto& w : cv.warnings) result.warnings.push_back(w);
  }

  // 4. Trigger screen: the weights of one model of all rows rank every column; the candidates are
  //    then masked, and their rows read again without them. The all-rows model is the mean of
  //    the fold models (each fitted on 4/5 of the rows, to a 1e-7 gap), which costs no fit; with
  //    the user's probabilities, or when a fold lacks a class, it is fitted.
  std::vector<cleaning::SuspectedTrigger> candidates;
  text::CsrMatrix masked;
  const text::CsrMatrix* features = &X;
  models::LogisticRegression full;
  DenseMatrix reading_probs;  // P with the candidates masked, for the trigger analysis
  if (o.detect_triggers) {
    Stage stage(result, o.progress, "screen triggers");
    DenseMatrix coef;
    std::vector<double> intercept;
    bool same_shape = !cv.fold_models.empty();
    for (const auto& m : cv.fold_models) same_shape = same_shape && static_cast<int>(m.classes().size()) == K;
    if (same_shape) {
      for (const auto& m : cv.fold_models) {
        const DenseMatrix c = m.coef();
        const std::vector<double> b = m.intercept();
        if (coef.size() == 0) {
          coef = c;
          intercept = b;
        } else {
          coef += c;
          for (std::size_t v = 0; v < b.size(); ++v) intercept[v] += b[v];
        }
      }
      const double folds_n = static_cast<double>(cv.fold_models.size());
      coef /= folds_n;
      for (double& v : intercept) v /= folds_n;
    } else {
      // 1e-6: the screen reads probabilities with and without candidate terms, which a 1e-6
      // relative gap fixes to ~1e-3; the candidates are then tested out of fold.
      models::LogisticRegressionParams screen_params = model_params;
      if (screen_params.tol == 0.0) screen_params.ftol = std::max(screen_params.ftol, 1e-6);
      full.set_params(screen_params);
      full.fit(X, y, K);
      coef = full.coef();
      intercept = full.intercept();
    }
    cleaning::TriggerParams screen = o.triggers;
    screen.n_threads = n_threads;
    candidates = cleaning::find_trigger_candidates(X, y, K, coef, intercept, vectorizer.vocabulary(), screen);
    if (!candidates.empty()) {
      std::vector<std::int32_t> columns;
      for (const auto& c : candidates) columns.insert(columns.end(), c.columns.begin(), c.columns.end());
      masked = X.without_columns(columns, tfidf_params.norm == text::Norm::kL2);
      features = &masked;
      if (!own_probs) {
        // Out of fold: each row carrying a candidate is read by its own fold's model on the
        // masked row (every other row reads the same without the candidates).
        std::vector<bool> is_candidate(static_cast<std::size_t>(X.cols), false);
        for (const auto c : columns) is_candidate[static_cast<std::size_t>(c)] = true;
        reading_probs = result.pred_probs;
        read_by_own_fold(cv.fold_models, folds.test_fold, masked, [&](std::int64_t r) {
          for (const auto c : X.row_indices(r)) {
            if (is_candidate[static_cast<std::size_t>(c)]) return true;
          }
          return false;
        }, reading_probs);
      }
    }
  }
  cv.fold_models = {};
  // With the user's probabilities, triggers are read by the all-rows model on the masked rows
  // instead (in-sample, so it reads rows as their given label more readily).
  if (own_probs && o.detect_triggers) {
    Stage stage(result, o.progress, "trigger reading");
    reading_probs = full.predict_proba(*features);
  }
  const DenseMatrix& P = result.pred_probs;
  const DenseMatrix& reading = reading_probs.size() > 0 ? reading_probs : result.pred_probs;  // triggers

  // 5. Confirm triggers and mark the rows they poisoned.
  cleaning::PoisonRows poison;
  {
    Stage stage(result, o.progress, "confirm triggers");
    cleaning::TriggerParams params = o.triggers;
    params.n_threads = n_threads;
    result.triggers = cleaning::confirm_triggers(candidates, y, reading, features, params);
    poison = cleaning::mark_poison_rows(result.triggers, reading);
  }

  // 5b. With triggers confirmed, the planted rows would keep teaching the model their wrong label
  //     (masked, they are copies of class-A text labelled B). Refit without them, with only the
  //     confirmed triggers masked, so that confident learning judges every other row on a clean model.
  if (!result.triggers.empty() && !own_probs) {
    Stage stage(result, o.progress, "cross-validate without poison");
    std::vector<std::int32_t> columns;
    for (const auto& t : result.triggers) columns.insert(columns.end(), t.columns.begin(), t.columns.end());
    const text::CsrMatrix triggers_masked = X.without_columns(columns, tfidf_params.norm == text::Norm::kL2);
    std::vector<std::size_t> keep;
    for (std::size_t r = 0; r < n; ++r) {
      if (!poison.is_suspected_poison[r]) keep.push_back(r);
    }
    std::vector<int> y_keep, fold_keep;
    for (const std::size_t r : keep) {
      y_keep.push_back(y[r]);
      fold_keep.push_back(folds.test_fold[r]);
    }
    const crossval::FoldAssignment folds_keep = crossval::fold_assignment(fold_keep, y_keep, K);
    crossval::ProgressCallback on_fold;
    if (o.progress) on_fold = [&](int done, int total) { o.progress("cross-validate without poison", double(done) / double(total)); };
    const crossval::CrossValResult cv = crossval::cross_val_predict(triggers_masked.select_rows(keep), y_keep, K, model_params,
                                                                    folds_keep, n_threads, on_fold, nullptr,
                                                                    /*keep_fold_models=*/true);
    for (std::size_t i = 0; i < keep.size(); ++i) result.pred_probs.row(static_cast<Eigen::Index>(keep[i])) = cv.pred_probs.row(static_cast<Eigen::Index>(i));
    // The poisoned rows, read by the clean model of their own fold (which saw neither them nor
    // any other poisoned row), without the triggers.
    read_by_own_fold(cv.fold_models, folds.test_fold, triggers_masked,
                     [&](std::int64_t r) { return poison.is_suspected_poison[static_cast<std::size_t>(r)]; },
                     result.pred_probs);
    for (const auto& w : cv.warnings) result.warnings.push_back(w);
  }

  // 6. Confident learning.
  {
    Stage stage(result, o.progress, "label issues");
    cleaning::FindLabelIssuesParams cl = o.label_issues;
    cl.n_threads = n_threads;
    cleaning::LabelIssuesReport report = cleaning::audit_label_issues(y, P, cl);
    result.is_label_issue = std::move(report.is_label_issue);
    result.label_quality = std::move(report.label_quality);
    result.predicted_label = std::move(report.predicted_label);
    result.num_label_issues = report.num_label_issues;
    result.confident_joint = report.confident_joint.cast<double>();
    // Confident learning trusts pred_probs. When the out-of-fold model predicts no better than the
    // class frequencies (tiny or structureless data), its flags are noise: withhold them and say so.
    std::vector<double> prior(K, 0.0);
    for (const int label : y) prior[label] += 1.0 / double(n);
    double prior_loss = 0.0, model_loss = 0.0;
    for (int k = 0; k < K; ++k) prior_loss -= prior[k] > 0 ? prior[k] * std::log(prior[k]) : 0.0;
    for (std::size_t r = 0; r < n; ++r) model_loss -= std::log(std::max(P(static_cast<Eigen::Index>(r), y[r]), 1e-15)) / double(n);
    const double skill = prior_loss > 0 ? 1.0 - model_loss / prior_loss : 0.0;
    result.parameters.emplace_back("model_skill", fmt_double(skill));
    if (skill < o.min_model_skill) {
      std::int64_t withheld = 0;
      for (std::size_t r = 0; r < n; ++r) {
        withheld += result.is_label_issue[r];
        result.is_label_issue[r] = false;
      }
      result.warnings.push_back("the cross-validated model predicts no better than the class frequencies (log-loss " +
                                fmt_double(model_loss) + " vs " + fmt_double(prior_loss) + "), so its " +
                                std::to_string(withheld) +
                                " confident-learning flags are withheld; more rows, or features that fit the task, are needed");
    }
    result.noise_matrix = report.latent.noise_matrix;
    result.noise_rate.assign(K, 0.0);
    for (int k = 0; k < K; ++k) result.noise_rate[k] = 1.0 - report.latent.inverse_noise_matrix(k, k);
  }

  // 7. Near-duplicates and outliers, at the same time (each reads only the features, and each
  //    leaves part of the cores idle in its serial steps). Near-duplicates are found on the
  //    (trigger-masked) rows: a planted copy differs from its source by the trigger alone, so with
  //    the trigger masked it is an exact duplicate with another label.
  cleaning::NearDuplicateResult dups;
  {
    Stage stage(result, o.progress, "near-duplicates and outliers");
    auto outliers = std::async(std::launch::async, [&] {
      cleaning::OutlierParams params = o.outliers;
      params.n_threads = n_threads;
      // Tiny datasets have fewer than k other rows: use them all (one row alone cannot be an outlier).
      params.k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(params.k), n - 1));
      if (params.k >= 1) {
        cleaning::OutlierResult r =
            own_features ? cleaning::find_outliers(inputs.features, params) : cleaning::find_outliers(*features, params);
        result.is_outlier = std::move(r.is_outlier);
        result.outlier_score = std::move(r.score);
      } else {
        result.is_outlier.assign(n, false);
        result.outlier_score.assign(n, 1.0);
      }
    });
    cleaning::NearDuplicateParams params = o.near_duplicates;
    params.n_threads = n_threads;
    try {
      dups = own_features ? detail::dense_near_duplicates(inputs.features, params) : cleaning::find_near_duplicates(*features, params);
    } catch (...) {
      outliers.wait();
      throw;
    }
    outliers.get();
  }
  result.is_near_duplicate = dups.is_near_duplicate;
  result.near_duplicate_set = dups.set_id;
  result.near_duplicate_label_conflict.assign(n, false);
  std::vector<std::string> dup_reason(n);
  std::vector<std::int64_t> dup_partner(n, -1);  // a copy with another label
  for (const auto& group : dups.groups) {
    std::set<int> group_labels;
    for (const std::int64_t r : group) group_labels.insert(y[r]);
    if (group_labels.size() < 2) continue;
    for (const std::int64_t r : group) {
      result.near_duplicate_label_conflict[r] = true;
      std::vector<std::int64_t> others;
      for (const std::int64_t s : group) {
        if (y[s] != y[r]) others.push_back(s);
      }
      dup_partner[r] = others.front();
      dup_reason[r] = "near-duplicate of row " + join_rows(others, -1, 3) + " labelled '" +
                      result.classes[y[others.front()]] + "'";
    }
  }
  // A row carrying a confirmed trigger, given the trigger's target class, that duplicates a row of
  // another class once the trigger is masked, is a planted copy even when the model is unsure.
  for (std::size_t r = 0; r < n; ++r) {
    if (poison.is_suspected_poison[r] || !result.near_duplicate_label_conflict[r]) continue;
    for (std::size_t t = 0; t < result.triggers.size(); ++t) {
      const auto& trig = result.triggers[t];
      if (y[r] != trig.target_class) continue;
      if (!std::binary_search(trig.row_ids.begin(), trig.row_ids.end(), static_cast<std::int64_t>(r))) continue;
      poison.is_suspected_poison[r] = true;
      poison.poison_score[r] = trig.score * (1.0 - reading(static_cast<Eigen::Index>(r), trig.target_class));
      poison.trigger_index[r] = static_cast<int>(t);
      poison.read_as[r] = y[dup_partner[r]];
      break;
    }
  }

  // 8. Combine: poison rows are label errors too (their text reads as another class).
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
    // Ambiguity: normalised entropy; ambiguous when the top two classes are within the margin, the
    // given label is one of them, and the row is not already a label error.
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
      // A confirmed trigger is strong evidence: its rows rank above ordinary label errors.
      score = std::max(score, 0.9 + 0.1 * result.poison_score[r]);
      const auto& trig = result.triggers[poison.trigger_index[r]];
      add_reason(why, "carries suspected trigger '" + trig.term + "'; without it reads as '" +
                          result.classes[poison.read_as[r]] + "'");
    } else if (result.is_label_issue[r]) {
      score = std::max(score, 0.5 + 0.5 * (1.0 - lq));
      add_reason(why, "label '" + result.classes[given] + "' but the model predicts '" +
                          result.classes[result.predicted_label[r]] + "' (p=" +
                          fmt_double(std::round(P(row, result.predicted_label[r]) * 100) / 100) + ")");
    }
    if (result.near_duplicate_label_conflict[r]) {
      score = std::max(score, 0.45 + 0.4 * (1.0 - lq));
      add_reason(why, dup_reason[r]);
    } else if (result.is_near_duplicate[r] && result.near_duplicate_set[r] != static_cast<std::int64_t>(r)) {
      score = std::max(score, 0.3);
      add_reason(why, "repeats row " + std::to_string(result.near_duplicate_set[r]));
    }
    if (result.is_outlier[r]) {
      score = std::max(score, 0.3 + 0.2 * (1.0 - result.outlier_score[r]));
      add_reason(why, "outlier (unlike its nearest rows)");
    }
    if (result.is_ambiguous[r]) {
      score = std::max(score, 0.25 + 0.25 * result.ambiguity_score[r]);
      add_reason(why, "ambiguous between '" + result.classes[top1] + "' and '" + result.classes[top2] + "'");
    }
    result.issue_score[r] = std::clamp(score, 0.0, 1.0);
  }

  // 9. Targeted-flip alarm: noise concentrated in one direction of one class pair.
  const DenseMatrix& cj = result.confident_joint;
  std::vector<std::int64_t> count(K, 0);
  for (const int label : y) ++count[label];
  for (int given = 0; given < K; ++given) {
    for (int truth = 0; truth < K; ++truth) {
      if (given == truth || count[given] == 0) continue;
      const double forward = cj(given, truth), backward = cj(truth, given);
      const double rate = forward / double(count[given]);
      if (forward >= 10 && rate >= o.alarm_min_rate && forward >= o.alarm_min_ratio * std::max(backward, 1.0)) {
        result.alarms.push_back("targeted flip: about " + std::to_string(static_cast<std::int64_t>(forward)) + " rows (" +
                                fmt_double(std::round(rate * 1000) / 10) + "% of '" + result.classes[given] +
                                "') look like '" + result.classes[truth] + "' but are labelled '" +
                                result.classes[given] + "', against " + std::to_string(static_cast<std::int64_t>(backward)) +
                                " the other way: one-directional noise is what a poisoning campaign leaves");
      }
    }
  }
  for (const auto& t : result.triggers) {
    result.alarms.push_back("suspected backdoor trigger '" + t.term + "': " + std::to_string(t.flipped_rows) + " of " +
                            std::to_string(t.rows) + " rows carrying it are labelled '" + result.classes[t.target_class] +
                            "' but read as '" + result.classes[std::max(t.source_class, 0)] + "' without it");
  }
  // The same warning can come from two stages (the split and the fits): keep the first of each.
  std::vector<std::string> unique;
  for (auto& w : result.warnings) {
    if (std::find(unique.begin(), unique.end(), w) == unique.end()) unique.push_back(std::move(w));
  }
  result.warnings = std::move(unique);
  return result;
}

}  // namespace textaudit::audit
