#include "ingest/telemetry/spark/spark_event_log.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "common/input_file.h"
#include "common/input_lines.h"
#include "common/strings.h"

namespace tally {
namespace {

namespace fs = std::filesystem;
using simdjson::dom::element;

std::optional<int64_t> Int(element e, std::string_view key) {
  int64_t v = 0;
  if (e[key].get_int64().get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::string_view Text(element e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

// A number as an exact Decimal. Spark writes amounts from Java doubles, whose shortest
// round-trip text is the text it wrote ("0.25", "0.0625"), so that text is parsed.
std::optional<Decimal> Amount(element e) {
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return Decimal::FromUnits(i);
  double d = 0;
  if (e.get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
  char text[64];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  if (ec != std::errc()) return std::nullopt;
  Result<Decimal> parsed = Decimal::Parse(std::string_view(text, end - text));
  if (!parsed.ok() || parsed->is_negative()) return std::nullopt;
  return *parsed;
}

std::optional<int64_t> WholeAmount(element e) {
  int64_t i = 0;
  if (e.get_int64().get(i) != simdjson::SUCCESS || i < 0) return std::nullopt;
  return i;
}

// The executor's memory footprint in one metrics object: JVM heap + off-heap, or the process
// tree's resident memory when procfs metrics were on, whichever is larger.
int64_t PeakMemoryOf(element metrics) {
  auto get = [&](std::string_view key) { return Int(metrics, key).value_or(0); };
  return std::max(get("JVMHeapMemory") + get("JVMOffHeapMemory"),
                  get("ProcessTreeJVMRSSMemory") + get("ProcessTreePythonRSSMemory") +
                      get("ProcessTreeOtherRSSMemory"));
}

class EventReader {
 public:
  explicit EventReader(SparkApplication* app) : app_(app) {}

  void Event(std::string_view event, element e) {
    NoteTimes(e);
    if (event == "SparkListenerApplicationStart") {
      app_->id = Text(e, "App ID");
      app_->attempt = Text(e, "App Attempt ID");
      app_->name = Text(e, "App Name");
      app_->user = Text(e, "User");
      app_->start_ms = Int(e, "Timestamp");
    } else if (event == "SparkListenerApplicationEnd") {
      app_->end_ms = Int(e, "Timestamp");
    } else if (event == "SparkListenerEnvironmentUpdate") {
      Properties(e);
    } else if (event == "SparkListenerResourceProfileAdded") {
      Profile(e);
    } else if (event == "SparkListenerExecutorAdded") {
      element info;
      if (e["Executor Info"].get(info) != simdjson::SUCCESS) return;
      SparkExecutor& ex = app_->executors[app_->Executor(std::string(Text(e, "Executor ID")),
                                                         std::string(Text(info, "Host")))];
      ex.host = Text(info, "Host");
      ex.cores = Int(info, "Total Cores").value_or(0);
      ex.profile = Int(info, "Resource Profile Id").value_or(0);
      ex.added_ms = Int(e, "Timestamp");
      simdjson::dom::array addresses;
      if (info["Resources"]["gpu"]["addresses"].get_array().get(addresses) == simdjson::SUCCESS) {
        ex.gpus = static_cast<int64_t>(addresses.size());
      }
    } else if (event == "SparkListenerExecutorRemoved") {
      const std::string id(Text(e, "Executor ID"));
      auto it = app_->executor_index.find(id);
      if (it != app_->executor_index.end()) app_->executors[it->second].removed_ms = Int(e, "Timestamp");
    } else if (event == "SparkListenerBlockManagerAdded") {
      element id;
      if (e["Block Manager ID"].get(id) == simdjson::SUCCESS && Text(id, "Executor ID") == "driver") {
        app_->driver_host = Text(id, "Host");
      }
    } else if (event == "SparkListenerTaskEnd") {
      Task(e);
    } else if (event == "SparkListenerStageExecutorMetrics") {
      element metrics;
      if (e["Executor Metrics"].get(metrics) != simdjson::SUCCESS) return;
      const std::string id(Text(e, "Executor ID"));
      const uint32_t ex = app_->Executor(id, id == "driver" ? app_->driver_host : "");
      app_->executors[ex].peak_memory_bytes =
          std::max(app_->executors[ex].peak_memory_bytes, PeakMemoryOf(metrics));
    }
  }

 private:
  void NoteTimes(element e) {
    for (std::string_view key : {"Timestamp", "Completion Time", "Submission Time", "time"}) {
      if (auto t = Int(e, key)) app_->last_event_ms = std::max(app_->last_event_ms, *t);
    }
  }

  void Properties(element e) {
    element props;
    if (e["Spark Properties"].get(props) != simdjson::SUCCESS) return;
    auto keep = [&](std::string_view k, std::string_view v) {
      if (k.starts_with("spark.")) app_->properties[std::string(k)] = std::string(v);
    };
    simdjson::dom::object object;
    simdjson::dom::array pairs;
    if (props.get_object().get(object) == simdjson::SUCCESS) {
      for (auto field : object) {
        std::string_view v;
        if (field.value.get_string().get(v) == simdjson::SUCCESS) keep(field.key, v);
      }
    } else if (props.get_array().get(pairs) == simdjson::SUCCESS) {  // [[key, value], ...]
      for (element pair : pairs) {
        std::string_view k, v;
        if (pair.at(0).get_string().get(k) == simdjson::SUCCESS &&
            pair.at(1).get_string().get(v) == simdjson::SUCCESS) {
          keep(k, v);
        }
      }
    }
  }

  void Profile(element e) {
    const std::optional<int64_t> id = Int(e, "Resource Profile Id");
    if (!id) return;
    SparkResourceProfile& p = app_->profiles[*id];
    simdjson::dom::object executor, task;
    if (e["Executor Resource Requests"].get_object().get(executor) == simdjson::SUCCESS) {
      int64_t memory = 0;
      bool any_memory = false;
      for (auto field : executor) {
        element value;
        if (field.value["Amount"].get(value) != simdjson::SUCCESS) continue;
        const std::optional<int64_t> amount = WholeAmount(value);
        if (!amount) continue;
        if (field.key == "cores") p.executor_cores = amount;
        if (field.key == "gpu") p.executor_gpus = amount;
        if (field.key == "memory" || field.key == "memoryOverhead" || field.key == "offHeap" ||
            field.key == "pyspark.memory") {
          memory += *amount;
          any_memory = true;
        }
      }
      if (any_memory) p.executor_memory_mib = memory;
    }
    if (e["Task Resource Requests"].get_object().get(task) == simdjson::SUCCESS) {
      for (auto field : task) {
        element amount;
        if (field.value["Amount"].get(amount) != simdjson::SUCCESS) continue;
        if (field.key == "cpus") p.task_cpus = Amount(amount);
        if (field.key == "gpu") p.task_gpus = Amount(amount);
      }
    }
  }

  void Task(element e) {
    element info;
    if (e["Task Info"].get(info) != simdjson::SUCCESS) return;
    const std::optional<int64_t> finish = Int(info, "Finish Time");
    if (finish) app_->last_event_ms = std::max(app_->last_event_ms, *finish);
    if (!finish || *finish <= 0) return;
    const uint32_t ex = app_->Executor(std::string(Text(info, "Executor ID")),
                                       std::string(Text(info, "Host")));
    element metrics;
    if (e["Task Executor Metrics"].get(metrics) == simdjson::SUCCESS) {
      app_->executors[ex].peak_memory_bytes =
          std::max(app_->executors[ex].peak_memory_bytes, PeakMemoryOf(metrics));
    }
    // Failed tasks of old versions carry no metrics: they ran, but how long is not logged.
    element task_metrics;
    const int64_t run = e["Task Metrics"].get(task_metrics) == simdjson::SUCCESS
                            ? Int(task_metrics, "Executor Run Time").value_or(0)
                            : 0;
    if (run > 0) app_->tasks.push_back(SparkTaskRun{ex, *finish, run});
  }

  SparkApplication* app_;
};

// Spark names a compressed log after its codec; only zstd (and gzip) can be read here.
Status CheckCodec(const std::string& path) {
  for (const char* codec : {".lz4", ".lzf", ".snappy"}) {
    if (EndsWith(path, codec)) {
      return InvalidArgument(path + ": event logs compressed with " + std::string(codec + 1) +
                             " cannot be read; decompress them first, or have Spark write "
                             "zstd (spark.eventLog.compression.codec=zstd)");
    }
  }
  return Status::Ok();
}

class LineParser {
 public:
  LineParser(SparkApplication* app, std::vector<SparkLineProblem>* problems, size_t max_problems)
      : parser_(kMaxSparkEventLine), events_(app), app_(app), problems_(problems),
        max_problems_(max_problems) {}

  void Problem(const std::string& file, int64_t line, std::string reason) {
    ++app_->skipped_lines;
    if (problems_->size() < max_problems_) problems_->push_back({file, line, std::move(reason)});
  }

  void Line(const std::string& file, int64_t number, std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return;
    ++app_->lines;
    app_->bytes += static_cast<int64_t>(line.size()) + 1;
    padded_.assign(line);
    padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    element doc;
    const simdjson::error_code error = parser_.parse(padded_.data(), line.size(), false).get(doc);
    if (error != simdjson::SUCCESS) {
      return Problem(file, number,
                     std::string("not valid JSON (") + simdjson::error_message(error) + ")");
    }
    std::string_view event;
    if (doc["Event"].get_string().get(event) != simdjson::SUCCESS) {
      return Problem(file, number, "no \"Event\" field");
    }
    events_.Event(event, doc);
  }

 private:
  simdjson::dom::parser parser_;
  std::string padded_;
  EventReader events_;
  SparkApplication* app_;
  std::vector<SparkLineProblem>* problems_;
  size_t max_problems_;
};

Status ReadLines(const std::string& path, LineParser* parser) {
  TALLY_RETURN_IF_ERROR(CheckCodec(path));
  return ForEachLine(path, kMaxSparkEventLine,
                     [&](int64_t number, std::string_view line, bool overlong) {
                       if (overlong) {
                         parser->Problem(path, number,
                                         "line longer than " +
                                             std::to_string(kMaxSparkEventLine >> 20) + " MiB");
                       } else {
                         parser->Line(path, number, line);
                       }
                       return Status::Ok();
                     });
}

// "events_12_app" -> 12, for ordering a rolling log's parts.
std::optional<int64_t> PartNumber(const std::string& name) {
  if (!name.starts_with("events_")) return std::nullopt;
  int64_t n = 0;
  const char* begin = name.data() + 7;
  const auto [end, ec] = std::from_chars(begin, name.data() + name.size(), n);
  if (ec != std::errc() || end == begin || *end != '_') return std::nullopt;
  return n;
}

Result<std::vector<std::string>> RollingLog(const fs::path& dir) {
  std::vector<std::pair<int64_t, std::string>> parts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (auto n = PartNumber(entry.path().filename().string()); n && entry.is_regular_file()) {
      parts.emplace_back(*n, entry.path().string());
    }
  }
  if (ec) return IoError(dir.string() + ": " + ec.message());
  if (parts.empty()) return InvalidArgument(dir.string() + ": a rolling event log with no events_<N>_* files");
  std::sort(parts.begin(), parts.end());
  std::vector<std::string> files;
  for (auto& [n, path] : parts) files.push_back(std::move(path));
  return files;
}

Status Collect(const fs::path& path, int depth, std::vector<std::vector<std::string>>* logs) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound(path.string() + ": no such file or directory");
  if (!fs::is_directory(path, ec)) {
    logs->push_back({path.string()});
    return Status::Ok();
  }
  if (path.filename().string().starts_with("eventlog_v2_")) {
    TALLY_ASSIGN_OR_RETURN(std::vector<std::string> files, RollingLog(path));
    logs->push_back(std::move(files));
    return Status::Ok();
  }
  if (depth > 16) return InvalidArgument(path.string() + ": directories nested too deep");
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(path, ec)) entries.push_back(entry.path());
  if (ec) return IoError(path.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& entry : entries) {
    const std::string name = entry.filename().string();
    if (name.starts_with(".") || name.starts_with("appstatus_")) continue;
    TALLY_RETURN_IF_ERROR(Collect(entry, depth + 1, logs));
  }
  return Status::Ok();
}

}  // namespace

std::string SparkApplication::Property(const std::string& key, const std::string& fallback) const {
  auto it = properties.find(key);
  return it == properties.end() ? fallback : it->second;
}

uint32_t SparkApplication::Executor(const std::string& id, const std::string& host) {
  auto [it, added] = executor_index.try_emplace(id, static_cast<uint32_t>(executors.size()));
  if (added) {
    executors.emplace_back();
    executors.back().id = id;
    executors.back().host = host;
  }
  if (executors[it->second].host.empty()) executors[it->second].host = host;
  return it->second;
}

Result<SparkApplication> ReadSparkEventLog(const std::vector<std::string>& files,
                                           std::vector<SparkLineProblem>* problems,
                                           size_t max_problems) {
  SparkApplication app;
  LineParser parser(&app, problems, max_problems);
  for (const std::string& file : files) TALLY_RETURN_IF_ERROR(ReadLines(file, &parser));
  const std::string where = files.empty() ? std::string("(no files)") : files.front();
  if (app.id.empty() || !app.start_ms) {
    return InvalidArgument(where + ": not a Spark event log (no SparkListenerApplicationStart "
                                   "with an App ID and a Timestamp)");
  }
  if (app.driver_host.empty()) app.driver_host = app.Property("spark.driver.host");
  return app;
}

Result<std::vector<std::vector<std::string>>> FindSparkEventLogs(
    const std::vector<std::string>& paths) {
  std::vector<std::vector<std::string>> logs;
  for (const std::string& path : paths) TALLY_RETURN_IF_ERROR(Collect(path, 0, &logs));
  return logs;
}

}  // namespace tally
