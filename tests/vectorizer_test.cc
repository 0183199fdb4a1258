// Tests of text/vectorizer.h: every scikit-learn reference case in tests/reference/sklearn/tfidf_*.json
// (scikit-learn 1.2.1), plus a slow, obvious TF-IDF reference for the max_features exception,
// save/load, transform, thread-count invariance, bad parameters and the `vectorize` command.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/float_text.h"
#include "tests/test_util.h"
#include "text/data_error.h"
#include "text/detail/term_table.h"
#include "text/vectorizer.h"

using namespace textaudit::text;
using nlohmann::json;

namespace {

const char* const kReferenceFiles[] = {"sklearn/tfidf_ascii.json", "sklearn/tfidf_unicode.json",
                                       "sklearn/tfidf_sms300.json", "sklearn/tfidf_airline300.json"};

DocFreq doc_freq_of(const json& v) {
  return v.is_number_integer() ? DocFreq::count(v.get<std::int64_t>()) : DocFreq::fraction(v.get<double>());
}

TfidfParams params_of(const json& p) {
  TfidfParams params;
  for (const auto& [key, v] : p.items()) {
    if (key == "ngram_range") params.ngram_range = {v[0].get<int>(), v[1].get<int>()};
    else if (key == "min_df") params.min_df = doc_freq_of(v);
    else if (key == "max_df") params.max_df = doc_freq_of(v);
    else if (key == "max_features") params.max_features = v.get<std::int64_t>();
    else if (key == "sublinear_tf") params.sublinear_tf = v.get<bool>();
    else if (key == "strip_accents") params.strip_accents = parse_strip_accents(v.get<std::string>());
    else if (key == "lowercase") params.lowercase = v.get<bool>();
    else if (key == "norm") params.norm = v.is_null() ? Norm::kNone : parse_norm(v.get<std::string>());
    else if (key == "smooth_idf") params.smooth_idf = v.get<bool>();
    else if (key == "use_idf") params.use_idf = v.get<bool>();
    else if (key == "binary") params.binary = v.get<bool>();
    else if (key == "token_pattern") params.token_pattern = v.get<std::string>();
    else FAIL("unknown TfidfVectorizer parameter in the reference: " << key);
  }
  return params;
}

// Exact structure, values within `tol` (float32 storage: 1e-6).
void require_same_matrix(const CsrMatrix& got, const json& expected, double tol = 1e-6) {
  REQUIRE(got.rows == expected["shape"][0].get<std::int64_t>());
  REQUIRE(got.cols == expected["shape"][1].get<std::int64_t>());
  REQUIRE(got.indptr == expected["indptr"].get<std::vector<std::int64_t>>());
  REQUIRE(got.indices == expected["indices"].get<std::vector<std::int32_t>>());
  const auto data = expected["data"].get<std::vector<double>>();
  REQUIRE(got.data.size() == data.size());
  double worst = 0;
  for (std::size_t i = 0; i < data.size(); ++i) worst = std::max(worst, std::abs(double(got.data[i]) - data[i]));
  CHECK(worst <= tol);
}

// The slow, obvious TF-IDF: counts from analyze(), then the scikit-learn formulas, on a given
// vocabulary. Returns dense rows.
std::vector<std::vector<double>> reference_tfidf(const std::vector<std::string>& docs,
                                                 const std::vector<std::string>& vocabulary,
                                                 const TfidfParams& params) {
  std::map<std::string, std::size_t> column;
  for (std::size_t c = 0; c < vocabulary.size(); ++c) column[vocabulary[c]] = c;
  std::vector<std::vector<double>> counts(docs.size(), std::vector<double>(vocabulary.size(), 0));
  std::vector<double> df(vocabulary.size(), 0);
  for (std::size_t d = 0; d < docs.size(); ++d) {
    for (const auto& term : analyze(docs[d], params)) {
      auto it = column.find(term);
      if (it != column.end()) counts[d][it->second] += 1;
    }
    for (std::size_t c = 0; c < vocabulary.size(); ++c) df[c] += counts[d][c] > 0;
  }
  const double s = params.smooth_idf ? 1 : 0;
  for (auto& row : counts) {
    double norm = 0;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (row[c] == 0) continue;
      double tf = params.binary ? 1 : row[c];
      if (params.sublinear_tf) tf = 1 + std::log(tf);
      row[c] = params.use_idf ? tf * (std::log((docs.size() + s) / (df[c] + s)) + 1) : tf;
      norm += params.norm == Norm::kL2 ? row[c] * row[c] : std::abs(row[c]);
    }
    if (params.norm == Norm::kL2) norm = std::sqrt(norm);
    if (params.norm != Norm::kNone && norm > 0) {
      for (double& v : row) v /= norm;
    }
  }
  return counts;
}

