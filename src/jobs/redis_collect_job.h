// One collection of a Redis cache's memory by tenant (docs/cache.md), shared by
// `tally collect redis` and anything that collects on a schedule.
//
// The sample (collect/redis) becomes one hour of usage under `source`: the cache is an asset
// (named `name`, with `resource_id` to match the bill's line for it) with capacity
// cache_memory = maxmemory, or the memory in use when no maximum is set, in GiB for the hour;
// each tenant uses its share of the memory in use (its estimated bytes over all tenants'), so
// the server's own overhead splits with the data, and memory below maxmemory nobody uses is
// idle. Collecting the same hour again replaces it.
#pragma once

#include <optional>
#include <string>

#include "collect/redis/redis_sampler.h"
#include "config/config.h"
#include "tally/store.h"

namespace tally {

struct RedisCollectJob {
  std::string url;                // redis://[:password@]host[:port][/db]
  std::string source = "redis";
  std::string name;               // the asset; default "redis/<host>:<port>"
  std::string resource_id;        // the bill's ResourceId of the cache (e.g. an ElastiCache ARN)
  std::optional<Timestamp> hour;  // the hour the sample stands for; default: the current one
  RedisSampleOptions options;
};

struct RedisCollectSummary {
  RedisSample sample;
  std::string asset;
  Timestamp hour;
  UsageCommit commit;
  std::string ToString() const;  // the lines `tally collect redis` prints
};

// The tenant of a key: the first cache.tenants rule whose prefix the key starts with, else the
// key's text before its first ':', else "__no_prefix__".
std::string CacheTenantOf(const std::vector<CacheTenantRule>& rules, std::string_view key);

// Errors: a bad URL (kInvalidArgument), Redis unreachable or refusing (kUnavailable), the
// store's. Nothing is stored then.
Result<RedisCollectSummary> RunRedisCollect(UsageStore& store, const Config& config,
                                            const RedisCollectJob& job, Timestamp now);

}  // namespace tally
