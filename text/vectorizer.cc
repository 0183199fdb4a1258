// text/vectorizer.cc: see vectorizer.h.
//
// fit_transform in four steps, each parallel over contiguous blocks of documents (one per thread):
//  1. count: tokenize each document straight into a per-thread TermTable (term -> local id) and
//     record each row as (local id, count) runs, in first-occurrence order;
//  2. sort each thread's local terms by bytes, then k-way merge them into the global vocabulary
//     (sorted, as scikit-learn's _sort_features), summing document and total frequencies;
//  3. apply min_df / max_df / max_features (scikit-learn's _limit_features) and map local ids to
//     columns;
//  4. build the CSR rows: remap, sort by column, weight (tf, idf, norm) in double, store float.
// The vocabulary does not depend on how documents are split, and every value depends only on its
// row and on the (integer) document frequencies, so the output is identical for any n_threads.
#include "text/vectorizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <istream>
#include <numeric>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "text/data_error.h"
#include "text/detail/target_clones.h"

namespace textaudit::text {
namespace {

// Fewer documents than this per thread are not worth a thread.
constexpr std::size_t kMinDocsPerThread = 512;

int resolve_threads(int n_threads, std::size_t n_docs) {
  std::size_t t = n_threads > 0 ? static_cast<std::size_t>(n_threads)
                                : std::max(1u, std::thread::hardware_concurrency());
  t = std::min(t, std::max<std::size_t>(1, n_docs / kMinDocsPerThread));
  return static_cast<int>(t);
}

// Boundaries of `parts` contiguous blocks of about equal bytes: block p is [b[p], b[p + 1]).
std::vector<std::size_t> split_by_bytes(const std::vector<std::string>& docs, int parts) {
  std::size_t total = 0;
  for (const auto& d : docs) total += d.size() + 16;
  std::vector<std::size_t> bounds{0};
  std::size_t acc = 0;
  for (std::size_t i = 0; i < docs.size() && static_cast<int>(bounds.size()) < parts; ++i) {
    acc += docs[i].size() + 16;
    if (acc * parts >= total * bounds.size()) bounds.push_back(i + 1);
  }
  while (static_cast<int>(bounds.size()) < parts + 1) bounds.push_back(docs.size());
  bounds.back() = docs.size();
  return bounds;
}

// Runs f(0..n-1) on n threads (f(0) on the caller's); rethrows the first block's exception.
template <typename F>
void run_parallel(int n, F&& f) {
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  threads.reserve(n > 0 ? n - 1 : 0);
  for (int p = 1; p < n; ++p) {
    threads.emplace_back([&, p] {
      try {
        f(p);
      } catch (...) {
        errors[p] = std::current_exception();
      }
    });
  }
  try {
    if (n > 0) f(0);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// The first min(8, size) bytes of `term` as a big-endian integer, zero-padded: x < y as
// integers implies x < y as byte strings (equal keys say nothing).
std::uint64_t sort_prefix(std::string_view term) {
  unsigned char bytes[8] = {};
  std::memcpy(bytes, term.data(), std::min<std::size_t>(8, term.size()));
  std::uint64_t key = 0;
  for (unsigned char c : bytes) key = key << 8 | c;
  return key;
}

// One block's rows: row r holds row_sizes[r] (id, count) pairs, consecutive in ids / counts.
struct BlockCounts {
  std::vector<std::uint32_t> row_sizes;
  std::vector<std::int32_t> ids;
  std::vector<std::int32_t> counts;
};

// Tokenizes docs[begin, end) and counts each document's terms in `table`: inserting new terms
// (kInsert, fit) or skipping unknown ones (transform). A document's unigrams are hashed and their
// slots prefetched before any lookup, so the table's cache misses overlap.
template <bool kInsert, typename Table>
void count_block(const std::vector<std::string>& docs, std::size_t begin, std::size_t end,
                 Analyzer& analyzer, Table& table, BlockCounts& out) {
  struct Seen {
    std::int32_t doc = -1;   // last document (relative to begin) holding the id
    std::uint32_t pos = 0;   // its (id, count) pair in out
  };
  std::vector<Seen> seen;
  std::vector<detail::TermTable::Probe> probes;
  std::vector<std::int32_t> ids;
  const bool unigrams = analyzer.params().ngram_range.first == 1;
  const bool ngrams = analyzer.params().ngram_range.second >= 2;
  out.row_sizes.reserve(end - begin);
  if (!ngrams && analyzer.params().token_pattern == TfidfParams{}.token_pattern) {
    // A default-pattern token takes >= 3 bytes with its separator (or the document's end):
    // reserving that bound avoids the copies of a growing vector; pages never written cost no
    // memory.
    std::size_t bytes = end - begin;
    for (std::size_t d = begin; d < end; ++d) bytes += docs[d].size();
    out.ids.reserve(bytes / 3 + 1);
    out.counts.reserve(bytes / 3 + 1);
  }
  for (std::size_t d = begin; d < end; ++d) {
    try {
      analyzer.run(docs[d]);
    } catch (const DataError& e) {
      throw DataError("document " + std::to_string(d) + " (0-based): " + e.what());
    }
    const std::size_t row_start = out.ids.size();
    // Documents are numbered modulo 2^31 - 1 to keep Seen at 8 bytes; `seen` restarts each lap.
    constexpr std::size_t kLap = 0x7FFFFFFF;
    if ((d - begin) % kLap == 0) std::fill(seen.begin(), seen.end(), Seen{});
    const auto doc = static_cast<std::int32_t>((d - begin) % kLap);
    auto lookup = [&](std::string_view term, const detail::TermTable::Probe& probe) {
      if constexpr (kInsert) {
        return table.insert(term, probe);
      } else {
        return table.find(term, probe);
      }
    };
    auto add = [&](std::int32_t id) {
      if (id < 0) return;
      if (static_cast<std::size_t>(id) >= seen.size()) seen.resize(std::max<std::size_t>(id + 1, seen.size() * 2));
      Seen& s = seen[id];
      if (s.doc != doc) {
        s.doc = doc;
        s.pos = static_cast<std::uint32_t>(out.ids.size());
        out.ids.push_back(id);
        out.counts.push_back(1);
      } else {
        ++out.counts[s.pos];
      }
    };
    if (unigrams) {
      const std::size_t n_tokens = analyzer.tokens().size();
      probes.resize(n_tokens);
      for (std::size_t k = 0; k < n_tokens; ++k) {
        probes[k] = detail::TermTable::probe_padded(analyzer.token(k));  // text() is padded
        table.prefetch(probes[k], analyzer.tokens()[k].size);
      }
      // Same for the per-id Seen entries: look all ids up, prefetch, then count.
      ids.resize(n_tokens);
      for (std::size_t k = 0; k < n_tokens; ++k) ids[k] = lookup(analyzer.token(k), probes[k]);
      if (seen.size() < table.size()) seen.resize(std::max(table.size(), seen.size() * 2));
      for (std::size_t k = 0; k < n_tokens; ++k) {
        if (ids[k] >= 0) __builtin_prefetch(&seen[ids[k]]);
      }
      for (std::size_t k = 0; k < n_tokens; ++k) add(ids[k]);
    }
    if (ngrams) {
      analyzer.for_each_ngram([&](std::string_view term) { add(lookup(term, detail::TermTable::probe_padded(term))); });
    }
    out.row_sizes.push_back(static_cast<std::uint32_t>(out.ids.size() - row_start));
  }
}

// Sorts one row's (column, count) entries by column into cols_out / counts_out. Columns are
// unique within a row, so for the usual few dozen entries each entry's rank is the number of
// smaller columns: a branch-free O(n^2) count, faster than a comparison sort's mispredicted
// branches. The ranks of 8 entries are counted at once in two 16-byte GCC vectors, one broadcast
// and two compares per other entry (SSE2 everywhere, VEX-encoded in the AVX2 clone picked at run
// time; 32-byte vectors would be split into scalars by GCC without AVX). No horizontal sums.
// cols[n, round_up(n, 8)) must be readable (their ranks are counted, not used). Integers only:
// the same result whichever build runs.
using Int32x4 = std::int32_t __attribute__((vector_size(16)));
using Int16x8 = std::int16_t __attribute__((vector_size(16)));

TEXTAUDIT_TARGET_CLONES void sort_row_short(const std::int32_t* cols, const std::int32_t* counts, std::size_t n,
                                            std::int32_t* cols_out, std::int32_t* counts_out) {
  for (std::size_t i0 = 0; i0 < n; i0 += 8) {
    Int32x4 mine0, mine1, rank0 = {}, rank1 = {};
    std::memcpy(&mine0, cols + i0, sizeof mine0);
    std::memcpy(&mine1, cols + i0 + 4, sizeof mine1);
    for (std::size_t j = 0; j < n; ++j) {
      const std::int32_t c = cols[j];
      const Int32x4 other = {c, c, c, c};
      rank0 -= other < mine0;  // true is -1
      rank1 -= other < mine1;
    }
    for (std::size_t l = 0; l < 8 && i0 + l < n; ++l) {
      const std::int32_t rank = l < 4 ? rank0[l] : rank1[l - 4];
      cols_out[rank] = cols[i0 + l];
      counts_out[rank] = counts[i0 + l];
    }
  }
}

// As sort_row_short, for a vocabulary of at most 65535 columns: ranks counted on 16-bit keys
// (column - 32768), 16 entries at once. keys[n, round_up(n, 16)) must be readable.
TEXTAUDIT_TARGET_CLONES void sort_row_short16(const std::int16_t* keys, const std::int32_t* cols,
                                              const std::int32_t* counts, std::size_t n, std::int32_t* cols_out,
                                              std::int32_t* counts_out) {
  for (std::size_t i0 = 0; i0 < n; i0 += 16) {
    Int16x8 mine0, mine1, rank0 = {}, rank1 = {};
    std::memcpy(&mine0, keys + i0, sizeof mine0);
    std::memcpy(&mine1, keys + i0 + 8, sizeof mine1);
    for (std::size_t j = 0; j < n; ++j) {
      const std::int16_t c = keys[j];
      const Int16x8 other = {c, c, c, c, c, c, c, c};
      rank0 -= other < mine0;
      rank1 -= other < mine1;
    }
    for (std::size_t l = 0; l < 16 && i0 + l < n; ++l) {
      const std::int32_t rank = l < 8 ? rank0[l] : rank1[l - 8];
      cols_out[rank] = cols[i0 + l];
      counts_out[rank] = counts[i0 + l];
    }
  }
}

// keys16: null, or the 16-bit keys of sort_row_short16 (vocabularies of at most 65535 columns).
void sort_row(const std::int32_t* cols, const std::int16_t* keys16, const std::int32_t* counts, std::size_t n,
              std::int32_t* cols_out, std::int32_t* counts_out, std::vector<std::uint64_t>& scratch) {
  if (n <= 96 && keys16 != nullptr) return sort_row_short16(keys16, cols, counts, n, cols_out, counts_out);
  if (n <= 96) return sort_row_short(cols, counts, n, cols_out, counts_out);
  scratch.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    scratch[i] = static_cast<std::uint64_t>(cols[i]) << 32 | static_cast<std::uint32_t>(counts[i]);
  }
  std::sort(scratch.begin(), scratch.end());
  for (std::size_t i = 0; i < n; ++i) {
    cols_out[i] = static_cast<std::int32_t>(scratch[i] >> 32);
    counts_out[i] = static_cast<std::int32_t>(scratch[i] & 0xFFFFFFFFu);
  }
}

// Builds the CSR matrix from the blocks' counts; column_of_id[b] maps block b's ids to columns
// (-1 = dropped, only when `some_dropped`), or is empty when the ids already are columns.
CsrMatrix build_matrix(std::vector<BlockCounts>& blocks,
                       const std::vector<std::vector<std::int32_t>>& column_of_id, bool some_dropped,
                       std::int64_t n_cols, const std::vector<double>& idf, const TfidfParams& params) {
  const int n_blocks = static_cast<int>(blocks.size());
  std::vector<std::vector<std::uint32_t>> kept(n_blocks);
  run_parallel(n_blocks, [&](int b) {
    const BlockCounts& block = blocks[b];
    if (!some_dropped) {  // every entry stays: no pass over the ids
      kept[b] = block.row_sizes;
      return;
    }
    kept[b].resize(block.row_sizes.size());
    std::size_t pos = 0;
    for (std::size_t r = 0; r < block.row_sizes.size(); ++r) {
      std::uint32_t k = 0;
      for (std::uint32_t j = 0; j < block.row_sizes[r]; ++j) k += column_of_id[b][block.ids[pos + j]] >= 0;
      pos += block.row_sizes[r];
      kept[b][r] = k;
    }
  });
  CsrMatrix X;
  X.cols = n_cols;
  std::vector<std::size_t> first_row(n_blocks + 1, 0);
  for (int b = 0; b < n_blocks; ++b) first_row[b + 1] = first_row[b] + kept[b].size();
  X.rows = static_cast<std::int64_t>(first_row.back());
  X.indptr.assign(X.rows + 1, 0);
  for (int b = 0; b < n_blocks; ++b) {
    for (std::size_t r = 0; r < kept[b].size(); ++r) {
      const std::size_t row = first_row[b] + r;
      X.indptr[row + 1] = X.indptr[row] + kept[b][r];
    }
  }
  X.indices.resize(X.indptr.back());
  X.data.resize(X.indptr.back());
  run_parallel(n_blocks, [&](int b) {
    BlockCounts& block = blocks[b];
    std::vector<std::int32_t> cols, counts, sorted_counts;
    std::vector<std::int16_t> keys16;  // used when n_cols <= 65535
    const bool short_keys = n_cols <= 65535;
    std::vector<std::uint64_t> scratch;
    std::vector<double> weights;
    const std::int32_t* column_of = column_of_id.empty() ? nullptr : column_of_id[b].data();
    std::size_t pos = 0;
    for (std::size_t r = 0; r < block.row_sizes.size(); ++r) {
      const std::uint32_t size = block.row_sizes[r];
      if (cols.size() < size + 16) {
        cols.resize(size + 16);
        keys16.resize(size + 16);
        counts.resize(size);
        sorted_counts.resize(size);
        weights.resize(size);
      }
      std::size_t n = 0;
      for (std::uint32_t j = 0; j < size; ++j, ++pos) {
        const std::int32_t id = block.ids[pos];
        const std::int32_t col = column_of == nullptr ? id : column_of[id];
        cols[n] = col;
        counts[n] = block.counts[pos];
        n += col >= 0;
      }
      for (std::size_t j = n; j < n + 8; ++j) cols[j] = 0;  // read, not used, by sort_row_short
      if (short_keys) {
        for (std::size_t j = 0; j < n; ++j) keys16[j] = static_cast<std::int16_t>(cols[j] - 32768);
        for (std::size_t j = n; j < n + 16; ++j) keys16[j] = 0;
      }
      const std::int64_t out = X.indptr[first_row[b] + r];
      std::int32_t* row_cols = X.indices.data() + out;
      sort_row(cols.data(), short_keys ? keys16.data() : nullptr, counts.data(), n, row_cols, sorted_counts.data(),
               scratch);
      // TfidfTransformer: tf (1 if binary; 1 + ln tf if sublinear) * idf, then row / ||row||.
      double norm = 0;
      for (std::size_t j = 0; j < n; ++j) {
        double tf = params.binary ? 1.0 : static_cast<double>(sorted_counts[j]);
        if (params.sublinear_tf) tf = std::log(tf) + 1.0;
        const double w = params.use_idf ? tf * idf[row_cols[j]] : tf;
        weights[j] = w;
        if (params.norm == Norm::kL2) norm += w * w;
        if (params.norm == Norm::kL1) norm += std::abs(w);
      }
      if (params.norm == Norm::kL2) norm = std::sqrt(norm);
      if (params.norm == Norm::kNone || norm == 0.0) norm = 1.0;
      for (std::size_t j = 0; j < n; ++j) X.data[out + j] = static_cast<float>(weights[j] / norm);
    }
    block = BlockCounts{};  // free early: the counts are as large as the matrix
  });
  return X;
}

}  // namespace

TfidfVectorizer::TfidfVectorizer(TfidfParams params) : params_(std::move(params)) { check_params(params_); }

CsrMatrix TfidfVectorizer::fit_transform(const std::vector<std::string>& docs) {
  const auto n_docs = static_cast<std::int64_t>(docs.size());
  const int n_blocks = resolve_threads(params_.n_threads, docs.size());
  const std::vector<std::size_t> bounds = split_by_bytes(docs, n_blocks);

  // 1. Count.
  std::vector<BlockCounts> blocks(n_blocks);
  std::vector<detail::TermTable> tables(n_blocks);
  run_parallel(n_blocks, [&](int b) {
    Analyzer analyzer(params_);
    detail::TermTable& table = tables[b];
    count_block<true>(docs, bounds[b], bounds[b + 1], analyzer, table, blocks[b]);
  });

  // 2. Per-block frequencies and sorted order, then the k-way merge.
  std::vector<std::vector<std::int64_t>> block_df(n_blocks), block_tf(n_blocks);
  std::vector<std::vector<std::int32_t>> order(n_blocks);
  run_parallel(n_blocks, [&](int b) {
    const detail::TermTable& table = tables[b];
    block_df[b].assign(table.size(), 0);
    block_tf[b].assign(table.size(), 0);
    for (std::size_t j = 0; j < blocks[b].ids.size(); ++j) {
      ++block_df[b][blocks[b].ids[j]];
      block_tf[b][blocks[b].ids[j]] += blocks[b].counts[j];
    }
    // By bytes, as std::string_view's <, comparing first the terms' first 8 bytes as one
    // big-endian integer (zero-padded: a smaller key means a smaller term), so that most
    // comparisons touch neither the arena nor memcmp.
    struct Keyed {
      std::uint64_t key;
      std::int32_t id;
    };
    std::vector<Keyed> keyed(table.size());
    for (std::size_t id = 0; id < table.size(); ++id) {
      keyed[id] = {sort_prefix(table.term(static_cast<std::int32_t>(id))), static_cast<std::int32_t>(id)};
    }
    std::sort(keyed.begin(), keyed.end(), [&](const Keyed& x, const Keyed& y) {
      if (x.key != y.key) return x.key < y.key;
      return table.term(x.id) < table.term(y.id);
    });
    order[b].resize(table.size());
    for (std::size_t k = 0; k < keyed.size(); ++k) order[b][k] = keyed[k].id;
  });
  std::vector<std::string_view> merged;
  std::vector<std::int64_t> df, tf;
  std::vector<std::vector<std::int32_t>> global_of(n_blocks);
  std::vector<std::size_t> head(n_blocks, 0);
  for (int b = 0; b < n_blocks; ++b) global_of[b].assign(tables[b].size(), -1);
  for (;;) {
    std::string_view smallest;
    bool any = false;
    for (int b = 0; b < n_blocks; ++b) {
      if (head[b] == order[b].size()) continue;
      const std::string_view t = tables[b].term(order[b][head[b]]);
      if (!any || t < smallest) smallest = t;
      any = true;
    }
    if (!any) break;
    const auto g = static_cast<std::int32_t>(merged.size());
    merged.push_back(smallest);
    df.push_back(0);
    tf.push_back(0);
    for (int b = 0; b < n_blocks; ++b) {
      if (head[b] == order[b].size()) continue;
      const std::int32_t id = order[b][head[b]];
      if (tables[b].term(id) != smallest) continue;
      global_of[b][id] = g;
      df[g] += block_df[b][id];
      tf[g] += block_tf[b][id];
      ++head[b];
    }
  }
  if (merged.empty()) {
    throw DataError("empty vocabulary: no document contains a token matching token_pattern \"" +
                    params_.token_pattern + "\"; check the text column or the pattern");
  }

  // 3. min_df / max_df / max_features, as scikit-learn's _limit_features.
  const double max_doc_count = params_.max_df.threshold(n_docs);
  const double min_doc_count = params_.min_df.threshold(n_docs);
  if (max_doc_count < min_doc_count) {
    throw std::invalid_argument("max_df corresponds to fewer documents (" + std::to_string(max_doc_count) +
                                ") than min_df (" + std::to_string(min_doc_count) + ")");
  }
  std::vector<std::int32_t> kept;
  for (std::size_t g = 0; g < merged.size(); ++g) {
    const auto d = static_cast<double>(df[g]);
    if (d >= min_doc_count && d <= max_doc_count) kept.push_back(static_cast<std::int32_t>(g));
  }
  if (params_.max_features > 0 && static_cast<std::int64_t>(kept.size()) > params_.max_features) {
    // Highest total count first (document frequency when binary, as scikit-learn counts after
    // X.data.fill(1)); ties keep vocabulary order, a deterministic choice among the tied terms.
    const auto& total = params_.binary ? df : tf;
    std::stable_sort(kept.begin(), kept.end(),
                     [&](std::int32_t x, std::int32_t y) { return total[x] > total[y]; });
    kept.resize(params_.max_features);
    std::sort(kept.begin(), kept.end());
  }
  if (kept.empty()) {
    throw std::invalid_argument("after pruning, no terms remain; try a lower min_df or a higher max_df");
  }
  std::vector<std::int32_t> column_of_global(merged.size(), -1);
  std::vector<std::string> vocabulary;
  vocabulary.reserve(kept.size());
  idf_.clear();
  const double n = static_cast<double>(n_docs) + (params_.smooth_idf ? 1.0 : 0.0);
  for (std::size_t c = 0; c < kept.size(); ++c) {
    column_of_global[kept[c]] = static_cast<std::int32_t>(c);
    vocabulary.emplace_back(merged[kept[c]]);
    if (params_.use_idf) {
      const double d = static_cast<double>(df[kept[c]]) + (params_.smooth_idf ? 1.0 : 0.0);
      idf_.push_back(std::log(n / d) + 1.0);
    }
  }
  dropped_terms_count_ = static_cast<std::int64_t>(merged.size() - kept.size());
  for (int b = 0; b < n_blocks; ++b) {
    for (auto& g : global_of[b]) g = column_of_global[g];
  }
  merged.clear();
  tables.clear();

  // 4. Rows.
  set_vocabulary(std::move(vocabulary));
  fitted_ = true;
  return build_matrix(blocks, global_of, dropped_terms_count_ > 0, static_cast<std::int64_t>(vocabulary_.size()),
                      idf_, params_);
}

CsrMatrix TfidfVectorizer::transform(const std::vector<std::string>& docs) const {
  if (!fitted_) throw std::logic_error("TfidfVectorizer::transform called before fit");
  const int n_blocks = resolve_threads(params_.n_threads, docs.size());
  const std::vector<std::size_t> bounds = split_by_bytes(docs, n_blocks);
  std::vector<BlockCounts> blocks(n_blocks);
  run_parallel(n_blocks, [&](int b) {
    Analyzer analyzer(params_);
    count_block<false>(docs, bounds[b], bounds[b + 1], analyzer, columns_, blocks[b]);
  });
  return build_matrix(blocks, {}, false, static_cast<std::int64_t>(vocabulary_.size()), idf_, params_);
}

std::int32_t TfidfVectorizer::column_of(std::string_view term) const { return columns_.find(term); }

std::vector<std::string> TfidfVectorizer::analyze(std::string_view doc) const {
  return text::analyze(doc, params_);
}

void TfidfVectorizer::set_vocabulary(std::vector<std::string> vocabulary) {
  vocabulary_ = std::move(vocabulary);
  columns_ = detail::TermTable();
  columns_.reserve(vocabulary_.size());
  for (const auto& term : vocabulary_) columns_.insert(term);
}

// ---- save / load ----------------------------------------------------------------------------

namespace {

constexpr const char* kMagic = "textaudit-tfidf";
constexpr int kFormatVersion = 1;

std::string hex_double(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::hex);
  return std::string(buf, res.ptr);
}

const char* strip_name(StripAccents s) {
  return s == StripAccents::kUnicode ? "unicode" : s == StripAccents::kAscii ? "ascii" : "none";
}
const char* norm_name(Norm n) { return n == Norm::kL2 ? "l2" : n == Norm::kL1 ? "l1" : "none"; }
const char* decode_name(DecodeError d) {
  return d == DecodeError::kStrict ? "strict" : d == DecodeError::kReplace ? "replace" : "ignore";
}

void write_bytes(std::ostream& out, std::string_view s) { out << s.size() << ' ' << s << '\n'; }
void write_df(std::ostream& out, const char* key, const DocFreq& df) {
  out << key << ' ' << (df.is_fraction ? "fraction " : "count ") << hex_double(df.value) << '\n';
}

class Reader {
 public:
  explicit Reader(std::istream& in) : in_(in) {}
  [[noreturn]] void fail(const std::string& what) {
    throw DataError("corrupt TF-IDF model file: " + what);
  }
  std::string word() {
    std::string w;
    if (!(in_ >> w)) fail("unexpected end of file");
    return w;
  }
  void expect(const char* key) {
    const std::string w = word();
    if (w != key) fail(std::string("expected \"") + key + "\", found \"" + shorten(w) + "\"");
  }
  std::int64_t integer(const char* key) {
    expect(key);
    return parse_int(word(), key);
  }
  std::int64_t parse_int(const std::string& w, const char* what) {
    std::int64_t v = 0;
    const auto res = std::from_chars(w.data(), w.data() + w.size(), v);
    if (res.ec != std::errc() || res.ptr != w.data() + w.size()) fail(std::string("bad integer for ") + what);
    return v;
  }
  double hex(const std::string& w) {
    double v = 0;
    const auto res = std::from_chars(w.data(), w.data() + w.size(), v, std::chars_format::hex);
    if (res.ec != std::errc() || res.ptr != w.data() + w.size()) fail("bad number \"" + shorten(w) + "\"");
    return v;
  }
  bool boolean(const char* key) {
    const std::int64_t v = integer(key);
    if (v != 0 && v != 1) fail(std::string(key) + " must be 0 or 1");
    return v == 1;
  }
  std::string bytes() {
    const std::int64_t n = parse_int(word(), "string length");
    if (n < 0 || n > (std::int64_t{1} << 30)) fail("bad string length");
    if (in_.get() != ' ') fail("bad string separator");
    std::string s(static_cast<std::size_t>(n), '\0');
    if (!in_.read(s.data(), n)) fail("unexpected end of file in a string");
    if (in_.get() != '\n') fail("bad string terminator");
    return s;
  }
  DocFreq doc_freq(const char* key) {
    expect(key);
    const std::string kind = word();
    const double v = hex(word());
    if (kind == "count") return DocFreq{false, v};
    if (kind == "fraction") return DocFreq{true, v};
    fail(std::string("bad kind for ") + key);
  }

