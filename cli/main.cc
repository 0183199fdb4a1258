// textaudit: audit a labelled text dataset. Subcommands live in cli/cmd_*.cc (see command.h).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "text/data_error.h"

namespace textaudit::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> registry;
  return registry;
}

bool register_command(Command command) {
  command_registry().push_back(std::move(command));
  return true;
}

GlobalFlags& global_flags() {
  static GlobalFlags flags;
  return flags;
}

}  // namespace textaudit::cli

int main(int argc, char** argv) {
  using namespace textaudit::cli;
  CLI::App app{"textaudit: find label errors, backdoor rows, near-duplicates and outliers in a "
               "labelled text dataset"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("textaudit 0.1.0"));
  app.add_flag("-q,--quiet", global_flags().quiet, "no progress bars and no summary on the terminal");
  app.footer("Exit codes: 0 ok, 1 I/O or internal error, 2 bad command line or parameter, "
             "3 rows flagged (with --fail-on-issues), 4 malformed input data.");
  auto commands = command_registry();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const Command& a, const Command& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const Command& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    sub->fallthrough();  // global flags (--quiet) may follow the subcommand
    runners.emplace_back(sub, command.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    for (auto& [sub, run] : runners) {
      if (sub->parsed()) return run();
    }
    return kExitUsage;
  } catch (const textaudit::DataError& e) {
    const std::string& input = global_flags().input_path;
    if (e.file().empty() && !input.empty()) {
      std::fprintf(stderr, "textaudit: error: %s: %s\n", input.c_str(), e.what());
    } else {
      std::fprintf(stderr, "textaudit: error: %s\n", e.what());
    }
    return kExitBadData;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "textaudit: error: %s\n", e.what());
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "textaudit: error: out of memory\n");
    return kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "textaudit: error: %s\n", e.what());
    return kExitError;
  }
}
