#include "report/chargeback.h"

#include <set>


namespace tally {

std::vector<std::string> ChargebackKeys(const std::vector<std::string>& by) {
  static const std::set<std::string> kColumns = {"owner",  "consumer", "asset",     "resource",
                                                 "service", "source",  "kind",      "namespace",
                                                 "hour",   "day"};
  std::vector<std::string> keys;
  for (const std::string& name : by) {
    keys.push_back(kColumns.contains(name) || name.starts_with("label.") ? name : "label." + name);
  }
  return keys;
}

ChargebackTable PriceChargeback(const ShowbackTable& showback,
                                const std::map<std::string, Decimal>& rates) {
  ChargebackTable table;
  table.total = showback.total;
  const bool priced = !rates.empty();
  Decimal charged;
  for (const ShowbackRow& r : showback.rows) {
    Decimal charge = r.cost;
    if (priced) {
      charge = Decimal();
      for (const auto& [resource, quantity] : r.quantity) {
        auto rate = rates.find(resource);
        if (rate == rates.end()) continue;
        auto amount = quantity.Multiply(rate->second);
        if (amount.ok()) charge += *amount;
      }
    }
    charged += charge;
    table.rows.push_back(ChargebackRow{r.keys, r.cost, charge});
  }
  if (priced) {
    std::vector<std::string> keys(showback.columns.size(), "");
    if (!keys.empty()) keys[0] = "__platform_recovery__";
    table.rows.push_back(ChargebackRow{std::move(keys), Decimal(), showback.total - charged});
  }
  return table;
}

}  // namespace tally
