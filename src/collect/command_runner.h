// Runs a command-line tool (sacct, sinfo) and captures what it prints, bounded in time and in
// size: the collectors of systems whose interface is a command, not an API.
//
// Stateless; each call forks one child (posix_spawnp: no shell, arguments are passed as they
// are). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tally/result.h"

namespace tally {

struct CommandOptions {
  std::vector<std::string> env;  // "NAME=value" added to (or replacing in) this environment
  double timeout_seconds = 120;  // then the child is killed
  size_t max_output = size_t{1} << 30;
};

// The standard output of `argv` (argv[0] found on PATH). Errors: kNotFound when the program is
// not installed; kUnavailable when it exits non-zero (with the last of its standard error),
// is killed, runs past the timeout or prints more than max_output.
Result<std::string> RunCommand(const std::vector<std::string>& argv,
                               const CommandOptions& options = {});

}  // namespace tally
