#include "insight/recommendation_lifecycle.h"

#include <set>

namespace tally {
std::string RecommendationId(const Recommendation& r) {
  return r.kind + ":" + (r.consumer.empty() ? r.asset : r.consumer);
}

Result<LifecycleSummary> TrackRecommendations(Store* store, const RecommendationReport& report,
                                              Timestamp now) {
  LifecycleSummary summary;
  TALLY_ASSIGN_OR_RETURN(std::vector<RecommendationRecord> open, store->ListRecommendations("open"));
  std::vector<RecommendationRecord> seen;
  std::set<std::string> ids;
  for (const Recommendation& r : report.rows) {
    RecommendationRecord rec;
    rec.id = RecommendationId(r);
    rec.kind = r.kind;
    rec.consumer = r.consumer;
    rec.asset = r.asset;
    rec.owner = r.owner;
    rec.monthly_savings = r.monthly_savings;
    rec.baseline = r.monthly_cost;
    rec.evidence = r.evidence.dump();
    rec.action = r.action;
    rec.first_seen = rec.last_seen = now;
    ids.insert(rec.id);
    seen.push_back(std::move(rec));
  }
  TALLY_ASSIGN_OR_RETURN(summary.fresh, store->SaveRecommendations(seen));
  summary.open = static_cast<int64_t>(seen.size());
  for (const RecommendationRecord& r : open) {
    if (ids.contains(r.id)) continue;
    const bool consumer = !r.consumer.empty();
    const auto& costs = consumer ? report.consumer_monthly : report.asset_monthly;
    auto it = costs.find(consumer ? r.consumer : r.asset);
    const Decimal cost_now = it == costs.end() ? Decimal() : it->second;
    const bool claims = r.kind != "slurm_job" && r.kind != "spark_app" && r.kind != "commitment";
    const Decimal half = *r.monthly_savings.Divide(Decimal::FromUnits(2));
    if (claims && (cost_now.is_zero() || cost_now <= r.baseline - half)) {
      const Decimal realized = r.baseline - cost_now;
      TALLY_RETURN_IF_ERROR(store->ArchiveRecommendation(
          r.id, "applied",
          cost_now.is_zero() ? "it costs nothing now" : "it costs " + realized.Round(2).ToString() + " less a month",
          realized, now));
      ++summary.applied;
      summary.realized += realized;
    } else {
      TALLY_RETURN_IF_ERROR(store->ArchiveRecommendation(r.id, "gone", "no longer true",
                                                         std::nullopt, now));
      ++summary.gone;
    }
  }
  return summary;
}

RecordTable RecommendationHistoryTable(const std::vector<RecommendationRecord>& records) {
  RecordTable t;
  t.columns = {"id", "state", "owner", "monthly_savings", "realized", "reason", "first_seen",
               "last_seen"};
  t.numeric = {false, false, false, true, true, false, false, false};
  t.decimal = {false, false, false, true, true, false, false, false};
  t.money = t.decimal;
  for (const RecommendationRecord& r : records) {
    t.rows.push_back({r.id, r.state, r.owner, r.monthly_savings.ToString(),
                      r.realized ? std::optional<std::string>(r.realized->ToString()) : std::nullopt,
                      r.reason.empty() ? std::nullopt : std::optional<std::string>(r.reason),
                      r.first_seen.ToString(), r.last_seen.ToString()});
  }
  return t;
}

}  // namespace tally
