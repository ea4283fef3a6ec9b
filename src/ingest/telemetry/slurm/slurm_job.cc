#include "ingest/telemetry/slurm/slurm_job.h"

#include <charconv>

#include "common/strings.h"
#include "ingest/telemetry/slurm/sacct_readers.h"
#include "tally/time.h"

namespace tally {
namespace {

std::optional<int64_t> Whole(std::string_view text) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

Decimal PerNode(const Decimal& total, size_t nodes, size_t i) {
  const std::vector<Decimal> ones(nodes, Decimal::FromUnits(1));
  return SplitProportionally(total, ones)[i];
}

}  // namespace

Decimal SlurmJob::Gpus() const {
  if (auto it = alloc_tres.find("gres/gpu"); it != alloc_tres.end()) return it->second;
  Decimal typed;
  for (const auto& [name, count] : alloc_tres) {
    if (name.starts_with("gres/gpu:")) typed += count;
  }
  return typed;
}

std::optional<int64_t> ParseSlurmTime(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text == "Unknown" || text == "None" || text.size() != 19) return std::nullopt;
  Result<Timestamp> t = ParseTimestamp(std::string(text) + "Z");
  if (!t.ok()) return std::nullopt;
  return t->unix_seconds();
}

std::optional<Decimal> ParseSlurmDuration(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text == "INVALID" || text == "UNLIMITED" || text == "Partition_Limit") {
    return std::nullopt;
  }
  int64_t days = 0;
  if (size_t dash = text.find('-'); dash != std::string_view::npos) {
    auto d = Whole(text.substr(0, dash));
    if (!d || *d < 0) return std::nullopt;
    days = *d;
    text.remove_prefix(dash + 1);
  }
  std::string_view fraction;
  if (size_t dot = text.find('.'); dot != std::string_view::npos) {
    fraction = text.substr(dot);
    text = text.substr(0, dot);
  }
  const std::vector<std::string> parts = SplitList(text, ':');
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  int64_t seconds = 0;
  for (const std::string& part : parts) {
    auto n = Whole(part);
    if (!n || *n < 0) return std::nullopt;
    seconds = seconds * 60 + *n;
  }
  Result<Decimal> frac = Decimal::Parse(fraction.empty() ? std::string("0") : "0" + std::string(fraction));
  if (!frac.ok()) return std::nullopt;
  return Decimal::FromUnits(days * 86400 + seconds) + *frac;
}

std::optional<Decimal> ParseSlurmSize(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  int64_t scale = 1;
  switch (text.back()) {
    case 'K': case 'k': scale = int64_t{1} << 10; break;
    case 'M': case 'm': scale = int64_t{1} << 20; break;
    case 'G': case 'g': scale = int64_t{1} << 30; break;
    case 'T': case 't': scale = int64_t{1} << 40; break;
    default: break;
  }
  if (scale != 1 || text.back() == 'B') text.remove_suffix(1);
  Result<Decimal> n = Decimal::Parse(text);
  if (!n.ok() || n->is_negative()) return std::nullopt;
  Result<Decimal> bytes = n->Multiply(Decimal::FromUnits(scale));
  if (!bytes.ok()) return std::nullopt;
  return *bytes;
}

