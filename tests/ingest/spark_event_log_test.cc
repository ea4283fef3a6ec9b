// Spark event logs: for every sample, the reserved and the used core-hours stored per application
// equal a computation straight from the raw events (nlohmann-json, not the reader's simdjson; no
// hour spreading), and malformed, truncated and rolling logs behave as documented.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "common/input_file.h"
#include "ingest/telemetry/spark/spark_usage.h"
#include "testing/test_util.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string SparkDir() { return testing::SharedDataDir() + "/telemetry/spark"; }

// Core-milliseconds computed from the events alone.
struct Expected {
  std::string app;
  int64_t reserved_core_ms = 0;  // executors and driver
  double task_core_ms = 0;       // task cpus may be fractional in principle; here whole
  bool ended = false;
  int64_t end_ms = 0;
};

int64_t At(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number_integer() ? j[key].get<int64_t>() : 0;
}

Expected FromRawEvents(const std::vector<std::string>& files) {
  struct Exec { int64_t added = 0, removed = -1, cores = 0, profile = 0; };
  std::map<std::string, Exec> execs;
  std::map<int64_t, double> profile_task_cpus;
  std::map<std::string, std::string> props;
  std::vector<std::tuple<std::string, int64_t, int64_t>> tasks;  // executor, finish, run
  Expected e;
  int64_t start = 0, last = 0, end = -1;
  for (const std::string& file : files) {
    auto text = ReadWholeFile(file);
    EXPECT_TRUE(text.ok());
    size_t pos = 0;
    while (pos < text->size()) {
      size_t nl = text->find('\n', pos);
      if (nl == std::string::npos) nl = text->size();
      const json j = json::parse(text->substr(pos, nl - pos), nullptr, false);
      pos = nl + 1;
      if (!j.is_object() || !j.contains("Event")) continue;
      for (const char* k : {"Timestamp", "Completion Time", "Submission Time", "time"}) {
        last = std::max(last, At(j, k));
      }
      const std::string ev = j["Event"];
      if (ev == "SparkListenerApplicationStart") {
        e.app = j["App ID"];
        start = At(j, "Timestamp");
      } else if (ev == "SparkListenerApplicationEnd") {
        end = At(j, "Timestamp");
      } else if (ev == "SparkListenerEnvironmentUpdate" && j["Spark Properties"].is_object()) {
        for (auto& [k, v] : j["Spark Properties"].items()) props[k] = v.get<std::string>();
      } else if (ev == "SparkListenerResourceProfileAdded") {
        const json& t = j["Task Resource Requests"];
        if (t.contains("cpus")) profile_task_cpus[j["Resource Profile Id"]] = t["cpus"]["Amount"];
      } else if (ev == "SparkListenerExecutorAdded") {
        Exec& x = execs[j["Executor ID"]];
        x.added = At(j, "Timestamp");
        x.cores = j["Executor Info"]["Total Cores"];
        x.profile = At(j["Executor Info"], "Resource Profile Id");
      } else if (ev == "SparkListenerExecutorRemoved") {
        if (execs.contains(j["Executor ID"])) execs[j["Executor ID"]].removed = At(j, "Timestamp");
      } else if (ev == "SparkListenerTaskEnd") {
        const json& info = j["Task Info"];
        last = std::max(last, At(info, "Finish Time"));
        const int64_t run = j.contains("Task Metrics") && j["Task Metrics"].is_object()
                                ? At(j["Task Metrics"], "Executor Run Time")
                                : 0;
        if (At(info, "Finish Time") > 0 && run > 0) {
          tasks.emplace_back(info["Executor ID"], At(info, "Finish Time"), run);
        }
      }
    }
  }
  e.ended = end >= 0;
  e.end_ms = e.ended ? end : last;
  for (const auto& [id, x] : execs) {
    if (id == "driver") continue;
    const int64_t to = x.removed >= 0 ? std::min(x.removed, e.end_ms) : e.end_ms;
    if (to > x.added) e.reserved_core_ms += (to - x.added) * x.cores;
  }
  int64_t driver_cores = props.contains("spark.driver.cores") ? std::stoll(props["spark.driver.cores"]) : 1;
  const std::string master = props["spark.master"];
  if (execs.contains("driver")) {
    driver_cores = execs["driver"].cores;
  } else if (master == "local[*]") {  // the most tasks at once
    int64_t most = 1;
    for (const auto& [ex, finish, run] : tasks) {
      int64_t at_once = 0;
      for (const auto& [ex2, finish2, run2] : tasks) {
        at_once += (finish2 - run2 <= finish - run && finish - run < finish2) ? 1 : 0;
      }
      most = std::max(most, at_once);
    }
    driver_cores = most;
  } else if (master.starts_with("local[")) {
    driver_cores = std::stoll(master.substr(6));
  }
  e.reserved_core_ms += (e.end_ms - start) * driver_cores;
  for (const auto& [ex, finish, run] : tasks) {
    double cpus = props.contains("spark.task.cpus") ? std::stod(props["spark.task.cpus"]) : 1;
    const int64_t profile = execs.contains(ex) ? execs[ex].profile : 0;
    if (profile_task_cpus.contains(profile)) cpus = profile_task_cpus[profile];
    e.task_core_ms += static_cast<double>(run) * cpus;
  }
  return e;
}