// Total count of every term of the corpus (no pruning), for checking a max_features choice.
std::map<std::string, std::int64_t> total_counts(const std::vector<std::string>& docs, const TfidfParams& params) {
  std::map<std::string, std::int64_t> totals;
  for (const auto& doc : docs) {
    std::set<std::string> seen;
    for (const auto& term : analyze(doc, params)) {
      if (params.binary ? seen.insert(term).second : true) ++totals[term];
    }
  }
  return totals;
}

// `vocabulary` is a valid max_features choice: every kept term has a total count >= every
// dropped term's (among terms that pass min_df/max_df, here: all terms).
void require_valid_max_features_choice(const std::vector<std::string>& vocabulary,
                                       const std::map<std::string, std::int64_t>& totals, std::int64_t limit) {
  REQUIRE(static_cast<std::int64_t>(vocabulary.size()) == limit);
  REQUIRE(std::is_sorted(vocabulary.begin(), vocabulary.end()));
  const std::set<std::string> kept(vocabulary.begin(), vocabulary.end());
  std::int64_t min_kept = INT64_MAX, max_dropped = 0;
  for (const auto& [term, count] : totals) {
    if (kept.count(term)) min_kept = std::min(min_kept, count);
    else max_dropped = std::max(max_dropped, count);
  }
  REQUIRE(kept.size() == vocabulary.size());
  CHECK(min_kept >= max_dropped);
}

}  // namespace

TEST_CASE("TfidfVectorizer matches scikit-learn on every reference case", "[text][reference]") {
  for (const char* file : kReferenceFiles) {
    const json ref = textaudit::testing::read_reference(file);
    const auto texts = ref["texts"].get<std::vector<std::string>>();
    INFO(file);
    {
      const auto expected = ref["tokens_default"].get<std::vector<std::vector<std::string>>>();
      REQUIRE(expected.size() == texts.size());
      for (std::size_t i = 0; i < texts.size(); ++i) {
        INFO("tokens_default, text " << i);
        CHECK(tokenize(texts[i]) == expected[i]);
      }
    }
    for (const json& variant : ref["variants"]) {
      INFO("variant " << variant["name"].get<std::string>());
      const TfidfParams params = params_of(variant["params"]);
      TfidfVectorizer vec(params);
      const CsrMatrix X = vec.fit_transform(texts);
      X.check_invariants();
      if (variant.contains("analyzer_output")) {
        const auto expected = variant["analyzer_output"].get<std::vector<std::vector<std::string>>>();
        for (std::size_t i = 0; i < texts.size(); ++i) {
          INFO("analyzer_output, text " << i);
          CHECK(vec.analyze(texts[i]) == expected[i]);
        }
      }
      const auto expected_vocabulary = variant["vocabulary"].get<std::vector<std::string>>();
      CHECK(vec.dropped_terms_count() == variant["dropped_terms_count"].get<std::int64_t>());
      if (params.max_features > 0) {
        // Ties at the cut-off may be broken differently (vectorizer.h): both choices must be
        // valid, and our values must match the obvious formula on our vocabulary.
        const auto totals = total_counts(texts, params);
        require_valid_max_features_choice(vec.vocabulary(), totals, params.max_features);
        require_valid_max_features_choice(expected_vocabulary, totals, params.max_features);
        const auto dense = reference_tfidf(texts, vec.vocabulary(), params);
        for (std::int64_t r = 0; r < X.rows; ++r) {
          std::vector<double> row(X.cols, 0.0);
          for (std::int64_t k = X.indptr[r]; k < X.indptr[r + 1]; ++k) row[X.indices[k]] = X.data[k];
          for (std::int64_t c = 0; c < X.cols; ++c) REQUIRE(row[c] == Approx(dense[r][c]).margin(1e-6));
        }
        // idf depends only on document frequency: equal on the terms both kept.
        const auto expected_idf = variant["idf"].get<std::vector<double>>();
        for (std::size_t c = 0; c < expected_vocabulary.size(); ++c) {
          const std::int32_t ours = vec.column_of(expected_vocabulary[c]);
          if (ours >= 0) CHECK(vec.idf()[ours] == Approx(expected_idf[c]).margin(1e-12));
        }
        continue;
      }
      REQUIRE(vec.vocabulary() == expected_vocabulary);
      if (params.use_idf) {
        const auto expected_idf = variant["idf"].get<std::vector<double>>();
        REQUIRE(vec.idf().size() == expected_idf.size());
        for (std::size_t c = 0; c < expected_idf.size(); ++c) CHECK(vec.idf()[c] == Approx(expected_idf[c]).margin(1e-12));
      } else {
        CHECK(vec.idf().empty());
        CHECK_FALSE(variant.contains("idf"));
      }
      require_same_matrix(X, variant["matrix"]);
      // transform() on the training texts gives the same matrix.
      require_same_matrix(vec.transform(texts), variant["matrix"]);
    }
  }
}

