// find_label_issues' prune_by_noise_rate / prune_by_class / both (cleanlab 2.9's filter.py) in two
// passes over pred_probs, where the step-by-step version (prune_filter_mask_reference) makes five:
// the range check, the thresholds, the confident joint, a column copy of each class's rows and one
// margin array per off-diagonal cell.
//  1. Labels only: checks and class counts per fixed chunk of rows, then each row's p[label]
//     scattered by class, so that each threshold is NumPy's pairwise mean of its class, as before.
//  2. Every value once: the range check, the confident joint and, per off-diagonal cell (c, j),
//     the candidates: rows given c whose key -(p_j - p_c) is at most a cutoff read off a sample of
//     rows (about 1.5x the share of c's sample counted in cell (c, j), plus 16 rows).
// prune_by_noise_rate flags in cell (c, j) the set np.argsort(key over class c)[:m], m from the
// prune counts. Every row outside the candidates has a larger key than every candidate, so when
// more than m rows are candidates, the m smallest keys and the (m+1)-th are all among them and the
// set is the candidates with key <= the m-th key, unless the m-th and (m+1)-th keys are equal
// (NumPy's sort order then decides); exactly m candidates are the set. A tie across the cut or too
// few candidates sends the cell to numpy_argsort_head_set over all its class's rows, as the
// reference does. The sample changes the speed, never the result; no step depends on the number
// of threads (fixed chunks, integer counts).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <atomic>
#include <immintrin.h>
#define TEXTAUDIT_PRUNE_AVX2 1
#endif

#include "cleaning/confident_joint.h"
#include "cleaning/detail/label_issues_prune.h"
#include "cleaning/detail/parallel_for.h"
#include "cleaning/detail/probability_range.h"
#include "cleaning/numpy_sort.h"

