// Chargeback: what allocation means for internal billing, computed from a showback the same way
// for every caller (the FOCUS export is report/focus_export.h).
//   chargeback: each group's allocated cost and its charge at the internal rates (resource ->
//     money per unit-hour of the allocated basis), plus one `__platform_recovery__` row with
//     what the rates did not recover (positive) or recovered beyond the bill (negative); without
//     rates the charge is the cost.
//
// Pure functions. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tally/allocation.h"
#include "tally/decimal.h"

namespace tally {

// The showback keys of `--by`: a bare name that is no allocation column is a label, so
// `cost_center` means `label.cost_center`.
std::vector<std::string> ChargebackKeys(const std::vector<std::string>& by);

struct ChargebackRow {
  std::vector<std::string> keys;
  Decimal cost;
  Decimal charge;
};

struct ChargebackTable {
  std::vector<ChargebackRow> rows;  // the showback's groups, then the recovery row when priced
  Decimal total;                    // the showback's total (the bill's share in the window)
};

ChargebackTable PriceChargeback(const ShowbackTable& showback,
                                const std::map<std::string, Decimal>& rates);

}  // namespace tally