TEST_CASE("The fast path agrees with the obvious reference on a larger corpus", "[text]") {
  const json ref = textaudit::testing::read_reference("sklearn/tfidf_airline300.json");
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  TfidfParams params;
  params.ngram_range = {1, 2};
  params.sublinear_tf = true;
  params.norm = Norm::kL1;
  TfidfVectorizer vec(params);
  const CsrMatrix X = vec.fit_transform(texts);
  const auto dense = reference_tfidf(texts, vec.vocabulary(), params);
  for (std::int64_t r = 0; r < X.rows; ++r) {
    for (std::int64_t k = X.indptr[r]; k < X.indptr[r + 1]; ++k) {
      REQUIRE(X.data[k] == Approx(dense[r][X.indices[k]]).margin(1e-6));
    }
  }
}

TEST_CASE("Rows are sorted and weighted right on both sides of the 65535-column vocabulary limit", "[text]") {
  // Up to 65535 columns, rows are sorted on 16-bit keys; above, on 32-bit ones. Rows of up to 96
  // terms take the rank count, longer ones std::sort. Checked against per-row maps.
  for (const int n_words : {60000, 90000}) {
    std::mt19937 rng(static_cast<unsigned>(n_words));
    std::vector<std::string> docs;
    for (int w = 0; w < n_words; w += 40) {  // every word in some document
      std::string doc;
      for (int k = w; k < std::min(n_words, w + 40); ++k) doc.append("w").append(std::to_string(k)).append(" ");
      docs.push_back(doc);
    }
    for (int d = 0; d < 600; ++d) {
      std::string doc;
      const int length = d % 10 == 0 ? 300 : 1 + static_cast<int>(rng() % 60);
      for (int k = 0; k < length; ++k) doc.append("w").append(std::to_string(rng() % n_words)).append(" ");
      docs.push_back(doc);
    }
    TfidfVectorizer vec;
    const CsrMatrix X = vec.fit_transform(docs);
    REQUIRE(X.cols == n_words);
    std::unordered_map<std::string, double> df;
    std::vector<std::unordered_map<std::string, double>> counts(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
      for (const auto& term : analyze(docs[d])) counts[d][term] += 1;
      for (const auto& [term, c] : counts[d]) df[term] += 1;
    }
    std::size_t bad = 0;
    for (std::int64_t r = 0; r < X.rows; ++r) {
      std::unordered_map<std::string, double> weights;
      double norm = 0;
      for (const auto& [term, c] : counts[r]) {
        const double w = c * (std::log((docs.size() + 1.0) / (df[term] + 1.0)) + 1);
        weights[term] = w;
        norm += w * w;
      }
      bad += static_cast<std::size_t>(X.row_nnz(r)) != weights.size();
      for (std::int64_t k = X.indptr[r]; k < X.indptr[r + 1]; ++k) {
        if (k > X.indptr[r] && X.indices[k] <= X.indices[k - 1]) ++bad;
        const auto it = weights.find(vec.vocabulary()[X.indices[k]]);
        if (it == weights.end() || std::abs(X.data[k] - it->second / std::sqrt(norm)) > 1e-6) ++bad;
      }
    }
    INFO(n_words << " words");
    CHECK(bad == 0);
  }
}