namespace textaudit::cleaning::detail {
namespace {

constexpr std::int64_t kChunkRows = 1 << 15;  // rows per chunk of both passes
constexpr std::int64_t kBlockRows = 128;      // range-checked, then read again from L1/L2
constexpr std::int64_t kMinClassSample = 32;  // fewer sampled rows: the class skips the candidates
constexpr double kThresholdLowerBound = 2e-6;   // get_confident_thresholds
constexpr double kMissingClassThreshold = 2.0;  // a class that is never a given label
constexpr double kNoCandidates = -std::numeric_limits<double>::infinity();
constexpr double kAllCandidates = std::numeric_limits<double>::infinity();
constexpr std::uint8_t kByClass = 1, kByNoiseRate = 2, kNearKnown = 4, kNearArgmax = 8;


// Per column j of a group of <= 64: p_j >= cutoff_j (confident) and -(p_j - own) <= key_cutoff_j
// (candidate; computed as own - p_j, which differs only in the sign of a zero). NaN sets no bit.
struct RowBits {
  std::uint64_t confident = 0, candidate = 0;
};

RowBits row_bits(const double* row, const double* cutoffs, const double* key_cutoffs, double own,
                 int width) {
  RowBits bits;
  int t = 0;
#if defined(__SSE2__)
  const __m128d own2 = _mm_set1_pd(own);
  for (; t + 2 <= width; t += 2) {
    const __m128d v = _mm_loadu_pd(row + t);
    const auto confident = _mm_movemask_pd(_mm_cmpge_pd(v, _mm_loadu_pd(cutoffs + t)));
    const auto candidate =
        _mm_movemask_pd(_mm_cmple_pd(_mm_sub_pd(own2, v), _mm_loadu_pd(key_cutoffs + t)));
    bits.confident |= static_cast<std::uint64_t>(confident) << t;
    bits.candidate |= static_cast<std::uint64_t>(candidate) << t;
  }
#endif
  for (; t < width; ++t) {
    const double v = row[t];
    bits.confident |= static_cast<std::uint64_t>(v >= cutoffs[t]) << t;
    bits.candidate |= static_cast<std::uint64_t>(own - v <= key_cutoffs[t]) << t;
  }
  return bits;
}

#if defined(TEXTAUDIT_PRUNE_AVX2)
// row_bits with four doubles per compare, for CPUs with AVX2 (chosen at run time).
[[gnu::target("avx2")]] RowBits row_bits_avx2(const double* row, const double* cutoffs,
                                              const double* key_cutoffs, double own, int width) {
  RowBits bits;
  int t = 0;
  const __m256d own4 = _mm256_set1_pd(own);
  for (; t + 4 <= width; t += 4) {
    const __m256d v = _mm256_loadu_pd(row + t);
    const int confident = _mm256_movemask_pd(_mm256_cmp_pd(v, _mm256_loadu_pd(cutoffs + t), _CMP_GE_OQ));
    const int candidate = _mm256_movemask_pd(
        _mm256_cmp_pd(_mm256_sub_pd(own4, v), _mm256_loadu_pd(key_cutoffs + t), _CMP_LE_OQ));
    bits.confident |= static_cast<std::uint64_t>(confident) << t;
    bits.candidate |= static_cast<std::uint64_t>(candidate) << t;
  }
  for (; t < width; ++t) {
    const double v = row[t];
    bits.confident |= static_cast<std::uint64_t>(v >= cutoffs[t]) << t;
    bits.candidate |= static_cast<std::uint64_t>(own - v <= key_cutoffs[t]) << t;
  }
  return bits;
}

std::atomic<bool> avx2_allowed{true};
#endif

// given_label_is_near_argmax for a valid row: the first maximum of the row with p[label] + 1e-6
// in place of p[label] is the label iff no earlier p reaches it and no later p exceeds it.
bool near_argmax(const double* row, Eigen::Index k, int label) {
  const double boosted = row[label] + 1e-6;
  for (Eigen::Index j = 0; j < label; ++j)
    if (row[j] >= boosted) return false;
  for (Eigen::Index j = label + 1; j < k; ++j)
    if (row[j] > boosted) return false;
  return true;
}

// NumPy's order for doubles: NaN after everything (only reached on rows that fail the check).
bool key_less(double a, double b) { return a < b || (b != b && a == a); }

int row_argmax(const double* row, Eigen::Index k) {
  int best = 0;
  for (Eigen::Index j = 1; j < k; ++j)
    if (row[j] > row[best]) best = static_cast<int>(j);
  return best;
}

// compute_confident_joint's rule for one row: the class whose p reaches its cutoff, the row's
// argmax when several do, -1 when none does.
int confident_guess(const double* row, const double* cutoffs, Eigen::Index k) {
  int num_confident = 0, first_confident = 0;
  for (Eigen::Index c = 0; c < k; ++c) {
    if (row[c] >= cutoffs[c]) {
      if (num_confident == 0) first_confident = static_cast<int>(c);
      ++num_confident;
    }
  }
  if (num_confident == 0) return -1;
  return num_confident > 1 ? row_argmax(row, k) : first_confident;
}

// A well-mixed 64-bit hash (splitmix64's finaliser), for the sample's row offsets.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::int64_t wrapping_sub(std::int64_t x, std::int64_t y) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y));
}

struct LabelChunk {
  int lowest = 0, highest = 0;
  bool differs = false;                // holds a label other than labels[0]
  std::vector<std::int64_t> position;  // per class: its rows' count, then their first position
};

struct Candidate {
  std::int64_t row;
  std::int32_t j;     // the other class of the cell
  bool near_argmax;   // given_label_is_near_argmax(row)
  double key;         // -(p_j - p_c), c = the row's label
};

struct ScanChunk {
  bool bad = false;  // holds a value outside [-1e-6, 1 + 1e-6] or NaN
  std::vector<std::vector<Candidate>> candidates;  // per given class, in row order
};

// calibrate_confident_joint with the class counts at hand (cleanlab's calibrate_confident_joint:
// rows scaled to the class counts, the whole to n, rounded preserving row totals).
CountMatrix calibrate(const CountMatrix& joint, const std::vector<std::int64_t>& counts) {
  const auto clip_tiny = [](double x) { return x < 1e-100 ? 1e-100 : x; };  // TINY_VALUE
  const Eigen::Index k = joint.rows();
  DenseMatrix calibrated(k, k);
  std::int64_t total_labels = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double row_sum = clip_tiny(static_cast<double>(joint.row(i).sum()));
    for (Eigen::Index j = 0; j < k; ++j)
      calibrated(i, j) = static_cast<double>(joint(i, j)) / row_sum *
                         static_cast<double>(counts[static_cast<std::size_t>(i)]);
    total_labels += counts[static_cast<std::size_t>(i)];
  }
  const double total = clip_tiny(numpy_pairwise_sum(calibrated.data(), k * k));
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j)
      calibrated(i, j) = calibrated(i, j) / total * static_cast<double>(total_labels);
  return round_preserving_row_totals(calibrated);
}

