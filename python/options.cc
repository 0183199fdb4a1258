// python/options.cc: see options.h. Values are checked strictly (a bool is not an int, a str is not
// a sequence of ints) so that a typo fails loudly instead of running a different audit.
#include "python/options.h"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace textaudit::python {
namespace {

template <typename T>
using Setters = std::map<std::string, std::function<void(T&, py::handle, const std::string&)>>;

[[noreturn]] void wrong_type(const std::string& key, const char* expected, py::handle value) {
  throw py::type_error("option '" + key + "': expected " + expected + ", got " +
                       std::string(py::str(py::type::of(value).attr("__name__"))) + " " +
                       std::string(py::repr(value)));
}

bool is_int(py::handle v) {
  // Python ints and NumPy integers (operator.index), never bools.
  return !py::isinstance<py::bool_>(v) && (py::isinstance<py::int_>(v) || py::hasattr(v, "__index__"));
}

bool as_bool(py::handle v, const std::string& key) {
  if (py::isinstance<py::bool_>(v) || py::type::of(v).attr("__name__").cast<std::string>() == "bool_") return py::cast<bool>(v);
  wrong_type(key, "a bool", v);
}

long long as_int(py::handle v, const std::string& key) {
  if (!is_int(v)) wrong_type(key, "an int", v);
  return py::int_(v.attr("__index__")()).cast<long long>();
}

double as_float(py::handle v, const std::string& key) {
  if (py::isinstance<py::bool_>(v) || !(py::isinstance<py::float_>(v) || is_int(v) || py::hasattr(v, "__float__"))) {
    wrong_type(key, "a number", v);
  }
  return py::float_(py::reinterpret_borrow<py::object>(v)).cast<double>();
}

std::string as_str(py::handle v, const std::string& key) {
  if (!py::isinstance<py::str>(v)) wrong_type(key, "a str", v);
  return v.cast<std::string>();
}

// "none" for Python None, else the string.
std::string as_name_or_none(py::handle v, const std::string& key) {
  return v.is_none() ? std::string("none") : as_str(v, key);
}

template <typename Int>
std::vector<Int> as_int_list(py::handle v, const std::string& key) {
  if (py::isinstance<py::str>(v) || py::isinstance<py::bytes>(v) || !py::isinstance<py::iterable>(v)) {
    wrong_type(key, "a sequence of ints", v);
  }
  std::vector<Int> out;
  for (py::handle item : py::iter(v)) out.push_back(static_cast<Int>(as_int(item, key + "[]")));
  return out;
}

std::vector<double> as_float_list(py::handle v, const std::string& key) {
  if (py::isinstance<py::str>(v) || !py::isinstance<py::iterable>(v)) wrong_type(key, "a sequence of numbers", v);
  std::vector<double> out;
  for (py::handle item : py::iter(v)) out.push_back(as_float(item, key + "[]"));
  return out;
}

// scikit-learn's min_df / max_df: an int counts documents, a float is a fraction of them.
text::DocFreq as_doc_freq(py::handle v, const std::string& key) {
  if (is_int(v)) return text::DocFreq::count(as_int(v, key));
  if (py::isinstance<py::float_>(v)) return text::DocFreq::fraction(v.cast<double>());
  wrong_type(key, "an int (documents) or a float (fraction)", v);
}

cleaning::Metric as_metric(py::handle v, const std::string& key) {
  const std::string name = v.is_none() ? "auto" : as_str(v, key);
  if (name == "auto") return cleaning::Metric::kAuto;
  if (name == "cosine") return cleaning::Metric::kCosine;
  if (name == "euclidean") return cleaning::Metric::kEuclidean;
  throw std::invalid_argument("option '" + key + "': expected 'cosine', 'euclidean' or None, got '" + name + "'");
}

int as_threads(py::handle v, const std::string& key) {
  return v.is_none() ? 0 : static_cast<int>(as_int(v, key));  // None = all cores
}

template <typename T>
void apply(T& target, const Setters<T>& setters, py::handle mapping, const std::string& prefix) {
  if (!py::isinstance<py::dict>(mapping)) wrong_type(prefix, "a dict of its fields", mapping);
  for (auto item : py::reinterpret_borrow<py::dict>(mapping)) {
    const std::string key = py::str(item.first);
    const auto it = setters.find(key);
    if (it == setters.end()) {
      std::string known;
      for (const auto& [name, _] : setters) known += (known.empty() ? "" : ", ") + name;
      throw py::type_error("unknown option '" + prefix + (prefix.empty() ? "" : ".") + key + "'; expected one of: " + known);
    }
    it->second(target, item.second, prefix.empty() ? key : prefix + "." + key);
  }
}

const Setters<text::TfidfParams>& tfidf_setters() {
  using P = text::TfidfParams;
  static const Setters<P> s = {
      {"lowercase", [](P& p, py::handle v, const std::string& k) { p.lowercase = as_bool(v, k); }},
      {"strip_accents", [](P& p, py::handle v, const std::string& k) { p.strip_accents = text::parse_strip_accents(as_name_or_none(v, k)); }},
      {"token_pattern", [](P& p, py::handle v, const std::string& k) { p.token_pattern = as_str(v, k); }},
      {"ngram_range", [](P& p, py::handle v, const std::string& k) {
         const auto r = as_int_list<int>(v, k);
         if (r.size() != 2) throw std::invalid_argument("option '" + k + "': expected (min_n, max_n)");
         p.ngram_range = {r[0], r[1]};
       }},
      {"min_df", [](P& p, py::handle v, const std::string& k) { p.min_df = as_doc_freq(v, k); }},
      {"max_df", [](P& p, py::handle v, const std::string& k) { p.max_df = as_doc_freq(v, k); }},
      {"max_features", [](P& p, py::handle v, const std::string& k) { p.max_features = v.is_none() ? 0 : as_int(v, k); }},
      {"use_idf", [](P& p, py::handle v, const std::string& k) { p.use_idf = as_bool(v, k); }},
      {"smooth_idf", [](P& p, py::handle v, const std::string& k) { p.smooth_idf = as_bool(v, k); }},
      {"sublinear_tf", [](P& p, py::handle v, const std::string& k) { p.sublinear_tf = as_bool(v, k); }},
      {"norm", [](P& p, py::handle v, const std::string& k) { p.norm = text::parse_norm(as_name_or_none(v, k)); }},
      {"binary", [](P& p, py::handle v, const std::string& k) { p.binary = as_bool(v, k); }},
      {"n_threads", [](P& p, py::handle v, const std::string& k) { p.n_threads = as_threads(v, k); }},
      {"decode_error", [](P& p, py::handle v, const std::string& k) { p.decode_error = text::parse_decode_error(as_str(v, k)); }},
  };
  return s;
}

const Setters<models::LogisticRegressionParams>& model_setters() {
  using P = models::LogisticRegressionParams;
  static const Setters<P> s = {
      {"C", [](P& p, py::handle v, const std::string& k) { p.C = as_float(v, k); }},
      {"fit_intercept", [](P& p, py::handle v, const std::string& k) { p.fit_intercept = as_bool(v, k); }},
      {"tol", [](P& p, py::handle v, const std::string& k) { p.tol = as_float(v, k); }},
      {"ftol", [](P& p, py::handle v, const std::string& k) { p.ftol = as_float(v, k); }},
      {"max_iter", [](P& p, py::handle v, const std::string& k) { p.max_iter = static_cast<int>(as_int(v, k)); }},
      // None | "balanced" | a sequence of per-class weights (class order = sorted class names).
      {"class_weight", [](P& p, py::handle v, const std::string& k) {
         p.class_weight = models::ClassWeight::kNone;
         p.class_weights.clear();
         if (v.is_none()) return;
         if (py::isinstance<py::str>(v)) {
           const std::string name = as_str(v, k);
           if (name != "balanced") throw std::invalid_argument("option '" + k + "': expected None, 'balanced' or per-class weights, got '" + name + "'");
           p.class_weight = models::ClassWeight::kBalanced;
           return;
         }
         p.class_weights = as_float_list(v, k);
       }},
      {"n_threads", [](P& p, py::handle v, const std::string& k) { p.n_threads = std::max(1, as_threads(v, k)); }},
  };
  return s;
}

const Setters<cleaning::FindLabelIssuesParams>& label_issues_setters() {
  using P = cleaning::FindLabelIssuesParams;
  static const Setters<P> s = {
      {"filter_by", [](P& p, py::handle v, const std::string& k) { p.filter_by = cleaning::parse_filter_by(as_str(v, k)); }},
      {"frac_noise", [](P& p, py::handle v, const std::string& k) { p.frac_noise = as_float(v, k); }},
      {"num_to_remove_per_class", [](P& p, py::handle v, const std::string& k) {
         p.num_to_remove_per_class = v.is_none() ? std::vector<std::int64_t>{} : as_int_list<std::int64_t>(v, k);
       }},
      {"min_examples_per_class", [](P& p, py::handle v, const std::string& k) { p.min_examples_per_class = static_cast<int>(as_int(v, k)); }},
      {"return_indices_ranked_by", [](P& p, py::handle v, const std::string& k) {
         if (v.is_none()) p.return_indices_ranked_by.reset();
         else p.return_indices_ranked_by = cleaning::parse_label_quality_method(as_str(v, k));
       }},
      {"n_threads", [](P& p, py::handle v, const std::string& k) { p.n_threads = as_threads(v, k); }},
  };
  return s;
}

const Setters<cleaning::NearDuplicateParams>& near_duplicate_setters() {
  using P = cleaning::NearDuplicateParams;
  static const Setters<P> s = {
      {"threshold", [](P& p, py::handle v, const std::string& k) { p.threshold = as_float(v, k); }},
      {"k", [](P& p, py::handle v, const std::string& k) { p.k = static_cast<int>(as_int(v, k)); }},
      {"metric", [](P& p, py::handle v, const std::string& k) { p.metric = as_metric(v, k); }},
      {"min_cosine", [](P& p, py::handle v, const std::string& k) { p.min_cosine = as_float(v, k); }},
      {"n_threads", [](P& p, py::handle v, const std::string& k) { p.n_threads = as_threads(v, k); }},
  };
  return s;
}

const Setters<cleaning::OutlierParams>& outlier_setters() {
  using P = cleaning::OutlierParams;
  static const Setters<P> s = {
      {"k", [](P& p, py::handle v, const std::string& k) { p.k = static_cast<int>(as_int(v, k)); }},
      {"t", [](P& p, py::handle v, const std::string& k) { p.t = as_float(v, k); }},
      {"threshold", [](P& p, py::handle v, const std::string& k) { p.threshold = as_float(v, k); }},
      {"metric", [](P& p, py::handle v, const std::string& k) { p.metric = as_metric(v, k); }},
      {"sparse_method", [](P& p, py::handle v, const std::string& k) {
         const std::string name = as_str(v, k);
         if (name == "reference_sample") p.sparse_method = cleaning::SparseOutlierMethod::kReferenceSample;
         else if (name == "knn_graph") p.sparse_method = cleaning::SparseOutlierMethod::kKnnGraph;
         else throw std::invalid_argument("option '" + k + "': expected 'reference_sample' or 'knn_graph', got '" + name + "'");
       }},
      {"n_reference", [](P& p, py::handle v, const std::string& k) { p.n_reference = static_cast<int>(as_int(v, k)); }},
      {"random_state", [](P& p, py::handle v, const std::string& k) { p.random_state = static_cast<std::uint64_t>(as_int(v, k)); }},
      {"n_threads", [](P& p, py::handle v, const std::string& k) { p.n_threads = as_threads(v, k); }},
  };
  return s;
}

const Setters<cleaning::TriggerParams>& trigger_setters() {
  using P = cleaning::TriggerParams;
  static const Setters<P> s = {
      {"min_rows", [](P& p, py::handle v, const std::string& k) { p.min_rows = as_int(v, k); }},
      {"max_row_fraction", [](P& p, py::handle v, const std::string& k) { p.max_row_fraction = as_float(v, k); }},
      {"min_concentration", [](P& p, py::handle v, const std::string& k) { p.min_concentration = as_float(v, k); }},
      {"max_candidates", [](P& p, py::handle v, const std::string& k) { p.max_candidates = static_cast<int>(as_int(v, k)); }},
      {"companion_min_share", [](P& p, py::handle v, const std::string& k) { p.companion_min_share = as_float(v, k); }},
      {"companion_max_ratio", [](P& p, py::handle v, const std::string& k) { p.companion_max_ratio = as_float(v, k); }},
      {"max_removed_mass", [](P& p, py::handle v, const std::string& k) { p.max_removed_mass = as_float(v, k); }},
      {"min_flip_rate", [](P& p, py::handle v, const std::string& k) { p.min_flip_rate = as_float(v, k); }},
      {"max_p_value_model", [](P& p, py::handle v, const std::string& k) { p.max_p_value_model = as_float(v, k); }},
      {"max_p_value", [](P& p, py::handle v, const std::string& k) { p.max_p_value = as_float(v, k); }},
      {"renormalize_l2", [](P& p, py::handle v, const std::string& k) { p.renormalize_l2 = as_bool(v, k); }},
      {"neighbor_min_cosine", [](P& p, py::handle v, const std::string& k) { p.neighbor_min_cosine = as_float(v, k); }},
      {"neighbor_max_rows", [](P& p, py::handle v, const std::string& k) { p.neighbor_max_rows = as_int(v, k); }},
      {"neighbor_base_sample", [](P& p, py::handle v, const std::string& k) { p.neighbor_base_sample = as_int(v, k); }},
      {"neighbor_df_cap", [](P& p, py::handle v, const std::string& k) { p.neighbor_df_cap = as_int(v, k); }},
  };
  return s;
}

const Setters<audit::AuditOptions>& audit_setters() {
  using P = audit::AuditOptions;
  static const Setters<P> s = {
      {"tfidf", [](P& p, py::handle v, const std::string& k) { apply(p.tfidf, tfidf_setters(), v, k); }},
      {"model", [](P& p, py::handle v, const std::string& k) { apply(p.model, model_setters(), v, k); }},
      {"n_splits", [](P& p, py::handle v, const std::string& k) { p.n_splits = static_cast<int>(as_int(v, k)); }},
      {"random_state", [](P& p, py::handle v, const std::string& k) {
         const long long seed = as_int(v, k);
         if (seed < 0) throw std::invalid_argument("option '" + k + "' must be >= 0, got " + std::to_string(seed));
         p.random_state = static_cast<std::uint64_t>(seed);
       }},
      {"folds", [](P& p, py::handle v, const std::string& k) { p.folds = v.is_none() ? std::vector<int>{} : as_int_list<int>(v, k); }},
      {"n_threads", [](P& p, py::handle v, const std::string& k) { p.n_threads = as_threads(v, k); }},
      {"label_issues", [](P& p, py::handle v, const std::string& k) { apply(p.label_issues, label_issues_setters(), v, k); }},
      {"near_duplicates", [](P& p, py::handle v, const std::string& k) { apply(p.near_duplicates, near_duplicate_setters(), v, k); }},
      {"outliers", [](P& p, py::handle v, const std::string& k) { apply(p.outliers, outlier_setters(), v, k); }},
      {"ambiguity_margin", [](P& p, py::handle v, const std::string& k) { p.ambiguity_margin = as_float(v, k); }},
      {"min_model_skill", [](P& p, py::handle v, const std::string& k) { p.min_model_skill = as_float(v, k); }},
      {"detect_triggers", [](P& p, py::handle v, const std::string& k) { p.detect_triggers = as_bool(v, k); }},
      {"triggers", [](P& p, py::handle v, const std::string& k) { apply(p.triggers, trigger_setters(), v, k); }},
      {"alarm_min_ratio", [](P& p, py::handle v, const std::string& k) { p.alarm_min_ratio = as_float(v, k); }},
      {"alarm_min_rate", [](P& p, py::handle v, const std::string& k) { p.alarm_min_rate = as_float(v, k); }},
  };
  return s;
}

template <typename T>
std::string names(const Setters<T>& setters) {
  std::string out;
  for (const auto& [name, _] : setters) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

audit::AuditOptions audit_options_from_kwargs(const py::dict& kwargs) {
  audit::AuditOptions options;
  apply(options, audit_setters(), kwargs, "");
  audit::check_options(options);
  return options;
}

std::string audit_option_names() {
  return "top level: " + names(audit_setters()) + "\ntfidf: " + names(tfidf_setters()) +
         "\nmodel: " + names(model_setters()) + "\nlabel_issues: " + names(label_issues_setters()) +
         "\nnear_duplicates: " + names(near_duplicate_setters()) + "\noutliers: " + names(outlier_setters()) +
         "\ntriggers: " + names(trigger_setters());
}

}  // namespace textaudit::python