TEST_CASE("Output is identical for any number of threads", "[text]") {
  // Enough documents to be split into several blocks.
  const json ref = textaudit::testing::read_reference("sklearn/tfidf_sms300.json");
  const auto base = ref["texts"].get<std::vector<std::string>>();
  std::vector<std::string> docs;
  for (int copy = 0; copy < 8; ++copy) {
    for (const auto& t : base) docs.push_back(t + " copy" + std::to_string(copy % 3) + " \u00e9t\u00e9");
  }
  for (const auto& ngrams : {std::pair{1, 1}, std::pair{1, 2}}) {
    TfidfParams params;
    params.ngram_range = ngrams;
    params.min_df = DocFreq::count(2);
    params.max_features = 500;
    params.n_threads = 1;
    TfidfVectorizer one(params);
    const CsrMatrix X1 = one.fit_transform(docs);
    for (int threads : {2, 3, 7}) {
      params.n_threads = threads;
      TfidfVectorizer many(params);
      const CsrMatrix Xn = many.fit_transform(docs);
      INFO("n_threads " << threads);
      CHECK(many.vocabulary() == one.vocabulary());
      CHECK(many.idf() == one.idf());
      CHECK(Xn.indptr == X1.indptr);
      CHECK(Xn.indices == X1.indices);
      CHECK(Xn.data == X1.data);
      const CsrMatrix T = many.transform(docs);
      CHECK(T.data == X1.data);
    }
  }
}

TEST_CASE("transform handles unseen documents and terms", "[text]") {
  TfidfVectorizer vec;
  vec.fit_transform({"the cat sat", "the dog sat", "a bird"});
  CHECK(vec.vocabulary() == std::vector<std::string>{"bird", "cat", "dog", "sat", "the"});
  CHECK(vec.column_of("dog") == 2);
  CHECK(vec.column_of("cow") == -1);
  const CsrMatrix X = vec.transform({"cow cow", "", "DOG dog cat", "zebra the"});
  X.check_invariants();
  CHECK(X.rows == 4);
  CHECK(X.cols == 5);
  CHECK(X.row_nnz(0) == 0);
  CHECK(X.row_nnz(1) == 0);
  REQUIRE(X.row_nnz(2) == 2);
  CHECK(X.row_indices(2)[0] == 1);
  CHECK(X.row_indices(2)[1] == 2);
  // dog: tf 2, cat: tf 1, equal idf (df 1 each) -> (2, 1) / sqrt(5)
  CHECK(X.row_values(2)[0] == Approx(1 / std::sqrt(5.0)).margin(1e-6));
  CHECK(X.row_values(2)[1] == Approx(2 / std::sqrt(5.0)).margin(1e-6));
  REQUIRE(X.row_nnz(3) == 1);
  CHECK(X.row_values(3)[0] == Approx(1.0f));
  CHECK_THROWS_AS(TfidfVectorizer().transform({"x"}), std::logic_error);
}