struct ScanInput {
  const double* p;
  const int* labels;
  Eigen::Index k;
  const double* cutoffs;     // per class
  const double* key_cutoff;  // K x K, [c][j]
  bool by_noise_rate;
};

// Pass 2 over rows [begin, end): range check per block, the confident joint into `joint` (K x K),
// candidates into s. RowBitsFn: row_bits or row_bits_avx2 (the same bits).
template <RowBits (*RowBitsFn)(const double*, const double*, const double*, double, int)>
[[gnu::always_inline]] inline void scan_rows(const ScanInput& in, std::int64_t begin,
                                             std::int64_t end, ScanChunk& s, std::int64_t* joint) {
  const Eigen::Index k = in.k;
  const auto kk = static_cast<std::size_t>(k);
  for (std::int64_t b = begin; b < end; b += kBlockRows) {
    const std::int64_t block_end = std::min(end, b + kBlockRows);
    if (!all_probabilities_in_range(in.p + b * k, (block_end - b) * k)) s.bad = true;
    for (std::int64_t i = b; i < block_end; ++i) {
      const double* row = in.p + i * k;
      const int y = in.labels[i];
      const double own = row[y];
      const double* cut = in.key_cutoff + static_cast<std::size_t>(y) * kk;
      int first_confident = -1;
      bool several_confident = false, near_known = false, near = false;
      for (Eigen::Index j0 = 0; j0 < k; j0 += 64) {
        const int width = static_cast<int>(std::min<Eigen::Index>(64, k - j0));
        const RowBits bits = RowBitsFn(row + j0, in.cutoffs + j0, cut + j0, own, width);
        if (bits.confident != 0) {
          several_confident |= first_confident >= 0 || (bits.confident & (bits.confident - 1)) != 0;
          if (first_confident < 0) first_confident = static_cast<int>(j0) + std::countr_zero(bits.confident);
        }
        if (bits.candidate == 0) continue;
        if (!near_known) {  // the near-argmax rule now, while the row is in cache
          near = near_argmax(row, k, y);
          near_known = true;
        }
        for (std::uint64_t m = bits.candidate; m != 0; m &= m - 1) {
          const Eigen::Index j = j0 + std::countr_zero(m);
          s.candidates[static_cast<std::size_t>(y)].push_back(
              {i, static_cast<std::int32_t>(j), near, -(row[j] - own)});
        }
      }
      if (first_confident < 0) continue;
      const int guess = several_confident ? row_argmax(row, k) : first_confident;
      ++joint[static_cast<std::size_t>(y) * kk + static_cast<std::size_t>(guess)];
    }
  }
}

void scan_rows_default(const ScanInput& in, std::int64_t begin, std::int64_t end, ScanChunk& s,
                       std::int64_t* joint) {
  scan_rows<row_bits>(in, begin, end, s, joint);
}

#if defined(TEXTAUDIT_PRUNE_AVX2)
[[gnu::target("avx2")]] void scan_rows_avx2(const ScanInput& in, std::int64_t begin,
                                            std::int64_t end, ScanChunk& s, std::int64_t* joint) {
  scan_rows<row_bits_avx2>(in, begin, end, s, joint);
}
#endif

[[noreturn]] void throw_first_bad_value(const DenseMatrix& pred_probs, std::int64_t from) {
  const double* p = pred_probs.data();
  const auto size = static_cast<std::int64_t>(pred_probs.size());
  const auto k = static_cast<std::int64_t>(pred_probs.cols());
  for (std::int64_t i = from; i < size; ++i) {
    const double v = p[i];
    if (probability_in_range(v)) continue;
    throw std::invalid_argument("Values in pred_probs must be between 0 and 1 (row " +
                                std::to_string(i / k) + ", column " + std::to_string(i % k) +
                                " holds " + std::to_string(v) + ").");
  }
  throw std::logic_error("prune_filter_mask: a block failed the range check but holds no bad value");
}

}  // namespace

void allow_avx2_for_testing(bool allow) {
#if defined(TEXTAUDIT_PRUNE_AVX2)
  avx2_allowed.store(allow);
#else
  (void)allow;
#endif
}

