#include "insight/decaying_histogram.h"

#include <algorithm>
#include <cmath>

namespace tally {

DecayingHistogram::DecayingHistogram(double first_bucket, double max_value,
                                     double half_life_seconds, int64_t reference_time,
                                     double ratio)
    : first_(first_bucket),
      max_(max_value),
      half_life_(half_life_seconds),
      ratio_(ratio),
      reference_(reference_time) {}

// Bucket i covers [start(i), start(i + 1)) with start(i) = first × (ratio^i - 1) / (ratio - 1):
// the first is `first` wide, each next one `ratio` times wider.
double DecayingHistogram::BucketStart(size_t bucket) const {
  return first_ * (std::pow(ratio_, static_cast<double>(bucket)) - 1) / (ratio_ - 1);
}

size_t DecayingHistogram::BucketOf(double value) const {
  if (value < first_) return 0;
  const double i = std::floor(std::log(value * (ratio_ - 1) / first_ + 1) / std::log(ratio_));
  size_t bucket = static_cast<size_t>(std::max(0.0, i));
  // Rounding at a boundary: settle on the bucket whose range holds the value.
  while (bucket > 0 && BucketStart(bucket) > value) --bucket;
  while (BucketStart(bucket + 1) <= value) ++bucket;
  return bucket;
}

void DecayingHistogram::Add(double value, double weight, int64_t time) {
  if (!(weight > 0) || !std::isfinite(value)) return;
  value = std::clamp(value, 0.0, max_);
  const double decayed =
      weight * std::exp2(static_cast<double>(time - reference_) / half_life_);
  if (!(decayed > 0)) return;  // older than the double can weigh
  const size_t bucket = BucketOf(value);
  if (weights_.size() <= bucket) weights_.resize(bucket + 1, 0.0);
  weights_[bucket] += decayed;
  total_ += decayed;
}

double DecayingHistogram::Percentile(double p) const {
  if (empty()) return 0;
  const double threshold = std::clamp(p, 0.0, 1.0) * total_;
  double sum = 0;
  for (size_t b = 0; b < weights_.size(); ++b) {
    sum += weights_[b];
    if (sum >= threshold && weights_[b] > 0) return std::min(BucketStart(b + 1), max_);
  }
  return std::min(BucketStart(weights_.size()), max_);
}

}  // namespace tally
