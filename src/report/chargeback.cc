#include "report/chargeback.h"

#include <nlohmann/json.hpp>
#include <set>

#include "report/text_cells.h"

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

std::vector<std::string> FocusExportKeys() {
  return {"hour", "source", "service", "asset", "consumer", "owner", "resource", "kind"};
}

std::string RenderFocusExport(const ShowbackTable& showback) {
  std::string out =
      "ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,ResourceId,EffectiveCost,"
      "AllocatedMethodId,AllocatedMethodDetails,AllocatedResourceId,AllocatedResourceName,"
      "AllocatedTags\n";
  for (const ShowbackRow& r : showback.rows) {
    const auto& k = r.keys;
    auto start = ParseTimestamp(k[0]);
    const std::string end =
        start.ok() ? Timestamp::FromUnixSeconds(start->unix_seconds() + 3600).ToString() : "";
    const nlohmann::json tags = {{"owner", k[5]}, {"kind", k[7]}};
    const nlohmann::json details = {{"Elements", {{{"UsageUnit", k[6]}}}}};
    for (const std::string& cell :
         {k[0], end, k[1], k[2], k[3], r.cost.ToString(), std::string("tally/") + k[7],
          details.dump(), k[4], k[4], tags.dump()}) {
      AppendCsvField(cell, &out);
      out += ',';
    }
    out.back() = '\n';
  }
  return out;
}

}  // namespace tally
