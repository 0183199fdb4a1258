// cli/cmd_vectorize.cc: `textaudit vectorize DATA --out DIR`: TF-IDF features of a dataset's texts,
// written as DIR/matrix.mtx (MatrixMarket) and DIR/vocabulary.txt (one term per line, column order).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/dataset_options.h"
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

// Bytes formatting one entry can take: row (<= 20 digits) ' ' column (<= 11) ' ' value (<= 15
// for a float's shortest form) '\n', plus the slack of the fixed-size row copy below.
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
      p = std::to_chars(p, p + 12, X.indices[k] + 1).ptr;
      *p++ = ' ';
      p = fmt::format_to(p, FMT_COMPILE("{}"), X.data[k]);  // Dragonbox: ~5x faster than to_chars
      *p++ = '\n';
    }
  }
  out.size = static_cast<std::size_t>(p - start);
}

// MatrixMarket "coordinate real general", formatted in parallel blocks and streamed to `file`.
void write_matrix_market(const text::CsrMatrix& X, io::AtomicFile& file, int n_threads) {
  std::ostream& out = file.stream();
  out << "%%MatrixMarket matrix coordinate real general\n"
      << "% TF-IDF features written by textaudit vectorize; rows = documents, columns = vocabulary.txt lines\n"
      << X.rows << ' ' << X.cols << ' ' << X.nnz() << '\n';
  const int threads = std::max(1, n_threads > 0 ? n_threads : static_cast<int>(std::thread::hardware_concurrency()));
  constexpr std::int64_t kRowsPerPiece = 8192;  // bounds the memory held by formatted text
  std::vector<TextBuffer> pieces(threads);
  for (std::int64_t begin = 0; begin < X.rows; begin += kRowsPerPiece * threads) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      const std::int64_t lo = std::min(X.rows, begin + t * kRowsPerPiece);
      const std::int64_t hi = std::min(X.rows, lo + kRowsPerPiece);
      pieces[t].size = 0;
      if (t == 0 || lo == hi) continue;
      workers.emplace_back([&, t, lo, hi] { format_rows(X, lo, hi, pieces[t]); });
    }
    format_rows(X, begin, std::min(X.rows, begin + kRowsPerPiece), pieces[0]);
    for (auto& w : workers) w.join();
    for (const auto& piece : pieces) out.write(piece.data.get(), static_cast<std::streamsize>(piece.size));
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
  ds = io::Dataset{};  // the texts are no longer needed: lower the peak memory while writing

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
