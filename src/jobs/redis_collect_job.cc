#include "jobs/redis_collect_job.h"

#include <cmath>
#include <cstdio>

namespace tally {
namespace {

constexpr std::string_view kNoPrefix = "__no_prefix__";
const Decimal kBytesPerGiB = Decimal::FromUnits(int64_t{1} << 30);

const CacheTenantRule* RuleOf(const std::vector<CacheTenantRule>& rules, std::string_view key) {
  for (const CacheTenantRule& rule : rules) {
    if (key.starts_with(rule.prefix)) return &rule;
  }
  return nullptr;
}

}  // namespace

std::string CacheTenantOf(const std::vector<CacheTenantRule>& rules, std::string_view key) {
  if (const CacheTenantRule* rule = RuleOf(rules, key)) return rule->consumer;
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::string(kNoPrefix);
  return std::string(key.substr(0, colon));
}

std::string RedisCollectSummary::ToString() const {
  char head[256];
  std::snprintf(head, sizeof head,
                "%s: %lld of %lld keys walked%s in %.2f s, %lld MiB used of %s; %lld hits, %lld "
                "misses since start; hour %s\n",
                asset.c_str(), static_cast<long long>(sample.keys_scanned),
                static_cast<long long>(sample.dbsize),
                sample.complete ? "" : " (time budget reached: the rest extrapolated)",
                sample.seconds, static_cast<long long>(sample.used_memory >> 20),
                sample.maxmemory > 0
                    ? (std::to_string(sample.maxmemory >> 20) + " MiB").c_str()
                    : "no maxmemory",
                static_cast<long long>(sample.keyspace_hits),
                static_cast<long long>(sample.keyspace_misses), hour.ToString().c_str());
  std::string out = head;
  for (const RedisTenantMemory& t : sample.tenants) {
    std::snprintf(head, sizeof head, "  %-32s %10lld keys %10lld measured %14.0f bytes\n",
                  t.tenant.c_str(), static_cast<long long>(t.keys),
                  static_cast<long long>(t.measured_keys), t.estimated_bytes);
    out += head;
  }
  return out;
}

Result<RedisCollectSummary> RunRedisCollect(UsageStore& store, const Config& config,
                                            const RedisCollectJob& job, Timestamp now) {
  TALLY_ASSIGN_OR_RETURN(RedisTarget target, ParseRedisUrl(job.url));
  RedisCollectSummary summary;
  summary.asset = job.name.empty()
                      ? "redis/" + target.host + ":" + std::to_string(target.port)
                      : job.name;
  summary.hour = job.hour.value_or(now).StartOfHour();
  TALLY_ASSIGN_OR_RETURN(summary.sample,
                         SampleRedis(target, job.options, [&](std::string_view key) {
                           return CacheTenantOf(config.cache_tenants, key);
                         }));
  const RedisSample& s = summary.sample;
  const TimeWindow hour{summary.hour, Timestamp::FromUnixSeconds(summary.hour.unix_seconds() + 3600)};
  UsageBatch batch(job.source, hour);
  batch.set_complete(hour.end <= now);
  const uint32_t asset = batch.AddAsset(
      Asset{summary.asset, job.resource_id, "", "",
            {{"cache", "redis"},
             {"keyspace_hits", std::to_string(s.keyspace_hits)},
             {"keyspace_misses", std::to_string(s.keyspace_misses)},
             {"total_commands", std::to_string(s.total_commands)}}});
  TALLY_ASSIGN_OR_RETURN(Decimal used,
                         Decimal::FromUnits(s.used_memory).Divide(kBytesPerGiB));
  TALLY_ASSIGN_OR_RETURN(
      Decimal capacity,
      Decimal::FromUnits(std::max(s.maxmemory, s.used_memory)).Divide(kBytesPerGiB));
  batch.AddCapacity(CapacityFact{hour.start, asset, "cache_memory", "GiB", capacity});
  // Tenants' shares of the memory in use, split exactly.
  std::vector<Decimal> weights;
  for (const RedisTenantMemory& t : s.tenants) {
    weights.push_back(Decimal::FromUnits(static_cast<int64_t>(std::llround(t.estimated_bytes))));
  }
  const std::vector<Decimal> shares = SplitProportionally(used, weights);
  for (size_t i = 0; i < s.tenants.size(); ++i) {
    if (shares[i].is_zero()) continue;
    const std::string& name = s.tenants[i].tenant;
    Consumer consumer{name, "", "", "", "", {{"cache_tenant", name}}};
    for (const CacheTenantRule& rule : config.cache_tenants) {
      if (rule.consumer == name) {
        consumer.labels.insert(rule.labels.begin(), rule.labels.end());
        break;
      }
    }
    batch.AddUsage(UsageFact{hour.start, batch.AddConsumer(consumer), asset, "cache_memory",
                             "GiB", Decimal(), shares[i]});
  }
  TALLY_ASSIGN_OR_RETURN(summary.commit, store.StoreUsage(std::span(&batch, 1)));
  return summary;
}

}  // namespace tally
