// The usage report (`tally usage`, GET /api/v1/usage, the GPU view, /metrics): the store's
// usage or capacity facts in a window, grouped by consumer fields, asset, source, day, hour or a
// label (the consumer's, else its asset's), and always by resource and unit, since core-hours
// and GiB-hours do not add; request and usage summed exactly. Rows are sorted by their keys.
//
// Stateless; runs on the caller's thread through the Store interface.
#pragma once

#include "tally/store.h"
#include "tally/usage_query.h"

namespace tally {

// An amount in whole units: a shared GPU's usage is counted in its slices or replicas
// ("mig-slice/7", "replica/4"), 7 or 4 of which make one GPU; other units are whole already.
Decimal WholeUnits(Decimal amount, std::string_view unit);

// Errors: the store's.
Result<UsageTable> QueryUsage(UsageStore& store, const UsageQuery& query);
// Capacity-hours grouped like usage (asset, resource, unit, source, day, hour, label.<key> of
// the asset); the amounts are in `request`, `usage` is zero.
Result<UsageTable> QueryCapacity(UsageStore& store, const UsageQuery& query);

}  // namespace tally
