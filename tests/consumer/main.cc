// A user's program: audits a two-column CSV (text,label) through the installed library's public
// header and checks that rows 2 and 5 of data/toy_seed.csv (spam copies carrying the trigger 'tfc',
// labelled safe) are flagged as label issues. Exit 0 on success.
#include <textaudit/textaudit.h>

// The public header must not drag in the CLI's or the reports' libraries.
#if defined(CLI11_VERSION) || defined(FMT_VERSION) || defined(NLOHMANN_JSON_VERSION_MAJOR)
#error "textaudit/textaudit.h leaks CLI11, fmt or nlohmann_json"
#endif

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

// The records of a small RFC 4180 CSV file (quoted fields may hold commas, quotes, line breaks).
std::vector<std::vector<std::string>> read_csv(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  bool quoted = false;
  char c;
  while (in.get(c)) {
    if (quoted) {
      if (c == '"' && in.peek() == '"') records.back().back() += static_cast<char>(in.get());
      else if (c == '"') quoted = false;
      else records.back().back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().emplace_back();
    } else if (c == '\n') {
      records.emplace_back(1);
    } else if (c != '\r') {
      records.back().back() += c;
    }
  }
  if (records.back().size() == 1 && records.back()[0].empty()) records.pop_back();
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer FILE.csv\n");
    return 2;
  }
  const auto records = read_csv(argv[1]);
  std::vector<std::string> texts, labels;
  for (std::size_t i = 1; i < records.size(); ++i) {  // skip the header
    if (records[i].size() != 2) {
      std::fprintf(stderr, "%s: record %zu has %zu fields, expected 2\n", argv[1], i + 1, records[i].size());
      return 1;
    }
    texts.push_back(records[i][0]);
    labels.push_back(records[i][1]);
  }

  textaudit::AuditOptions options;
  options.n_threads = 2;
  const textaudit::Auditor auditor(options);
  const textaudit::AuditResult result = auditor.run(texts, labels);
  for (std::size_t row = 0; row < result.n_rows; ++row) {
    std::printf("row %zu: label issue %d, score %.3f, %s\n", row, int(result.is_label_issue[row]),
                result.issue_score[row], result.reasons[row].c_str());
  }
  bool ok = result.n_rows == 8 && result.is_label_issue[2] && result.is_label_issue[5];

  // The parts link too: TF-IDF, the model, and cleanlab's scores on its in-sample probabilities.
  textaudit::text::TfidfVectorizer vectorizer;
  const textaudit::text::CsrMatrix X = vectorizer.fit_transform(texts);
  const textaudit::text::EncodedLabels y = textaudit::text::encode_labels(labels);
  textaudit::models::LogisticRegression model;
  model.fit(X, y.y, static_cast<int>(y.classes.size()));
  const textaudit::DenseMatrix P = model.predict_proba(X);
  const std::vector<double> quality = textaudit::cleaning::get_label_quality_scores(y.y, P);
  ok = ok && X.rows == 8 && quality.size() == 8;

  std::printf("%s\n", ok ? "consumer: OK (rows 2 and 5 are label issues)" : "consumer: FAILED");
  return ok ? 0 : 1;
}
