// Real peers for integration tests: starting a server (prometheus, tally serve) on a free
// loopback port, waiting until it answers, and stopping it when the test ends.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "testing/test_util.h"

namespace tally::testing {

// A free TCP port on 127.0.0.1 (bound and released, so another process may race for it).
int FreePort();

// Runs a program to completion, capturing stdout and stderr.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args);

// A child process that is stopped (SIGTERM, then SIGKILL after 5 s) when this goes away.
class ChildProcess {
 public:
  // Starts `binary` with `args`, its stdout and stderr appended to `log_path`.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends SIGTERM and waits for the exit; returns the exit status as RunCommand reports it.
  int Stop();

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Polls http://127.0.0.1:port/path until it answers 200 or `seconds` pass.
bool WaitForHttp(int port, const std::string& path, double seconds);

// GET http://127.0.0.1:port/path; returns the status (0 on failure) and the body.
int HttpGet(int port, const std::string& path, std::string* body);

// Runs `tally serve` on `store` under `config` until its usage source `source` has stored facts
// (at most 30 s), then stops it (expecting exit 0). Returns the source's JSON text as
// /api/v1/sources gives it, "" when it never collected; *failure then holds the last answer and
// the server's log.
std::string ServeUntilCollected(const std::string& store, const std::string& config,
                                const std::string& source, const std::string& log_path,
                                std::string* failure);

}  // namespace tally::testing
