// Trust-region Newton-CG for L2 logistic regression (Lin, Weng & Keerthi, "Trust region Newton
// method for large-scale logistic regression", JMLR 2008; the LIBLINEAR TRON variant with a
// preconditioner mixing the Hessian's diagonal and the identity, Hsia, Chiang & Lin 2018). The multinomial Hessian is never formed: CG
// only needs Hessian-vector products, two sparse passes each. X is float32 (the pipeline's
// storage), every sum is double. Row passes use fixed row chunks of X and column passes a copy of
// X by columns (detail/columns.h), so each output element has one owner and one summation order:
// the fit is bit-identical whatever the thread count.
//
// CG runs in centred coordinates: TF-IDF features are all >= 0, so every weight is strongly
// coupled with the intercept of its class, the Hessian's worst-conditioned direction;
// substituting b' = b + mu^T W (mu: the curvature-weighted mean of each feature) removes that
// coupling at the cost of two O(features) vector operations per Hessian product.
// For the multinomial model, CG also stays in the subspace where each feature's K weights (and
// the K intercepts) sum to zero: the softmax ignores a common shift, so the optimum lies there and
// the Hessian's data part is zero across it. Together they take a fit on the 200k-row benchmark
// corpus from 83 Hessian products to 55.
#include "models/logistic_regression.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "models/detail/columns.h"
#include "models/detail/parallel.h"
#include "text/data_error.h"

namespace textaudit::models {
namespace {

constexpr std::int64_t kRowChunk = 1024;
// Storage of the per-row factors in Hessian products (see Problem::hess_vec).
using HvReal = float;

// Scratch for m per-class values: on the stack up to kStackClasses classes, else on the heap.
class ClassScratch {
 public:
  explicit ClassScratch(int m) {
    if (m > kStackClasses) heap_.resize(static_cast<std::size_t>(m));
  }
  double* data() { return heap_.empty() ? stack_ : heap_.data(); }

 private:
  static constexpr int kStackClasses = 64;
  double stack_[kStackClasses];
  std::vector<double> heap_;
};
// Trust-region constants of LIBLINEAR's tron.cpp.
constexpr double kEta0 = 1e-4, kEta1 = 0.25, kEta2 = 0.75;
constexpr double kSigma1 = 0.25, kSigma2 = 0.5, kSigma3 = 4.0;
// The subsample start of large cold fits (LogisticRegressionParams::subsample_start_rows): every
// kSubsampleStride-th row, fitted to a kSubsampleFtol gap, when each class has kSubsampleMinClassRows
// rows in it.
constexpr std::int64_t kSubsampleStride = 5, kSubsampleMinClassRows = 50;
constexpr double kSubsampleFtol = 1e-2;
// CG forcing of the last Newton step (see tron).
constexpr double kFinalReach = 1e4, kFinalShare = 0.5, kEtaFloor = 1e-3;
// ... only where Newton steps converge quadratically: a relative gap of at most kFinalMaxGap (with a
// loose target the rule fired at a 1e-2 gap: the 200k benchmark all-rows fit then took 40 products
// to a 1e-4 target, more than the 31 it takes to 1e-6; 28 with the cap).
constexpr double kFinalMaxGap = 1e-3;

int ceil_div(std::int64_t a, std::int64_t b) { return static_cast<int>((a + b - 1) / b); }

// log(1 + exp(z)) without overflow or cancellation.
double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }
double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// Calls fn.template operator()<M>() with M = m for the common class counts (so the per-class
// loops unroll) and M = 0 (meaning "use m") otherwise.
template <class Fn>
void dispatch_classes(int m, Fn&& fn) {
  switch (m) {
    case 1: return fn.template operator()<1>();
    case 2: return fn.template operator()<2>();
    case 3: return fn.template operator()<3>();
    case 4: return fn.template operator()<4>();
    case 5: return fn.template operator()<5>();
    case 6: return fn.template operator()<6>();
    case 8: return fn.template operator()<8>();
    default: return fn.template operator()<0>();
  }
}

// The objective f(w) = sum_i cs_i * loss_i + 0.5 * |W|^2 with cs_i = C * s_i, over the variables
// w = [W (n_features x m, row-major), b (m, when fitting an intercept)], m = 1 (binary) or K.
class Problem {
 public:
  // rows: ascending row ids of X to fit on (empty = all); target and cs are per selected row.
  Problem(const text::CsrMatrix& X, std::span<const std::int64_t> rows, const std::vector<int>& target,
          const std::vector<double>& cs, int m, bool fit_intercept, int n_threads)
      : X_(X), rows_(rows), cols_(detail::make_columns(X, rows, 8 * n_threads, block_rows(m), n_threads)),
        target_(target), cs_(cs), m_(m), fit_intercept_(fit_intercept), n_threads_(n_threads),
        n_(static_cast<std::int64_t>(target.size())), d_(X.cols),
        n_row_chunks_(std::max(1, ceil_div(n_, kRowChunk))),
        nnz_(X.indptr[X.rows]),
        rowbuf_(static_cast<std::size_t>(n_ * m)),
        rowbuf_f_(rowbuf_.size()),
        partial_(static_cast<std::size_t>(n_row_chunks_) * (m + 1)) {
    if (fit_intercept_) {
      mu_.assign(static_cast<std::size_t>(d_), 0.0);
      Mc_.assign(static_cast<std::size_t>(size()), 0.0);
      vb_.assign(static_cast<std::size_t>(m_), 0.0);
    }
  }

  std::int64_t size() const { return d_ * m_ + (fit_intercept_ ? m_ : 0); }
  std::int64_t n_weights() const { return d_ * m_; }

  // Returns f(w) and stores the probabilities at w in P (n x m).
  double fun(const double* w, double* P) {
    const double* b = fit_intercept_ ? w + d_ * m_ : nullptr;
    detail::parallel_for(n_row_chunks_, n_threads_, [&](int c) {
      double loss_sum = 0.0;
      ClassScratch z(m_);
      double* zp = z.data();
      for (std::int64_t i = c * kRowChunk, end = std::min(n_, i + kRowChunk); i < end; ++i) {
        row_scores(i, w, b, zp);
        double* p = P + i * m_;
        double loss;
        if (m_ == 1) {
          p[0] = sigmoid(zp[0]);
          loss = softplus(zp[0]) - (target_[i] == 1 ? zp[0] : 0.0);
        } else {
          const double zmax = *std::max_element(zp, zp + m_);
          double sum = 0.0;
          for (int k = 0; k < m_; ++k) {
            p[k] = std::exp(zp[k] - zmax);
            sum += p[k];
          }
          const double inv = 1.0 / sum;
          for (int k = 0; k < m_; ++k) p[k] *= inv;
          loss = zmax + std::log(sum) - zp[target_[i]];
        }
        if (cs_[i] != 0.0) loss_sum += cs_[i] * loss;
      }
      partial_[c] = loss_sum;
    });
    double f = 0.0;
    for (int c = 0; c < n_row_chunks_; ++c) f += partial_[c];
    double reg = 0.0;
    for (std::int64_t j = 0; j < d_ * m_; ++j) reg += w[j] * w[j];
    return f + 0.5 * reg;
  }

