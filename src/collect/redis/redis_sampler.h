// SampleRedis: how much memory each tenant of a Redis holds, measured without reading it all
// (docs/cache.md). The keyspace is walked with SCAN (non-blocking, a batch at a time); a stable
// fraction of keys (by a hash of the name, so the same keys every run) and the first keys of
// every tenant are measured with MEMORY USAGE, pipelined per batch; each tenant's bytes are its
// measured bytes × its keys / its measured keys. The walk stops at a time budget: the keys it
// did not reach are assumed to split like those it did (the result says how far it got). INFO
// gives used and maximum memory, hits, misses and commands, which Redis keeps only for the whole
// server, not per key or prefix.
//
// Talks through hiredis (Debian's libhiredis). Not thread-safe; one connection per call.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tally/result.h"

namespace tally {

struct RedisTarget {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
};

// "redis://[:password@]host[:port][/db]". Errors: kInvalidArgument saying what is wrong.
Result<RedisTarget> ParseRedisUrl(std::string_view url);

struct RedisSampleOptions {
  double sample_rate = 0.05;       // the fraction of keys measured, in (0, 1]
  int64_t first_keys_per_tenant = 16;  // always measured, so a small tenant is never missed
  double time_budget_seconds = 30;     // the walk stops here; the rest is extrapolated
  double io_timeout_seconds = 10;      // one command
  int scan_count = 1000;               // SCAN's COUNT hint
  size_t max_tenants = 10000;          // beyond, keys count under "__other__"
};

struct RedisTenantMemory {
  std::string tenant;
  int64_t keys = 0;           // keys seen by the walk
  int64_t measured_keys = 0;  // of them, measured
  int64_t measured_bytes = 0;
  double estimated_bytes = 0;  // of the whole keyspace: extrapolated past the walk
};

struct RedisSample {
  int64_t dbsize = 0;         // keys in the database
  int64_t keys_scanned = 0;   // keys the walk saw (may exceed dbsize: SCAN can repeat keys)
  bool complete = false;      // the walk reached the end
  int64_t used_memory = 0;    // INFO memory
  int64_t maxmemory = 0;      // 0: no limit
  int64_t keyspace_hits = 0;  // INFO stats, since the server started
  int64_t keyspace_misses = 0;
  int64_t total_commands = 0;
  double seconds = 0;
  std::vector<RedisTenantMemory> tenants;  // by estimated bytes, most first
};

// `tenant_of` names a key's tenant. Errors: kUnavailable (cannot connect, a timeout, the server
// refuses a command), with the server's message.
Result<RedisSample> SampleRedis(const RedisTarget& target, const RedisSampleOptions& options,
                                const std::function<std::string(std::string_view key)>& tenant_of);

}  // namespace tally