 private:
  std::istream& in_;
};

}  // namespace

void TfidfVectorizer::save(std::ostream& out) const {
  if (!fitted_) throw std::logic_error("TfidfVectorizer::save called before fit");
  out << kMagic << ' ' << kFormatVersion << '\n';
  out << "lowercase " << params_.lowercase << '\n';
  out << "strip_accents " << strip_name(params_.strip_accents) << '\n';
  out << "token_pattern ";
  write_bytes(out, params_.token_pattern);
  out << "ngram_range " << params_.ngram_range.first << ' ' << params_.ngram_range.second << '\n';
  write_df(out, "min_df", params_.min_df);
  write_df(out, "max_df", params_.max_df);
  out << "max_features " << params_.max_features << '\n';
  out << "use_idf " << params_.use_idf << '\n';
  out << "smooth_idf " << params_.smooth_idf << '\n';
  out << "sublinear_tf " << params_.sublinear_tf << '\n';
  out << "norm " << norm_name(params_.norm) << '\n';
  out << "binary " << params_.binary << '\n';
  out << "n_threads " << params_.n_threads << '\n';
  out << "decode_error " << decode_name(params_.decode_error) << '\n';
  out << "dropped_terms_count " << dropped_terms_count_ << '\n';
  out << "n_terms " << vocabulary_.size() << '\n';
  for (const auto& term : vocabulary_) write_bytes(out, term);
  out << "idf " << idf_.size() << '\n';
  for (double v : idf_) out << hex_double(v) << '\n';
  out << "end\n";
  if (!out) throw std::runtime_error("cannot write the TF-IDF model");
}

TfidfVectorizer TfidfVectorizer::load(std::istream& in) {
  Reader r(in);
  if (r.word() != kMagic) r.fail("not a textaudit TF-IDF model (bad magic)");
  const std::int64_t version = r.parse_int(r.word(), "version");
  if (version != kFormatVersion) {
    r.fail("format version " + std::to_string(version) + " is not supported (expected " +
           std::to_string(kFormatVersion) + ")");
  }
  TfidfParams p;
  p.lowercase = r.boolean("lowercase");
  r.expect("strip_accents");
  try {
    p.strip_accents = parse_strip_accents(r.word());
    r.expect("token_pattern");
    p.token_pattern = r.bytes();
    r.expect("ngram_range");
    p.ngram_range.first = static_cast<int>(r.parse_int(r.word(), "ngram_range"));
    p.ngram_range.second = static_cast<int>(r.parse_int(r.word(), "ngram_range"));
    p.min_df = r.doc_freq("min_df");
    p.max_df = r.doc_freq("max_df");
    p.max_features = r.integer("max_features");
    p.use_idf = r.boolean("use_idf");
    p.smooth_idf = r.boolean("smooth_idf");
    p.sublinear_tf = r.boolean("sublinear_tf");
    r.expect("norm");
    p.norm = parse_norm(r.word());
    p.binary = r.boolean("binary");
    p.n_threads = static_cast<int>(r.integer("n_threads"));
    r.expect("decode_error");
    p.decode_error = parse_decode_error(r.word());
    check_params(p);
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  TfidfVectorizer vec(p);
  vec.dropped_terms_count_ = r.integer("dropped_terms_count");
  const std::int64_t n_terms = r.integer("n_terms");
  if (n_terms < 1 || n_terms > (std::int64_t{1} << 31) - 1) r.fail("bad n_terms");
  std::vector<std::string> vocabulary;
  vocabulary.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n_terms, 1 << 20)));
  for (std::int64_t i = 0; i < n_terms; ++i) {
    vocabulary.push_back(r.bytes());
    if (i > 0 && !(vocabulary[i - 1] < vocabulary[i])) r.fail("vocabulary not sorted at term " + std::to_string(i));
  }
  const std::int64_t n_idf = r.integer("idf");
  if (n_idf != (p.use_idf ? n_terms : 0)) r.fail("idf has " + std::to_string(n_idf) + " values");
  for (std::int64_t i = 0; i < n_idf; ++i) vec.idf_.push_back(r.hex(r.word()));
  r.expect("end");
  vec.set_vocabulary(std::move(vocabulary));
  vec.fitted_ = true;
  return vec;
}

}  // namespace textaudit::text
