#include "collect/redis/redis_sampler.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <memory>
#include <unordered_map>

namespace tally {
namespace {

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Context = std::unique_ptr<redisContext, ContextFree>;
using Reply = std::unique_ptr<redisReply, ReplyFree>;

timeval Timeval(double seconds) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(seconds);
  tv.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(tv.tv_sec)) * 1e6);
  return tv;
}

Status ContextError(redisContext* c, std::string_view what) {
  return Unavailable("redis: " + std::string(what) + ": " +
                     (c != nullptr && c->errstr[0] != '\0' ? c->errstr : "no connection"));
}

Result<Reply> Command(redisContext* c, std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (r == nullptr) return ContextError(c, std::string(*args.begin()));
  Reply reply(r);
  if (reply->type == REDIS_REPLY_ERROR) {
    return Unavailable("redis: " + std::string(*args.begin()) + ": " +
                       std::string(reply->str, reply->len));
  }
  return reply;
}

// "name:value" lines of INFO.
int64_t InfoField(std::string_view info, std::string_view name) {
  const std::string key = "\n" + std::string(name) + ":";
  const size_t at = ("\n" + std::string(info)).find(key);
  if (at == std::string::npos) return 0;
  const char* begin = info.data() + at + key.size() - 1;
  int64_t value = 0;
  std::from_chars(begin, info.data() + info.size(), value);
  return value;
}

// A stable 64-bit hash of the key's name, so the same keys are measured every run: FNV-1a, then
// splitmix64's finalizer, since FNV's high bits barely move between names that differ only at
// the end ("cart:17", "cart:18") and the sample compares the whole hash.
uint64_t KeyHash(std::string_view key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

}  // namespace

Result<RedisTarget> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgument("\"" + std::string(url) + "\" is not a redis://host:port URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisTarget t;
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    if (auth.starts_with(':')) auth.remove_prefix(1);
    t.password = std::string(auth);
    rest.remove_prefix(at + 1);
  }
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      const auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), t.db);
      if (ec != std::errc() || end != db.data() + db.size() || t.db < 0) {
        return InvalidArgument("redis URL: \"" + std::string(db) + "\" is not a database number");
      }
    }
    rest = rest.substr(0, slash);
  }
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), t.port);
    if (ec != std::errc() || end != port.data() + port.size() || t.port < 1 || t.port > 65535) {
      return InvalidArgument("redis URL: \"" + std::string(port) + "\" is not a port");
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return InvalidArgument("redis URL names no host");
  t.host = std::string(rest);
  return t;
}

