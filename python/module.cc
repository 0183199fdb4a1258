// python/module.cc: the extension module textaudit._core (pybind11). The cleanlab-compatible
// functions (find_label_issues, get_label_quality_scores) and the whole audit, on NumPy arrays and
// Python lists of str. Conversions and argument checks only: every result comes from the C++
// library. The GIL is released while the library runs; std::invalid_argument becomes ValueError,
// textaudit::DataError becomes textaudit.DataError (a ValueError).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/auditor.h"
#include "audit/report.h"
#include "cleaning/label_issues.h"
#include "cleaning/rank.h"
#include "python/options.h"
#include "text/data_error.h"

namespace py = pybind11;

namespace textaudit::python {
namespace {

std::string shape_of(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// labels: a 1-D array-like of integers (list, NumPy array, pandas Series) -> class ids.
std::vector<int> class_ids(py::handle labels) {
  const py::array a = py::module_::import("numpy").attr("asarray")(labels);
  if (a.ndim() != 1) throw std::invalid_argument("labels must be 1-D (n_samples,), got shape " + shape_of(a));
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'b') {
    throw std::invalid_argument("labels must be integers 0..K-1 (as cleanlab), got dtype " +
                                std::string(py::str(a.dtype())));
  }
  const auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<int> out(static_cast<std::size_t>(ints.size()));
  const std::int64_t* p = ints.data();
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (p[i] < INT32_MIN || p[i] > INT32_MAX) {
      throw std::invalid_argument("labels[" + std::to_string(i) + "] = " + std::to_string(p[i]) + " is out of range");
    }
    out[i] = static_cast<int>(p[i]);
  }
  return out;
}

// A 2-D array-like of numbers -> DenseMatrix (copied: the library keeps row-major doubles).
DenseMatrix dense_matrix(py::handle values, const char* name) {
  const py::array a = py::module_::import("numpy").attr("asarray")(values);
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
    throw std::invalid_argument(std::string(name) + " must hold numbers, got dtype " + std::string(py::str(a.dtype())));
  }
  if (a.ndim() != 2) throw std::invalid_argument(std::string(name) + " must be 2-D (n_samples x " + (std::string(name) == "features" ? "d" : "K") + "), got shape " + shape_of(a));
  const auto d = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
  return Eigen::Map<const DenseMatrix>(d.data(), d.shape(0), d.shape(1));
}

py::array_t<bool> bool_array(const std::vector<bool>& v) {
  py::array_t<bool> out(static_cast<py::ssize_t>(v.size()));
  bool* p = out.mutable_data();
  for (std::size_t i = 0; i < v.size(); ++i) p[i] = v[i];
  return out;
}

template <typename T, typename U = T>
py::array_t<T> number_array(const std::vector<U>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  T* p = out.mutable_data();
  for (std::size_t i = 0; i < v.size(); ++i) p[i] = static_cast<T>(v[i]);
  return out;
}

// A NumPy object array of Python str (what pandas uses for text columns).
py::array str_array(const std::vector<std::string>& v) {
  py::list items(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) items[i] = py::str(v[i]);
  return py::module_::import("numpy").attr("array")(items, py::arg("dtype") = "object");
}

