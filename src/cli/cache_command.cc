// tally collect redis --url redis://HOST:PORT: a cache's memory by tenant, sampled in bounded
// time (docs/cache.md).
#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "jobs/redis_collect_job.h"
#include "tally/clock.h"

namespace tally::cli {
namespace {

struct RedisFlags {
  RedisCollectJob job;
  std::string hour;
  std::string config;
  double time_budget = 30;
};

int RunCollectRedis(const GlobalOptions& globals, RedisFlags flags) {
  const std::string prefix = "collect redis: ";
  if (!flags.hour.empty()) {
    auto hour = ParseTimestamp(flags.hour);
    if (!hour.ok()) {
      PrintError(prefix + "--hour: " + hour.status().message());
      return 2;
    }
    flags.job.hour = *hour;
  }
  flags.job.options.time_budget_seconds = flags.time_budget;
  Config config;
  std::unique_ptr<Store> store;
  if (!LoadConfigAndStore(globals, flags.config, prefix, &config, &store)) return 1;
  const Timestamp now = SystemClock().Now();
  auto summary = RunRedisCollect(*store, config, flags.job, now);
  (void)store->RecordUsageRun(flags.job.source, now,
                              summary.ok() ? "" : summary.status().message());
  if (!summary.ok()) {
    PrintError(prefix + summary.status().message() + " (nothing was stored)");
    return 1;
  }
  const std::string text = summary->ToString();
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::printf("%s%lld usage facts stored (%lld replaced)\n", prefix.c_str(),
              static_cast<long long>(summary->commit.facts_stored),
              static_cast<long long>(summary->commit.facts_replaced));
  return 0;
}

}  // namespace

void AddCollectRedisCommand(CLI::App* collect, const GlobalOptions* globals, int* exit_code) {
  auto flags = std::make_shared<RedisFlags>();
  CLI::App* sub = collect->add_subcommand(
      "redis", "sample a Redis cache's keys (SCAN, MEMORY USAGE) and store its memory by tenant "
               "for the hour, as resource cache_memory in GiB");
  sub->add_option("--url", flags->job.url, "redis://[:password@]host[:port][/db]")->required();
  sub->add_option("--sample-rate", flags->job.options.sample_rate,
                  "fraction of keys measured with MEMORY USAGE, in (0, 1]")
      ->capture_default_str()
      ->check(CLI::Range(1e-9, 1.0));
  sub->add_option("--time-budget", flags->time_budget,
                  "seconds the walk may take; keys not reached are extrapolated")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--name", flags->job.name, "the cache's asset name (default: redis/HOST:PORT)");
  sub->add_option("--resource-id", flags->job.resource_id,
                  "the bill's ResourceId of this cache, so its bill line is its cost");
  sub->add_option("--source", flags->job.source, "usage source name")->capture_default_str();
  sub->add_option("--hour", flags->hour,
                  "the hour the sample stands for (default: the current hour)");
  sub->add_option("--config", flags->config,
                  "policy file with cache tenant rules (default: ./tally.yaml if present)");
  sub->footer(
      "A key's tenant is the first cache.tenants rule whose prefix it has, else its text before "
      "the first ':'. Collecting the same hour again replaces it.");
  sub->callback([=]() { *exit_code = RunCollectRedis(*globals, *flags); });
}

}  // namespace tally::cli
