#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>

#include "common/input_file.h"
#include "config/finance_config.h"
#include "config/network_config.h"
#include "config/yaml_values.h"

namespace tally {
namespace {

using namespace config_yaml;  // NOLINT(google-build-using-namespace): the section helpers

Result<double> DurationAt(const YAML::Node& node, const std::string& where) {
  auto seconds = ParseDuration(node.IsScalar() ? node.Scalar() : "");
  if (!seconds.ok()) return InvalidArgument(where + ": " + seconds.status().message());
  return *seconds;
}

Status ParseSources(const YAML::Node& node, std::vector<SourceConfig>* out) {
  if (!node.IsSequence()) return InvalidArgument("sources: expected a list");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = "sources[" + std::to_string(i) + "]";
    const YAML::Node s = node[i];
    TALLY_RETURN_IF_ERROR(CheckKeys(s, where,
                                    {"name", "kind", "url", "path", "every", "lookback_hours",
                                     "timeout", "retries", "concurrency", "slurm_conf",
                                     "resource_id"}));
    SourceConfig source;
    source.kind = s["kind"] ? s["kind"].as<std::string>() : "prometheus";
    if (source.kind == "prometheus") {
      if (!s["url"] || s["path"]) {
        return InvalidArgument(where + ": a prometheus source has a url and no path");
      }
      source.url = s["url"].as<std::string>();
      source.name = s["name"] ? s["name"].as<std::string>() : "prometheus " + source.url;
    } else if (source.kind == "slurm") {
      if (s["url"] || s["path"]) {
        return InvalidArgument(where + ": a slurm source has no url or path (slurm_conf names "
                                       "its cluster's configuration)");
      }
      if (s["slurm_conf"]) source.slurm_conf = s["slurm_conf"].as<std::string>();
      source.name = s["name"] ? s["name"].as<std::string>() : "slurm";
    } else if (source.kind == "redis") {
      if (!s["url"] || s["path"]) {
        return InvalidArgument(where + ": a redis source has a url (redis://host:port) and no path");
      }
      source.url = s["url"].as<std::string>();
      if (s["resource_id"]) source.resource_id = s["resource_id"].as<std::string>();
      source.name = s["name"] ? s["name"].as<std::string>() : "redis " + source.url;
      source.timeout_seconds = 30;
    } else {  // a bill format; `tally serve` checks the name against the formats it reads
      if (!s["path"] || s["url"]) {
        return InvalidArgument(where + ": a " + source.kind + " source has a path and no url");
      }
      if (s["path"].IsSequence()) {
        for (const auto& p : s["path"]) source.paths.push_back(p.as<std::string>());
      } else {
        source.paths.push_back(s["path"].as<std::string>());
      }
      source.name = s["name"] ? s["name"].as<std::string>() : source.kind + " " + source.paths[0];
    }
    for (const SourceConfig& other : *out) {
      if (other.name == source.name) {
        return InvalidArgument(where + ".name: \"" + source.name + "\" is used twice");
      }
    }
    if (s["every"]) {
      TALLY_ASSIGN_OR_RETURN(source.every_seconds, DurationAt(s["every"], where + ".every"));
    }
    if (s["timeout"]) {
      TALLY_ASSIGN_OR_RETURN(source.timeout_seconds, DurationAt(s["timeout"], where + ".timeout"));
    }
    if (s["lookback_hours"]) {
      TALLY_ASSIGN_OR_RETURN(source.lookback_hours,
                             WholeAt(s["lookback_hours"], where + ".lookback_hours", 1));
    }
    if (s["concurrency"]) {
      TALLY_ASSIGN_OR_RETURN(int64_t c, WholeAt(s["concurrency"], where + ".concurrency", 1));
      source.concurrency = static_cast<int>(c);
    }
    if (s["retries"]) {
      TALLY_ASSIGN_OR_RETURN(int64_t r, WholeAt(s["retries"], where + ".retries", 0));
      source.retries = static_cast<int>(r);
    }
    out->push_back(std::move(source));
  }
  return Status::Ok();
}

// component_weights: reference | aws, or {policy: reference|aws, classes: [{instance_type,
// weights}]}.
Status ParseComponentWeights(const YAML::Node& w, Config* c) {
  auto policy = [&](const YAML::Node& n, const std::string& where) -> Status {
    const std::string name = n.as<std::string>();
    if (name == "reference") {
      c->weight_policy = WeightPolicy::kReference;
    } else if (name == "aws") {
      c->weight_policy = WeightPolicy::kAws;
    } else {
      return InvalidArgument(where + ": \"" + name + "\" is not reference or aws");
    }
    return Status::Ok();
  };
  if (w.IsScalar()) return policy(w, "component_weights");
  TALLY_RETURN_IF_ERROR(CheckKeys(w, "component_weights", {"policy", "classes"}));
  if (w["policy"]) TALLY_RETURN_IF_ERROR(policy(w["policy"], "component_weights.policy"));
  if (const YAML::Node classes = w["classes"]) {
    for (size_t i = 0; i < classes.size(); ++i) {
      const std::string where = "component_weights.classes[" + std::to_string(i) + "]";
      TALLY_RETURN_IF_ERROR(CheckKeys(classes[i], where, {"instance_type", "weights"}));
      if (!classes[i]["instance_type"] || !classes[i]["weights"]) {
        return InvalidArgument(where + ": needs instance_type and weights");
      }
      WeightClass cls;
      cls.instance_type = classes[i]["instance_type"].as<std::string>();
      TALLY_ASSIGN_OR_RETURN(cls.weights, DecimalMap(classes[i]["weights"], where + ".weights"));
      c->weight_classes.push_back(std::move(cls));
    }
  }
  return Status::Ok();
}

Status Parse(const YAML::Node& root, Config* c) {
  TALLY_RETURN_IF_ERROR(CheckKeys(
      root, "tally.yaml",
      {"reference_prices", "rate_cards", "component_weights", "ownership", "idle", "shared",
       "chargeback", "sources", "network", "cache", "estimates", "budgets", "alerts", "kpis",
       "auth", "policies", "actuators"}));
  if (const YAML::Node w = root["component_weights"]) {
    TALLY_RETURN_IF_ERROR(ParseComponentWeights(w, c));
  }
  if (root["reference_prices"]) {
    TALLY_ASSIGN_OR_RETURN(auto prices, DecimalMap(root["reference_prices"], "reference_prices"));
    for (auto& [k, v] : prices) c->reference_prices[k] = v;
  }
  if (const YAML::Node e = root["estimates"]) {
    TALLY_RETURN_IF_ERROR(CheckKeys(e, "estimates", {"enabled", "instance_prices"}));
    if (e["enabled"]) {
      TALLY_ASSIGN_OR_RETURN(c->estimates.enabled, BoolAt(e["enabled"], "estimates.enabled"));
    }
    if (e["instance_prices"]) {
      TALLY_ASSIGN_OR_RETURN(auto prices,
                             DecimalMap(e["instance_prices"], "estimates.instance_prices"));
      for (auto& [k, v] : prices) c->estimates.instance_prices[k] = v;
    }
  }
  if (const YAML::Node cards = root["rate_cards"]) {
    for (size_t i = 0; i < cards.size(); ++i) {
      const std::string where = "rate_cards[" + std::to_string(i) + "]";
      const YAML::Node n = cards[i];
      TALLY_RETURN_IF_ERROR(
          CheckKeys(n, where, {"asset", "purchase_price", "life_months", "monthly", "weights",
                               "energy_price_per_kwh"}));
      RateCard card;
      if (!n["asset"]) return InvalidArgument(where + ": missing asset");
      card.asset = n["asset"].as<std::string>();
      if (n["purchase_price"]) {
        TALLY_ASSIGN_OR_RETURN(card.purchase_price,
                               DecimalAt(n["purchase_price"], where + ".purchase_price"));
      }
      if (n["life_months"]) {
        TALLY_ASSIGN_OR_RETURN(card.life_months,
                               WholeAt(n["life_months"], where + ".life_months", 1));
      }
      if (n["monthly"]) {
        TALLY_ASSIGN_OR_RETURN(card.monthly, DecimalMap(n["monthly"], where + ".monthly"));
      }
      if (n["weights"]) {
        TALLY_ASSIGN_OR_RETURN(card.weights, DecimalMap(n["weights"], where + ".weights"));
      }
      if (n["energy_price_per_kwh"]) {
        TALLY_ASSIGN_OR_RETURN(card.energy_price_per_kwh,
                               DecimalAt(n["energy_price_per_kwh"], where + ".energy_price_per_kwh"));
      }
      c->rate_cards.push_back(std::move(card));
    }
  }
  if (const YAML::Node rules = root["ownership"]) {
    c->ownership.clear();
    for (size_t i = 0; i < rules.size(); ++i) {
      const std::string where = "ownership[" + std::to_string(i) + "]";
      TALLY_RETURN_IF_ERROR(CheckKeys(rules[i], where, {"match", "owner"}));
      if (!rules[i]["owner"]) return InvalidArgument(where + ": missing owner");
      OwnershipRule rule;
      if (rules[i]["match"]) {
        TALLY_ASSIGN_OR_RETURN(rule.match, MatchAt(rules[i]["match"], where + ".match"));
      }
      rule.owner = rules[i]["owner"].as<std::string>();
      c->ownership.push_back(std::move(rule));
    }
  }
  if (root["idle"]) {
    const std::string idle = root["idle"].as<std::string>();
    if (idle == "keep") {
      c->idle = IdlePolicy::kKeep;
    } else if (idle == "share-by-asset") {
      c->idle = IdlePolicy::kShareByAsset;
    } else {
      return InvalidArgument("idle: \"" + idle + "\" is not keep or share-by-asset");
    }
  }
  if (const YAML::Node stages = root["shared"]) {
    for (size_t i = 0; i < stages.size(); ++i) {
      const std::string where = "shared[" + std::to_string(i) + "]";
      const YAML::Node n = stages[i];
      TALLY_RETURN_IF_ERROR(CheckKeys(n, where, {"name", "pool", "distribute", "percentages"}));
      SharedStage stage;
      stage.name = n["name"] ? n["name"].as<std::string>() : where;
      if (!n["pool"]) return InvalidArgument(where + ": missing pool");
      TALLY_ASSIGN_OR_RETURN(stage.pool, MatchAt(n["pool"], where + ".pool"));
      const std::string how = n["distribute"] ? n["distribute"].as<std::string>() : "proportional";
      if (how == "proportional") {
        stage.distribution = SharedStage::Distribution::kProportional;
      } else if (how == "even") {
        stage.distribution = SharedStage::Distribution::kEven;
      } else if (how == "fixed") {
        stage.distribution = SharedStage::Distribution::kFixed;
        if (!n["percentages"]) return InvalidArgument(where + ": fixed needs percentages");
        TALLY_ASSIGN_OR_RETURN(stage.percentages,
                               DecimalMap(n["percentages"], where + ".percentages"));
        Decimal sum;
        for (const auto& [owner, pct] : stage.percentages) sum += pct;
        if (sum != Decimal::FromUnits(100)) {
          return InvalidArgument(where + ".percentages: sum to " + sum.ToString() + ", not 100");
        }
      } else {
        return InvalidArgument(where + ".distribute: \"" + how +
                               "\" is not proportional, even or fixed");
      }
      c->shared.push_back(std::move(stage));
    }
  }
  if (const YAML::Node cb = root["chargeback"]) {
    TALLY_RETURN_IF_ERROR(CheckKeys(cb, "chargeback", {"rates"}));
    if (cb["rates"]) {
      TALLY_ASSIGN_OR_RETURN(c->chargeback_rates, DecimalMap(cb["rates"], "chargeback.rates"));
    }
  }
  if (const YAML::Node sources = root["sources"]) {
    TALLY_RETURN_IF_ERROR(ParseSources(sources, &c->sources));
  }
  if (const YAML::Node network = root["network"]) {
    TALLY_RETURN_IF_ERROR(ParseNetworkSection(network, &c->network));
  }
  if (const YAML::Node cache = root["cache"]) {
    TALLY_RETURN_IF_ERROR(ParseCacheSection(cache, &c->cache_tenants));
  }
  if (const YAML::Node budgets = root["budgets"]) {
    TALLY_RETURN_IF_ERROR(ParseBudgetsSection(budgets, &c->budgets));
  }
  if (const YAML::Node alerts = root["alerts"]) {
    TALLY_RETURN_IF_ERROR(ParseAlertsSection(alerts, &c->alerts));
  }
  if (const YAML::Node kpis = root["kpis"]) {
    TALLY_RETURN_IF_ERROR(ParseKpisSection(kpis, &c->unit_metrics));
  }
  if (const YAML::Node auth = root["auth"]) {
    TALLY_RETURN_IF_ERROR(ParseAuthSection(auth, &c->oidc));
  }
  return Status::Ok();
}

}  // namespace

