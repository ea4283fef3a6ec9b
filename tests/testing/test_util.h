// Helpers for tally's tests: scratch directories, running the real tally binary, and the paths
// of the shared sample data. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tally::testing {

// A fresh directory under /tmp, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  int64_t peak_rss_kib = -1;  // RunTallyMeasured: the child's peak resident memory
};

// Runs the tally binary under test with `args` (no shell), capturing its output.
CommandResult RunTally(const std::vector<std::string>& args);

// RunTally, watching the child's peak resident memory (sampled every 2 ms while it runs).
CommandResult RunTallyMeasured(const std::vector<std::string>& args);

// Path of the tally binary under test.
const char* TallyBinary();

// The shared sample data directory (../shared/data beside the repository).
std::string SharedDataDir();

void WriteFile(const std::string& path, const std::string& content);

// The header of the FOCUS bills tests write by hand (tests/golden's columns).
inline constexpr const char* kFocusBillHeader =
    "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
    "EffectiveCost,BillingCurrency,ProviderName,BillingAccountId,ServiceName,ServiceCategory,"
    "ChargeCategory,ResourceId,Tags\n";

// Runs `tally --store STORE ingest FORMAT PATH` for each (format, path), in order; returns ""
// or the first failure's stderr.
std::string IngestEach(const std::string& store,
                       const std::vector<std::pair<std::string, std::string>>& files);
std::string ReadFile(const std::string& path);

}  // namespace tally::testing
