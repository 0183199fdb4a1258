// Helpers shared by the tests: paths into the source tree and reference-file loading.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace textaudit::testing {

// Absolute path of a file in the source tree, e.g. source_path("data/sms_spam.tsv").
inline std::string source_path(const std::string& relative) {
  return std::string(TEXTAUDIT_SOURCE_DIR) + "/" + relative;
}

// The built `textaudit` executable.
inline std::string cli_path() { return std::string(TEXTAUDIT_BINARY_DIR) + "/textaudit"; }

// Parses tests/reference/<relative> (JSON written by scikit-learn / cleanlab, see its README).
inline nlohmann::json read_reference(const std::string& relative) {
  std::ifstream in(source_path("tests/reference/" + relative), std::ios::binary);
  if (!in) throw std::runtime_error("cannot open reference file " + relative);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return nlohmann::json::parse(buffer.str());
}

}  // namespace textaudit::testing
