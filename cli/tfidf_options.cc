// cli/tfidf_options.cc: see tfidf_options.h.
#include "cli/tfidf_options.h"

#include <charconv>
#include <string>

namespace textaudit::cli {
namespace {

text::DocFreq parse_doc_freq(const std::string& value, const char* flag) {
  const bool is_fraction = value.find_first_of(".eE") != std::string::npos;
  double v = 0;
  const auto res = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || res.ec != std::errc() || res.ptr != value.data() + value.size()) {
    throw CLI::ValidationError(flag, "expected a document count (e.g. 2) or a fraction (e.g. 0.5), got \"" + value + "\"");
  }
  return {is_fraction, v};
}

}  // namespace

void add_tfidf_options(CLI::App& app, text::TfidfParams& params) {
  const std::string group = "TF-IDF (scikit-learn TfidfVectorizer)";
  app.add_option_function<std::string>(
         "--ngram-range",
         [&params](const std::string& value) {
           const auto comma = value.find(',');
           int lo = 0, hi = 0;
           const auto* end = value.data() + value.size();
           bool ok = comma != std::string::npos;
           if (ok) {
             const auto r1 = std::from_chars(value.data(), value.data() + comma, lo);
             const auto r2 = std::from_chars(value.data() + comma + 1, end, hi);
             ok = r1.ec == std::errc() && r1.ptr == value.data() + comma && r2.ec == std::errc() && r2.ptr == end;
           }
           if (!ok || lo < 1 || hi < lo) {
             throw CLI::ValidationError("--ngram-range", "expected MIN,MAX with 1 <= MIN <= MAX, got \"" + value + "\"");
           }
           params.ngram_range = {lo, hi};
         },
         "n-gram sizes MIN,MAX (default 1,1)")
      ->group(group);
  app.add_option_function<std::string>(
         "--min-df", [&params](const std::string& v) { params.min_df = parse_doc_freq(v, "--min-df"); },
         "drop terms in fewer documents: a count (2) or a fraction (0.01) (default 1)")
      ->group(group);
  app.add_option_function<std::string>(
         "--max-df", [&params](const std::string& v) { params.max_df = parse_doc_freq(v, "--max-df"); },
         "drop terms in more documents: a count (500) or a fraction (0.5) (default 1.0)")
      ->group(group);
  app.add_option("--max-features", params.max_features, "keep only the N most frequent terms (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->group(group);
  app.add_flag("--sublinear-tf", params.sublinear_tf, "tf -> 1 + ln(tf)")->group(group);
  app.add_flag_callback("--no-lowercase", [&params] { params.lowercase = false; }, "do not lowercase")->group(group);
  app.add_option_function<std::string>(
         "--strip-accents", [&params](const std::string& v) { params.strip_accents = text::parse_strip_accents(v); },
         "remove accents: unicode or ascii (default: none)")
      ->check(CLI::IsMember({"unicode", "ascii", "none"}))
      ->group(group);
  app.add_option_function<std::string>(
         "--norm", [&params](const std::string& v) { params.norm = text::parse_norm(v); },
         "row normalization: l2, l1 or none (default l2)")
      ->check(CLI::IsMember({"l2", "l1", "none"}))
      ->group(group);
  app.add_flag_callback("--no-idf", [&params] { params.use_idf = false; }, "do not weight by idf")->group(group);
  app.add_flag_callback("--no-smooth-idf", [&params] { params.smooth_idf = false; },
                        "idf = ln(n / df) + 1 instead of ln((1 + n) / (1 + df)) + 1")
      ->group(group);
  app.add_flag("--binary", params.binary, "tf = 1 for every present term")->group(group);
  app.add_option("--token-pattern", params.token_pattern,
                 "token regex (default (?u)\\b\\w\\w+\\b; patterns other than \\b\\w...\\w+\\b use re2, "
                 "whose \\w and \\b are ASCII-only)")
      ->group(group);
}

}  // namespace textaudit::cli
