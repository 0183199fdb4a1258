// Confident-learning flags; spellings are cleanlab's so its documentation applies unchanged.
#include "cli/cl_options.h"

#include <string>

namespace textaudit::cli {

void add_cl_options(CLI::App& app, cleaning::FindLabelIssuesParams& params) {
  app.add_option_function<std::string>(
         "--filter-by",
         [&params](const std::string& name) { params.filter_by = cleaning::parse_filter_by(name); },
         "how rows are flagged (cleanlab's filter_by; default prune_by_noise_rate)")
      ->check(CLI::IsMember({"prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
                             "predicted_neq_given", "low_normalized_margin", "low_self_confidence"}));
  app.add_option_function<std::string>(
         "--rank-by",
         [&params](const std::string& name) {
           params.return_indices_ranked_by = cleaning::parse_label_quality_method(name);
         },
         "label quality score used to rank flagged rows (default self_confidence)")
      ->check(CLI::IsMember({"self_confidence", "normalized_margin", "confidence_weighted_entropy"}));
  app.add_option("--frac-noise", params.frac_noise,
                 "flag only this fraction of each estimated noise count, in (0, 1] (prune_* filters)")
      ->check(CLI::Range(0.0, 1.0))
      ->check(CLI::Validator(
          [](const std::string& v) {
            return std::stod(v) > 0.0 ? std::string() : std::string("--frac-noise must be > 0");
          },
          "(0, 1]"));
  app.add_option("--min-examples-per-class", params.min_examples_per_class,
                 "never prune a class below this many rows (default 1)")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace textaudit::cli
