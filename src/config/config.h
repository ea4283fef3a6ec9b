// tally.yaml: the allocation policy a platform team writes down (docs/config.md). Everything
// has a default, so no file at all is a valid configuration.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

// One condition set: every field must match. A value "*" means the field is present and not
// empty; anything else is an exact match. Fields: consumer, namespace, pod, container,
// controller, asset, service, account, source, owner, label.<key>, tag.<key>.
using Match = std::map<std::string, std::string, std::less<>>;

struct OwnershipRule {
  Match match;
  // An owner path; "{field}" is replaced by that field's value, e.g. "{label.team}".
  std::string owner;
};

// An on-prem asset's cost: purchase price over its life, plus monthly running costs. The month's
// total is spread evenly over the hours of the calendar month. With an energy price, each hour
// also costs the energy measured in it (capacity facts of resource "energy", unit kWh) × price.
struct RateCard {
  std::string asset;  // asset name; a trailing '*' matches a prefix
  Decimal purchase_price;
  int64_t life_months = 36;
  std::map<std::string, Decimal> monthly;  // power, space, support, ...
  std::map<std::string, Decimal> weights;  // resource -> share of the cost (optional)
  std::optional<Decimal> energy_price_per_kwh;
  Decimal MonthlyTotal() const;
};

struct SharedStage {
  std::string name;
  Match pool;  // the rows whose cost is shared
  enum class Distribution { kProportional, kEven, kFixed };
  Distribution distribution = Distribution::kProportional;
  std::map<std::string, Decimal> percentages;  // owner -> percent, for kFixed (sum 100)
};

// A source `tally serve` reads on a schedule: a Prometheus to collect usage from (what
// `tally collect prometheus` does once), a Slurm cluster (`tally collect slurm`), a Redis cache
// (`tally collect redis`, its timeout the sampling's time budget), or bill files
// of a format (what `tally ingest FORMAT` does once), read again whenever they change.
struct SourceConfig {
  std::string name;  // the usage source's name; for bills, the name in the ingest log
  std::string kind;  // "prometheus", "slurm", or a bill format: focus, aws-cur, gcp-billing, ...
  std::string url;   // prometheus
  std::string slurm_conf;  // slurm: SLURM_CONF for sacct and sinfo ("" = their default)
  std::string resource_id;  // redis: the bill's ResourceId of the cache
  std::vector<std::string> paths;  // bill files or directories
  double every_seconds = 300;      // how often to collect
  int64_t lookback_hours = 24;     // where a source with no complete hour starts
  double timeout_seconds = 120;
  int retries = 4;
  int concurrency = 2;
};

// Network attribution (docs/network.md): where addresses are, which addresses no telemetry
// names belong to whom, and what each class of transfer costs.
struct NetworkZoneRule {
  CidrBlock cidr;
  std::string zone;
  std::string region;
};
struct NetworkOwnerRule {
  CidrBlock cidr;
  std::string consumer;
  std::map<std::string, std::string> labels;
};
// Bill lines of data transfer: a line whose SkuMeter (AWS's UsageType), else SkuId, matches
// `usage_type` ('*' matches any run of characters) is that class's cost.
struct NetworkBillRule {
  std::string flow_class;
  std::string usage_type;
};
struct NetworkPolicy {
  std::vector<NetworkZoneRule> zones;    // first match wins
  std::vector<NetworkOwnerRule> owners;  // first match wins, after pods and nodes
  std::map<std::string, Decimal> prices;  // class -> $ per GB, for classes no bill line prices
  std::vector<NetworkBillRule> bill;      // defaults: AWS's transfer usage types
};

// Cache tenants (docs/cache.md): keys starting with `prefix` are `consumer`'s, with `labels`
// for the ownership rules. Keys no rule names are the tenant of their prefix before the first
// ':' (or of the whole key when it has none, as "__no_prefix__").
struct CacheTenantRule {
  std::string prefix;
  std::string consumer;
  std::map<std::string, std::string> labels;
};

// A spending limit (docs/budgets.md) per calendar month or quarter: on an owner path, whose
// descendants' cost rolls up into it, or on the bill's dimensions (`where` filters such as
// "Tags.team=ads" or "ServiceName=Amazon S3"), never both. Thresholds are percents of the amount,
// crossed by the actual spend to date or by the forecast of the period's total.
struct BudgetConfig {
  enum class Period { kMonth, kQuarter };
  std::string name;
  std::string owner;
  std::vector<std::string> where;
  Period period = Period::kMonth;
  Decimal amount;
  std::vector<int64_t> actual_thresholds = {80, 100};
  std::vector<int64_t> forecast_thresholds = {100};
};

