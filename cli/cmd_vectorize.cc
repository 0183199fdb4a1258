// cli/cmd_vectorize.cc: `textaudit vectorize DATA --out DIR`: TF-IDF features of a dataset's texts,
// written as DIR/matrix.mtx (MatrixMarket) and DIR/vocabulary.txt (one term per line, column order).
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/dataset_options.h"
#include "cli/float_text.h"
#include "cli/tfidf_options.h"
#include "io/atomic_file.h"
#include "text/vectorizer.h"

namespace textaudit::cli {
namespace {

struct VectorizeArgs {
  DatasetOptions data;
  text::TfidfParams params;
  std::string out_dir;
};

// A reusable output buffer that is never zero-filled (std::string::resize would be).
struct TextBuffer {
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
  std::size_t size = 0;
  char* reserve(std::size_t n) {
    if (n > capacity) {
      data = std::make_unique_for_overwrite<char[]>(n);
      capacity = n;
    }
    return data.get();
  }
};

// Bytes formatting one entry can take: row (<= 20 digits) ' ' column (<= 11) ' ' value (<= 17,
// write_shortest) '\n', plus the slack of the fixed-size row copy below.
constexpr std::size_t kMaxEntryBytes = 80;

// Writes "i j v\n" for every entry of rows [begin, end) (1-based indices) into `out`. Values use
// the shortest decimal form that reads back as the same float32 (at most 9 significant digits).
void format_rows(const text::CsrMatrix& X, std::int64_t begin, std::int64_t end, TextBuffer& out) {
  const std::int64_t n_entries = X.indptr[end] - X.indptr[begin];
  char* const start = out.reserve(static_cast<std::size_t>(n_entries) * kMaxEntryBytes + kMaxEntryBytes);
  char* p = start;
  for (std::int64_t r = begin; r < end; ++r) {
    char row_buf[32];
    char* row_end = std::to_chars(row_buf, row_buf + 24, r + 1).ptr;
    *row_end++ = ' ';
    const auto row_len = static_cast<std::size_t>(row_end - row_buf);
    for (std::int64_t k = X.indptr[r]; k < X.indptr[r + 1]; ++k) {
      std::memcpy(p, row_buf, 24);  // fixed size: a few register moves; the slack is overwritten
      p += row_len;
      const auto column = static_cast<std::uint32_t>(X.indices[k]) + 1;
      p = column < 100000000 ? write_small_uint(p, column) : std::to_chars(p, p + 12, column).ptr;
      *p++ = ' ';
      p = write_shortest(p, X.data[k]);
      *p++ = '\n';
    }
  }
  out.size = static_cast<std::size_t>(p - start);
}

// MatrixMarket "coordinate real general". Worker threads format pieces of about kPieceEntries
// entries into a ring of buffers while this thread writes the finished pieces in order, so the
// formatting and the write overlap and the text does not depend on the number of threads.
void write_matrix_market(const text::CsrMatrix& X, io::AtomicFile& file, int n_threads) {
  std::ostream& out = file.stream();
  out << "%%MatrixMarket matrix coordinate real general\n"
      << "% TF-IDF features written by textaudit vectorize; rows = documents, columns = vocabulary.txt lines\n"
      << X.rows << ' ' << X.cols << ' ' << X.nnz() << '\n';
  // Pieces: row ranges of about kPieceEntries entries (~1.5 MB of text each).
  constexpr std::int64_t kPieceEntries = 1 << 16;
  std::vector<std::int64_t> piece_rows{0};
  for (std::int64_t r = 0; r < X.rows;) {
    const std::int64_t target = X.indptr[r] + kPieceEntries;
    r = std::max(r + 1, static_cast<std::int64_t>(std::upper_bound(X.indptr.begin() + r, X.indptr.end(), target) -
                                                  X.indptr.begin()) - 1);
    r = std::min(r, X.rows);
    piece_rows.push_back(r);
  }
  const auto n_pieces = static_cast<std::int64_t>(piece_rows.size()) - 1;
  const int threads = static_cast<int>(std::clamp<std::int64_t>(
      n_threads > 0 ? n_threads : static_cast<int>(std::thread::hardware_concurrency()), 1, std::max<std::int64_t>(1, n_pieces)));
  const int n_slots = 2 * threads;  // bounds the formatted text held at once
  std::vector<TextBuffer> slots(n_slots);
  std::mutex mutex;
  std::condition_variable changed;
  std::int64_t written = 0;                          // pieces written so far (slot of piece p: p % n_slots)
  std::vector<std::int64_t> ready(n_slots, -1);      // the piece a slot holds, once formatted
  std::atomic<std::int64_t> next{0};
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (std::int64_t p; (p = next.fetch_add(1)) < n_pieces;) {
          {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return p - written < n_slots; });  // its slot has been written
          }
          format_rows(X, piece_rows[p], piece_rows[p + 1], slots[p % n_slots]);
          {
            std::lock_guard lock(mutex);
            ready[p % n_slots] = p;
          }
          changed.notify_all();
        }
      });
    }
    for (std::int64_t p = 0; p < n_pieces; ++p) {
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return ready[p % n_slots] == p; });
      }
      const TextBuffer& piece = slots[p % n_slots];
      out.write(piece.data.get(), static_cast<std::streamsize>(piece.size));
      {
        std::lock_guard lock(mutex);
        ++written;
      }
      changed.notify_all();
    }
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run_vectorize(VectorizeArgs& args, bool label_column_given) {
  const auto t0 = std::chrono::steady_clock::now();
  io::ensure_output_dir(args.out_dir);
  // Labels are not needed here: only read them when asked for explicitly.
  if (!label_column_given) args.data.label_column.clear();
  io::Dataset ds = load_dataset(args.data, {}, /*require_labels=*/false, global_flags().quiet);
  const double read_s = seconds_since(t0);

  const auto t1 = std::chrono::steady_clock::now();
  text::TfidfVectorizer vectorizer(args.params);
  text::CsrMatrix X = vectorizer.fit_transform(ds.texts);
  const double fit_s = seconds_since(t1);
  const std::string path = ds.path;
  // The texts are no longer needed: free their 2 x n_rows blocks on another thread, while the
  // files are written, rather than on this one before.
  std::jthread free_texts([texts = std::move(ds)]() mutable { texts = io::Dataset{}; });

  const auto t2 = std::chrono::steady_clock::now();
  {
    io::StagedOutputs outputs(args.out_dir);  // both files or neither
    io::AtomicFile vocabulary_file(outputs.path("vocabulary.txt"));
    std::string text;
    for (const auto& term : vectorizer.vocabulary()) {
      text += term;
      text += '\n';
    }
    vocabulary_file.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
    io::AtomicFile matrix_file(outputs.path("matrix.mtx"));
    write_matrix_market(X, matrix_file, args.params.n_threads);
    matrix_file.commit();
    vocabulary_file.commit();
    outputs.commit();
  }
  const double write_s = seconds_since(t2);

  const double density = X.rows > 0 && X.cols > 0
                             ? static_cast<double>(X.nnz()) / (static_cast<double>(X.rows) * static_cast<double>(X.cols))
                             : 0.0;
  std::fputs(fmt::format("vectorized {}: {} rows x {} terms, {} non-zeros (density {:.3g}%)\n", path, X.rows, X.cols,
                         X.nnz(), 100 * density)
                 .c_str(),
             stdout);
  if (!global_flags().quiet) {
    std::fputs(fmt::format("time: read {:.3f} s, fit_transform {:.3f} s, write {:.3f} s, total {:.3f} s\n", read_s,
                           fit_s, write_s, seconds_since(t0))
                   .c_str(),
               stdout);
    std::fputs(fmt::format("wrote {}/matrix.mtx and {}/vocabulary.txt\n", args.out_dir, args.out_dir).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

TEXTAUDIT_REGISTER_COMMAND(Command{
    "vectorize",
    "TF-IDF features of a dataset's texts (scikit-learn TfidfVectorizer semantics) as MatrixMarket + vocabulary",
    20,
    [](CLI::App& app) -> std::function<int()> {
      auto args = std::make_shared<VectorizeArgs>();
      add_dataset_options(app, args->data);
      add_tfidf_options(app, args->params);
      app.add_option("--threads", args->params.n_threads, "worker threads (0 = all cores); the output does not depend on it")
          ->check(CLI::NonNegativeNumber);
      app.add_option("--out", args->out_dir, "output directory (created if missing)")->required();
      CLI::App* sub = &app;
      return [args, sub] { return run_vectorize(*args, sub->count("--label-column") > 0); };
    }});

}  // namespace textaudit::cli
