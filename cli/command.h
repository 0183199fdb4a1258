// cli/command.h: how a subcommand plugs into `textaudit`. Each cli/cmd_<name>.cc defines one
// Command and registers it with TEXTAUDIT_REGISTER_COMMAND; main.cc builds the CLI11 app from the
// registry. Commands only parse flags, call the library and print: no algorithm lives in cli/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace textaudit::cli {

// Documented exit codes of the `textaudit` command (also in the README).
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,        // I/O failure or an internal error
  kExitUsage = 2,        // bad command line or bad parameter value
  kExitIssuesFound = 3,  // --fail-on-issues and at least one row was flagged
  kExitBadData = 4,      // malformed input data (DataError): file, line and column are printed
};

struct Command {
  std::string name;
  std::string help;
  int order = 100;  // position in `textaudit --help` (ascending)
  // Adds the subcommand's options to `app` and returns the function that runs it (after parsing)
  // and returns the exit code.
  std::function<std::function<int()>(CLI::App& app)> setup;
};

std::vector<Command>& command_registry();
bool register_command(Command command);

// Global flags every command can read (set by main.cc before running a command).
struct GlobalFlags {
  bool quiet = false;  // --quiet: no progress, no summary beyond the essential
  // The dataset being processed (set by load_dataset): main.cc names it in a DataError that
  // comes without a file (e.g. "every row has the same label" from the library).
  std::string input_path;
};
GlobalFlags& global_flags();

}  // namespace textaudit::cli

#define TEXTAUDIT_CONCAT_INNER(a, b) a##b
#define TEXTAUDIT_CONCAT(a, b) TEXTAUDIT_CONCAT_INNER(a, b)
#define TEXTAUDIT_REGISTER_COMMAND(...)                                                   \
  static const bool TEXTAUDIT_CONCAT(textaudit_registered_, __COUNTER__) [[maybe_unused]] = \
      ::textaudit::cli::register_command(__VA_ARGS__)
