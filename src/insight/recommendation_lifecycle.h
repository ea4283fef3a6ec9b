// The lifecycle of recommendations (docs/recommendations.md, "Lifecycle"), run after each
// unfiltered `tally recommend`: what it found is stored (RecommendationStore), and each stored
// recommendation it no longer finds is archived:
//   applied  what it concerned costs at least half its promised savings less a month than when
//            it was first seen, or nothing at all (scaled to zero, deleted); the realized
//            savings are that difference, measured on the allocation after the change;
//   gone     otherwise: it is no longer true (usage rose, the owner changed it otherwise).
// Batch jobs end by themselves and commitments are bought outside tally: theirs is always
// "gone" (no longer seen), never a claimed saving.
#pragma once

#include "insight/recommendations.h"
#include "tally/store.h"

namespace tally {

struct LifecycleSummary {
  int64_t open = 0, fresh = 0, applied = 0, gone = 0;
  Decimal realized;  // a month, over the recommendations archived as applied now
};

// The stable id a recommendation is stored under: "<kind>:<consumer or asset>".
std::string RecommendationId(const Recommendation& r);

// Errors: the store's.
Result<LifecycleSummary> TrackRecommendations(Store* store, const RecommendationReport& report,
                                              Timestamp now);

// The stored recommendations in `state` ("" for all) as a table: id, state, kind, consumer or
// asset, owner, monthly savings, realized, reason, first and last seen.
RecordTable RecommendationHistoryTable(const std::vector<RecommendationRecord>& records);

}  // namespace tally
