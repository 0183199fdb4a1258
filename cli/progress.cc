#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace textaudit::cli {

Progress::Progress(bool quiet) : enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { finish_stage(); }

void Progress::update(const std::string& stage, double fraction) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (stage != stage_) {
    finish_stage();
    stage_ = stage;
    stage_start_ = now;
  } else if (now - last_draw_ < std::chrono::milliseconds(100) && fraction < 1.0) {
    return;
  }
  last_draw_ = now;
  fraction = std::clamp(fraction, 0.0, 1.0);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth + 0.5);
  std::fprintf(stderr, "\r%-22.22s [%.*s%*s] %3d%%", stage_.c_str(), filled,
               "##############################", kWidth - filled, "",
               static_cast<int>(fraction * 100 + 0.5));
  std::fflush(stderr);
}

void Progress::finish_stage() {
  if (!enabled_ || stage_.empty()) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_start_).count();
  std::fprintf(stderr, "\r%-22.22s done in %.2f s%*s\n", stage_.c_str(), seconds, 30, "");
  std::fflush(stderr);
  stage_.clear();
}

}  // namespace textaudit::cli
