// `sacct --json` (data_parser 0.0.37 to 0.0.43) and slurmrestd job lists.
#include <nlohmann/json.hpp>

#include "ingest/telemetry/slurm/sacct_readers.h"

namespace tally {
namespace {

using nlohmann::json;

// A number, or 0.0.39+'s {"set", "infinite", "number"}; none when unset, infinite or absent.
std::optional<int64_t> Number(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return std::nullopt;
  const json& v = j[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_object() && v.value("set", false) && !v.value("infinite", false) &&
      v.contains("number") && v["number"].is_number_integer()) {
    return v["number"].get<int64_t>();
  }
  return std::nullopt;
}

std::string Text(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_array() && !v.empty() && v[0].is_string()) return v[0].get<std::string>();  // state
  return "";
}

std::optional<int64_t> Time(const json& j, const char* key) {
  auto t = Number(j, key);
  return t && *t > 0 ? t : std::nullopt;
}

// {"seconds", "microseconds"} as seconds.
std::optional<Decimal> CpuSeconds(const json& time) {
  if (!time.is_object() || !time.contains("total") || !time["total"].is_object()) return std::nullopt;
  const int64_t s = time["total"].value("seconds", int64_t{0});
  const int64_t us = time["total"].value("microseconds", int64_t{0});
  if (s < 0 || us < 0) return std::nullopt;
  return Decimal::FromUnits(s) + Decimal::FromRaw(Decimal::Raw(us) * 1'000'000'000'000);
}

// tres.allocated [{type, name, count}] as a TRES map: "cpu", "mem" (MiB), "gres/gpu".
std::map<std::string, Decimal> Tres(const json& list) {
  std::map<std::string, Decimal> tres;
  if (!list.is_array()) return tres;
  for (const json& t : list) {
    if (!t.is_object() || !t.contains("count") || !t["count"].is_number_integer()) continue;
    const int64_t count = t["count"].get<int64_t>();
    if (count < 0) continue;  // energy's -2: not measured
    std::string name = Text(t, "type");
    if (const std::string sub = Text(t, "name"); !sub.empty()) name += "/" + sub;
    tres[name] += Decimal::FromUnits(count);
  }
  return tres;
}

}  // namespace

Status SlurmJobSet::AddJson(std::string_view text, const std::string& file,
                            std::vector<SlurmLineProblem>* problems) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return InvalidArgument(file + ": not valid JSON");
  if (!doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array()) {
    return InvalidArgument(file + ": no \"jobs\" array (expected sacct --json or a slurmrestd "
                                  "job list)");
  }
  int64_t index = 0;
  for (const json& j : doc["jobs"]) {
    ++index;
    if (!j.is_object() || Text(j, "job_id").empty()) {
      problems->push_back({file, index, "job without a job_id (skipped)"});
      continue;
    }
    SlurmJob job;
    job.line = index;
    job.job_id_raw = job.job_id = Text(j, "job_id");
    job.cluster = Text(j, "cluster").empty() ? cluster_ : Text(j, "cluster");
    const json assoc = j.value("association", json::object());
    job.account = !Text(j, "account").empty() ? Text(j, "account") : Text(assoc, "account");
    job.user = !Text(j, "user").empty() ? Text(j, "user")
               : !Text(j, "user_name").empty() ? Text(j, "user_name") : Text(assoc, "user");
    job.partition = Text(j, "partition");
    job.qos = Text(j, "qos");
    job.name = Text(j, "name");
    const std::string nodes = j.contains("nodes") && j["nodes"].is_string() ? j["nodes"].get<std::string>() : "";
    if (!nodes.empty() && nodes != "None assigned") {
      auto hosts = ExpandHostlist(nodes);
      if (!hosts.ok()) {
        problems->push_back({file, index, hosts.status().message()});
        continue;
      }
      job.nodes = std::move(*hosts);
    }
    if (j.contains("time") && j["time"].is_object()) {  // sacct --json
      const json& t = j["time"];
      job.state = j.contains("state") ? Text(j["state"], "current") : "";
      job.start = Time(t, "start");
      job.end = Time(t, "end");
      if (auto e = Number(t, "elapsed"); e && *e >= 0) job.elapsed = e;
      job.time_limit_minutes = Number(t, "limit");
      job.alloc_tres = Tres(j.contains("tres") && j["tres"].is_object()
                                ? j["tres"].value("allocated", json::array()) : json::array());
      job.cpu_seconds = CpuSeconds(t);
      Decimal steps_cpu;
      for (const json& step : j.value("steps", json::array())) {
        ++steps_;
        if (step.contains("time")) {
          if (auto s = CpuSeconds(step["time"])) steps_cpu += *s;
        }
        // A step's peak RSS is its tres.requested.max of type mem, in bytes.
        if (step.contains("tres") && step["tres"].is_object() && step["tres"].contains("requested") &&
            step["tres"]["requested"].is_object()) {
          for (const json& m : step["tres"]["requested"].value("max", json::array())) {
            if (Text(m, "type") == "mem" && m.contains("count") && m["count"].is_number_integer()) {
              const Decimal bytes = Decimal::FromUnits(m["count"].get<int64_t>());
              if (!job.max_rss_bytes || *job.max_rss_bytes < bytes) job.max_rss_bytes = bytes;
            }
          }
        }
      }
      if ((!job.cpu_seconds || job.cpu_seconds->is_zero()) && !steps_cpu.is_zero()) {
        job.cpu_seconds = steps_cpu;
      }
    } else {  // slurmrestd: a running job's end_time is when its limit runs out
      job.state = Text(j, "job_state");
      job.start = Time(j, "start_time");
      job.end = Time(j, "end_time");
      job.time_limit_minutes = Number(j, "time_limit");
      if (job.state == "PENDING") job.start.reset();
      if (job.state == "RUNNING") job.end.reset();
      auto tres = ParseTres(Text(j, "tres_alloc_str"));
      if (!tres.ok()) {
        problems->push_back({file, index, tres.status().message()});
        continue;
      }
      job.alloc_tres = std::move(*tres);
    }
    Allocation(job);
  }
  return Status::Ok();
}

}  // namespace tally
