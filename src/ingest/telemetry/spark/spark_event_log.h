// Spark event logs (docs/formats/spark-eventlog.md): the JSON-lines history a Spark driver writes
// with spark.eventLog.enabled, plain or zstd-compressed, one file or a rolling directory
// (eventlog_v2_<app>/events_<N>_<app>[.zstd]), Spark 1.5 to 3.5. The reader keeps what cost
// attribution needs: the application, its executors (host, cores, GPUs, memory, add and remove
// times), resource profiles, peak memory, and each finished task's run time.
//
// Every line is validated as JSON (simdjson's DOM parser); a line that is not is reported with
// file and line and skipped. A log that stops before ApplicationEnd ends at its last event.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

// What a resource profile asks of each executor and each task (Spark 3.1+; profile 0 is the
// default one, built from spark.executor.* and spark.task.* properties when a log has none).
struct SparkResourceProfile {
  std::optional<int64_t> executor_cores;
  std::optional<int64_t> executor_memory_mib;  // memory + memoryOverhead + offHeap + pyspark
  std::optional<int64_t> executor_gpus;
  std::optional<Decimal> task_cpus;
  std::optional<Decimal> task_gpus;
};

struct SparkExecutor {
  std::string id;  // "1", or "driver" when tasks ran in the driver (local mode)
  std::string host;
  int64_t cores = 0;
  int64_t gpus = 0;  // GPU addresses assigned
  int64_t profile = 0;
  std::optional<int64_t> added_ms;  // none: tasks name an executor the log never added
  std::optional<int64_t> removed_ms;
  int64_t peak_memory_bytes = 0;  // largest JVM heap + off-heap (or process-tree RSS) logged
};

// A finished task: it ran `run_ms` (Executor Run Time) ending at `finish_ms` on an executor.
struct SparkTaskRun {
  uint32_t executor = 0;  // index into SparkApplication::executors
  int64_t finish_ms = 0;
  int64_t run_ms = 0;
};

struct SparkApplication {
  std::string id;  // "application_1472176676028_407508", "local-1532512550423"
  std::string attempt;
  std::string name;
  std::string user;
  std::optional<int64_t> start_ms;
  std::optional<int64_t> end_ms;  // ApplicationEnd; none in a truncated log
  int64_t last_event_ms = 0;      // the latest time any event carried
  std::string driver_host;
  std::map<std::string, std::string> properties;  // Spark Properties (spark.* only)
  std::map<int64_t, SparkResourceProfile> profiles;
  std::vector<SparkExecutor> executors;
  std::unordered_map<std::string, uint32_t> executor_index;  // id -> index
  std::vector<SparkTaskRun> tasks;
  int64_t lines = 0;
  int64_t bytes = 0;          // of JSON read (after decompression)
  int64_t skipped_lines = 0;  // malformed

  // When the application ended: ApplicationEnd, else its last event.
  int64_t EndMs() const { return end_ms ? *end_ms : last_event_ms; }
  // The property's value, or `fallback`.
  std::string Property(const std::string& key, const std::string& fallback = "") const;
  // The executor of this id, added (with `host`) on first mention.
  uint32_t Executor(const std::string& id, const std::string& host);
};

// A line that was skipped, for the caller to report.
struct SparkLineProblem {
  std::string file;
  int64_t line = 0;
  std::string reason;
};

// The longest line read; a longer one is reported and skipped without being held in memory.
inline constexpr size_t kMaxSparkEventLine = size_t{64} << 20;

// Reads one application's log: a single file, or the parts of a rolling log in order. Problems
// with single lines go to *problems (at most `max_problems` kept; all are counted in
// skipped_lines). Errors: unreadable files, corrupt compression, a log with no
// ApplicationStart, and logs in codecs tally cannot read (lz4, snappy).
Result<SparkApplication> ReadSparkEventLog(const std::vector<std::string>& files,
                                           std::vector<SparkLineProblem>* problems,
                                           size_t max_problems = 100);

// The logs under `paths`, each as the files of one application: a file is one log; a
// directory named eventlog_v2_* is one rolling log (its events_<N>_* files by N); any other
// directory holds logs, read recursively, in name order. Errors: a missing path, a rolling
// directory without event files.
Result<std::vector<std::vector<std::string>>> FindSparkEventLogs(
    const std::vector<std::string>& paths);

}  // namespace tally