  // g = grad f(w), from the probabilities P at w.
  void grad(const double* w, const double* P, double* g) {
    row_pass(rowbuf_.data(), [&](std::int64_t i, double* r) {
      const double* p = P + i * m_;
      if (m_ == 1) {
        r[0] = cs_[i] * (p[0] - (target_[i] == 1 ? 1.0 : 0.0));
      } else {
        for (int k = 0; k < m_; ++k) r[k] = cs_[i] * (p[k] - (target_[i] == k ? 1.0 : 0.0));
      }
    });
    column_pass<Sums::kLinear>(rowbuf_.data(), w, g, 1.0);
  }

  // out = H v, H the Hessian at the probabilities P. CG only needs H v approximately (the
  // gradient and the objective that decide convergence stay in double): the per-row products are
  // rounded to float32, halving the bytes the column pass gathers through the caches. (Rounding
  // v as well saves a little more per product but costs ~7% more CG steps.)
  // vb: the intercept part of v (default: v's own, after its n_weights() entries).
  void hess_vec(const double* P, const double* v, double* out, const double* vb = nullptr) {
    if (vb == nullptr && fit_intercept_) vb = v + d_ * m_;
    dispatch_classes(m_, [&]<int M>() {
      row_pass(rowbuf_f_.data(), [&](std::int64_t i, HvReal* q) {
        ClassScratch u(M == 0 ? m_ : M);
        double* up = u.data();
        row_scores_m<M>(i, v, vb, up);
        const double* p = P + i * m_;
        const double ci = cs_[i];
        if constexpr (M == 1) {
          q[0] = static_cast<HvReal>(ci * p[0] * (1.0 - p[0]) * up[0]);
        } else {
          const int m = M == 0 ? m_ : M;
          double pu = 0.0;
          for (int k = 0; k < m; ++k) pu += p[k] * up[k];
          for (int k = 0; k < m; ++k) q[k] = static_cast<HvReal>(ci * p[k] * (up[k] - pu));
        }
      });
    });
    column_pass<Sums::kLinear>(rowbuf_f_.data(), v, out, 1.0);
  }

  // M = diagonal of the Hessian at P (1 + sum_i x_ij^2 h_ik; intercept: sum_i h_ik), and, with an
  // intercept, the centring at P (see the top of this file) and Mc, the diagonal of the centred
  // Hessian, the CG preconditioner (float32 per-row factors, as in hess_vec).
  void hess_diag(const double* P, double* M) {
    row_pass(rowbuf_f_.data(), [&](std::int64_t i, HvReal* h) {
      const double* p = P + i * m_;
      for (int k = 0; k < m_; ++k) h[k] = static_cast<HvReal>(cs_[i] * p[k] * (1.0 - p[k]));
    });
    if (!fit_intercept_) {
      column_pass<Sums::kSquared>(rowbuf_f_.data(), nullptr, M, 1.0);
      return;
    }
    // S_jk = sum_i x_ij h_ik alongside M, in the same pass, into Mc's storage (replaced below,
    // feature by feature).
    double* S = Mc_.data();
    column_pass<Sums::kSquaredAndLinear>(rowbuf_f_.data(), nullptr, M, 1.0, S);
    const double* hb = M + d_ * m_;  // sum_i h_ik
    double h_total = 0.0;
    for (int k = 0; k < m_; ++k) h_total += hb[k];
    // mu_j = sum_i x_ij hbar_i / sum_i hbar_i, hbar_i = sum_k h_ik: one mean for all classes, so
    // that the substitution maps a shift common to the K classes to another one (the multinomial
    // subspace, see tron, stays closed). The centred diagonal of (jk) is
    // M_jk - 2 mu_j S_jk + mu_j^2 sum_i h_ik.
    for (std::int64_t j = 0; j < d_; ++j) {
      double sum = 0.0;
      for (int k = 0; k < m_; ++k) sum += S[j * m_ + k];
      const double mu = h_total > 0 ? sum / h_total : 0.0;
      mu_[j] = mu;
      for (int k = 0; k < m_; ++k) Mc_[j * m_ + k] = M[j * m_ + k] - 2.0 * mu * S[j * m_ + k] + mu * mu * hb[k];
    }
    for (int k = 0; k < m_; ++k) Mc_[d_ * m_ + k] = hb[k];
  }

  // The substitution b = b' - mu^T W (W unchanged), as T: centred -> original coordinates, and
  // its transpose for gradients and Hessian products; the identity without an intercept.
  // The centred Hessian is T^T H T and its diagonal Mc (hess_diag).
  bool centred() const { return fit_intercept_; }
  const double* centred_diag() const { return Mc_.data(); }
  void centred_to_original(const double* vc, double* v) const {
    if (!fit_intercept_) return static_cast<void>(std::copy(vc, vc + size(), v));
    std::copy(vc, vc + d_ * m_, v);
    original_intercept(vc, v + d_ * m_);
  }
  // vb = the intercept part of T vc (the weight part is vc's own).
  void original_intercept(const double* vc, double* vb) const {
    std::copy(vc + d_ * m_, vc + size(), vb);
    for (std::int64_t j = 0; j < d_; ++j)
      for (int k = 0; k < m_; ++k) vb[k] -= mu_[j] * vc[j * m_ + k];
  }
  void transpose_to_centred(const double* u, double* uc) const {  // uc may be u
    if (uc != u) std::copy(u, u + size(), uc);
    if (!fit_intercept_) return;
    const double* ub = u + d_ * m_;
    for (std::int64_t j = 0; j < d_; ++j)
      for (int k = 0; k < m_; ++k) uc[j * m_ + k] -= mu_[j] * ub[k];
  }
  // out = T^T H T vc; returns vc^T out (summed in index order, as dot()), computed in the same
  // pass as the transpose. T vc differs from vc only in its intercept part (vb_).
  double centred_hess_vec(const double* P, const double* vc, double* out) {
    const std::int64_t N = size();
    double vHv = 0.0;
    if (!fit_intercept_) {
      hess_vec(P, vc, out);
      for (std::int64_t i = 0; i < N; ++i) vHv += vc[i] * out[i];
      return vHv;
    }
    original_intercept(vc, vb_.data());
    hess_vec(P, vc, out, vb_.data());
    const double* ob = out + d_ * m_;
    for (std::int64_t j = 0; j < d_; ++j) {
      for (int k = 0; k < m_; ++k) {
        const std::int64_t i = j * m_ + k;
        out[i] -= mu_[j] * ob[k];
        vHv += vc[i] * out[i];
      }
    }
    for (std::int64_t i = d_ * m_; i < N; ++i) vHv += vc[i] * out[i];
    return vHv;
  }

