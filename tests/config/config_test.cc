// tally.yaml: the sources `tally serve` collects from, and the policy digest that decides
// which hours are reallocated.
#include "config/config.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

TEST(ConfigTest, SourcesAreReadWithDefaults) {
  auto config = ParseConfig(
      "sources:\n"
      "  - name: prod\n    url: http://prom:9090\n    every: 5m\n    lookback_hours: 48\n"
      "    timeout: 30s\n    retries: 2\n    concurrency: 3\n"
      "  - url: http://other:9090\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->sources.size(), 2u);
  const SourceConfig& prod = config->sources[0];
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.kind, "prometheus");
  EXPECT_EQ(prod.every_seconds, 300);
  EXPECT_EQ(prod.lookback_hours, 48);
  EXPECT_EQ(prod.timeout_seconds, 30);
  EXPECT_EQ(prod.retries, 2);
  EXPECT_EQ(prod.concurrency, 3);
  const SourceConfig& other = config->sources[1];
  EXPECT_EQ(other.name, "prometheus http://other:9090");  // what `tally collect` would name it
  EXPECT_EQ(other.every_seconds, 300);
  EXPECT_EQ(other.lookback_hours, 24);
}

TEST(ConfigTest, BillSourcesTakeOnePathOrMany) {
  auto config = ParseConfig(
      "sources:\n"
      "  - kind: aws-cur\n    path: /exports/cur\n    every: 1h\n"
      "  - name: azure\n    kind: azure-export\n    path: [/a/one.csv, /a/two.csv]\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->sources.size(), 2u);
  EXPECT_EQ(config->sources[0].name, "aws-cur /exports/cur");
  EXPECT_EQ(config->sources[0].paths, std::vector<std::string>{"/exports/cur"});
  EXPECT_EQ(config->sources[0].every_seconds, 3600);
  EXPECT_EQ(config->sources[1].paths, (std::vector<std::string>{"/a/one.csv", "/a/two.csv"}));
}

TEST(ConfigTest, SlurmSourcesNameTheirConfiguration) {
  auto config = ParseConfig(
      "sources:\n  - kind: slurm\n    slurm_conf: /etc/slurm/slurm.conf\n    every: 10m\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].name, "slurm");
  EXPECT_EQ(config->sources[0].slurm_conf, "/etc/slurm/slurm.conf");
  EXPECT_EQ(config->sources[0].every_seconds, 600);
  auto bad = ParseConfig("sources:\n  - kind: slurm\n    url: http://x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("a slurm source has no url or path"), std::string::npos);
}

TEST(ConfigTest, RedisSourcesHaveAUrlAndATimeBudget) {
  auto config = ParseConfig(
      "sources:\n  - kind: redis\n    url: redis://cache:6379\n    resource_id: arn:x\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sources[0].name, "redis redis://cache:6379");
  EXPECT_EQ(config->sources[0].resource_id, "arn:x");
  EXPECT_EQ(config->sources[0].timeout_seconds, 30);
  auto bad = ParseConfig("sources:\n  - kind: redis\n    path: /x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("a redis source has a url"), std::string::npos);
}

TEST(ConfigTest, BadSourcesNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"sources: {a: 1}", "sources: expected a list"},
      {"sources:\n  - name: x\n", "sources[0]: a prometheus source has a url and no path"},
      {"sources:\n  - kind: focus\n    url: u\n", "sources[0]: a focus source has a path"},
      {"sources:\n  - url: u\n    every: soon\n", "sources[0].every: \"soon\" is not"},
      {"sources:\n  - url: u\n    every: -5m\n", "sources[0].every"},
      {"sources:\n  - url: u\n    lookback_hours: 0\n", "sources[0].lookback_hours"},
      {"sources:\n  - url: u\n    intervl: 5m\n", "sources[0]: unknown key \"intervl\""},
      {"sources:\n  - {name: a, url: u}\n  - {name: a, url: v}\n", "\"a\" is used twice"},
  };
  for (const auto& [yaml, message] : cases) {
    auto config = ParseConfig(yaml);
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(message), std::string::npos)
        << yaml << " -> " << config.status().message();
  }
}

TEST(ConfigTest, ZeroRetriesIsAllowed) {
  auto config = ParseConfig("sources:\n  - url: u\n    retries: 0\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sources[0].retries, 0);
  EXPECT_FALSE(ParseConfig("sources:\n  - url: u\n    retries: -1\n").ok());
  EXPECT_FALSE(ParseConfig("sources:\n  - url: u\n    concurrency: 0\n").ok());
}

TEST(ConfigTest, DigestFollowsThePolicyNotTheSources) {
  const std::string policy = "idle: keep\nreference_prices: {cpu: 0.05}\n";
  auto plain = ParseConfig(policy);
  auto with_sources = ParseConfig(policy + "sources:\n  - url: http://prom:9090\n");
  auto other_policy = ParseConfig("idle: share-by-asset\nreference_prices: {cpu: 0.05}\n");
  ASSERT_TRUE(plain.ok() && with_sources.ok() && other_policy.ok());
  EXPECT_EQ(plain->digest, with_sources->digest);
  EXPECT_NE(plain->digest, other_policy->digest);
}

// Prices, rates and amounts below zero, and a life of zero months, make the bill or a charge
// negative: refused, naming the line and the key.
TEST(ConfigTest, NonsenseNumbersNameTheLineAndKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"rate_cards:\n  - asset: dgx-1\n    purchase_price: -300000\n",
       "line 3: rate_cards[0].purchase_price: must not be negative (-300000)"},
      {"chargeback:\n  rates: {cpu: -0.04}\n", "line 2: chargeback.rates.cpu: must not be negative"},
      {"reference_prices:\n  gpu: -1\n", "line 2: reference_prices.gpu: must not be negative"},
      {"rate_cards:\n  - asset: a\n    life_months: 0\n",
       "line 3: rate_cards[0].life_months: expected a whole number of at least 1"},
      {"rate_cards:\n  - asset: a\n    monthly: {power: -5}\n",
       "line 3: rate_cards[0].monthly.power: must not be negative"},
      {"idle: keep\nrate_card: []\n", "line 2: tally.yaml: unknown key \"rate_card\""},
  };
  for (const auto& [yaml, message] : cases) {
    auto config = ParseConfig(yaml);
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(message), std::string::npos)
        << yaml << " -> " << config.status().message();
  }
  EXPECT_TRUE(ParseConfig("chargeback:\n  rates: {cpu: 0}\n").ok());  // free is allowed
}

