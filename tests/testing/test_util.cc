#include "testing/test_util.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace tally::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tally-test-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

// The child's peak resident memory so far (VmHWM of /proc/PID/status, KiB), or -1. It is the
// child's own: unlike getrusage's, which a forked child inherits from its parent.
int64_t PeakRssKib(pid_t pid) {
  const std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmHWM:");
  return at == std::string::npos ? -1 : std::atoll(status.c_str() + at + 6);
}

CommandResult Run(const std::vector<std::string>& args, bool measure) {
  TempDir io;
  std::string out_path = io.File("out"), err_path = io.File("err");
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::freopen(out_path.c_str(), "w", stdout);
    FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    if (out == nullptr || err == nullptr) _exit(127);
    std::vector<char*> argv;
    std::string binary = TALLY_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    unsetenv("TALLY_STORE");
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  int64_t peak = -1;
  if (measure) {
    // Looks every 2 ms until the child exits (its memory is gone once it has).
    while (waitpid(pid, &status, WNOHANG) == 0) {
      peak = std::max(peak, PeakRssKib(pid));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  } else {
    waitpid(pid, &status, 0);
  }
  CommandResult result;
  result.peak_rss_kib = peak;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

}  // namespace

CommandResult RunTally(const std::vector<std::string>& args) { return Run(args, false); }

CommandResult RunTallyMeasured(const std::vector<std::string>& args) { return Run(args, true); }

const char* TallyBinary() { return TALLY_BINARY; }

std::string SharedDataDir() {
  const char* env = std::getenv("TALLY_SHARED_DIR");
  return std::string(env != nullptr ? env : TALLY_SHARED_DIR) + "/data";
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string IngestEach(const std::string& store,
                       const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [format, path] : files) {
    CommandResult r = RunTally({"--store", store, "ingest", format, path});
    if (r.exit_code != 0) return format + " " + path + ": " + r.err;
  }
  return "";
}

}  // namespace tally::testing