 private:
  // Rows per block of the column copy (detail/columns.h): up to 2 MiB of float32 per-row factors,
  // half of this machine class's L3 per core, and at most 65536 rows (2-byte row ids): with 4
  // classes 1 MiB, three blocks at the 160k-row benchmark fold.
  static std::int64_t block_rows(int m) {
    constexpr std::int64_t kBlockBytes = std::int64_t{1} << 21;
    return std::max<std::int64_t>(4096, kBlockBytes / (static_cast<std::int64_t>(sizeof(HvReal)) * std::max(1, m)));
  }
  static constexpr std::int64_t kPrefetch = 16;  // entries ahead

  const float* row_data(std::int64_t pos, std::int64_t& begin, std::int64_t& end, const std::int32_t*& idx) const {
    const std::int64_t i = rows_.empty() ? pos : rows_[static_cast<std::size_t>(pos)];
    begin = X_.indptr[i];
    end = X_.indptr[i + 1];
    idx = X_.indices.data();
    return X_.data.data();
  }

  void row_scores(std::int64_t i, const double* w, const double* b, double* z) const {
    dispatch_classes(m_, [&]<int M>() { row_scores_m<M>(i, w, b, z); });
  }

  // z_k = b_k + sum_j x_ij w[j*m + k], for the row at position i. The weights of the entry
  // kPrefetch places ahead are prefetched: the gather is bound by cache misses, not arithmetic.
  template <int M, class T>
  void row_scores_m(std::int64_t i, const T* w, const T* b, double* z) const {
    const int m = M == 0 ? m_ : M;
    std::int64_t begin, end;
    const std::int32_t* idx;
    const float* val = row_data(i, begin, end, idx);
    const std::int64_t safe_end = std::min(end, nnz_ - kPrefetch);
    auto prefetch = [&](std::int64_t p) { __builtin_prefetch(w + static_cast<std::int64_t>(idx[p + kPrefetch]) * m); };
    if constexpr (M == 1) {
      double acc = b ? b[0] : 0.0;
      std::int64_t p = begin;
      for (; p < safe_end; ++p) {
        prefetch(p);
        acc += val[p] * static_cast<double>(w[idx[p]]);
      }
      for (; p < end; ++p) acc += val[p] * static_cast<double>(w[idx[p]]);
      z[0] = acc;
    } else if constexpr (M > 1) {
      double acc[M];
      for (int k = 0; k < M; ++k) acc[k] = b ? b[k] : 0.0;
      auto add = [&](std::int64_t p) {
        const double x = val[p];
        const T* wj = w + static_cast<std::int64_t>(idx[p]) * M;
        for (int k = 0; k < M; ++k) acc[k] += x * static_cast<double>(wj[k]);
      };
      std::int64_t p = begin;
      for (; p < safe_end; ++p) {
        prefetch(p);
        add(p);
      }
      for (; p < end; ++p) add(p);
      for (int k = 0; k < M; ++k) z[k] = acc[k];
    } else {
      for (int k = 0; k < m; ++k) z[k] = b ? b[k] : 0.0;
      for (std::int64_t p = begin; p < end; ++p) {
        const double x = val[p];
        const T* wj = w + static_cast<std::int64_t>(idx[p]) * m;
        for (int k = 0; k < m; ++k) z[k] += x * static_cast<double>(wj[k]);
      }
    }
  }

  // buf[i*m .. i*m+m) = per_row(i, buf + i*m) (buf: rowbuf_ or rowbuf_f_); partial_ keeps each
  // chunk's column sums of buf for the intercept, reduced in chunk order by column_pass.
  template <class T, class PerRow>
  void row_pass(T* buf, PerRow&& per_row) {
    detail::parallel_for(n_row_chunks_, n_threads_, [&](int c) {
      // The chunk's sums stay local until the end: partial_ holds neighbouring chunks' sums in
      // one cache line, and two threads work on neighbouring chunks.
      ClassScratch local(m_);
      double* sums = local.data();
      std::fill(sums, sums + m_, 0.0);
      for (std::int64_t i = c * kRowChunk, end = std::min(n_, i + kRowChunk); i < end; ++i) {
        T* r = buf + i * m_;
        per_row(i, r);
        for (int k = 0; k < m_; ++k) sums[k] += r[k];
      }
      std::copy(sums, sums + m_, partial_.data() + static_cast<std::size_t>(c) * (m_ + 1));
    });
  }

