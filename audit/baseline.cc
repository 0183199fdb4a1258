#include "audit/baseline.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "io/atomic_file.h"
#include "text/data_error.h"

namespace textaudit::audit {
namespace {

constexpr const char* kMagic = "textaudit-model";
constexpr int kVersion = 1;

// Hex floats: the exact double back on load.
std::string hex_double(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::hex);
  return std::string(buf, res.ptr);
}

class Reader {
 public:
  Reader(std::istream& in, const std::string& path) : in_(in), path_(path) {}
  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(path_, 0, "", "not a valid textaudit model file (textaudit fit --save-model): " + what);
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
    const std::string w = word();
    std::int64_t v = 0;
    const auto res = std::from_chars(w.data(), w.data() + w.size(), v);
    if (res.ec != std::errc() || res.ptr != w.data() + w.size()) fail(std::string("bad integer for ") + key);
    return v;
  }
  double hex() {
    const std::string w = word();
    double v = 0;
    const auto res = std::from_chars(w.data(), w.data() + w.size(), v, std::chars_format::hex);
    if (res.ec != std::errc() || res.ptr != w.data() + w.size()) fail("bad number \"" + shorten(w) + "\"");
    return v;
  }
  std::string bytes() {
    const std::string w = word();
    std::int64_t n = -1;
    std::from_chars(w.data(), w.data() + w.size(), n);
    if (n < 0 || n > (std::int64_t{1} << 20)) fail("bad string length");
    if (in_.get() != ' ') fail("bad string separator");
    std::string s(static_cast<std::size_t>(n), '\0');
    if (!in_.read(s.data(), n)) fail("unexpected end of file in a string");
    if (in_.get() != '\n') fail("bad string terminator");
    return s;
  }
  // Consumes the rest of the current line (before a section read line by line).
  void end_line() {
    std::string rest;
    std::getline(in_, rest);
  }

 private:
  std::istream& in_;
  const std::string& path_;
};

}  // namespace

void BaselineModel::save(const std::string& path) const {
  if (!vectorizer.fitted() || !model.fitted()) throw std::invalid_argument("BaselineModel::save: not fitted");
  if (classes.size() != thresholds.size() || classes.size() != heldout_flip_rate.size()) {
    throw std::invalid_argument("BaselineModel::save: classes, thresholds and heldout_flip_rate differ in length");
  }
  std::ostringstream out;
  out << kMagic << ' ' << kVersion << '\n';
  out << "n_rows " << n_rows << '\n';
  out << "model_skill " << hex_double(model_skill) << '\n';
  out << "classes " << classes.size() << '\n';
  for (std::size_t k = 0; k < classes.size(); ++k) {
    out << classes[k].size() << ' ' << classes[k] << '\n';
    out << hex_double(thresholds[k]) << ' ' << hex_double(heldout_flip_rate[k]) << '\n';
  }
  out << "tfidf\n";
  vectorizer.save(out);
  out << "logreg\n";
  model.save(out);
  out << "end " << kMagic << '\n';
  io::write_file_atomic(path, out.str());
}

BaselineModel BaselineModel::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open model file " + path);
  Reader r(in, path);
  if (r.word() != kMagic) r.fail("bad magic (expected \"textaudit-model\")");
  if (r.word() != std::to_string(kVersion)) r.fail("unsupported format version; this build reads version 1");
  BaselineModel m;
  m.n_rows = r.integer("n_rows");
  r.expect("model_skill");
  m.model_skill = r.hex();
  const std::int64_t K = r.integer("classes");
  if (K < 2 || K > (1 << 20)) r.fail("bad class count");
  for (std::int64_t k = 0; k < K; ++k) {
    m.classes.push_back(r.bytes());
    m.thresholds.push_back(r.hex());
    m.heldout_flip_rate.push_back(r.hex());
  }
  r.expect("tfidf");
  r.end_line();
  try {
    m.vectorizer = text::TfidfVectorizer::load(in);
    r.expect("logreg");
    r.end_line();
    m.model = models::LogisticRegression::load(in);
  } catch (const DataError& e) {
    r.fail(e.what());
  }
  r.expect("end");
  r.expect(kMagic);
  if (m.model.n_features() != static_cast<std::int64_t>(m.vectorizer.vocabulary().size())) {
    r.fail("the model has " + std::to_string(m.model.n_features()) + " features but the vectorizer " +
           std::to_string(m.vectorizer.vocabulary().size()) + " terms");
  }
  if (m.model.n_classes() != static_cast<int>(K)) r.fail("the model and the class list differ in classes");
  return m;
}

}  // namespace textaudit::audit