TEST_CASE("save and load round-trip exactly", "[text]") {
  TfidfParams params;
  params.ngram_range = {1, 2};
  params.min_df = DocFreq::fraction(0.01);
  params.max_df = DocFreq::count(250);
  params.sublinear_tf = true;
  params.strip_accents = StripAccents::kUnicode;
  params.norm = Norm::kL1;
  params.token_pattern = R"((?u)\b\w+\b)";
  const json ref = textaudit::testing::read_reference("sklearn/tfidf_unicode.json");
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  TfidfVectorizer vec(params);
  const CsrMatrix X = vec.fit_transform(texts);
  std::stringstream buffer;
  vec.save(buffer);
  const TfidfVectorizer loaded = TfidfVectorizer::load(buffer);
  CHECK(loaded.vocabulary() == vec.vocabulary());
  CHECK(loaded.idf() == vec.idf());  // bit-exact (hex floats)
  CHECK(loaded.dropped_terms_count() == vec.dropped_terms_count());
  CHECK(loaded.params().token_pattern == params.token_pattern);
  CHECK(loaded.params().max_df.value == 250);
  CHECK(loaded.params().min_df.is_fraction);
  const CsrMatrix Y = loaded.transform(texts);
  CHECK(Y.indices == X.indices);
  CHECK(Y.data == X.data);

  SECTION("corrupt files throw DataError") {
    const std::string good = buffer.str();
    for (const std::string& bad : {std::string(""), std::string("hello 1\n"),
                                   std::string("textaudit-tfidf 2\n"), good.substr(0, good.size() / 2),
                                   good.substr(0, good.find("norm")) + "norm l3\n"}) {
      std::istringstream in(bad);
      CHECK_THROWS_AS(TfidfVectorizer::load(in), textaudit::DataError);
    }
  }
}

TEST_CASE("Bad parameters throw std::invalid_argument", "[text]") {
  auto bad = [](auto change) {
    TfidfParams params;
    change(params);
    return params;
  };
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.ngram_range = {2, 1}; })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.ngram_range = {0, 1}; })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.min_df = DocFreq::fraction(1.5); })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.min_df = DocFreq::count(0); })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.max_df = DocFreq::fraction(-0.1); })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.max_features = -1; })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.n_threads = -2; })), std::invalid_argument);
  CHECK_THROWS_AS(TfidfVectorizer(bad([](TfidfParams& p) { p.token_pattern = "(a)(b)"; })), std::invalid_argument);
  try {
    TfidfParams p;
    p.min_df = DocFreq::fraction(1.5);
    TfidfVectorizer vec(p);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Contains("min_df") && Catch::Contains("1.5") && Catch::Contains("[0, 1]"));
  }
  const std::vector<std::string> docs = {"alpha beta", "beta gamma", "gamma delta"};
  SECTION("max_df below min_df in documents") {
    TfidfParams p;
    p.min_df = DocFreq::count(3);
    p.max_df = DocFreq::count(2);
    CHECK_THROWS_AS(TfidfVectorizer(p).fit_transform(docs), std::invalid_argument);
  }
  SECTION("no term left after pruning") {
    TfidfParams p;
    p.min_df = DocFreq::count(3);
    CHECK_THROWS_WITH(TfidfVectorizer(p).fit_transform(docs), Catch::Contains("no terms remain"));
  }
  SECTION("no token at all is a data error") {
    CHECK_THROWS_AS(TfidfVectorizer().fit_transform({"a", "!", ""}), textaudit::DataError);
  }
  SECTION("invalid UTF-8 names the document") {
    CHECK_THROWS_WITH(TfidfVectorizer().fit_transform({"fine doc", "bad \xff doc"}),
                      Catch::Contains("document 1"));
    TfidfParams p;
    p.decode_error = DecodeError::kReplace;
    TfidfVectorizer vec(p);
    vec.fit_transform({"fine doc", "bad \xff doc"});
    CHECK(vec.vocabulary() == std::vector<std::string>{"bad", "doc", "fine"});
  }
}