  // out[j*m + k] = base[j*m + k] (or `diag` when base is null) + sum_i x_ij^(1|2) rowbuf[i*m+k],
  // rows ascending; out_intercept[k] = sum_i rowbuf[i*m + k]. kSquaredAndLinear: out as kSquared
  // and out2[j*m + k] = sum_i x_ij rowbuf[i*m+k] (no intercept part) in the same pass. Each output
  // is one gather-sum over its column of X (detail/columns.h), accumulated in registers, with the
  // per-row inputs of the entry kPrefetch places ahead prefetched.
  enum class Sums { kLinear, kSquared, kSquaredAndLinear };
  template <Sums kSums, class T>
  void column_pass(const T* rowbuf, const double* base, double* out, double diag, double* out2 = nullptr) {
    constexpr bool kSquared = kSums != Sums::kLinear;
    constexpr bool kBoth = kSums == Sums::kSquaredAndLinear;
    dispatch_classes(m_, [&]<int M>() {
      const int m = M == 0 ? m_ : M;
      const std::int64_t* indptr = cols_.indptr.data();
      const std::uint16_t* rows = cols_.rows.data();
      const float* vals = cols_.vals.data();
      const std::int64_t nnz = cols_.indptr.back();
      const std::int64_t n_blocks = cols_.n_blocks;
      detail::parallel_for(cols_.n_tasks(), n_threads_, [&](int task) {
        const std::int64_t j0 = cols_.task_begin[static_cast<std::size_t>(task)];
        const std::int64_t j1 = cols_.task_begin[static_cast<std::size_t>(task) + 1];
        // Block by block; a column's sums carry over in out (and out2), in double, exactly.
        for (std::int64_t blk = 0; blk < n_blocks; ++blk)
        for (std::int64_t j = j0; j < j1; ++j) {
          const T* block_buf = rowbuf + blk * cols_.block_rows * m;  // the block's per-row inputs
          double* o = out + j * m;
          const std::int64_t e0 = indptr[blk * d_ + j], e1 = indptr[blk * d_ + j + 1];
          if (blk > 0 && e0 == e1) continue;
          if constexpr (M > 0) {
            double acc[M], acc2[M];
            for (int k = 0; k < M; ++k) {
              acc[k] = blk > 0 ? o[k] : base ? base[j * M + k] : diag;
              acc2[k] = blk > 0 && kBoth ? out2[j * M + k] : 0.0;
            }
            auto add = [&](std::int64_t e) {
              const double x1 = vals[e];
              const double x = kSquared ? x1 * x1 : x1;
              const T* q = block_buf + static_cast<std::int64_t>(rows[e]) * M;
              for (int k = 0; k < M; ++k) acc[k] += x * static_cast<double>(q[k]);
              if constexpr (kBoth)
                for (int k = 0; k < M; ++k) acc2[k] += x1 * static_cast<double>(q[k]);
            };
            const std::int64_t safe_end = std::min(e1, nnz - kPrefetch);
            std::int64_t e = e0;
            for (; e < safe_end; ++e) {
              // (Integer arithmetic: the entry ahead may be in the next block, past the inputs' end.)
              __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(block_buf) +
                                                               sizeof(T) * M * rows[e + kPrefetch]));
              add(e);
            }
            for (; e < e1; ++e) add(e);
            for (int k = 0; k < M; ++k) o[k] = acc[k];
            if constexpr (kBoth)
              for (int k = 0; k < M; ++k) out2[j * M + k] = acc2[k];
          } else {
            double* o2 = kBoth ? out2 + j * m : nullptr;
            for (int k = 0; k < m && blk == 0; ++k) {
              o[k] = base ? base[j * m + k] : diag;
              if constexpr (kBoth) o2[k] = 0.0;
            }
            for (std::int64_t e = e0; e < e1; ++e) {
              const double x1 = vals[e];
              const double x = kSquared ? x1 * x1 : x1;
              const T* q = block_buf + static_cast<std::int64_t>(rows[e]) * m;
              for (int k = 0; k < m; ++k) o[k] += x * static_cast<double>(q[k]);
              if constexpr (kBoth)
                for (int k = 0; k < m; ++k) o2[k] += x1 * static_cast<double>(q[k]);
            }
          }
        }
      });
    });
    if (!fit_intercept_) return;
    double* ob = out + d_ * m_;
    for (int k = 0; k < m_; ++k) {
      double acc = 0.0;
      for (int c = 0; c < n_row_chunks_; ++c) acc += partial_[static_cast<std::size_t>(c) * (m_ + 1) + k];
      ob[k] = acc;
    }
  }

  const text::CsrMatrix& X_;
  std::span<const std::int64_t> rows_;
  detail::Columns cols_;
  const std::vector<int>& target_;
  const std::vector<double>& cs_;
  int m_;
  bool fit_intercept_;
  int n_threads_;
  std::int64_t n_, d_;
  int n_row_chunks_;
  std::int64_t nnz_;                // entries of X (bound for the prefetches)
  std::vector<double> rowbuf_;      // per-row factors of the gradient
  std::vector<HvReal> rowbuf_f_;    // per-row factors of H v and of the Hessian's diagonal
  std::vector<double> partial_;
  std::vector<double> mu_;       // centring: mu_j (hess_diag)
  std::vector<double> Mc_;       // diagonal of the centred Hessian (hess_diag)
  std::vector<double> vb_;       // intercept part of T vc in centred_hess_vec
};

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
double dot_m(const std::vector<double>& a, const std::vector<double>& M, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * M[i] * b[i];
  return s;
}

// Trust-region Newton with preconditioned CG (tron.cpp). Buffers are allocated once here.
struct TronResult {
  int n_iter = 0;
  int n_hess = 0;
  bool converged = false;
  double f = 0.0;
  double gmax = 0.0;
  double gap = 0.0;  // estimated f - f*
  std::string stop_reason;
};