Result<double> ParseDuration(std::string_view text) {
  double scale = 1;
  std::string_view number = text;
  if (!text.empty() &&
      (text.back() == 's' || text.back() == 'm' || text.back() == 'h' || text.back() == 'd')) {
    scale = text.back() == 'd' ? 86400 : text.back() == 'h' ? 3600 : text.back() == 'm' ? 60 : 1;
    number.remove_suffix(1);
  }
  auto value = Decimal::Parse(number);
  if (number.empty() || !value.ok() || *value <= Decimal()) {
    return InvalidArgument("\"" + std::string(text) +
                           "\" is not a positive duration like 90, 30s, 5m, 1h or 30d");
  }
  return std::stod(std::string(number)) * scale;
}

Decimal RateCard::MonthlyTotal() const {
  Decimal total = *purchase_price.Divide(Decimal::FromUnits(life_months));
  for (const auto& [name, amount] : monthly) total += amount;
  return total;
}

Config DefaultConfig() {
  Config c;
  c.reference_prices = {{"cpu", *Decimal::Parse("0.031611")},
                        {"memory", *Decimal::Parse("0.004237")},
                        {"gpu", *Decimal::Parse("0.95")},
                        // $0.04 per GiB-month, OpenCost's default, over 730 hours
                        {"storage", *Decimal::Parse("0.0000547945")},
                        // Weights only: a network class or a cache is an asset of one resource.
                        {"network", *Decimal::Parse("0.01")},
                        {"cache_memory", *Decimal::Parse("0.017")}};
  c.network.bill = DefaultNetworkBillRules();
  c.estimates.instance_prices = DefaultInstancePrices();
  c.ownership = {OwnershipRule{{{"label.team", "*"}}, "{label.team}"},
                 OwnershipRule{{{"tag.team", "*"}}, "{tag.team}"}};
  c.digest = "default";
  return c;
}

Result<Config> ParseConfig(std::string_view yaml_text) {
  Config c = DefaultConfig();
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    if (root.IsNull()) {
      c.warnings.push_back("the file is empty: the defaults apply (no rate cards, no sources)");
      return c;
    }
    TALLY_RETURN_IF_ERROR(Parse(root, &c));
    // The policy's fingerprint: everything but the sources and what only reads allocation's
    // results, so adding a source or a budget reallocates nothing.
    YAML::Node policy = YAML::Clone(root);
    for (const char* key :
         {"sources", "budgets", "alerts", "kpis", "auth", "policies", "actuators"}) {
      policy.remove(key);
    }
    c.digest = std::to_string(std::hash<std::string>{}(YAML::Dump(policy)));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("tally.yaml: ") + e.what());
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::string file = path;
  if (file.empty()) {
    if (!std::filesystem::exists("tally.yaml")) return DefaultConfig();
    file = "tally.yaml";
  }
  TALLY_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(file));
  auto config = ParseConfig(text);
  if (!config.ok()) return config.status().WithContext(file);
  for (std::string& warning : config->warnings) warning = file + ": " + warning;
  return config;
}

}  // namespace tally