TEST_CASE("textaudit vectorize writes a MatrixMarket file and the vocabulary", "[text][cli]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("textaudit_vectorize_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path data = dir / "data.csv";
  {
    std::ofstream out(data);
    out << "text,label\n\"Hello, world\",a\n\"the world is big\",b\ncaf\u00e9 hello,a\n";
  }
  const std::string command = textaudit::testing::cli_path() + " vectorize " + data.string() +
                              " --ngram-range 1,2 --out " + (dir / "out").string() + " > " +
                              (dir / "log.txt").string() + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream vocab_in(dir / "out" / "vocabulary.txt");
  std::vector<std::string> vocabulary;
  for (std::string line; std::getline(vocab_in, line);) vocabulary.push_back(line);
  TfidfParams params;
  params.ngram_range = {1, 2};
  TfidfVectorizer vec(params);
  const CsrMatrix X = vec.fit_transform({"Hello, world", "the world is big", "caf\u00e9 hello"});
  CHECK(vocabulary == vec.vocabulary());

  std::ifstream mtx(dir / "out" / "matrix.mtx");
  std::string header;
  std::getline(mtx, header);
  CHECK(header == "%%MatrixMarket matrix coordinate real general");
  std::string line;
  while (std::getline(mtx, line) && line.starts_with("%")) {
  }
  std::istringstream sizes(line);
  std::int64_t rows = 0, cols = 0, nnz = 0;
  sizes >> rows >> cols >> nnz;
  CHECK(rows == X.rows);
  CHECK(cols == X.cols);
  REQUIRE(nnz == X.nnz());
  for (std::int64_t k = 0; k < nnz; ++k) {
    std::int64_t i = 0, j = 0;
    std::string text;
    REQUIRE(mtx >> i >> j >> text);
    // Entries are written row by row, in column order; values are fmt's shortest text of the float32.
    REQUIRE(i >= 1);
    CHECK(X.indptr[i - 1] <= k);
    CHECK(k < X.indptr[i]);
    CHECK(j - 1 == X.indices[k]);
    CHECK(text == fmt::format("{}", X.data[k]));
  }
  SECTION("a missing column is a data error (exit code 4)") {
    const std::string bad = textaudit::testing::cli_path() + " vectorize " + data.string() +
                            " --text-column body --out " + (dir / "out2").string() + " > /dev/null 2>&1";
    const int status = std::system(bad.c_str());
    CHECK(WEXITSTATUS(status) == 4);
  }
  SECTION("a bad option value is a usage error (exit code 2)") {
    const std::string bad = textaudit::testing::cli_path() + " vectorize " + data.string() +
                            " --norm l3 --out " + (dir / "out3").string() + " > /dev/null 2>&1";
    const int status = std::system(bad.c_str());
    CHECK(WEXITSTATUS(status) == 2);
  }
  fs::remove_all(dir);
}

// write_shortest against fmt::format("{}", v), the text `vectorize` wrote before it: byte-identical.
std::string shortest_text(float v) {
  char buf[64];
  return std::string(buf, textaudit::cli::write_shortest(buf, v));
}