// An empty file means the defaults: allowed, but said, since a rate card may have been meant.
TEST(ConfigTest, AnEmptyFileWarns) {
  for (const char* text : {"", "# only a comment\n"}) {
    auto config = ParseConfig(text);
    ASSERT_TRUE(config.ok());
    ASSERT_EQ(config->warnings.size(), 1u) << text;
    EXPECT_NE(config->warnings[0].find("the file is empty: the defaults apply"), std::string::npos);
  }
  EXPECT_TRUE(ParseConfig("idle: keep\n")->warnings.empty());
}

TEST(ConfigTest, Durations) {
  EXPECT_EQ(*ParseDuration("90"), 90);
  EXPECT_EQ(*ParseDuration("30s"), 30);
  EXPECT_EQ(*ParseDuration("1.5m"), 90);
  EXPECT_EQ(*ParseDuration("2h"), 7200);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_FALSE(ParseDuration("0s").ok());
  EXPECT_EQ(*ParseDuration("90d"), 90 * 86400);
  EXPECT_FALSE(ParseDuration("1w").ok());
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

TEST(ConfigTest, RateCardsMayPriceEnergy) {
  auto c = ParseConfig("rate_cards:\n  - asset: dgx-*\n    purchase_price: 1000\n"
                       "    energy_price_per_kwh: 0.18\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->rate_cards[0].energy_price_per_kwh->ToString(), "0.18");
  auto negative = ParseConfig("rate_cards:\n  - asset: x\n    energy_price_per_kwh: -1\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("energy_price_per_kwh"), std::string::npos)
      << negative.status().message();
}

TEST(ConfigTest, ComponentWeightsArePolicyOrExplicitClasses) {
  auto aws = ParseConfig("component_weights: aws\n");
  ASSERT_TRUE(aws.ok()) << aws.status().message();
  EXPECT_EQ(aws->weight_policy, WeightPolicy::kAws);
  auto classes = ParseConfig(
      "component_weights:\n  classes:\n    - instance_type: p4d*\n"
      "      weights: {gpu: 0.9, cpu: 0.09, memory: 0.01}\n");
  ASSERT_TRUE(classes.ok()) << classes.status().message();
  EXPECT_EQ(classes->weight_policy, WeightPolicy::kReference);
  ASSERT_EQ(classes->weight_classes.size(), 1u);
  EXPECT_EQ(classes->weight_classes[0].instance_type, "p4d*");
  EXPECT_EQ(classes->weight_classes[0].weights.at("gpu").ToString(), "0.9");
  EXPECT_NE(aws->digest, ParseConfig("component_weights: reference\n")->digest);
  for (const char* bad : {"component_weights: cheap\n",
                          "component_weights: {classes: [{weights: {gpu: 1}}]}\n",
                          "component_weights: {classes: [{instance_type: x, weights: {gpu: -1}}]}\n",
                          "component_weights: {policy: aws, extra: 1}\n"}) {
    auto c = ParseConfig(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("component_weights"), std::string::npos)
        << c.status().message();
  }
}

}  // namespace
}  // namespace tally

namespace tally {
namespace {

TEST(ConfigTest, NetworkAndCacheSections) {
  auto config = ParseConfig(
      "network:\n"
      "  zones:\n    - {cidr: 10.0.0.0/16, zone: us-east-1a, region: us-east-1}\n"
      "  owners:\n    - {cidr: 10.9.0.0/16, consumer: vpn, labels: {team: it}}\n"
      "  prices: {inter-zone: 0.01}\n"
      "cache:\n  tenants:\n    - {prefix: \"sess:\", consumer: sessions, labels: {team: web}}\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->network.zones.size(), 1u);
  EXPECT_EQ(config->network.zones[0].zone, "us-east-1a");
  EXPECT_TRUE(config->network.zones[0].cidr.Contains(*ParseIpAddress("10.0.3.4")));
  EXPECT_EQ(config->network.owners[0].labels.at("team"), "it");
  EXPECT_EQ(config->network.prices.at("inter-zone"), *Decimal::Parse("0.01"));
  EXPECT_EQ(config->network.bill.size(), 4u);  // the defaults stay
  EXPECT_EQ(config->cache_tenants[0].consumer, "sessions");
  EXPECT_EQ(DefaultConfig().network.bill[1].usage_type, "*DataTransfer-Out-Bytes");
}

TEST(ConfigTest, BadNetworkAndCacheRulesNameTheLineAndKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"network:\n  zones:\n    - {cidr: 10.0.0.0/33, zone: a}\n",
       "line 3: network.zones[0].cidr: \"10.0.0.0/33\" is not an address or a CIDR block"},
      {"network:\n  zones:\n    - {cidr: 10.0.0.0/16}\n", "network.zones[0].zone: missing"},
      {"network:\n  prices: {egress: 0.09}\n", "\"egress\" is no flow class"},
      {"network:\n  bill:\n    - {class: internet}\n", "network.bill[0].usage_type: missing"},
      {"network:\n  zone: []\n", "unknown key \"zone\""},
      {"cache:\n  tenants:\n    - {prefix: \"\"}\n", "cache.tenants[0].prefix: must not be empty"},
      {"cache:\n  tenants:\n    - {consumer: x}\n", "cache.tenants[0].prefix: missing"},
  };
  for (const auto& [yaml, want] : cases) {
    auto config = ParseConfig(yaml);
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(want), std::string::npos)
        << yaml << "\n" << config.status().message();
  }
}


TEST(ConfigTest, BudgetsAlertsAndUnitMetrics) {
  auto config = ParseConfig(
      "budgets:\n"
      "  - {name: ml, owner: ml, amount: 5000, thresholds: {actual: [100, 80], forecast: [90]}}\n"
      "  - {name: s3, where: {ServiceName: Amazon S3}, amount: 300, period: quarter}\n"
      "alerts:\n"
      "  alertmanager: http://127.0.0.1:9093/\n"
      "  webhooks: [https://hooks.example/tally]\n"
      "  retries: 2\n"
      "  backoff: 2s\n"
      "kpis:\n"
      "  unit_metrics:\n"
      "    - {name: per-1k-requests, resource: requests, per: 1000}\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->budgets.size(), 2u);
  EXPECT_EQ(config->budgets[0].owner, "ml");
  EXPECT_EQ(config->budgets[0].actual_thresholds, (std::vector<int64_t>{80, 100}));  // sorted
  EXPECT_EQ(config->budgets[0].forecast_thresholds, (std::vector<int64_t>{90}));
  EXPECT_EQ(config->budgets[1].where, (std::vector<std::string>{"ServiceName=Amazon S3"}));
  EXPECT_EQ(config->budgets[1].period, BudgetConfig::Period::kQuarter);
  EXPECT_EQ(config->budgets[1].actual_thresholds, (std::vector<int64_t>{80, 100}));  // defaults
  EXPECT_EQ(config->alerts.alertmanager, "http://127.0.0.1:9093");  // no trailing slash
  EXPECT_EQ(config->alerts.webhooks, (std::vector<std::string>{"https://hooks.example/tally"}));
  EXPECT_EQ(config->alerts.retries, 2);
  EXPECT_DOUBLE_EQ(config->alerts.backoff_seconds, 2);
  ASSERT_EQ(config->unit_metrics.size(), 1u);
  EXPECT_EQ(config->unit_metrics[0].per, Decimal::FromUnits(1000));
  // Budgets and alerts read allocation's results: they do not change the policy's digest.
  EXPECT_EQ(config->digest, ParseConfig("{}\n")->digest);
}

TEST(ConfigTest, BadBudgetsNameTheLineAndKey) {
  for (const auto& [yaml, expected] : std::vector<std::pair<std::string, std::string>>{
           {"budgets:\n  - {name: a, amount: 5}\n", "needs either owner or where"},
           {"budgets:\n  - {name: a, owner: x, where: {ServiceName: y}, amount: 5}\n",
            "needs either owner or where"},
           {"budgets:\n  - {name: a, owner: x}\n", "missing amount"},
           {"budgets:\n  - {name: a, owner: x, amount: 0}\n", "above zero"},
           {"budgets:\n  - {name: a, owner: x, amount: -3}\n", "negative"},
           {"budgets:\n  - {name: a, owner: x, amount: 5, period: week}\n", "month or quarter"},
           {"budgets:\n  - {name: a, owner: x, amount: 5}\n  - {name: a, owner: y, amount: 5}\n",
            "unique"},
           {"budgets:\n  - {name: a, owner: x, amount: 5, thresholds: {actual: [0]}}\n",
            "at least 1"},
           {"budgets:\n  - {name: a, owner: x, amount: 5, colour: red}\n", "unknown key"},
           {"alerts:\n  alertmanager: localhost:9093\n", "not an http(s) URL"},
           {"alerts:\n  retries: 99\n", "at most 10"},
           {"alerts:\n  backoff: soon\n", "duration"},
           {"kpis:\n  unit_metrics:\n    - {name: x, resource: r, per: 0}\n", "above zero"},
       }) {
    auto config = ParseConfig(yaml);
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find(expected), std::string::npos)
        << yaml << " -> " << config.status().message();
    EXPECT_NE(config.status().message().find("line "), std::string::npos)
        << yaml << " -> " << config.status().message();
  }
}

}  // namespace
}  // namespace tally