Result<std::map<std::string, Decimal>> ParseTres(std::string_view text) {
  std::map<std::string, Decimal> tres;
  for (const std::string& item : SplitList(text, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("bad TRES \"" + item + "\"");
    const std::string name = item.substr(0, eq);
    std::string_view value = std::string_view(item).substr(eq + 1);
    std::optional<Decimal> amount;
    if (name == "mem") {  // MiB
      if (auto bytes = ParseSlurmSize(value.back() >= '0' && value.back() <= '9'
                                          ? std::string(value) + "M" : std::string(value))) {
        amount = Decimal::FromRaw(bytes->raw() / (int64_t{1} << 20));
      }
    } else if (Result<Decimal> d = Decimal::Parse(value); d.ok() && !d->is_negative()) {
      amount = *d;
    } else if (auto size = ParseSlurmSize(value)) {  // fs/disk=12G and the like: kept in bytes
      amount = size;
    }
    if (!amount) return InvalidArgument("bad TRES amount \"" + item + "\"");
    tres[name] = *amount;
  }
  return tres;
}

Result<std::vector<std::string>> ExpandHostlist(std::string_view text, size_t limit) {
  std::vector<std::string> hosts;
  size_t i = 0;
  auto bad = [&](const char* why) {
    return InvalidArgument("bad hostlist \"" + std::string(text.substr(0, 200)) + "\": " + why);
  };
  while (i < text.size()) {
    // One item: a prefix, then [ranges] and more text, up to a comma outside brackets.
    std::vector<std::string> names{""};
    while (i < text.size() && text[i] != ',') {
      if (text[i] == '[') {
        const size_t close = text.find(']', i);
        if (close == std::string_view::npos) return bad("no ]");
        std::vector<std::string> expanded;
        for (const std::string& range : SplitList(text.substr(i + 1, close - i - 1), ',')) {
          const size_t dash = range.find('-');
          const std::string lo = range.substr(0, dash);
          const std::string hi = dash == std::string::npos ? lo : range.substr(dash + 1);
          auto a = Whole(lo), b = Whole(hi);
          if (!a || !b || *a < 0 || *b < *a) return bad("bad range");
          if (static_cast<size_t>(*b - *a) >= limit) return bad("too many hosts");
          for (int64_t n = *a; n <= *b; ++n) {
            std::string digits = std::to_string(n);
            if (digits.size() < lo.size()) digits.insert(0, lo.size() - digits.size(), '0');
            for (const std::string& name : names) {
              expanded.push_back(name + digits);
              if (hosts.size() + expanded.size() > limit) return bad("too many hosts");
            }
          }
        }
        names = std::move(expanded);
        i = close + 1;
      } else if (text[i] == ']') {
        return bad("unbalanced ]");
      } else {
        for (std::string& name : names) name += text[i];
        ++i;
      }
    }
    for (std::string& name : names) {
      if (!name.empty()) hosts.push_back(std::move(name));
    }
    ++i;  // the comma
  }
  return hosts;
}

Status AddSlurmJob(const SlurmJob& job, int64_t now, JobUsage* usage) {
  using Side = JobUsage::Side;
  if (!job.start || job.nodes.empty()) return Status::Ok();
  const int64_t elapsed =
      job.elapsed ? *job.elapsed : (job.end ? *job.end : now) - *job.start;
  if (elapsed <= 0) return Status::Ok();
  const int64_t from = *job.start * 1000, to = (*job.start + elapsed) * 1000;
  Consumer consumer;
  consumer.name = "slurm/" + job.cluster + "/" + job.job_id_raw;
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"account", job.account},
                                   {"user", job.user}, {"partition", job.partition},
                                   {"qos", job.qos}, {"cluster", job.cluster}, {"state", job.state}}) {
    if (!value.empty()) consumer.labels[key] = value;
  }
  const uint32_t c = usage->AddConsumer(consumer);
  auto tres = [&](const char* name) {
    auto it = job.alloc_tres.find(name);
    return it == job.alloc_tres.end() ? Decimal() : it->second;
  };
  const Decimal cpus = tres("cpu");
  const Decimal memory_gib = Decimal::FromRaw(tres("mem").raw() / 1024);  // MiB: exact
  const Decimal gpus = job.Gpus();
  const size_t n = job.nodes.size();
  for (size_t i = 0; i < n; ++i) {
    Asset asset;
    asset.name = job.nodes[i];
    const uint32_t a = usage->AddAsset(asset);
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, c, a, "cpu", "core", PerNode(cpus, n, i), from, to));
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, c, a, "memory", "GiB", PerNode(memory_gib, n, i), from, to));
    TALLY_RETURN_IF_ERROR(usage->Hold(Side::kRequest, c, a, "gpu", "gpu", PerNode(gpus, n, i), from, to));
    if (job.cpu_seconds) {
      TALLY_ASSIGN_OR_RETURN(Decimal cpu_ms, job.cpu_seconds->Multiply(Decimal::FromUnits(1000)));
      TALLY_RETURN_IF_ERROR(usage->Spread(Side::kUsage, c, a, "cpu", "core", PerNode(cpu_ms, n, i), from, to));
    }
    if (job.max_rss_bytes) {
      TALLY_ASSIGN_OR_RETURN(Decimal gib, job.max_rss_bytes->Divide(Decimal::FromUnits(int64_t{1} << 30)));
      TALLY_RETURN_IF_ERROR(usage->Hold(Side::kUsage, c, a, "memory", "GiB", gib, from, to));
    }
  }
  TALLY_RETURN_IF_ERROR(
      usage->Hold(Side::kRequest, c, kNoAsset, "billing", "billing-unit", tres("billing"), from, to));
  // The time limit against the time used: job-hours asked for and run, over the run.
  if (!job.time_limit_minutes || *job.time_limit_minutes <= 0) return Status::Ok();
  const Decimal limit_ms = Decimal::FromUnits(*job.time_limit_minutes * 60'000);
  TALLY_RETURN_IF_ERROR(usage->Spread(Side::kRequest, c, kNoAsset, "walltime", "hour", limit_ms, from, to));
  return usage->Spread(Side::kUsage, c, kNoAsset, "walltime", "hour",
                       Decimal::FromUnits(to - from), from, to);
}

Status AddSlurmJobs(const SlurmJobSet& set, int64_t now, JobUsage* usage) {
  for (const SlurmJob& job : set.jobs()) {
    const Status added = AddSlurmJob(job, now, usage);
    if (!added.ok()) return InvalidArgument("job " + job.job_id_raw + ": " + added.message());
  }
  return Status::Ok();
}

}  // namespace tally
