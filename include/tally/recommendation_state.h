// Recommendations outlive the run that found them (docs/recommendations.md, "Lifecycle"): each
// is stored under a stable id (its kind and what it concerns) while it holds; one that no longer
// shows is archived, either applied (what it concerned now costs less, or nothing: the realized
// savings are the cost it had when first seen minus its cost now) or gone (no longer true).
//
// Value type and the store interface for it. Thread-compatible.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/time.h"

namespace tally {

struct RecommendationRecord {
  std::string id;  // "<kind>:<consumer or asset>"
  std::string kind, consumer, asset, owner;
  Decimal monthly_savings;
  Decimal baseline;        // what it concerned cost a month when first seen
  std::string evidence;    // JSON
  std::string action;
  std::string state = "open";  // open, applied or gone
  std::string reason;          // why it was archived
  std::optional<Decimal> realized;  // applied: baseline minus the monthly cost since
  Timestamp first_seen, last_seen;
  std::optional<Timestamp> archived_at;
};

class RecommendationStore {
 public:
  virtual ~RecommendationStore() = default;
  // Stores each as open: new ones as given; known ones with fresh figures, their first_seen and
  // baseline kept (an archived one that shows again is open again). Returns how many were new.
  virtual Result<int64_t> SaveRecommendations(std::span<const RecommendationRecord> seen) = 0;
  // Stored recommendations in `state` ("" for all), newest first.
  virtual Result<std::vector<RecommendationRecord>> ListRecommendations(std::string_view state) = 0;
  // Archives an open recommendation. Errors: kNotFound for an unknown id.
  virtual Status ArchiveRecommendation(std::string_view id, std::string_view state,
                                       std::string_view reason, std::optional<Decimal> realized,
                                       Timestamp at) = 0;
};

}  // namespace tally