// Stops when max |g| <= gtol (gtol > 0), or else when the estimated gap to the optimum,
// 0.5 g^T M^-1 g (the Newton decrement with the Hessian's diagonal M in place of the Hessian),
// is at most ftol * max(|f|, 1).
TronResult tron(Problem& problem, std::vector<double>& w, std::int64_t n_rows, int m, double gtol,
                double ftol, int max_iter) {
  const std::size_t N = static_cast<std::size_t>(problem.size());
  // CG works in centred coordinates (see the top of this file): gc = T^T g, its step s, w + T s.
  std::vector<double> g(N), gc(N), s(N), r(N), d(N), Hd(N), z(N), M(N), w_new(N);
  std::vector<double> g_new;  // only when a step's reduction is below double precision
  std::vector<double> P(static_cast<std::size_t>(n_rows * m)), P_new(P.size());
  TronResult result;
  auto max_abs = [](const std::vector<double>& v) {
    double a = 0.0;
    for (double x : v) a = std::max(a, std::abs(x));
    return a;
  };

  // The CG preconditioner (and trust-region norm) is the centred Hessian's diagonal mixed with
  // the identity, 0.1 Mc + 0.9 I (Hsia, Chiang & Lin 2018 mix 0.01 M + 0.99 I, as LIBLINEAR; with
  // centring, more of the diagonal pays: 55 Hessian products on the 200k-row benchmark corpus at
  // 0.1 and 0.3, 60 at 0.05, 58 with the pure diagonal). The gap estimate keeps the plain diagonal.
  constexpr double kPreconditionerMix = 0.1;
  std::vector<double> Mp(N);
  // Multinomial (m > 1): the softmax ignores a shift common to the K classes, so the optimum has
  // sum_k W_jk = 0 for every feature (the penalty's gradient W is then the only part along the
  // shift), the gradient stays in that subspace, and so does H v. CG is kept there by projecting
  // its preconditioned residual (each feature's K entries and the K intercepts to mean zero): the
  // diagonal preconditioner alone would leak into the shift directions, where the Hessian is the
  // bare penalty (or zero, for the intercepts).
  auto project = [&](std::vector<double>& v) {
    if (m < 2) return;
    for (std::size_t a = 0; a + static_cast<std::size_t>(m) <= N; a += static_cast<std::size_t>(m)) {
      double mean = 0.0;
      for (int k = 0; k < m; ++k) mean += v[a + k];
      mean /= m;
      for (int k = 0; k < m; ++k) v[a + k] -= mean;
    }
  };
  auto refresh_preconditioner = [&] {
    const double* Mc = problem.centred() ? problem.centred_diag() : M.data();
    for (std::size_t i = 0; i < N; ++i) Mp[i] = kPreconditionerMix * Mc[i] + (1.0 - kPreconditionerMix);
    problem.transpose_to_centred(g.data(), gc.data());
  };
  auto gap_estimate = [&] {
    double sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) sum += g[i] * g[i] / M[i];
    return 0.5 * sum;
  };
  auto gap_target = [&](double f) { return gtol > 0 ? 0.0 : ftol * std::max(std::abs(f), 1.0); };
  auto done = [&](double f) {
    result.gmax = max_abs(g);
    result.f = f;
    result.gap = gap_estimate();
    return gtol > 0 ? result.gmax <= gtol : result.gap <= gap_target(f);
  };

  // Start in the subspace (a warm start or a user's model may not be): the probabilities are
  // unchanged and the penalty can only drop.
  project(w);
  double f = problem.fun(w.data(), P.data());
  problem.grad(w.data(), P.data(), g.data());
  problem.hess_diag(P.data(), M.data());
  refresh_preconditioner();
  if (done(f)) {
    result.converged = true;
    return result;
  }
  const double gnorm0 = std::sqrt(dot(g, g));
  double gnorm = gnorm0;
  double delta = 0.0;
  for (std::size_t i = 0; i < N; ++i) delta += gc[i] * gc[i] / Mp[i];
  delta = std::sqrt(delta);

  int unresolved_rejects = 0;
  for (int iter = 1; iter <= max_iter; ++iter) {
    result.n_iter = iter;
    // Preconditioned CG on H s = -g inside |s|_M <= delta; inexact, with a forcing term that
    // tightens as the gradient shrinks (superlinear convergence near the optimum).
    // The residual is measured in the M^-1 norm (r^T M^-1 r = z^T r, free), which tracks the
    // objective: 0.5 z^T r estimates how far the quadratic model still is from its minimum.
    double eta = std::min(0.1, std::sqrt(gnorm / gnorm0));
    // The last step: once the gap is within kFinalReach of the target (and below kFinalMaxGap),
    // a Newton step's own error (quadratic in the gap) is far below the target, and what the step
    // leaves is CG's inexactness, about eta^2 of the gap. CG then solves to kFinalShare of the
    // target so that this step is the last one, instead of stopping at eta and paying for another
    // step (gradient, Hessian diagonal, objective and a new CG). 200k-row benchmark folds
    // warm-started at ftol 1e-7: 2 Newton steps and 18 products each instead of 3 and 21, ending
    // at a gap of ~5e-8 instead of ~1e-8.
    if (const double target = gap_target(f);
        target > 0 && result.gap <= std::min(kFinalReach * target, kFinalMaxGap * std::max(std::abs(f), 1.0))) {
      eta = std::min(eta, std::max(kEtaFloor, std::sqrt(kFinalShare * target / result.gap)));
    }
    std::fill(s.begin(), s.end(), 0.0);
    for (std::size_t i = 0; i < N; ++i) {
      r[i] = -gc[i];
      z[i] = r[i] / Mp[i];
    }
    project(z);
    d = z;
    double zTr = dot(z, r);
    const double zTr0 = zTr;
    bool reach_boundary = false;
    for (std::size_t cg = 0; cg < N; ++cg) {
      // Gap mode: once the step would leave an estimated gap well below the target, more CG
      // precision buys nothing (0.5 r^T M^-1 r estimates the quadratic model's remaining gap).
      if (zTr <= eta * eta * zTr0 || 0.5 * zTr <= 0.1 * gap_target(f)) break;
      const double dHd = problem.centred_hess_vec(P.data(), d.data(), Hd.data());
      ++result.n_hess;
      if (!(dHd > 0)) break;  // numerically flat direction: keep the current s
      double alpha = zTr / dHd;
      // (The vector updates below fuse loops without changing any sum's order.)
      double sMs = 0.0;
      for (std::size_t i = 0; i < N; ++i) {
        s[i] += alpha * d[i];
        sMs += s[i] * Mp[i] * s[i];
      }
      if (std::sqrt(sMs) > delta) {
        // Step back and go to the boundary along d: solve |s + alpha d|_M = delta.
        reach_boundary = true;
        for (std::size_t i = 0; i < N; ++i) s[i] -= alpha * d[i];
        const double std_ = dot_m(s, Mp, d), sts = dot_m(s, Mp, s), dtd = dot_m(d, Mp, d);
        const double dsq = delta * delta;
        const double rad = std::sqrt(std::max(0.0, std_ * std_ + dtd * (dsq - sts)));
        alpha = std_ >= 0 ? (dsq - sts) / (std_ + rad) : (rad - std_) / dtd;
        for (std::size_t i = 0; i < N; ++i) {
          s[i] += alpha * d[i];
          r[i] -= alpha * Hd[i];
        }
        break;
      }
      double znewTr = 0.0;
      if (m < 2) {
        for (std::size_t i = 0; i < N; ++i) {
          r[i] -= alpha * Hd[i];
          z[i] = r[i] / Mp[i];
          znewTr += z[i] * r[i];
        }
      } else {
        // project(z) group by group (each feature's m entries, then the m intercepts).
        const auto mm = static_cast<std::size_t>(m);
        std::size_t a = 0;
        for (; a + mm <= N; a += mm) {
          double mean = 0.0;
          for (std::size_t k = 0; k < mm; ++k) {
            r[a + k] -= alpha * Hd[a + k];
            z[a + k] = r[a + k] / Mp[a + k];
            mean += z[a + k];
          }
          mean /= m;
          for (std::size_t k = 0; k < mm; ++k) {
            z[a + k] -= mean;
            znewTr += z[a + k] * r[a + k];
          }
        }
        for (; a < N; ++a) {
          r[a] -= alpha * Hd[a];
          z[a] = r[a] / Mp[a];
          znewTr += z[a] * r[a];
        }
      }
      const double beta = znewTr / zTr;
      for (std::size_t i = 0; i < N; ++i) d[i] = z[i] + beta * d[i];
      zTr = znewTr;
    }

    problem.centred_to_original(s.data(), w_new.data());
    for (std::size_t i = 0; i < N; ++i) w_new[i] += w[i];
    const double gs = dot(gc, s);
    const double prered = -0.5 * (gs - dot(s, r));
    const double fnew = problem.fun(w_new.data(), P_new.data());
    const double actred = f - fnew;
    const double snorm = std::sqrt(dot_m(s, Mp, s));
    if (iter == 1) delta = std::min(delta, snorm);
    // Near the optimum the predicted reduction drops below what double precision resolves in f
    // (|f| * 1e-16), while the gradient is still measurable: there, accept a step when it lowers
    // the gradient norm instead.
    const bool unresolved = std::abs(prered) <= 1e-12 * std::abs(f);
    bool accept;
    if (unresolved) {
      g_new.resize(N);
      problem.grad(w_new.data(), P_new.data(), g_new.data());
      accept = dot(g_new, g_new) < gnorm * gnorm;
      if (!accept) delta = kSigma1 * std::min(delta, snorm);
    } else {
      accept = actred > kEta0 * prered;
      const double alpha =
          (fnew - f - gs <= 0) ? kSigma3 : std::max(kSigma1, -0.5 * (gs / (fnew - f - gs)));
      if (actred < kEta0 * prered) {
        delta = std::min(alpha * snorm, kSigma2 * delta);
      } else if (actred < kEta1 * prered) {
        delta = std::max(kSigma1 * delta, std::min(alpha * snorm, kSigma2 * delta));
      } else if (actred < kEta2 * prered) {
        delta = std::max(kSigma1 * delta, std::min(alpha * snorm, kSigma3 * delta));
      } else {
        delta = reach_boundary ? kSigma3 * delta
                               : std::max(delta, std::min(alpha * snorm, kSigma3 * delta));
      }
    }
    if (accept) {
      w.swap(w_new);
      P.swap(P_new);
      f = fnew;
      if (unresolved) {
        g.swap(g_new);
      } else {
        problem.grad(w.data(), P.data(), g.data());
      }
      problem.hess_diag(P.data(), M.data());
      refresh_preconditioner();
      if (done(f)) {
        result.converged = true;
        return result;
      }
      gnorm = std::sqrt(dot(g, g));
      unresolved_rejects = 0;
    } else if (unresolved && ++unresolved_rejects == 3) {
      result.stop_reason = "neither the objective nor the gradient decreases (limit of double precision)";
      return result;
    }
    if (prered <= 0) {
      result.stop_reason = "the predicted reduction is not positive";
      return result;
    }
  }
  result.stop_reason = "max_iter reached";
  return result;
}