py::array matrix_array(const DenseMatrix& m) {
  py::array_t<double> out({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  Eigen::Map<DenseMatrix>(out.mutable_data(), m.rows(), m.cols()) = m;
  return out;
}

cleaning::FindLabelIssuesParams label_issue_params(const std::optional<std::string>& return_indices_ranked_by,
                                                   const py::object& rank_by_kwargs, const std::string& filter_by,
                                                   double frac_noise, const py::object& num_to_remove_per_class,
                                                   int min_examples_per_class, const py::object& confident_joint,
                                                   const py::object& n_jobs, bool multi_label, bool low_memory) {
  if (!confident_joint.is_none()) {
    throw py::value_error("confident_joint: textaudit computes the confident joint from labels and pred_probs; "
                          "pass confident_joint=None");
  }
  if (multi_label) throw py::value_error("multi_label=True is not supported (multi-class labels only)");
  if (low_memory) throw py::value_error("low_memory=True is not supported; textaudit's default path already "
                                        "uses a fraction of cleanlab's memory");
  if (!rank_by_kwargs.is_none()) {
    const py::dict kw = rank_by_kwargs.cast<py::dict>();
    for (auto item : kw) {
      const std::string key = py::str(item.first);
      if (key != "adjust_pred_probs" || py::cast<bool>(item.second)) {
        throw py::value_error("rank_by_kwargs: only adjust_pred_probs=False is supported, got " +
                              std::string(py::repr(kw)));
      }
    }
  }
  cleaning::FindLabelIssuesParams params;
  params.filter_by = cleaning::parse_filter_by(filter_by);
  params.frac_noise = frac_noise;
  if (!num_to_remove_per_class.is_none()) {
    for (py::handle v : num_to_remove_per_class) params.num_to_remove_per_class.push_back(py::cast<std::int64_t>(v));
  }
  params.min_examples_per_class = min_examples_per_class;
  if (return_indices_ranked_by) params.return_indices_ranked_by = cleaning::parse_label_quality_method(*return_indices_ranked_by);
  // cleanlab: n_jobs=None uses every core; results do not depend on the count.
  params.n_threads = 0;
  if (!n_jobs.is_none()) {
    const int jobs = n_jobs.cast<int>();
    if (jobs < -1 || jobs == 0) throw py::value_error("n_jobs must be None, -1 or >= 1, got " + std::to_string(jobs));
    params.n_threads = jobs == -1 ? 0 : jobs;
  }
  return params;
}

py::object find_label_issues(py::handle labels, py::handle pred_probs, const std::optional<std::string>& return_indices_ranked_by,
                             const py::object& rank_by_kwargs, const std::string& filter_by, double frac_noise,
                             const py::object& num_to_remove_per_class, int min_examples_per_class,
                             const py::object& confident_joint, const py::object& n_jobs, bool /*verbose*/,
                             bool multi_label, bool low_memory) {
  const cleaning::FindLabelIssuesParams params =
      label_issue_params(return_indices_ranked_by, rank_by_kwargs, filter_by, frac_noise, num_to_remove_per_class,
                         min_examples_per_class, confident_joint, n_jobs, multi_label, low_memory);
  const std::vector<int> y = class_ids(labels);
  const DenseMatrix P = dense_matrix(pred_probs, "pred_probs");
  if (params.return_indices_ranked_by) {
    std::vector<std::size_t> ranked;
    {
      py::gil_scoped_release release;
      ranked = cleaning::find_label_issues(y, P, params);
    }
    return number_array<std::int64_t>(ranked);
  }
  std::vector<bool> mask;
  {
    py::gil_scoped_release release;
    mask = cleaning::find_label_issues_mask(y, P, params);
  }
  return bool_array(mask);
}

py::array get_label_quality_scores(py::handle labels, py::handle pred_probs, const std::string& method,
                                   bool adjust_pred_probs) {
  const cleaning::LabelQualityMethod m = cleaning::parse_label_quality_method(method);
  const std::vector<int> y = class_ids(labels);
  const DenseMatrix P = dense_matrix(pred_probs, "pred_probs");
  std::vector<double> scores;
  {
    py::gil_scoped_release release;
    scores = cleaning::get_label_quality_scores(y, P, m, adjust_pred_probs);
  }
  return number_array<double>(scores);
}

std::vector<std::string> texts_from(py::handle texts) {
  if (py::isinstance<py::str>(texts)) throw py::type_error("texts must be a sequence of str, not one str");
  std::vector<std::string> out;
  std::size_t i = 0;
  for (py::handle t : py::iter(texts)) {
    if (!py::isinstance<py::str>(t)) {
      throw py::type_error("texts[" + std::to_string(i) + "]: expected str, got " +
                           std::string(py::str(py::type::of(t).attr("__name__"))) + " " + std::string(py::repr(t)));
    }
    out.push_back(t.cast<std::string>());
    ++i;
  }
  return out;
}

// Class names: str as given, integers (Python or NumPy) as their decimal spelling (they then sort
// numerically, as scikit-learn's LabelEncoder sorts integer labels).
std::vector<std::string> label_names_from(py::handle labels) {
  if (py::isinstance<py::str>(labels)) throw py::type_error("labels must be a sequence, not one str");
  const py::object numpy_integer = py::module_::import("numpy").attr("integer");
  std::vector<std::string> out;
  std::size_t i = 0;
  for (py::handle v : py::iter(labels)) {
    if (py::isinstance<py::str>(v)) {
      out.push_back(v.cast<std::string>());
    } else if (!py::isinstance<py::bool_>(v) && (py::isinstance<py::int_>(v) || py::isinstance(v, numpy_integer))) {
      out.push_back(py::str(py::int_(py::reinterpret_borrow<py::object>(v))));
    } else {
      throw py::type_error("labels[" + std::to_string(i) + "]: expected str or int, got " +
                           std::string(py::str(py::type::of(v).attr("__name__"))) + " " + std::string(py::repr(v)));
    }
    ++i;
  }
  return out;
}

py::dict result_dict(const audit::AuditResult& r) {
  std::vector<std::string> given(r.n_rows), predicted(r.n_rows);
  std::vector<std::int64_t> dup_set(r.n_rows);
  std::vector<bool> keep(r.n_rows);
  for (std::size_t i = 0; i < r.n_rows; ++i) {
    given[i] = r.classes[r.given_label[i]];
    predicted[i] = r.predicted_label[i] >= 0 ? r.classes[r.predicted_label[i]] : std::string();
    dup_set[i] = r.is_near_duplicate[i] ? r.near_duplicate_set[i] : -1;
    keep[i] = !r.is_flagged(i);
  }
  std::vector<std::int64_t> rows(r.n_rows);
  for (std::size_t i = 0; i < r.n_rows; ++i) rows[i] = static_cast<std::int64_t>(i);
  // The columns of issues.csv, in its order.
  py::dict issues;
  issues["row"] = number_array<std::int64_t>(rows);
  issues["given_label"] = str_array(given);
  issues["predicted_label"] = str_array(predicted);
  issues["label_quality"] = number_array<double>(r.label_quality);
  issues["is_label_issue"] = bool_array(r.is_label_issue);
  issues["is_near_duplicate"] = bool_array(r.is_near_duplicate);
  issues["near_duplicate_set"] = number_array<std::int64_t>(dup_set);
  issues["is_outlier"] = bool_array(r.is_outlier);
  issues["outlier_score"] = number_array<double>(r.outlier_score);
  issues["is_ambiguous"] = bool_array(r.is_ambiguous);
  issues["issue_score"] = number_array<double>(r.issue_score);
  issues["is_suspected_poison"] = bool_array(r.is_suspected_poison);
  issues["poison_score"] = number_array<double>(r.poison_score);
  issues["trigger"] = str_array(r.trigger);
  issues["ambiguity_score"] = number_array<double>(r.ambiguity_score);
  issues["near_duplicate_label_conflict"] = bool_array(r.near_duplicate_label_conflict);
  issues["reasons"] = str_array(r.reasons);

  audit::ReportContext context;
  context.dataset_path = "<python>";
  py::dict out;
  out["issues"] = issues;
  out["summary_json"] = audit::summary_json(r, context);
  out["keep_mask"] = bool_array(keep);
  out["pred_probs"] = matrix_array(r.pred_probs);
  out["classes"] = r.classes;
  return out;
}

// pred_probs / features: optional (None) user model outputs, audit::ExternalInputs.
py::dict run_audit(py::handle texts, py::handle labels, const py::dict& options, py::handle pred_probs,
                   py::handle features, py::handle pred_probs_classes) {
  const audit::Auditor auditor(audit_options_from_kwargs(options));
  const std::vector<std::string> t = texts_from(texts);
  const std::vector<std::string> l = label_names_from(labels);
  audit::ExternalInputs inputs;
  const bool external = !pred_probs.is_none() || !features.is_none();
  if (!pred_probs.is_none()) {
    inputs.pred_probs = dense_matrix(pred_probs, "pred_probs");
    inputs.pred_probs_source = "array";
    if (!pred_probs_classes.is_none()) inputs.pred_probs_classes = label_names_from(pred_probs_classes);
  } else if (!pred_probs_classes.is_none()) {
    throw py::value_error("pred_probs_classes needs pred_probs");
  }
  if (!features.is_none()) {
    inputs.features = dense_matrix(features, "features");
    inputs.features_source = "array";
  }
  audit::AuditResult result;
  {
    py::gil_scoped_release release;
    result = external ? auditor.run(t, l, inputs) : auditor.run(t, l);
  }
  return result_dict(result);
}

}  // namespace
}  // namespace textaudit::python