struct Stored {
  Decimal request, usage;
  int64_t facts = 0;
};

Stored StoredCpu(const SparkApplication& app) {
  JobUsage usage("spark");
  EXPECT_TRUE(AddSparkApplication(app, &usage).ok());
  auto batches = usage.Finish();
  EXPECT_TRUE(batches.ok());
  Stored s;
  for (const UsageBatch& b : *batches) {
    EXPECT_EQ(b.replace(), UsageReplace::kConsumers);
    for (const UsageFact& f : b.usage()) {
      EXPECT_EQ(b.consumers()[f.consumer].name, app.id);
      EXPECT_TRUE(b.hours().Contains(f.hour));
      if (f.resource != "cpu") continue;
      s.request += f.request;
      s.usage += f.usage;
      ++s.facts;
    }
  }
  return s;
}

std::vector<std::vector<std::string>> AllSampleLogs() {
  auto logs = FindSparkEventLogs({SparkDir()});
  EXPECT_TRUE(logs.ok());
  return *logs;
}

// |stored - exact| within the rounding of one unit of 1e-18 per fact.
void ExpectHours(const Decimal& stored, int64_t exact_ms, int64_t facts, const std::string& what) {
  const Decimal exact = *Decimal::FromUnits(exact_ms).Divide(Decimal::FromUnits(3'600'000));
  const auto diff = (stored - exact).raw();
  EXPECT_LE(diff < 0 ? -diff : diff, facts) << what << ": stored " << stored.ToString()
                                             << " vs " << exact.ToString();
}

TEST(SparkEventLogTest, EverySampleMatchesTheRawEvents) {
  const auto logs = AllSampleLogs();
  ASSERT_EQ(logs.size(), 17u);  // 16 files and one rolling directory
  for (const std::vector<std::string>& files : logs) {
    SCOPED_TRACE(files.front());
    std::vector<SparkLineProblem> problems;
    auto app = ReadSparkEventLog(files, &problems);
    ASSERT_TRUE(app.ok()) << app.status().message();
    const Expected want = FromRawEvents(files);
    EXPECT_EQ(app->id, want.app);
    EXPECT_EQ(app->EndMs(), want.end_ms);
    EXPECT_EQ(app->end_ms.has_value(), want.ended);
    const Stored got = StoredCpu(*app);
    ASSERT_GT(got.facts, 0);
    ExpectHours(got.request, want.reserved_core_ms, got.facts, "reserved core-hours");
    ExpectHours(got.usage, static_cast<int64_t>(want.task_core_ms), got.facts, "task core-hours");
  }
}

TEST(SparkEventLogTest, AMalformedLineIsReportedWithFileAndLineAndSkipped) {
  const std::string dir = SparkDir() + "/nvidia-spark-rapids-tools/";
  std::vector<SparkLineProblem> problems;
  auto bad = ReadSparkEventLog({dir + "malformed_json_eventlog.zstd"}, &problems);
  ASSERT_TRUE(bad.ok()) << bad.status().message();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 4);
  EXPECT_EQ(problems[0].file, dir + "malformed_json_eventlog.zstd");
  EXPECT_NE(problems[0].reason.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(bad->skipped_lines, 1);
  // The rest of the application is the clean copy's: same executors, tasks and core-hours.
  std::vector<SparkLineProblem> none;
  auto clean = ReadSparkEventLog({dir + "rp_sql_eventlog.zstd"}, &none);
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(bad->executors.size(), clean->executors.size());
  EXPECT_EQ(bad->tasks.size(), clean->tasks.size());
  EXPECT_EQ(StoredCpu(*bad).usage, StoredCpu(*clean).usage);
}

