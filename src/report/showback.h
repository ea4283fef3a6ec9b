// Showback and reconciliation, the same for `tally report`, `tally reconcile`, the API, the GPU
// view and /metrics. The store sums allocation rows along their stored columns; a query that
// groups by a consumer attribute (namespace, label.<key>: the consumer's label, else its asset's)
// has the store group by consumer and asset as well and regroups here; it groups by source too,
// so that each row tells its estimated part (source "estimate"). Rows are sorted by time
// key (hour, day), then cost descending, then keys. Reconcile puts each source's bill beside
// where it went: allocated (direct + shared), idle and unallocated, whose sum must equal the bill.
//
// Stateless; runs on the caller's thread through the Store interface.
#pragma once

#include "tally/showback.h"
#include "tally/store.h"

namespace tally {

// Errors: the store's.
Result<ShowbackTable> QueryShowback(AllocationStore& store, const ShowbackQuery& query);
Result<std::vector<ReconcileRow>> Reconcile(AllocationStore& store, std::optional<Timestamp> from,
                                            std::optional<Timestamp> to);

}  // namespace tally
