// cli/progress.h: a progress bar on stderr, drawn only when stderr is a terminal and not --quiet.
#pragma once

#include <chrono>
#include <string>

namespace textaudit::cli {

class Progress {
 public:
  // Enabled when stderr is a TTY and `quiet` is false.
  explicit Progress(bool quiet);
  ~Progress();
  // Shows `stage` at `fraction` in [0, 1]; redraws at most ~10 times a second.
  void update(const std::string& stage, double fraction);
  // Ends the current stage's line (prints its elapsed time).
  void finish_stage();
  bool enabled() const { return enabled_; }

 private:
  bool enabled_ = false;
  std::string stage_;
  std::chrono::steady_clock::time_point stage_start_{}, last_draw_{};
};

}  // namespace textaudit::cli