TEST_CASE("write_shortest writes fmt's shortest text for every kind of float", "[text][cli]") {
  SECTION("special values, limits and the ends of the fixed notation") {
    const float cases[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 0.5f, 1e-4f, 9.999999e-5f, 1e-5f, 0.00012345678f,
                           123.456f, 1e15f, 9.999999e15f, 1e16f, 1.2345678e16f, 100.0f, 1e7f, 16777216.0f,
                           std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min(),
                           std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
                           std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN(), 0.099999994f, 0.30000001f, 3.4028235e38f};
    for (float v : cases) CHECK(shortest_text(v) == fmt::format("{}", v));
    for (int e = -12; e <= 20; ++e) {
      const float v = std::pow(10.0f, static_cast<float>(e));
      for (float w : {v, std::nextafter(v, 0.0f), std::nextafter(v, 2 * v), 1.5f * v, -v}) {
        CHECK(shortest_text(w) == fmt::format("{}", w));
      }
    }
  }
  SECTION("a sweep of all bit patterns and every float near TF-IDF values") {
    std::size_t mismatches = 0;
    for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 32); bits += 4093) {
      const float v = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
      mismatches += shortest_text(v) != fmt::format("{}", v);
    }
    // Every float in [0.2, 0.2 + 2^-8) (2^17 consecutive values) and random ones in (0, 1].
    for (float v = 0.2f; v < 0.2f + 1.0f / 256; v = std::nextafter(v, 1.0f)) mismatches += shortest_text(v) != fmt::format("{}", v);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (int i = 0; i < 200000; ++i) {
      const float v = unit(rng);
      mismatches += shortest_text(v) != fmt::format("{}", v);
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("write_small_uint writes the decimal digits of 1 .. 10^8 - 1", "[text][cli]") {
  std::size_t mismatches = 0;
  auto check = [&](std::uint32_t v) {
    char buf[32];
    mismatches += std::string(buf, textaudit::cli::write_small_uint(buf, v)) != std::to_string(v);
  };
  for (std::uint32_t v = 1; v < 100000; ++v) check(v);
  for (std::uint32_t v = 100000; v < 100000000; v += 997) check(v);
  for (std::uint32_t p = 10; p <= 100000000; p *= 10) {
    check(p - 1);
    if (p < 100000000) check(p);
    if (p < 100000000) check(p + 1);
  }
  CHECK(mismatches == 0);
}

TEST_CASE("TermTable finds every key it holds and no other", "[text]") {
  detail::TermTable table;
  std::vector<std::string> keys = {"", "a", "ab", std::string("ab\0", 3), "abcdefgh", "abcdefghi", "abcdefghij",
                                   std::string(16, 'x'), std::string(17, 'x'), std::string(70000, 'y'),
                                   std::string(69999, 'y') + "z"};
  for (int i = 0; i < 5000; ++i) keys.push_back(std::string("k").append(std::to_string(i * 7919)));  // grows the table
  for (std::size_t i = 0; i < keys.size(); ++i) REQUIRE(table.insert(keys[i]) == static_cast<std::int32_t>(i));
  REQUIRE(table.size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    REQUIRE(table.find(keys[i]) == static_cast<std::int32_t>(i));
    REQUIRE(table.insert(keys[i]) == static_cast<std::int32_t>(i));
    REQUIRE(table.term(static_cast<std::int32_t>(i)) == keys[i]);
    std::string padded = keys[i] + std::string(detail::TermTable::kPadding, '#');  // padding bytes differ
    const std::string_view key(padded.data(), keys[i].size());
    REQUIRE(table.find(key, detail::TermTable::probe_padded(key)) == static_cast<std::int32_t>(i));
  }
  for (const std::string& absent :
       std::vector<std::string>{"b", "abc", "abcdefghk", std::string(18, 'x'), std::string("a\0", 2), std::string("abcdefghi\0", 10),
                                std::string(15, 'x') + "y", std::string(8, 'x') + "y" + std::string(8, 'x'),
                                std::string(16, 'x') + "y"}) {
    CHECK(table.find(absent) == -1);
  }
  CHECK(table.find(std::string(69999, 'y') + "w") == -1);  // long key differing only at the end
}

TEST_CASE("Long rows and chunk-crossing documents match the obvious reference", "[text]") {
  // Rows of up to ~300 distinct terms take the comparison-sort path, short ones the rank count.
  std::mt19937 rng(11);
  std::vector<std::string> docs;
  for (int d = 0; d < 120; ++d) {
    std::string doc;
    const int n_words = d % 4 == 0 ? 400 : 1 + static_cast<int>(rng() % 40);
    for (int k = 0; k < n_words; ++k) {
      doc += 'w';
      doc += std::to_string(rng() % (d % 4 == 0 ? 1000 : 60));
      doc += k % 5 == 4 ? ", " : " ";
    }
    if (d % 9 == 0) doc += " Caf\xC3\xA9";
    docs.push_back(doc);
  }
  for (int threads : {1, 2}) {
    TfidfParams params;
    params.n_threads = threads;
    params.ngram_range = {1, threads};  // bigrams take the for_each_ngram path
    TfidfVectorizer vec(params);
    const CsrMatrix X = vec.fit_transform(docs);
    X.check_invariants();
    const auto dense = reference_tfidf(docs, vec.vocabulary(), params);
    std::size_t longest = 0;
    for (std::int64_t r = 0; r < X.rows; ++r) {
      longest = std::max<std::size_t>(longest, X.row_nnz(r));
      std::size_t nonzero = 0;
      for (double v : dense[r]) nonzero += v != 0;
      REQUIRE(static_cast<std::size_t>(X.row_nnz(r)) == nonzero);
      for (std::int64_t k = X.indptr[r]; k < X.indptr[r + 1]; ++k) {
        REQUIRE(X.data[k] == Approx(dense[r][X.indices[k]]).margin(1e-6));
      }
    }
    CHECK(longest > 96);
    const CsrMatrix Y = vec.transform(docs);
    CHECK(Y.indices == X.indices);
    CHECK(Y.data == X.data);
  }
}
