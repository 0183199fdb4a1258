// Logistic regression and 5-fold cross_val_predict on a TF-IDF matrix written by scikit-learn
// (bench/logreg_vs_sklearn.sh makes it, times scikit-learn and LIBLINEAR on the same matrix and
// runs this program). Inputs: $TEXTAUDIT_BENCH_MTX (MatrixMarket, default /tmp/c200k_X.mtx) and
// $TEXTAUDIT_BENCH_Y (one label 0..K-1 per line, default /tmp/c200k_y.txt).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crossval/kfold.h"
#include "models/logistic_regression.h"

namespace {

struct Data {
  textaudit::text::CsrMatrix X;
  std::vector<int> y;
  int n_classes = 0;
};

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value ? value : fallback;
}

// MatrixMarket coordinate real general, as scipy.io.mmwrite writes it (1-based, any order).
Data load() {
  Data data;
  std::ifstream in(env_or("TEXTAUDIT_BENCH_MTX", "/tmp/c200k_X.mtx"));
  if (!in) throw std::runtime_error("cannot open the .mtx file (see bench/logreg_vs_sklearn.sh)");
  std::string line;
  do std::getline(in, line);
  while (!line.empty() && line[0] == '%');
  std::int64_t rows, cols, nnz;
  std::istringstream(line) >> rows >> cols >> nnz;
  std::vector<std::int64_t> r(nnz), c(nnz);
  std::vector<double> v(nnz);
  for (std::int64_t p = 0; p < nnz; ++p) in >> r[p] >> c[p] >> v[p];
  auto& X = data.X;
  X.rows = rows;
  X.cols = cols;
  X.indptr.assign(rows + 1, 0);
  for (std::int64_t p = 0; p < nnz; ++p) ++X.indptr[r[p]];
  for (std::int64_t i = 0; i < rows; ++i) X.indptr[i + 1] += X.indptr[i];
  X.indices.resize(nnz);
  X.data.resize(nnz);
  std::vector<std::int64_t> pos(X.indptr.begin(), X.indptr.end() - 1);
  for (std::int64_t p = 0; p < nnz; ++p) {
    const std::int64_t q = pos[r[p] - 1]++;
    X.indices[q] = static_cast<std::int32_t>(c[p] - 1);
    X.data[q] = static_cast<float>(v[p]);
  }
  for (std::int64_t i = 0; i < rows; ++i) {  // sort each row by column
    std::vector<std::pair<std::int32_t, float>> row;
    for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) row.emplace_back(X.indices[p], X.data[p]);
    std::sort(row.begin(), row.end());
    for (std::size_t k = 0; k < row.size(); ++k) {
      X.indices[X.indptr[i] + k] = row[k].first;
      X.data[X.indptr[i] + k] = row[k].second;
    }
  }
  std::ifstream yin(env_or("TEXTAUDIT_BENCH_Y", "/tmp/c200k_y.txt"));
  for (int label; yin >> label;) {
    data.y.push_back(label);
    data.n_classes = std::max(data.n_classes, label + 1);
  }
  if (static_cast<std::int64_t>(data.y.size()) != rows) throw std::runtime_error("label count != rows");
  return data;
}

const Data& data() {
  static const Data d = load();
  return d;
}

// Training rows of fold 0 of StratifiedKFold(5) (scikit-learn's rule), as the Python side uses.
struct Fold {
  textaudit::text::CsrMatrix X;
  std::vector<int> y;
};
const Fold& fold0() {
  static const Fold f = [] {
    const auto folds = textaudit::crossval::stratified_kfold(data().y, data().n_classes, 5);
    std::vector<std::size_t> rows;
    Fold fold;
    for (std::size_t i = 0; i < data().y.size(); ++i)
      if (folds.test_fold[i] != 0) {
        rows.push_back(i);
        fold.y.push_back(data().y[i]);
      }
    fold.X = data().X.select_rows(rows);
    return fold;
  }();
  return f;
}

// Model parameters: the defaults, or $TEXTAUDIT_BENCH_TOL (absolute gradient test) and
// $TEXTAUDIT_BENCH_FTOL (relative objective gap) when set.
textaudit::models::LogisticRegressionParams bench_params(int n_threads) {
  textaudit::models::LogisticRegressionParams params;
  params.tol = std::stod(env_or("TEXTAUDIT_BENCH_TOL", "0"));
  if (const char* ftol = std::getenv("TEXTAUDIT_BENCH_FTOL")) params.ftol = std::stod(ftol);
  params.n_threads = n_threads;
  return params;
}

void BM_FitOneFold(benchmark::State& state) {
  const Fold& fold = fold0();
  textaudit::models::LogisticRegression model(bench_params(static_cast<int>(state.range(0))));
  for (auto _ : state) model.fit(fold.X, fold.y, data().n_classes);
  state.counters["objective"] = model.objective();
  // Full precision for bench/logreg_vs_sklearn.sh (counters print 4-5 digits).
  std::fprintf(stderr, "ours fold0 threads=%d: objective=%.12g n_iter=%d hess_vec=%d\n",
               static_cast<int>(state.range(0)), model.objective(), model.n_iter(), model.n_hessian_products());
  state.counters["n_iter"] = model.n_iter();
  state.counters["hess_vec"] = model.n_hessian_products();
  state.counters["max_grad"] = model.max_abs_gradient();
  state.counters["gap_estimate"] = model.objective_gap();
  state.counters["rows"] = static_cast<double>(fold.X.rows);
  state.counters["nnz"] = static_cast<double>(fold.X.nnz());
  state.SetItemsProcessed(state.iterations() * fold.X.rows);
}
BENCHMARK(BM_FitOneFold)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

void BM_CrossValPredict5(benchmark::State& state) {
  const auto folds = textaudit::crossval::stratified_kfold(data().y, data().n_classes, 5);
  textaudit::crossval::CrossValResult result;
  for (auto _ : state)
    result = textaudit::crossval::cross_val_predict(data().X, data().y, data().n_classes,
                                                    bench_params(1),
                                                    folds, static_cast<int>(state.range(0)));
  double iters = 0;
  double hess = 0;
  for (const auto& f : result.folds) {
    iters += f.n_iter;
    hess += f.n_hessian_products;
  }
  state.counters["fold_iters"] = iters;
  state.counters["fold_hess_vec"] = hess;
  state.counters["full_fit_iters"] = result.full_fit_iter;
  state.counters["full_fit_hess_vec"] = result.full_fit_hessian_products;
  state.SetItemsProcessed(state.iterations() * data().X.rows);
}
BENCHMARK(BM_CrossValPredict5)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
