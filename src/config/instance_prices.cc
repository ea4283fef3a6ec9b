// The built-in instance prices for estimated cost: on-demand Linux list prices per hour, AWS
// us-east-1, Google Cloud us-central1 and Azure East US. A small table on purpose: an estimate
// only stands in until a bill arrives, tally.yaml's estimates.instance_prices overrides or adds
// types, and any other type is estimated from its capacity × reference_prices.
// docs/estimates.md lists the same table.
#include "config/config.h"

namespace tally {

std::map<std::string, Decimal> DefaultInstancePrices() {
  static constexpr std::pair<const char*, const char*> kPrices[] = {
      // AWS, us-east-1
      {"t3.medium", "0.0416"},      {"t3.large", "0.0832"},       {"t3.xlarge", "0.1664"},
      {"m5.large", "0.096"},        {"m5.xlarge", "0.192"},       {"m5.2xlarge", "0.384"},
      {"m5.4xlarge", "0.768"},      {"m6i.large", "0.096"},       {"m6i.xlarge", "0.192"},
      {"m6i.2xlarge", "0.384"},     {"c5.large", "0.085"},        {"c5.xlarge", "0.17"},
      {"c5.2xlarge", "0.34"},       {"c5.4xlarge", "0.68"},       {"r5.large", "0.126"},
      {"r5.xlarge", "0.252"},       {"r5.2xlarge", "0.504"},      {"g4dn.xlarge", "0.526"},
      {"g5.xlarge", "1.006"},       {"p3.2xlarge", "3.06"},
      // Google Cloud, us-central1
      {"e2-standard-2", "0.067006"}, {"e2-standard-4", "0.134012"}, {"e2-standard-8", "0.268024"},
      {"n2-standard-4", "0.194236"}, {"n2-standard-8", "0.388472"},
      // Azure, East US
      {"Standard_D2s_v5", "0.096"}, {"Standard_D4s_v5", "0.192"}, {"Standard_D8s_v5", "0.384"},
  };
  std::map<std::string, Decimal> prices;
  for (const auto& [type, price] : kPrices) prices.emplace(type, *Decimal::Parse(price));
  return prices;
}

}  // namespace tally
