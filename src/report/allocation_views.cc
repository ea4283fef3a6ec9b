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
    out["rows"].push_back(std::move(r));
  }
  out["total"] = table.total.ToString();
  return out;
}

RecordTable ReconcileRecordTable(const std::vector<ReconcileRow>& rows) {
  RecordTable t{{"source", "bill", "allocated", "idle", "unallocated", "difference"},
                {false, true, true, true, true, true},
                {false, true, true, true, true, true},
                {}};
  ReconcileRow total{"TOTAL", {}, {}, {}, {}};
  for (const ReconcileRow& r : rows) {
    t.rows.push_back({r.source, r.bill.ToString(), r.allocated.ToString(), r.idle.ToString(),
                      r.unallocated.ToString(), r.difference().ToString()});
    total.bill += r.bill;
    total.allocated += r.allocated;
    total.idle += r.idle;
    total.unallocated += r.unallocated;
  }
  t.rows.push_back({total.source, total.bill.ToString(), total.allocated.ToString(),
                    total.idle.ToString(), total.unallocated.ToString(),
                    total.difference().ToString()});
  return t;
}

}  // namespace tally