std::vector<bool> prune_filter_mask(const std::vector<int>& labels, const DenseMatrix& pred_probs,
                                    const FindLabelIssuesParams& params) {
  // check_inputs' label checks, same messages in the same order; the values come in pass 2.
  const auto n = static_cast<std::int64_t>(labels.size());
  if (n != pred_probs.rows()) {
    throw std::invalid_argument("pred_probs and labels must have same length (labels: " +
                                std::to_string(labels.size()) + ", pred_probs rows: " +
                                std::to_string(pred_probs.rows()) + ").");
  }
  if (n == 0) throw std::invalid_argument("labels and pred_probs are empty.");
  const Eigen::Index k = pred_probs.cols();
  if (k < 1) throw std::invalid_argument("pred_probs must have at least one column.");
  const int threads = resolve_threads(params.n_threads);
  const std::int64_t n_chunks = (n + kChunkRows - 1) / kChunkRows;
  const auto chunk_end = [&](std::int64_t chunk) { return std::min(n, (chunk + 1) * kChunkRows); };
  const auto kk = static_cast<std::size_t>(k);

  // Pass 1a: label range and class counts per chunk.
  std::vector<LabelChunk> label_chunks(static_cast<std::size_t>(n_chunks));
  parallel_for(n_chunks, threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
    for (std::int64_t chunk = c0; chunk < c1; ++chunk) {
      LabelChunk& s = label_chunks[static_cast<std::size_t>(chunk)];
      s.position.assign(kk, 0);
      const int first = labels[0];
      int lowest = labels[static_cast<std::size_t>(chunk * kChunkRows)], highest = lowest;
      bool differs = false;
      for (std::int64_t i = chunk * kChunkRows, end = chunk_end(chunk); i < end; ++i) {
        const int y = labels[static_cast<std::size_t>(i)];
        lowest = std::min(lowest, y);
        highest = std::max(highest, y);
        differs |= y != first;
        if (y >= 0 && y < k) ++s.position[static_cast<std::size_t>(y)];
      }
      s.lowest = lowest;
      s.highest = highest;
      s.differs = differs;
    }
  });
  int lowest = label_chunks[0].lowest, highest = label_chunks[0].highest;
  bool two_classes = false;
  for (const LabelChunk& s : label_chunks) {
    lowest = std::min(lowest, s.lowest);
    highest = std::max(highest, s.highest);
    two_classes |= s.differs;
  }
  check_label_range(lowest, highest, k);
  // Labels that are all 0 pass cleanlab's validation here (a multi-label leftover); all 1 do not.
  const bool all_zero = highest == 0;
  if (!all_zero && !two_classes) throw std::invalid_argument("Labels must contain at least 2 classes.");

  // Class counts and, per chunk, where its rows of each class go in class order.
  std::vector<std::int64_t> counts(kk, 0), class_start(kk + 1, 0);
  for (const LabelChunk& s : label_chunks)
    for (std::size_t c = 0; c < kk; ++c) counts[c] += s.position[c];
  for (std::size_t c = 0; c < kk; ++c) class_start[c + 1] = class_start[c] + counts[c];
  {
    std::vector<std::int64_t> next(class_start.begin(), class_start.end() - 1);
    for (LabelChunk& s : label_chunks)
      for (std::size_t c = 0; c < kk; ++c) {
        const std::int64_t here = s.position[c];
        s.position[c] = next[c];
        next[c] += here;
      }
  }

  // Pass 1b: self-confidences in class order (and the rows, which prune_by_class selects from).
  const bool by_class = params.filter_by != FilterBy::kPruneByNoiseRate;
  const bool by_noise_rate = params.filter_by != FilterBy::kPruneByClass;
  const double* p = pred_probs.data();
  auto class_sc = std::make_unique_for_overwrite<double[]>(static_cast<std::size_t>(n));
  std::unique_ptr<std::int64_t[]> class_rows;
  if (by_class) class_rows = std::make_unique_for_overwrite<std::int64_t[]>(static_cast<std::size_t>(n));
  parallel_for(n_chunks, threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
    for (std::int64_t chunk = c0; chunk < c1; ++chunk) {
      std::vector<std::int64_t> next = label_chunks[static_cast<std::size_t>(chunk)].position;
      for (std::int64_t i = chunk * kChunkRows, end = chunk_end(chunk); i < end; ++i) {
        const int y = labels[static_cast<std::size_t>(i)];
        const std::int64_t pos = next[static_cast<std::size_t>(y)]++;
        class_sc[pos] = p[i * k + y];
        if (class_rows) class_rows[pos] = i;
      }
    }
  });
  label_chunks = {};

  // get_confident_thresholds, minus compute_confident_joint's 1e-6.
  std::vector<double> cutoffs(kk);
  parallel_for(k, threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
    for (auto c = static_cast<std::size_t>(c0); c < static_cast<std::size_t>(c1); ++c) {
      double t = kMissingClassThreshold;
      if (counts[c] > 0)
        t = numpy_pairwise_sum(class_sc.get() + class_start[c], counts[c]) / static_cast<double>(counts[c]);
      cutoffs[c] = (t < kThresholdLowerBound ? kThresholdLowerBound : t) - 1e-6;
    }
  });

  // The candidates' cutoffs (key <= cutoff), from about 1024 rows per class drawn one per window.
  std::vector<double> key_cutoff(kk * kk, kNoCandidates);
  if (by_noise_rate) {
    const std::int64_t wanted =  // at most 2^22 sampled values
        std::min(std::max<std::int64_t>(16384, 1024 * static_cast<std::int64_t>(k)),
                 std::max<std::int64_t>(1024, (std::int64_t{1} << 22) / k));
    const std::int64_t samples = std::min(n, wanted);
    const std::int64_t window = n / samples;
    std::vector<std::int64_t> sample_rows(static_cast<std::size_t>(samples));
    std::vector<std::int64_t> sample_start(kk + 1, 0), sample_joint(kk * kk, 0);
    for (std::int64_t t = 0; t < samples; ++t) {
      const std::int64_t row = t * window + static_cast<std::int64_t>(mix(static_cast<std::uint64_t>(t)) % static_cast<std::uint64_t>(window));
      sample_rows[static_cast<std::size_t>(t)] = row;
      ++sample_start[static_cast<std::size_t>(labels[static_cast<std::size_t>(row)]) + 1];
    }
    for (std::size_t c = 0; c < kk; ++c) sample_start[c + 1] += sample_start[c];
    // The sampled rows copied in class order (random reads once; the cutoffs then read L2).
    std::vector<double> sampled(static_cast<std::size_t>(samples) * kk);
    {
      std::vector<std::int64_t> next(sample_start.begin(), sample_start.end() - 1);
      for (std::int64_t row : sample_rows) {
        const int y = labels[static_cast<std::size_t>(row)];
        const double* values = p + row * k;
        std::copy(values, values + k, sampled.begin() + next[static_cast<std::size_t>(y)]++ * k);
        const int guess = confident_guess(values, cutoffs.data(), k);
        if (guess >= 0) ++sample_joint[static_cast<std::size_t>(y) * kk + static_cast<std::size_t>(guess)];
      }
    }
    parallel_for(k, threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
      std::vector<double> keys;
      for (auto c = static_cast<std::size_t>(c0); c < static_cast<std::size_t>(c1); ++c) {
        const std::int64_t in_sample = sample_start[c + 1] - sample_start[c];
        if (in_sample < kMinClassSample) continue;
        std::int64_t confident = 0;
        for (std::size_t g = 0; g < kk; ++g) confident += sample_joint[c * kk + g];
        for (std::size_t j = 0; j < kk; ++j) {
          if (j == c) continue;
          const double share = confident > 0 ? static_cast<double>(sample_joint[c * kk + j]) /
                                                   static_cast<double>(confident)
                                             : 0.0;
          const auto rank = static_cast<std::int64_t>(share * 1.5 * static_cast<double>(in_sample)) + 16;
          if (rank >= in_sample) {
            key_cutoff[c * kk + j] = kAllCandidates;
            continue;
          }
          keys.resize(static_cast<std::size_t>(in_sample));
          for (std::int64_t s = 0; s < in_sample; ++s) {
            const double* row = sampled.data() + (sample_start[c] + s) * k;
            keys[static_cast<std::size_t>(s)] = -(row[j] - row[c]);
          }
          std::nth_element(keys.begin(), keys.begin() + rank, keys.end(), key_less);
          key_cutoff[c * kk + j] = keys[static_cast<std::size_t>(rank)];
        }
      }
    });
  }

  // Pass 2: range check, confident joint (per thread: integer sums) and candidates (per chunk).
  std::vector<ScanChunk> scan(static_cast<std::size_t>(n_chunks));
  std::vector<std::vector<std::int64_t>> thread_joint(static_cast<std::size_t>(threads),
                                                      std::vector<std::int64_t>(kk * kk, 0));
  const ScanInput input{p, labels.data(), k, cutoffs.data(), key_cutoff.data(), by_noise_rate};
  bool use_avx2 = false;
