#include "insight/commitment_purchase.h"

#include <algorithm>
#include <cmath>

#include "report/cost_series.h"

namespace tally {

Result<std::vector<Recommendation>> CommitmentPurchases(Store* store, Timestamp from, Timestamp to,
                                                        Decimal discount) {
  CostSeriesQuery q;
  q.where = {"ServiceCategory=Compute", "ChargeCategory=Usage", "CommitmentDiscountStatus="};
  q.step = CostStep::kHour;
  q.from = from;
  q.to = to;
  TALLY_ASSIGN_OR_RETURN(CostSeriesSet set, LoadCostSeries(store, q));
  std::vector<Recommendation> out;
  const int64_t window_hours = (to.unix_seconds() - from.unix_seconds()) / 3600;
  for (const CostSeries& s : set.series) {
    std::vector<Decimal> hourly = s.values;
    // Hours of the window before the first line or after the last have no compute at all.
    hourly.resize(static_cast<size_t>(std::max<int64_t>(window_hours, set.periods)), Decimal());
    std::sort(hourly.begin(), hourly.end());
    if (hourly.empty()) continue;
    // Nearest rank: the value 90% of the hours are at or above.
    const auto rank = [&](double p) {
      return hourly[std::min(hourly.size() - 1,
                             static_cast<size_t>(std::ceil(p * static_cast<double>(hourly.size()))) -
                                 (p > 0 ? 1 : 0))];
    };
    const Decimal p10 = rank(0.10);
    if (p10 <= Decimal()) continue;
    Decimal total;
    for (const Decimal& v : hourly) total += v;
    Recommendation r;
    r.kind = "commitment";
    r.asset = "Compute";
    r.owner = "(platform)";  // bought for the whole platform
    r.monthly_cost = (*p10.Multiply(Decimal::FromUnits(730))).Round(2);
    r.monthly_savings = (*r.monthly_cost.Multiply(discount)).Round(2);
    r.confidence = std::min(1.0, static_cast<double>(hourly.size()) / (30 * 24));
    r.evidence = {{"currency", s.currency},
                  {"hours", static_cast<int64_t>(hourly.size())},
                  {"hourly_p10", p10.Round(4).ToString()},
                  {"hourly_median", rank(0.5).Round(4).ToString()},
                  {"hourly_mean", total.Divide(Decimal::FromUnits(static_cast<int64_t>(hourly.size())))
                                      ->Round(4)
                                      .ToString()},
                  {"discount", discount.ToString()}};
    r.action = "buy a 1-year compute commitment of " + p10.Round(2).ToString() + " " + s.currency +
               " an hour: the on-demand compute spend of 90% of the hours";
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tally