std::string format_double(double x) {
  std::ostringstream out;
  out.precision(3);
  out << x;
  return out.str();
}

}  // namespace

void check_params(const LogisticRegressionParams& params) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("LogisticRegression: " + what); };
  if (!(params.C > 0) || !std::isfinite(params.C))
    fail("C must be a positive finite number, got " + format_double(params.C));
  if (!(params.tol >= 0) || !std::isfinite(params.tol))
    fail("tol must be >= 0, got " + format_double(params.tol));
  if (!(params.ftol > 0) || !std::isfinite(params.ftol))
    fail("ftol must be a positive finite number, got " + format_double(params.ftol));
  if (params.max_iter < 1) fail("max_iter must be >= 1, got " + std::to_string(params.max_iter));
  if (params.n_threads < 1) fail("n_threads must be >= 1, got " + std::to_string(params.n_threads));
  if (params.subsample_start_rows < 0)
    fail("subsample_start_rows must be >= 0, got " + std::to_string(params.subsample_start_rows));
  if (params.class_weight == ClassWeight::kBalanced && !params.class_weights.empty())
    fail("class_weight=balanced and explicit class_weights are exclusive");
  for (double cw : params.class_weights)
    if (!(cw > 0) || !std::isfinite(cw)) fail("class_weights must be positive, got " + format_double(cw));
}

LogisticRegression::LogisticRegression(LogisticRegressionParams params) : params_(std::move(params)) {}

LogisticRegression& LogisticRegression::fit(const text::CsrMatrix& X, std::span<const int> y,
                                            int n_classes, std::span<const double> sample_weight) {
  return fit_rows(X, {}, true, y, n_classes, sample_weight);
}

LogisticRegression& LogisticRegression::fit(const text::CsrMatrix& X, std::span<const std::int64_t> rows,
                                            std::span<const int> y, int n_classes,
                                            std::span<const double> sample_weight) {
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (rows[r] < 0 || rows[r] >= X.rows || (r > 0 && rows[r] <= rows[r - 1]))
      throw std::invalid_argument("LogisticRegression::fit: rows must be strictly ascending row ids of X (0.." +
                                  std::to_string(X.rows - 1) + "); entry " + std::to_string(r) + " is " +
                                  std::to_string(rows[r]));
  return fit_rows(X, rows, false, y, n_classes, sample_weight);
}