PYBIND11_MODULE(_core, m) {
  using namespace textaudit::python;
  m.doc() = "textaudit's C++ library: confident learning (cleanlab 2.9 results) and the whole audit.";
  py::register_exception<textaudit::DataError>(m, "DataError", PyExc_ValueError);

  m.def("find_label_issues", &find_label_issues, py::arg("labels"), py::arg("pred_probs"), py::kw_only(),
        py::arg("return_indices_ranked_by") = py::none(), py::arg("rank_by_kwargs") = py::none(),
        py::arg("filter_by") = "prune_by_noise_rate", py::arg("frac_noise") = 1.0,
        py::arg("num_to_remove_per_class") = py::none(), py::arg("min_examples_per_class") = 1,
        py::arg("confident_joint") = py::none(), py::arg("n_jobs") = py::none(), py::arg("verbose") = false,
        py::arg("multi_label") = false, py::arg("low_memory") = false,
        R"doc(Rows whose given label is likely wrong: cleanlab.filter.find_label_issues (cleanlab 2.9), same results.

Parameters
----------
labels : array-like of int, shape (n_samples,)
    Given labels, 0..K-1.
pred_probs : array-like of float, shape (n_samples, K)
    Out-of-sample predicted probabilities (e.g. from cross-validation).
return_indices_ranked_by : {None, 'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
    None: return a boolean mask. Otherwise: the indices of the flagged rows, most likely label error first.
rank_by_kwargs : dict or None
    Only {} / {'adjust_pred_probs': False} (the default) are supported.
filter_by : {'prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning', 'predicted_neq_given',
             'low_normalized_margin', 'low_self_confidence'}
frac_noise : float in (0, 1]
num_to_remove_per_class : sequence of K ints or None
min_examples_per_class : int
confident_joint : None
    Computed from labels and pred_probs (a precomputed joint is not supported).
n_jobs : int or None
    Threads; None or -1 = all cores. Results do not depend on it.
verbose, multi_label, low_memory : bool
    verbose is ignored; multi_label and low_memory must be False.

Returns
-------
numpy.ndarray
    Boolean mask of shape (n_samples,), or int64 indices ranked by return_indices_ranked_by.
)doc");

  m.def("get_label_quality_scores", &get_label_quality_scores, py::arg("labels"), py::arg("pred_probs"),
        py::kw_only(), py::arg("method") = "self_confidence", py::arg("adjust_pred_probs") = false,
        R"doc(Label quality score per row in [0, 1], lower = more likely mislabelled: cleanlab.rank.get_label_quality_scores.

Parameters
----------
labels : array-like of int, shape (n_samples,)
pred_probs : array-like of float, shape (n_samples, K)
method : {'self_confidence', 'normalized_margin', 'confidence_weighted_entropy'}
adjust_pred_probs : bool
    Subtract the per-class confident thresholds first (not with confidence_weighted_entropy).

Returns
-------
numpy.ndarray of float64, shape (n_samples,)
)doc");

  m.def("run_audit", &run_audit, py::arg("texts"), py::arg("labels"), py::arg("options"),
        py::arg("pred_probs") = py::none(), py::arg("features") = py::none(), py::arg("pred_probs_classes") = py::none(),
        "The whole audit (textaudit.audit() wraps this): returns a dict with 'issues' (columns of issues.csv as "
        "NumPy arrays), 'summary_json', 'keep_mask', 'pred_probs' and 'classes'.");
  m.def("check_options", [](const py::dict& options) { audit_options_from_kwargs(options); }, py::arg("options"),
        "Raises TypeError / ValueError for options the audit would reject.");
  m.def("option_names", &audit_option_names, "The option names audit() accepts, per level.");
}
