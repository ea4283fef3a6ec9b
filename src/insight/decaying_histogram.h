// The Kubernetes VPA recommender's decaying histogram (../shared/reference/automation.md, 2.1):
// exponential buckets, each 5% wider than the one before (so a percentile is known to about
// 5%), starting at `first_bucket`; each sample's weight is multiplied by 2^((t - reference) /
// half_life), so that a sample one half-life older counts half as much. The reference is fixed
// by the caller (the end of the window), so every exponent is <= 0 and nothing overflows.
//
// Written here rather than taken from a library: no library in Debian has this histogram, and
// it is 60 lines. Value type. Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tally {

class DecayingHistogram {
 public:
  DecayingHistogram(double first_bucket, double max_value, double half_life_seconds,
                    int64_t reference_time, double ratio = 1.05);

  // Adds `value` (clamped to [0, max]) with `weight` × the decay of `time`.
  void Add(double value, double weight, int64_t time);
  // The upper end of the bucket in which the cumulative weight reaches p × the total (p in
  // [0, 1]); 0 for an empty histogram.
  double Percentile(double p) const;
  double TotalWeight() const { return total_; }
  bool empty() const { return total_ <= 0; }

 private:
  size_t BucketOf(double value) const;
  double BucketStart(size_t bucket) const;

  double first_, max_, half_life_, ratio_;
  int64_t reference_;
  std::vector<double> weights_;  // grown to the highest bucket used
  double total_ = 0;
};

}  // namespace tally