LogisticRegression& LogisticRegression::fit_rows(const text::CsrMatrix& X, std::span<const std::int64_t> rows,
                                                 bool all_rows, std::span<const int> y, int n_classes,
                                                 std::span<const double> sample_weight) {
  check_params(params_);
  const std::int64_t n = all_rows ? X.rows : static_cast<std::int64_t>(rows.size());
  if (static_cast<std::int64_t>(y.size()) != n)
    throw std::invalid_argument("LogisticRegression::fit: y has " + std::to_string(y.size()) +
                                " entries but " + std::to_string(n) + " rows are fitted");
  if (!sample_weight.empty() && static_cast<std::int64_t>(sample_weight.size()) != n)
    throw std::invalid_argument("LogisticRegression::fit: sample_weight has " +
                                std::to_string(sample_weight.size()) + " entries, expected " +
                                std::to_string(n));
  if (n_classes < 2) throw std::invalid_argument("LogisticRegression::fit: n_classes must be >= 2");
  if (!params_.class_weights.empty() && static_cast<int>(params_.class_weights.size()) != n_classes)
    throw std::invalid_argument("LogisticRegression: class_weights has " +
                                std::to_string(params_.class_weights.size()) + " entries, expected " +
                                std::to_string(n_classes));
  if (X.cols < 1) throw std::invalid_argument("LogisticRegression::fit: X has no columns");
  std::vector<std::int64_t> counts(static_cast<std::size_t>(n_classes), 0);
  for (const int label : y) {
    if (label < 0 || label >= n_classes)
      throw std::invalid_argument("LogisticRegression::fit: label " + std::to_string(label) +
                                  " outside [0, " + std::to_string(n_classes) + ")");
    ++counts[static_cast<std::size_t>(label)];
  }
  for (double sw : sample_weight)
    if (!(sw >= 0) || !std::isfinite(sw))
      throw std::invalid_argument("LogisticRegression::fit: sample weights must be finite and >= 0");

  std::vector<int> classes;
  std::vector<int> class_index(static_cast<std::size_t>(n_classes), -1);
  for (int k = 0; k < n_classes; ++k) {
    if (counts[static_cast<std::size_t>(k)] > 0) {
      class_index[static_cast<std::size_t>(k)] = static_cast<int>(classes.size());
      classes.push_back(k);
    }
  }
  if (classes.size() < 2)
    throw DataError("LogisticRegression::fit: all " + std::to_string(n) + " rows have class " +
                    std::to_string(classes.empty() ? -1 : classes[0]) +
                    "; at least two classes are needed");

  const bool warm = params_.warm_start && classes == classes_ && n_features_ == X.cols &&
                    n_classes == n_classes_ && intercept_.size() == (classes.size() == 2 ? 1u : classes.size());
  const int m = classes.size() == 2 ? 1 : static_cast<int>(classes.size());
  const int n_present = static_cast<int>(classes.size());

  std::vector<int> target(static_cast<std::size_t>(n));
  std::vector<double> cs(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const int label = y[static_cast<std::size_t>(i)];
    target[static_cast<std::size_t>(i)] = class_index[static_cast<std::size_t>(label)];
    double weight = sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
    if (params_.class_weight == ClassWeight::kBalanced) {
      weight *= static_cast<double>(n) / (n_present * static_cast<double>(counts[static_cast<std::size_t>(label)]));
    } else if (!params_.class_weights.empty()) {
      weight *= params_.class_weights[static_cast<std::size_t>(label)];
    }
    cs[static_cast<std::size_t>(i)] = params_.C * weight;
  }

  Problem problem(X, rows, target, cs, m, params_.fit_intercept, params_.n_threads);
  std::vector<double> w(static_cast<std::size_t>(problem.size()), 0.0);
  if (warm) {
    std::copy(weights_.begin(), weights_.end(), w.begin());
    if (params_.fit_intercept) std::copy(intercept_.begin(), intercept_.end(), w.begin() + problem.n_weights());
  }
  const int subsample_products = warm ? 0 : subsample_start(X, rows, target, cs, m, n_present, w);
  const TronResult result = tron(problem, w, n, m, params_.tol * params_.C, params_.ftol, params_.max_iter);

  n_classes_ = n_classes;
  n_features_ = X.cols;
  classes_ = std::move(classes);
  weights_.assign(w.begin(), w.begin() + problem.n_weights());
  intercept_.assign(static_cast<std::size_t>(m), 0.0);
  if (params_.fit_intercept) {
    std::copy(w.begin() + problem.n_weights(), w.end(), intercept_.begin());
    if (m > 1) {
      // The softmax is invariant to a common shift of the intercepts; report the zero-mean one
      // (what scikit-learn's solvers reach from a zero start).
      double mean = 0.0;
      for (double b : intercept_) mean += b;
      mean /= m;
      for (double& b : intercept_) b -= mean;
    }
  }
  n_iter_ = result.n_iter;
  n_hess_ = subsample_products + result.n_hess;
  converged_ = result.converged;
  objective_ = result.f;
  max_abs_gradient_ = result.gmax / params_.C;
  objective_gap_ = result.gap;
  warnings_.clear();
  if (!converged_) {
    const std::string test =
        params_.tol > 0
            ? "max |gradient| = " + format_double(max_abs_gradient_) + " > tol = " + format_double(params_.tol)
            : "estimated objective gap = " + format_double(result.gap / std::max(1.0, std::abs(result.f))) +
                  " (relative) > ftol = " + format_double(params_.ftol);
    warnings_.push_back("LogisticRegression did not converge in " + std::to_string(n_iter_) + " iterations (" +
                        result.stop_reason + "): " + test + "; increase max_iter, tol or ftol");
  }
  return *this;
}

int LogisticRegression::subsample_start(const text::CsrMatrix& X, std::span<const std::int64_t> rows,
                                        const std::vector<int>& target, const std::vector<double>& cs, int m,
                                        int n_present, std::vector<double>& w) const {
  const auto n = static_cast<std::int64_t>(target.size());
  if (params_.subsample_start_rows <= 0 || n < params_.subsample_start_rows) return 0;
  std::vector<std::int64_t> sub_rows;
  std::vector<int> sub_target;
  std::vector<double> sub_cs;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(n_present), 0);
  for (std::int64_t i = 0; i < n; i += kSubsampleStride) {
    sub_rows.push_back(rows.empty() ? i : rows[static_cast<std::size_t>(i)]);
    sub_target.push_back(target[static_cast<std::size_t>(i)]);
    sub_cs.push_back(cs[static_cast<std::size_t>(i)] * kSubsampleStride);
    ++counts[static_cast<std::size_t>(target[static_cast<std::size_t>(i)])];
  }
  // Every class needs rows in the subsample, or its intercept would drift off towards -inf.
  for (const std::int64_t c : counts)
    if (c < kSubsampleMinClassRows) return 0;
  // (Recursively: a subsample that is itself large starts from its own subsample.) The scaled
  // weights give the subsample the objective of all rows in expectation, so its optimum is near
  // theirs.
  const int products = subsample_start(X, sub_rows, sub_target, sub_cs, m, n_present, w);
  Problem sub(X, sub_rows, sub_target, sub_cs, m, params_.fit_intercept, params_.n_threads);
  return products + tron(sub, w, static_cast<std::int64_t>(sub_rows.size()), m, 0.0, kSubsampleFtol, params_.max_iter).n_hess;
}

DenseMatrix LogisticRegression::decision_function(const text::CsrMatrix& X) const {
  return scores_rows(X, {}, true);
}

