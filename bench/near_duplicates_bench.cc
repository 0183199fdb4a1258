// Near-duplicates and outliers on TF-IDF rows of a generated corpus:
//   python3 /work/shared/tools/make_corpus.py 200000 /tmp/c200k.csv
//   TEXTAUDIT_CORPUS=/tmp/c200k.csv build/bench/near_duplicates_bench
// (default corpus /tmp/c200k.csv). Rows are vectorised once, outside the timed loops. "CPU" is
// process CPU time (all threads) of the call; on a loaded machine it is steadier than wall time.
// Instruction counts of one call, for before/after comparisons that ignore load:
//   valgrind --tool=callgrind --toggle-collect='*find_outliers*' near_duplicates_bench --benchmark_filter=Outl
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "cleaning/near_duplicates.h"
#include "cleaning/outliers.h"
#include "text/vectorizer.h"

namespace {

// The `text` column of the make_corpus.py CSV (header label,text; RFC 4180 quoting).
std::vector<std::string> read_texts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + "; generate it with make_corpus.py");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string s = buf.str();
  std::vector<std::string> texts;
  std::string field;
  int col = 0;
  bool header = true;
  for (std::size_t i = 0; i < s.size();) {
    field.clear();
    if (s[i] == '"') {
      for (++i; i < s.size(); ++i) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') { field += '"'; ++i; } else { ++i; break; }
        } else {
          field += s[i];
        }
      }
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') field += s[i++];
    }
    if (col == 1 && !header) texts.push_back(field);
    if (i < s.size() && s[i] == ',') { ++col; ++i; continue; }
    while (i < s.size() && (s[i] == '\r' || s[i] == '\n')) ++i;
    col = 0;
    header = false;
  }
  return texts;
}

const textaudit::text::CsrMatrix& corpus_rows() {
  static const textaudit::text::CsrMatrix rows = [] {
    const char* env = std::getenv("TEXTAUDIT_CORPUS");
    textaudit::text::TfidfVectorizer vec;
    return vec.fit_transform(read_texts(env ? env : "/tmp/c200k.csv"));
  }();
  return rows;
}

void BM_NearDuplicatesSparse(benchmark::State& state) {
  const auto& x = corpus_rows();
  std::size_t flagged = 0;
  for (auto _ : state) {
    const auto r = textaudit::cleaning::find_near_duplicates(x, {.min_cosine = 0.9, .n_threads = static_cast<int>(state.range(0))});
    flagged = r.groups.size();
    benchmark::DoNotOptimize(r.set_id.data());
  }
  state.counters["rows"] = static_cast<double>(x.rows);
  state.counters["groups"] = static_cast<double>(flagged);
  state.SetItemsProcessed(state.iterations() * x.rows);
}
BENCHMARK(BM_NearDuplicatesSparse)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_OutliersSparse(benchmark::State& state) {
  const auto& x = corpus_rows();
  std::size_t flagged = 0;
  for (auto _ : state) {
    const auto r = textaudit::cleaning::find_outliers(x, {.n_threads = static_cast<int>(state.range(0))});
    flagged = 0;
    for (const bool f : r.is_outlier) flagged += f;
  }
  state.counters["rows"] = static_cast<double>(x.rows);
  state.counters["outliers"] = static_cast<double>(flagged);
  state.SetItemsProcessed(state.iterations() * x.rows);
}
BENCHMARK(BM_OutliersSparse)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