// Where alerts go (docs/alerts.md): an Alertmanager's v2 API and webhooks, each tried
// 1 + retries times with a backoff that doubles from backoff_seconds.
struct AlertRouting {
  std::string alertmanager;  // base URL, e.g. http://127.0.0.1:9093
  std::vector<std::string> webhooks;
  int64_t retries = 3;
  double backoff_seconds = 1;
  double timeout_seconds = 10;
  bool anomalies = true;  // open anomalies alert too, not only budgets
};

// A user-defined unit cost (docs/kpis.md): cost divided by a usage series, e.g. the cost of
// 1,000 inference requests is the cost over the sum of resource "requests" usage / 1000.
struct UnitMetric {
  std::string name;
  std::string resource;  // the usage facts' resource that counts the units
  Decimal per = Decimal::FromUnits(1);
  std::string owner;  // only this owner path's cost and usage ("" = the whole platform)
};

enum class IdlePolicy { kKeep, kShareByAsset };

// How an asset's hourly cost splits into resource components (docs/allocation.md, step 2):
// kReference weighs each resource by capacity × its reference price; kAws by AWS split cost
// allocation's per-unit weights, GPU 9, vCPU 0.9, GiB 0.1 (GPU : CPU+memory 9:1 on accelerated
// instances, CPU : memory 9:1), other resources by their reference price.
enum class WeightPolicy { kReference, kAws };

// Explicit shares of the cost for the assets of one instance type (a trailing '*' matches a
// prefix), e.g. {gpu: 0.9, cpu: 0.09, memory: 0.01}; they win over the policy.
struct WeightClass {
  std::string instance_type;
  std::map<std::string, Decimal> weights;
};

// Estimated cost (docs/estimates.md): an asset with capacity that no bill line names and no rate
// card prices costs its instance type's price per hour, else its capacity × reference_prices
// (cpu, memory, gpu, storage), under the source "estimate".
struct EstimatePolicy {
  bool enabled = true;
  std::map<std::string, Decimal> instance_prices;  // instance type -> $ per hour
};
// The built-in instance prices (on-demand list prices; docs/estimates.md lists them).
std::map<std::string, Decimal> DefaultInstancePrices();

// Who may sign in with an identity provider's JWTs (docs/security.md): the provider's issuer,
// this tally's audience, its keys (a JWKS file or https URL), and which values of `claim` (e.g.
// groups) give which role and owner subtrees.
struct OidcRoleMapping {
  std::string value;  // a value of the claim (a group's name)
  std::string role;   // viewer, operator or admin
  std::vector<std::string> owners;  // empty: every owner
};
struct OidcConfig {
  std::string issuer, audience, jwks;
  std::string claim = "groups";
  std::string name_claim = "email";  // what the audit log calls the caller (else "sub")
  std::vector<OidcRoleMapping> roles;
  bool enabled() const { return !issuer.empty(); }
};

struct Config {
  std::map<std::string, Decimal> reference_prices;  // resource -> $ per unit-hour
  EstimatePolicy estimates;
  std::vector<RateCard> rate_cards;
  std::vector<OwnershipRule> ownership;
  IdlePolicy idle = IdlePolicy::kKeep;
  WeightPolicy weight_policy = WeightPolicy::kReference;
  std::vector<WeightClass> weight_classes;
  std::vector<SharedStage> shared;
  std::map<std::string, Decimal> chargeback_rates;  // resource -> internal $ per unit-hour
  NetworkPolicy network;
  std::vector<CacheTenantRule> cache_tenants;
  std::vector<SourceConfig> sources;  // not part of the policy: the digest leaves them out
  // Nor are these: they read allocation's results and never change them.
  std::vector<BudgetConfig> budgets;
  AlertRouting alerts;
  std::vector<UnitMetric> unit_metrics;
  OidcConfig oidc;  // auth: oidc:
  std::string digest;  // a fingerprint of the policy: allocation reruns when it changes
  std::vector<std::string> warnings;  // what was accepted but is probably not meant
};

// The defaults: OpenCost's reference prices, the team label or tag as owner, idle kept.
Config DefaultConfig();

// "90", "90s", "5m", "1h", "30d" as seconds (> 0). Errors: kInvalidArgument.
Result<double> ParseDuration(std::string_view text);

// Parses tally.yaml text. Errors (kInvalidArgument) name the line and the key: unknown keys, bad
// or negative numbers, a life of zero months, percentages that do not sum to 100. An empty text
// is the defaults, with a warning.
Result<Config> ParseConfig(std::string_view yaml_text);

// Reads `path`; when `path` is empty, ./tally.yaml if it exists, else the defaults.
Result<Config> LoadConfig(const std::string& path);

}  // namespace tally