Result<RedisSample> SampleRedis(const RedisTarget& target, const RedisSampleOptions& options,
                                const std::function<std::string(std::string_view key)>& tenant_of) {
  if (!(options.sample_rate > 0 && options.sample_rate <= 1)) {
    return InvalidArgument("the sample rate must be in (0, 1]");
  }
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(options.time_budget_seconds));
  Context c(redisConnectWithTimeout(target.host.c_str(), target.port,
                                    Timeval(options.io_timeout_seconds)));
  if (c == nullptr || c->err != 0) {
    return ContextError(c.get(), "connect to " + target.host + ":" + std::to_string(target.port));
  }
  redisSetTimeout(c.get(), Timeval(options.io_timeout_seconds));
  if (!target.password.empty()) {
    TALLY_RETURN_IF_ERROR(Command(c.get(), {"AUTH", target.password}).status());
  }
  if (target.db != 0) {
    TALLY_RETURN_IF_ERROR(Command(c.get(), {"SELECT", std::to_string(target.db)}).status());
  }
  RedisSample sample;
  {
    TALLY_ASSIGN_OR_RETURN(Reply info, Command(c.get(), {"INFO"}));
    const std::string_view text(info->str, info->len);
    sample.used_memory = InfoField(text, "used_memory");
    sample.maxmemory = InfoField(text, "maxmemory");
    sample.keyspace_hits = InfoField(text, "keyspace_hits");
    sample.keyspace_misses = InfoField(text, "keyspace_misses");
    sample.total_commands = InfoField(text, "total_commands_processed");
    TALLY_ASSIGN_OR_RETURN(Reply size, Command(c.get(), {"DBSIZE"}));
    sample.dbsize = size->integer;
  }
  // A key is measured when its hash falls below rate × 2^64 (every key at rate 1: 2^64 itself
  // does not fit the integer, so that case is told apart).
  const bool measure_all = options.sample_rate >= 1;
  const auto threshold =
      measure_all ? UINT64_MAX : static_cast<uint64_t>(std::ldexp(options.sample_rate, 64));
  std::unordered_map<std::string, RedisTenantMemory> tenants;
  std::vector<std::pair<RedisTenantMemory*, std::string>> measure;  // this batch's keys
  std::string cursor = "0";
  const std::string count = std::to_string(options.scan_count);
  do {
    TALLY_ASSIGN_OR_RETURN(Reply scan, Command(c.get(), {"SCAN", cursor, "COUNT", count}));
    if (scan->type != REDIS_REPLY_ARRAY || scan->elements != 2 ||
        scan->element[0]->type != REDIS_REPLY_STRING ||
        scan->element[1]->type != REDIS_REPLY_ARRAY) {
      return Unavailable("redis: SCAN answered something that is not a cursor and keys");
    }
    cursor.assign(scan->element[0]->str, scan->element[0]->len);
    measure.clear();
    const redisReply* keys = scan->element[1];
    for (size_t i = 0; i < keys->elements; ++i) {
      const std::string_view key(keys->element[i]->str, keys->element[i]->len);
      std::string name = tenant_of(key);
      auto it = tenants.find(name);
      if (it == tenants.end()) {
        if (tenants.size() >= options.max_tenants) name = "__other__";
        it = tenants.try_emplace(name).first;
        it->second.tenant = name;
      }
      RedisTenantMemory& t = it->second;
      ++t.keys;
      ++sample.keys_scanned;
      if (measure_all || t.keys <= options.first_keys_per_tenant || KeyHash(key) < threshold) {
        measure.emplace_back(&t, std::string(key));
      }
    }
    // MEMORY USAGE of the batch's chosen keys, pipelined: one round trip.
    for (const auto& [t, key] : measure) {
      const char* argv[] = {"MEMORY", "USAGE", key.data()};
      const size_t lens[] = {6, 5, key.size()};
      if (redisAppendCommandArgv(c.get(), 3, argv, lens) != REDIS_OK) {
        return ContextError(c.get(), "MEMORY USAGE");
      }
    }
    for (const auto& [t, key] : measure) {
      void* raw = nullptr;
      if (redisGetReply(c.get(), &raw) != REDIS_OK) return ContextError(c.get(), "MEMORY USAGE");
      Reply reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ERROR) {
        return Unavailable("redis: MEMORY USAGE: " + std::string(reply->str, reply->len));
      }
      if (reply->type != REDIS_REPLY_INTEGER) continue;  // nil: the key expired meanwhile
      if (reply->integer < 0 ||
          __builtin_add_overflow(t->measured_bytes, reply->integer, &t->measured_bytes)) {
        return Unavailable("redis: MEMORY USAGE answered " + std::to_string(reply->integer) +
                           " bytes for one key");
      }
      ++t->measured_keys;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
  } while (cursor != "0");
  sample.complete = cursor == "0";
  // Each tenant: its mean measured size × its keys, scaled to the whole keyspace when the walk
  // stopped early.
  const double reach = sample.complete || sample.keys_scanned == 0
                           ? 1.0
                           : static_cast<double>(std::max(sample.dbsize, sample.keys_scanned)) /
                                 static_cast<double>(sample.keys_scanned);
  for (auto& [name, t] : tenants) {
    if (t.measured_keys > 0) {
      t.estimated_bytes = static_cast<double>(t.measured_bytes) /
                          static_cast<double>(t.measured_keys) * static_cast<double>(t.keys) *
                          reach;
    }
    sample.tenants.push_back(std::move(t));
  }
  std::sort(sample.tenants.begin(), sample.tenants.end(), [](const auto& a, const auto& b) {
    return a.estimated_bytes != b.estimated_bytes ? a.estimated_bytes > b.estimated_bytes
                                                  : a.tenant < b.tenant;
  });
  sample.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return sample;
}

}  // namespace tally
