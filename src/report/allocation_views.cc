#include "report/allocation_views.h"

namespace tally {

nlohmann::ordered_json ShowbackJson(const ShowbackTable& table) {
  nlohmann::ordered_json out = {{"rows", nlohmann::ordered_json::array()}};
  for (const ShowbackRow& row : table.rows) {
    nlohmann::ordered_json r = nlohmann::ordered_json::object();
    for (size_t i = 0; i < row.keys.size() && i < table.columns.size(); ++i) {
      r[table.columns[i]] = row.keys[i];
    }
    r["cost"] = row.cost.ToString();
    r["estimated"] = row.estimated.ToString();
    out["rows"].push_back(std::move(r));
  }
  out["total"] = table.total.ToString();
  out["estimated"] = table.estimated.ToString();
  return out;
}

RecordTable ReconcileRecordTable(const std::vector<ReconcileRow>& rows) {
  RecordTable t{{"source", "bill", "allocated", "idle", "unallocated", "difference", "hours",
                 "from", "to"},
                {false, true, true, true, true, true, true, false, false},
                {false, true, true, true, true, true, false, false, false},
                {},
                // The difference stays exact: a rounding error must not print as 0.00.
                {false, true, true, true, true, false, false, false, false}};
  auto time = [](const std::optional<Timestamp>& t, int64_t plus) -> std::optional<std::string> {
    if (!t) return std::nullopt;
    return Timestamp::FromUnixSeconds(t->unix_seconds() + plus).ToString();
  };
  ReconcileRow total;
  total.source = "TOTAL";
  for (const ReconcileRow& r : rows) {
    // The hours a source covers: a rate card costs its assets only while they exist.
    t.rows.push_back({r.source, r.bill.ToString(), r.allocated.ToString(), r.idle.ToString(),
                      r.unallocated.ToString(), r.difference().ToString(),
                      std::to_string(r.hours), time(r.first_hour, 0), time(r.last_hour, 3600)});
    if (r.source == kEstimateSource) continue;  // an estimate is no bill: apart from the total
    total.bill += r.bill;
    total.allocated += r.allocated;
    total.idle += r.idle;
    total.unallocated += r.unallocated;
  }
  t.rows.push_back({total.source, total.bill.ToString(), total.allocated.ToString(),
                    total.idle.ToString(), total.unallocated.ToString(),
                    total.difference().ToString(), std::nullopt, std::nullopt, std::nullopt});
  return t;
}

}  // namespace tally
