// What must outlive one run of anomaly detection and alerting: the anomalies found, each
// stored once under a stable id with a state a person can change (open, acknowledged,
// resolved), and every notification sent, so that no alert goes out twice, across restarts.
//
// Value types and the store interface for them. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"
#include "tally/time.h"

namespace tally {

struct AnomalyRecord {
  std::string id;         // stable: the same series and period always get the same id
  std::string dimension;  // the group keys' names joined by ",", "" for the total
  std::string keys;       // JSON object of the group's key values
  std::string currency;
  Timestamp period;            // start of the anomalous day or hour
  int64_t step_seconds = 86400;
  Decimal actual, expected, impact;  // impact = actual - expected
  std::string root_cause;  // JSON array of {dimension, value, change, share}
  std::string owner;       // whom it concerns, when the group names one ("" otherwise)
  std::string state = "open";  // open, acknowledged or resolved
  Timestamp detected_at;
  std::optional<Timestamp> state_at;  // when the state was last set by a person
};

// One delivery of one alert to one receiver.
struct NotificationRecord {
  std::string alert;     // the alert's key ("budget:ml:2026-12:actual:80", "anomaly:<id>")
  std::string receiver;  // "alertmanager:<url>" or "webhook:<url>"
  std::string state;     // "sent", "failed", or "pending" while claimed
  int attempts = 0;
  std::string error;     // the last failure, for "failed"
  Timestamp at;
};

class AlertStateStore {
 public:
  virtual ~AlertStateStore() = default;
  // Stores anomalies not seen before as given (state "open"); for known ids refreshes the
  // figures and keeps the state. Returns how many were new.
  virtual Result<int64_t> SaveAnomalies(std::span<const AnomalyRecord> anomalies) = 0;
  // Stored anomalies with period in [from, to), oldest first.
  virtual Result<std::vector<AnomalyRecord>> ListAnomalies(std::optional<Timestamp> from,
                                                           std::optional<Timestamp> to) = 0;
  // Sets an anomaly's state. Errors: kNotFound for an unknown id.
  virtual Status SetAnomalyState(std::string_view id, std::string_view state, Timestamp at) = 0;
  // Whether `alert` was sent to `receiver` (state "sent").
  virtual Result<bool> WasSent(std::string_view alert, std::string_view receiver) = 0;
  // Claims the delivery of `alert` to `receiver` for the caller, atomically: true when it was
  // never tried, failed, or was claimed more than `stale_seconds` before `now` by a caller that
  // never said how it went (it died); false when sent, or claimed by another caller now. Two
  // processes alerting at once thus never both send it.
  virtual Result<bool> ClaimNotification(std::string_view alert, std::string_view receiver,
                                         Timestamp now, int64_t stale_seconds) = 0;
  // Records a delivery attempt's outcome; a later "sent" replaces an earlier "failed".
  virtual Status RecordNotification(const NotificationRecord& record) = 0;
  // The last `limit` notifications, newest first.
  virtual Result<std::vector<NotificationRecord>> ListNotifications(int64_t limit) = 0;
};

}  // namespace tally