DenseMatrix LogisticRegression::scores_rows(const text::CsrMatrix& X, std::span<const std::int64_t> rows,
                                            bool all_rows) const {
  if (!fitted()) throw std::invalid_argument("LogisticRegression: predict before fit");
  if (X.cols != n_features_)
    throw std::invalid_argument("LogisticRegression: X has " + std::to_string(X.cols) +
                                " columns, the model was fitted on " + std::to_string(n_features_));
  const std::int64_t n = all_rows ? X.rows : static_cast<std::int64_t>(rows.size());
  for (std::int64_t r = 0; r < n && !all_rows; ++r)
    if (rows[static_cast<std::size_t>(r)] < 0 || rows[static_cast<std::size_t>(r)] >= X.rows)
      throw std::invalid_argument("LogisticRegression: row id " + std::to_string(rows[static_cast<std::size_t>(r)]) +
                                  " outside X's " + std::to_string(X.rows) + " rows");
  const int m = n_vectors();
  DenseMatrix scores(n, m);
  detail::parallel_for(std::max(1, ceil_div(n, kRowChunk)), params_.n_threads, [&](int c) {
    for (std::int64_t r = c * kRowChunk, end = std::min(n, r + kRowChunk); r < end; ++r) {
      const std::int64_t i = all_rows ? r : rows[static_cast<std::size_t>(r)];
      for (int k = 0; k < m; ++k) scores(r, k) = intercept_[static_cast<std::size_t>(k)];
      for (std::int64_t p = X.indptr[i]; p < X.indptr[i + 1]; ++p) {
        const double x = X.data[p];
        const double* wj = weights_.data() + static_cast<std::int64_t>(X.indices[p]) * m;
        for (int k = 0; k < m; ++k) scores(r, k) += x * wj[k];
      }
    }
  });
  return scores;
}

DenseMatrix LogisticRegression::predict_proba(const text::CsrMatrix& X) const {
  return proba_from_scores(scores_rows(X, {}, true));
}

DenseMatrix LogisticRegression::predict_proba(const text::CsrMatrix& X, std::span<const std::int64_t> rows) const {
  return proba_from_scores(scores_rows(X, rows, false));
}

DenseMatrix LogisticRegression::proba_from_scores(const DenseMatrix& scores) const {
  DenseMatrix proba = DenseMatrix::Zero(scores.rows(), n_classes_);
  const int m = n_vectors();
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    if (m == 1) {
      const double p1 = sigmoid(scores(i, 0));
      proba(i, classes_[0]) = 1.0 - p1;
      proba(i, classes_[1]) = p1;
      continue;
    }
    const double zmax = scores.row(i).maxCoeff();
    double sum = 0.0;
    for (int k = 0; k < m; ++k) sum += std::exp(scores(i, k) - zmax);
    for (int k = 0; k < m; ++k) proba(i, classes_[static_cast<std::size_t>(k)]) = std::exp(scores(i, k) - zmax) / sum;
  }
  return proba;
}

DenseMatrix LogisticRegression::coef() const {
  const int m = n_vectors();
  DenseMatrix out(m, n_features_);
  for (std::int64_t j = 0; j < n_features_; ++j)
    for (int k = 0; k < m; ++k) out(k, j) = weights_[static_cast<std::size_t>(j * m + k)];
  return out;
}

// Format: a text header (magic + version, then "key value" lines) followed by the weights and
// intercepts as little-endian IEEE-754 doubles, so a load gives back the exact fitted numbers.
void LogisticRegression::save(std::ostream& out) const {
  static_assert(std::endian::native == std::endian::little, "the model format is little-endian");
  if (!fitted()) throw std::invalid_argument("LogisticRegression::save: the model is not fitted");
  out << "textaudit-logreg 1\n";
  out << "n_classes " << n_classes_ << "\n";
  out << "n_features " << n_features_ << "\n";
  out << "classes";
  for (int c : classes_) out << ' ' << c;
  out << "\n";
  out.precision(17);
  out << "C " << params_.C << "\nfit_intercept " << (params_.fit_intercept ? 1 : 0) << "\n";
  out << "data " << weights_.size() + intercept_.size() << "\n";
  out.write(reinterpret_cast<const char*>(weights_.data()), static_cast<std::streamsize>(weights_.size() * sizeof(double)));
  out.write(reinterpret_cast<const char*>(intercept_.data()), static_cast<std::streamsize>(intercept_.size() * sizeof(double)));
  out << "\nend\n";
  if (!out) throw std::runtime_error("LogisticRegression::save: write failed");
}

LogisticRegression LogisticRegression::load(std::istream& in) {
  auto fail = [](const std::string& what) -> DataError {
    return DataError("logistic regression model: " + what);
  };
  std::string line;
  if (!std::getline(in, line) || line.rfind("textaudit-logreg ", 0) != 0)
    throw fail("not a textaudit logistic regression model (missing \"textaudit-logreg\" header)");
  if (line != "textaudit-logreg 1")
    throw fail("unsupported format version \"" + shorten(line.substr(17)) + "\"; this build reads version 1");
  auto expect_line = [&](const std::string& key) {
    if (!std::getline(in, line) || (line.rfind(key + " ", 0) != 0 && line != key))
      throw fail("expected \"" + key + "\", got \"" + shorten(line) + "\"");
    return std::istringstream(line.substr(key.size()));
  };
  LogisticRegression model;
  auto n_classes_in = expect_line("n_classes");
  n_classes_in >> model.n_classes_;
  auto n_features_in = expect_line("n_features");
  n_features_in >> model.n_features_;
  auto classes_in = expect_line("classes");
  for (int c; classes_in >> c;) model.classes_.push_back(c);
  auto c_in = expect_line("C");
  c_in >> model.params_.C;
  auto fi_in = expect_line("fit_intercept");
  int fit_intercept = 1;
  fi_in >> fit_intercept;
  model.params_.fit_intercept = fit_intercept != 0;
  auto data_in = expect_line("data");
  std::size_t count = 0;
  data_in >> count;
  if (model.n_classes_ < 2 || model.n_features_ < 1 || model.classes_.size() < 2 ||
      static_cast<int>(model.classes_.size()) > model.n_classes_)
    throw fail("inconsistent header (n_classes, n_features, classes)");
  for (std::size_t k = 0; k < model.classes_.size(); ++k)
    if (model.classes_[k] < 0 || model.classes_[k] >= model.n_classes_ || (k > 0 && model.classes_[k] <= model.classes_[k - 1]))
      throw fail("bad class list");
  const int m = model.n_vectors();
  const std::size_t n_weights = static_cast<std::size_t>(model.n_features_) * static_cast<std::size_t>(m);
  if (count != n_weights + static_cast<std::size_t>(m))
    throw fail("data holds " + std::to_string(count) + " numbers, expected " + std::to_string(n_weights + m));
  model.weights_.resize(n_weights);
  model.intercept_.resize(static_cast<std::size_t>(m));
  in.read(reinterpret_cast<char*>(model.weights_.data()), static_cast<std::streamsize>(n_weights * sizeof(double)));
  in.read(reinterpret_cast<char*>(model.intercept_.data()), static_cast<std::streamsize>(m * sizeof(double)));
  if (!in) throw fail("truncated data");
  std::getline(in, line);  // rest of the data line
  if (!std::getline(in, line) || line != "end") throw fail("missing \"end\" marker (truncated file?)");
  model.converged_ = true;
  return model;
}

}  // namespace textaudit::models
