// sacct's parsable text (`-P`, `--parsable2`, with or without a header).
#include <algorithm>

#include "common/strings.h"
#include "ingest/telemetry/slurm/sacct_readers.h"

namespace tally {
namespace {

// A duration's whole seconds ("2-22:03:04", "7164"); none when unreadable or unlimited.
std::optional<int64_t> WholeSeconds(const std::string& text) {
  const std::optional<Decimal> d = ParseSlurmDuration(text);
  if (!d) return std::nullopt;
  return static_cast<int64_t>(d->raw() / Decimal::kOne);
}

}  // namespace

const std::vector<std::string>& XdmodSacctFields() {
  static const std::vector<std::string> fields = {
      "jobid",    "jobidraw", "cluster", "partition", "qos",      "account", "group",
      "gid",      "user",     "uid",     "submit",    "eligible", "start",   "end",
      "elapsed",  "exitcode", "state",   "nnodes",    "ncpus",    "reqcpus", "reqmem",
      "reqtres",  "alloctres", "timelimit", "nodelist", "jobname"};
  return fields;
}

SlurmJob* SlurmJobSet::Allocation(const SlurmJob& job) {
  const std::string raw_key = job.cluster + "/" + job.job_id_raw;
  const std::string key = raw_key + "/" + (job.start ? std::to_string(*job.start) : "-");
  auto [it, added] = by_key_.try_emplace(key, jobs_.size());
  if (added) {
    jobs_.push_back(job);
  } else {
    jobs_[it->second] = job;  // read again: the newer record wins
  }
  by_raw_[raw_key] = it->second;
  latest_ = std::max({latest_, job.start.value_or(0), job.end.value_or(0)});
  return &jobs_[it->second];
}

void SlurmJobSet::FoldSteps() {
  for (const auto& [index, seconds] : step_cpu_) {
    if (!jobs_[index].cpu_seconds) jobs_[index].cpu_seconds = seconds;
  }
  step_cpu_.clear();
}

Status SlurmJobSet::AddText(std::string_view text, const std::string& file,
                            const std::vector<std::string>& given_fields,
                            std::vector<SlurmLineProblem>* problems) {
  std::vector<std::string> fields;
  for (const std::string& f : given_fields) fields.push_back(ToLower(Trim(f)));
  int64_t number = 0;
  size_t pos = 0;
  auto next_line = [&](std::string_view* line) {
    if (pos >= text.size()) return false;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    *line = text.substr(pos, nl - pos);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos = nl + 1;
    ++number;
    return true;
  };
  std::string_view line;
  if (fields.empty()) {
    if (!next_line(&line)) return InvalidArgument(file + ": empty; expected sacct -P output");
    for (const std::string& f : SplitList(line, '|')) fields.push_back(ToLower(f));
  }
  auto column = [&](const char* name) -> int {
    auto it = std::find(fields.begin(), fields.end(), name);
    return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
  };
  const int raw = column("jobidraw") >= 0 ? column("jobidraw") : column("jobid");
  if (raw < 0) {
    return InvalidArgument(file + ": no JobIDRaw or JobID field (a header line, --fields or "
                                  "--layout xdmod says which fields the file has)");
  }
  const int jobid = column("jobid"), cluster = column("cluster"), account = column("account"),
            user = column("user"), partition = column("partition"), qos = column("qos"),
            state = column("state"), start = column("start"), end = column("end"),
            elapsed_raw = column("elapsedraw"), elapsed = column("elapsed"),
            alloc = column("alloctres"), nodelist = column("nodelist"),
            limit_raw = column("timelimitraw"), limit = column("timelimit"),
            total_cpu = column("totalcpu"), user_cpu = column("usercpu"),
            system_cpu = column("systemcpu"), max_rss = column("maxrss"), name = column("jobname");
  while (next_line(&line)) {
    if (Trim(line).empty()) continue;
    std::vector<std::string> v = SplitFields(line, '|');
    if (!v.empty() && v.back().empty() && v.size() == fields.size() + 1) v.pop_back();  // -p's trailing |
    if (v.size() > fields.size() && name == static_cast<int>(fields.size()) - 1) {
      // A job name holding '|': the last field takes the rest.
      std::string joined = v[fields.size() - 1];
      for (size_t i = fields.size(); i < v.size(); ++i) joined += "|" + v[i];
      v.resize(fields.size());
      v.back() = joined;
    }
    if (v.size() != fields.size()) {
      problems->push_back({file, number, std::to_string(v.size()) + " fields, expected " +
                                             std::to_string(fields.size())});
      continue;
    }
    auto at = [&](int i) -> std::string { return i >= 0 ? std::string(Trim(v[i])) : std::string(); };
    SlurmJob job;
    job.line = number;
    job.job_id_raw = at(raw);
    job.job_id = jobid >= 0 ? at(jobid) : job.job_id_raw;
    job.cluster = cluster >= 0 && !at(cluster).empty() ? at(cluster) : cluster_;
    job.account = at(account);
    job.user = at(user);
    job.partition = at(partition);
    job.qos = at(qos);
    job.state = at(state);
    job.name = at(name);
    job.start = ParseSlurmTime(at(start));
    job.end = ParseSlurmTime(at(end));
    if (elapsed_raw >= 0 && !at(elapsed_raw).empty()) {
      job.elapsed = WholeSeconds(at(elapsed_raw));  // a bare number reads as seconds
    } else {
      job.elapsed = WholeSeconds(at(elapsed));
    }
    if (limit_raw >= 0) {
      job.time_limit_minutes = WholeSeconds(at(limit_raw));  // TimelimitRaw is in minutes
    } else if (auto s = WholeSeconds(at(limit))) {
      job.time_limit_minutes = *s / 60;
    }
    if (!at(alloc).empty()) {
      auto tres = ParseTres(at(alloc));
      if (!tres.ok()) {
        problems->push_back({file, number, tres.status().message()});
        continue;
      }
      job.alloc_tres = std::move(*tres);
    }
    const std::string nodes = at(nodelist);
    if (!nodes.empty() && nodes != "None assigned" && nodes != "(null)") {
      auto hosts = ExpandHostlist(nodes);
      if (!hosts.ok()) {
        problems->push_back({file, number, hosts.status().message()});
        continue;
      }
      job.nodes = std::move(*hosts);
    }
    if (auto t = ParseSlurmDuration(at(total_cpu))) {
      job.cpu_seconds = t;
    } else if (auto u = ParseSlurmDuration(at(user_cpu))) {
      job.cpu_seconds = *u + ParseSlurmDuration(at(system_cpu)).value_or(Decimal());
    }
    job.max_rss_bytes = ParseSlurmSize(at(max_rss));
    const size_t dot = job.job_id_raw.find('.');
    if (dot != std::string::npos) {  // a step
      ++steps_;
      auto it = by_raw_.find(job.cluster + "/" + job.job_id_raw.substr(0, dot));
      if (it == by_raw_.end()) {
        problems->push_back({file, number, "step " + job.job_id_raw + " of no allocation read"});
        continue;
      }
      SlurmJob& owner = jobs_[it->second];
      if (job.max_rss_bytes && (!owner.max_rss_bytes || *owner.max_rss_bytes < *job.max_rss_bytes)) {
        owner.max_rss_bytes = job.max_rss_bytes;
      }
      if (job.cpu_seconds) step_cpu_[it->second] += *job.cpu_seconds;
      continue;
    }
    Allocation(job);
  }
  FoldSteps();
  return Status::Ok();
}

}  // namespace tally
