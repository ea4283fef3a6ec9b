// Anomalies and notifications (tally/alert_state.h): small tables, written row by row.
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace tally::sqlite {

Result<int64_t> SqliteStore::SaveAnomalies(std::span<const AnomalyRecord> anomalies) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  TALLY_ASSIGN_OR_RETURN(
      Statement put,
      db_->Prepare("INSERT INTO anomalies(id, dimension, keys, currency, period, step, actual, "
                   "expected, impact, root_cause, owner, state, detected_at) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                   "actual = excluded.actual, expected = excluded.expected, impact = "
                   "excluded.impact, root_cause = excluded.root_cause, owner = excluded.owner"));
  int64_t fresh = 0;
  for (const AnomalyRecord& a : anomalies) {
    TALLY_ASSIGN_OR_RETURN(Statement known, db_->Prepare("SELECT 1 FROM anomalies WHERE id = ?"));
    known.BindText(1, a.id);
    TALLY_ASSIGN_OR_RETURN(bool exists, known.Step());
    fresh += exists ? 0 : 1;
    put.BindText(1, a.id);
    put.BindText(2, a.dimension);
    put.BindText(3, a.keys);
    put.BindText(4, a.currency);
    put.BindInt(5, a.period.unix_seconds());
    put.BindInt(6, a.step_seconds);
    const std::string actual = a.actual.ToString(), expected = a.expected.ToString(),
                      impact = a.impact.ToString();
    put.BindText(7, actual);
    put.BindText(8, expected);
    put.BindText(9, impact);
    put.BindText(10, a.root_cause);
    put.BindText(11, a.owner);
    put.BindText(12, a.state);
    put.BindInt(13, a.detected_at.unix_seconds());
    TALLY_RETURN_IF_ERROR(put.Run());
  }
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return fresh;
}

Result<std::vector<AnomalyRecord>> SqliteStore::ListAnomalies(std::optional<Timestamp> from,
                                                              std::optional<Timestamp> to) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("SELECT id, dimension, keys, currency, period, step, actual, expected, impact, "
                   "root_cause, owner, state, detected_at, state_at FROM anomalies "
                   "WHERE period >= ? AND period < ? ORDER BY period, id"));
  q.BindInt(1, from ? from->unix_seconds() : INT64_MIN);
  q.BindInt(2, to ? to->unix_seconds() : INT64_MAX);
  std::vector<AnomalyRecord> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AnomalyRecord a;
    a.id = std::string(q.Text(0));
    a.dimension = std::string(q.Text(1));
    a.keys = std::string(q.Text(2));
    a.currency = std::string(q.Text(3));
    a.period = Timestamp::FromUnixSeconds(q.Int(4));
    a.step_seconds = q.Int(5);
    a.actual = DecimalFromText(q.Text(6));
    a.expected = DecimalFromText(q.Text(7));
    a.impact = DecimalFromText(q.Text(8));
    a.root_cause = std::string(q.Text(9));
    a.owner = std::string(q.Text(10));
    a.state = std::string(q.Text(11));
    a.detected_at = Timestamp::FromUnixSeconds(q.Int(12));
    if (!q.IsNull(13)) a.state_at = Timestamp::FromUnixSeconds(q.Int(13));
    out.push_back(std::move(a));
  }
  return out;
}

Status SqliteStore::SetAnomalyState(std::string_view id, std::string_view state, Timestamp at) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q, db_->Prepare("UPDATE anomalies SET state = ?, state_at = ? WHERE id = ?"));
  q.BindText(1, state);
  q.BindInt(2, at.unix_seconds());
  q.BindText(3, id);
  TALLY_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() == 0) return NotFound("no anomaly " + std::string(id));
  return Status::Ok();
}

Result<bool> SqliteStore::WasSent(std::string_view alert, std::string_view receiver) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db_->Prepare("SELECT 1 FROM notifications WHERE alert = ? AND "
                                      "receiver = ? AND state = 'sent'"));
  q.BindText(1, alert);
  q.BindText(2, receiver);
  return q.Step();
}

Result<bool> SqliteStore::ClaimNotification(std::string_view alert, std::string_view receiver,
                                             Timestamp now, int64_t stale_seconds) {
  // One write transaction (BEGIN IMMEDIATE): the read and the claim cannot interleave with
  // another process's.
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  TALLY_ASSIGN_OR_RETURN(
      Statement q, db_->Prepare("SELECT state, at FROM notifications WHERE alert = ? AND receiver = ?"));
  q.BindText(1, alert);
  q.BindText(2, receiver);
  TALLY_ASSIGN_OR_RETURN(bool known, q.Step());
  if (known) {
    const std::string state(q.Text(0));
    const bool stale = q.Int(1) < now.unix_seconds() - stale_seconds;
    if (state == "sent" || (state == "pending" && !stale)) return false;  // rolls back
  }
  q.Reset();
  TALLY_ASSIGN_OR_RETURN(
      Statement claim,
      db_->Prepare("INSERT INTO notifications(alert, receiver, state, attempts, error, at) "
                   "VALUES(?, ?, 'pending', 0, '', ?) ON CONFLICT(alert, receiver) DO UPDATE SET "
                   "state = 'pending', at = excluded.at"));
  claim.BindText(1, alert);
  claim.BindText(2, receiver);
  claim.BindInt(3, now.unix_seconds());
  TALLY_RETURN_IF_ERROR(claim.Run());
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return true;
}

Status SqliteStore::RecordNotification(const NotificationRecord& r) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("INSERT INTO notifications(alert, receiver, state, attempts, error, at) "
                   "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(alert, receiver) DO UPDATE SET "
                   "state = excluded.state, attempts = attempts + excluded.attempts, "
                   "error = excluded.error, at = excluded.at WHERE state <> 'sent'"));
  q.BindText(1, r.alert);
  q.BindText(2, r.receiver);
  q.BindText(3, r.state);
  q.BindInt(4, r.attempts);
  q.BindText(5, r.error);
  q.BindInt(6, r.at.unix_seconds());
  return q.Run();
}

Result<std::vector<NotificationRecord>> SqliteStore::ListNotifications(int64_t limit) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db_->Prepare("SELECT alert, receiver, state, attempts, error, at FROM "
                                      "notifications ORDER BY at DESC, alert LIMIT ?"));
  q.BindInt(1, limit);
  std::vector<NotificationRecord> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(NotificationRecord{std::string(q.Text(0)), std::string(q.Text(1)),
                                     std::string(q.Text(2)), static_cast<int>(q.Int(3)),
                                     std::string(q.Text(4)), Timestamp::FromUnixSeconds(q.Int(5))});
  }
  return out;
}

}  // namespace tally::sqlite