TEST(SparkEventLogTest, ATruncatedLogEndsAtItsLastEvent) {
  std::vector<SparkLineProblem> problems;
  auto app = ReadSparkEventLog({SparkDir() + "/nvidia-spark-rapids-tools/truncated_eventlog"},
                               &problems);
  ASSERT_TRUE(app.ok());
  EXPECT_FALSE(app->end_ms.has_value());
  int64_t last_finish = 0;
  for (const SparkTaskRun& t : app->tasks) last_finish = std::max(last_finish, t.finish_ms);
  EXPECT_GE(app->EndMs(), last_finish);
  EXPECT_EQ(app->tasks.size(), 21u);

  // A log cut in the middle of a line: that line is reported, everything before it is kept.
  testing::TempDir dir;
  const std::string text = testing::ReadFile(SparkDir() + "/linkedin-dr-elephant/event_log_1");
  const size_t cut = text.rfind("{\"Event\":\"SparkListenerTaskEnd\"") + 40;
  testing::WriteFile(dir.File("cut"), text.substr(0, cut));
  std::vector<SparkLineProblem> cut_problems;
  auto partial = ReadSparkEventLog({dir.File("cut")}, &cut_problems);
  ASSERT_TRUE(partial.ok());
  ASSERT_EQ(cut_problems.size(), 1u);
  EXPECT_EQ(cut_problems[0].line, std::count(text.begin(), text.begin() + cut, '\n') + 1);
  EXPECT_EQ(partial->tasks.size(), 9u);  // of 10
}

TEST(SparkEventLogTest, ARollingLogIsOneApplicationInPartOrder) {
  const std::string dir = SparkDir() + "/nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964";
  auto logs = FindSparkEventLogs({dir});
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  ASSERT_EQ((*logs)[0].size(), 2u);
  EXPECT_NE((*logs)[0][0].find("events_1_"), std::string::npos);
  std::vector<SparkLineProblem> problems;
  auto app = ReadSparkEventLog((*logs)[0], &problems);
  ASSERT_TRUE(app.ok());
  EXPECT_TRUE(app->end_ms.has_value());  // ApplicationEnd is in part 2
  EXPECT_EQ(app->tasks.size(), 2672u + 129u);
}

TEST(SparkEventLogTest, GpusAndLabelsAreRead) {
  std::vector<SparkLineProblem> problems;
  auto app = ReadSparkEventLog(
      {SparkDir() + "/nvidia-spark-rapids-tools/nds_q66_gpu.zstd"}, &problems);
  ASSERT_TRUE(app.ok());
  int64_t gpus = 0;
  for (const SparkExecutor& ex : app->executors) gpus += ex.gpus;
  EXPECT_EQ(gpus, 8);
  const Consumer c = SparkConsumer(*app);
  EXPECT_EQ(c.labels.at("user"), "root");
  EXPECT_EQ(c.labels.at("app_name"), "NDS - Power Run");
  app->properties["spark.tally.team"] = "analytics";
  EXPECT_EQ(SparkConsumer(*app).labels.at("team"), "analytics");
}

TEST(SparkEventLogTest, BadInputIsAClearError) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("notes.txt"), "hello\n");
  std::vector<SparkLineProblem> problems;
  auto app = ReadSparkEventLog({dir.File("notes.txt")}, &problems);
  ASSERT_FALSE(app.ok());
  EXPECT_NE(app.status().message().find("not a Spark event log"), std::string::npos);
  testing::WriteFile(dir.File("app.lz4"), "x");
  EXPECT_NE(ReadSparkEventLog({dir.File("app.lz4")}, &problems).status().message().find("lz4"),
            std::string::npos);
  EXPECT_FALSE(FindSparkEventLogs({dir.File("missing")}).ok());
  EXPECT_EQ(SparkSizeMib("4g"), 4096);
  EXPECT_EQ(SparkSizeMib("512m"), 512);
  EXPECT_EQ(SparkSizeMib("2048"), 2048);
  EXPECT_FALSE(SparkSizeMib("lots").has_value());
}

}  // namespace
}  // namespace tally
