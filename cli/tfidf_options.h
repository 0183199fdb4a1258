// cli/tfidf_options.h: the TF-IDF flags (scikit-learn's TfidfVectorizer parameter names, with
// dashes) shared by every command that vectorizes text.
#pragma once

#include <CLI/CLI.hpp>

#include "text/tfidf_params.h"

namespace textaudit::cli {

// Adds --ngram-range MIN,MAX, --min-df N|F, --max-df N|F (an integer is a document count, a value
// with a '.' a fraction), --max-features N, --sublinear-tf, --no-lowercase, --strip-accents
// unicode|ascii, --norm l2|l1|none, --no-idf, --no-smooth-idf, --binary and --token-pattern RE.
// Values are written into `params` while parsing, which must outlive the app;
// malformed values are CLI usage errors (exit code 2).
void add_tfidf_options(CLI::App& app, text::TfidfParams& params);

}  // namespace textaudit::cli