#if defined(TEXTAUDIT_PRUNE_AVX2)
  use_avx2 = avx2_allowed.load() && __builtin_cpu_supports("avx2");
#endif
  parallel_for(n_chunks, threads, 1, [&](std::int64_t c0, std::int64_t c1, int tid) {
    std::int64_t* joint = thread_joint[static_cast<std::size_t>(tid)].data();
    for (std::int64_t chunk = c0; chunk < c1; ++chunk) {
      ScanChunk& s = scan[static_cast<std::size_t>(chunk)];
      s.candidates.resize(by_noise_rate ? kk : 0);
#if defined(TEXTAUDIT_PRUNE_AVX2)
      if (use_avx2) {
        scan_rows_avx2(input, chunk * kChunkRows, chunk_end(chunk), s, joint);
        continue;
      }
#endif
      scan_rows_default(input, chunk * kChunkRows, chunk_end(chunk), s, joint);
    }
  });
  for (std::int64_t chunk = 0; chunk < n_chunks; ++chunk)
    if (scan[static_cast<std::size_t>(chunk)].bad) throw_first_bad_value(pred_probs, chunk * kChunkRows * k);
  check_find_label_issues_params(params, k);

  // compute_confident_joint's counts (diagonal at least 1), calibrated; then the prune counts.
  CountMatrix joint = CountMatrix::Zero(k, k);
  for (const auto& part : thread_joint)
    for (Eigen::Index r = 0; r < k; ++r)
      for (Eigen::Index c = 0; c < k; ++c) joint(r, c) += part[static_cast<std::size_t>(r * k + c)];
  for (Eigen::Index c = 0; c < k; ++c) joint(c, c) = std::max<std::int64_t>(joint(c, c), 1);
  const CountMatrix prune = prune_counts(calibrate(joint, counts), params, counts);

  // Per class (rows of different classes are disjoint, so classes run in parallel).
  // Per row: kByClass / kByNoiseRate when selected, kNearKnown once the near-argmax rule is known.
  std::vector<std::uint8_t> flags(static_cast<std::size_t>(n), 0);
  const std::int64_t min_examples = params.min_examples_per_class;
  parallel_for(k, threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
    std::vector<std::int64_t> in_cell, cell_start;
    std::vector<double> keys;
    std::vector<std::int64_t> cell_rows, exact_cells;
    std::vector<std::uint8_t> cell_bits;  // what selecting the candidate sets in its row's flags
    for (std::int64_t c = c0; c < c1; ++c) {
      const auto cu = static_cast<std::size_t>(c);
      const std::int64_t count = counts[cu];
      // cleanlab only writes a class's mask back when the class has more than one row.
      if (count <= 1 || count <= min_examples) continue;
      if (by_class) {
        const std::int64_t num_issues = wrapping_sub(count, prune(c, c));
        if (num_issues >= 1) {
          const std::span<const double> own(class_sc.get() + class_start[cu], static_cast<std::size_t>(count));
          for (std::int64_t r : numpy_argsort_head_set(own, num_issues))
            flags[static_cast<std::size_t>(class_rows[class_start[cu] + r])] |= kByClass;
        }
      }
      if (!by_noise_rate) continue;
      // This class's candidates by cell (chunks in order, then a counting sort on j).
      in_cell.assign(kk + 1, 0);
      for (const ScanChunk& chunk : scan)
        for (const Candidate& cand : chunk.candidates[cu]) ++in_cell[static_cast<std::size_t>(cand.j) + 1];
      for (std::size_t j = 0; j < kk; ++j) in_cell[j + 1] += in_cell[j];
      const std::int64_t total = in_cell[kk];
      cell_start.assign(in_cell.begin(), in_cell.end() - 1);
      keys.resize(static_cast<std::size_t>(total));
      cell_rows.resize(static_cast<std::size_t>(total));
      cell_bits.resize(static_cast<std::size_t>(total));
      for (const ScanChunk& chunk : scan) {
        for (const Candidate& cand : chunk.candidates[cu]) {
          const auto at = static_cast<std::size_t>(cell_start[static_cast<std::size_t>(cand.j)]++);
          keys[at] = cand.key;
          cell_rows[at] = cand.row;
          cell_bits[at] = kByNoiseRate | kNearKnown | (cand.near_argmax ? kNearArgmax : 0);
        }
      }
      exact_cells.clear();
      std::vector<double> work;
      for (std::size_t j = 0; j < kk; ++j) {
        const std::int64_t m = prune(static_cast<Eigen::Index>(j), c);
        if (j == cu || m <= 0) continue;
        const std::int64_t begin = in_cell[j], size = in_cell[j + 1] - in_cell[j];
        if (size == m) {
          for (std::int64_t t = begin; t < begin + size; ++t)
            flags[static_cast<std::size_t>(cell_rows[t])] |= cell_bits[t];
          continue;
        }
        if (size > m) {
          work.assign(keys.begin() + begin, keys.begin() + begin + size);
          std::nth_element(work.begin(), work.begin() + (m - 1), work.end(), key_less);
          const double a = work[static_cast<std::size_t>(m - 1)];
          const double b = *std::min_element(work.begin() + m, work.end(), key_less);
          if (key_less(a, b)) {
            for (std::int64_t t = begin; t < begin + size; ++t)
              if (!key_less(a, keys[static_cast<std::size_t>(t)]))
                flags[static_cast<std::size_t>(cell_rows[t])] |= cell_bits[t];
            continue;
          }
        }
        exact_cells.push_back(static_cast<std::int64_t>(j));  // a tie at the cut, or too few
      }
      if (exact_cells.empty()) continue;
      // numpy_argsort_head_set over all of the class's rows, in row order, as the reference.
      std::vector<std::int64_t> rows;
      if (class_rows) {
        rows.assign(class_rows.get() + class_start[cu], class_rows.get() + class_start[cu + 1]);
      } else {
        rows.reserve(static_cast<std::size_t>(count));
        for (std::int64_t i = 0; i < n; ++i)
          if (labels[static_cast<std::size_t>(i)] == c) rows.push_back(i);
      }
      std::vector<double> all_keys(rows.size());
      for (std::int64_t j : exact_cells) {
        for (std::size_t r = 0; r < rows.size(); ++r) {
          const double* row = p + rows[r] * k;
          all_keys[r] = -(row[j] - row[c]);
        }
        for (std::int64_t r : numpy_argsort_head_set(all_keys, prune(j, c)))
          flags[static_cast<std::size_t>(rows[static_cast<std::size_t>(r)])] |= kByNoiseRate;
      }
    }
  });

  const std::uint8_t need = params.filter_by == FilterBy::kBoth ? (kByClass | kByNoiseRate)
                            : by_class                          ? kByClass
                                                                : kByNoiseRate;
  // The flagged rows per chunk on all threads, then set in order.
  std::vector<std::vector<std::int64_t>> flagged(static_cast<std::size_t>(n_chunks));
  parallel_for(n_chunks, threads, 1, [&](std::int64_t c0, std::int64_t c1, int) {
    for (std::int64_t chunk = c0; chunk < c1; ++chunk) {
      for (std::int64_t i = chunk * kChunkRows, end = chunk_end(chunk); i < end; ++i) {
        const std::uint8_t f = flags[static_cast<std::size_t>(i)];
        if ((f & need) != need) continue;
        const bool near = (f & kNearKnown) ? (f & kNearArgmax) != 0
                                           : near_argmax(p + i * k, k, labels[static_cast<std::size_t>(i)]);
        if (!near) flagged[static_cast<std::size_t>(chunk)].push_back(i);
      }
    }
  });
  std::vector<bool> out(static_cast<std::size_t>(n), false);
  for (const auto& rows : flagged)
    for (std::int64_t i : rows) out[static_cast<std::size_t>(i)] = true;
  return out;
}

}  // namespace textaudit::cleaning::detail
