// Recommendations while they hold and once archived (tally/recommendation_state.h): a small
// table, written row by row in one transaction per run.
#include "store/sqlite/decimal_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace tally::sqlite {

Result<int64_t> SqliteStore::SaveRecommendations(std::span<const RecommendationRecord> seen) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  TALLY_ASSIGN_OR_RETURN(
      Statement put,
      db_->Prepare("INSERT INTO recommendations(id, kind, consumer, asset, owner, "
                   "monthly_savings, baseline, evidence, action, state, reason, first_seen, "
                   "last_seen) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', '', ?, ?) "
                   "ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, monthly_savings = "
                   "excluded.monthly_savings, evidence = excluded.evidence, action = "
                   "excluded.action, last_seen = excluded.last_seen, state = 'open', reason = "
                   "'', realized = NULL, archived_at = NULL"));
  TALLY_ASSIGN_OR_RETURN(Statement known,
                         db_->Prepare("SELECT 1 FROM recommendations WHERE id = ?"));
  int64_t fresh = 0;
  for (const RecommendationRecord& r : seen) {
    known.BindText(1, r.id);
    TALLY_ASSIGN_OR_RETURN(bool exists, known.Step());
    known.Reset();
    fresh += exists ? 0 : 1;
    const std::string savings = r.monthly_savings.ToString(), baseline = r.baseline.ToString();
    int i = 1;
    put.BindText(i++, r.id);
    put.BindText(i++, r.kind);
    put.BindText(i++, r.consumer);
    put.BindText(i++, r.asset);
    put.BindText(i++, r.owner);
    put.BindText(i++, savings);
    put.BindText(i++, baseline);
    put.BindText(i++, r.evidence);
    put.BindText(i++, r.action);
    put.BindInt(i++, r.first_seen.unix_seconds());
    put.BindInt(i++, r.last_seen.unix_seconds());
    TALLY_RETURN_IF_ERROR(put.Run());
  }
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return fresh;
}

Result<std::vector<RecommendationRecord>> SqliteStore::ListRecommendations(std::string_view state) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("SELECT id, kind, consumer, asset, owner, monthly_savings, baseline, evidence, "
                   "action, state, reason, realized, first_seen, last_seen, archived_at FROM "
                   "recommendations WHERE ? = '' OR state = ? ORDER BY last_seen DESC, id"));
  q.BindText(1, state);
  q.BindText(2, state);
  std::vector<RecommendationRecord> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RecommendationRecord r;
    r.id = std::string(q.Text(0));
    r.kind = std::string(q.Text(1));
    r.consumer = std::string(q.Text(2));
    r.asset = std::string(q.Text(3));
    r.owner = std::string(q.Text(4));
    r.monthly_savings = DecimalFromText(q.Text(5));
    r.baseline = DecimalFromText(q.Text(6));
    r.evidence = std::string(q.Text(7));
    r.action = std::string(q.Text(8));
    r.state = std::string(q.Text(9));
    r.reason = std::string(q.Text(10));
    if (!q.IsNull(11)) r.realized = DecimalFromText(q.Text(11));
    r.first_seen = Timestamp::FromUnixSeconds(q.Int(12));
    r.last_seen = Timestamp::FromUnixSeconds(q.Int(13));
    if (!q.IsNull(14)) r.archived_at = Timestamp::FromUnixSeconds(q.Int(14));
    out.push_back(std::move(r));
  }
  return out;
}

Status SqliteStore::ArchiveRecommendation(std::string_view id, std::string_view state,
                                          std::string_view reason, std::optional<Decimal> realized,
                                          Timestamp at) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("UPDATE recommendations SET state = ?, reason = ?, realized = ?, "
                   "archived_at = ? WHERE id = ? AND state = 'open'"));
  q.BindText(1, state);
  q.BindText(2, reason);
  const std::string text = realized ? realized->ToString() : "";
  if (realized) {
    q.BindText(3, text);
  } else {
    q.BindNull(3);
  }
  q.BindInt(4, at.unix_seconds());
  q.BindText(5, id);
  TALLY_RETURN_IF_ERROR(q.Run());
  if (db_->Changes() == 0) {
    return NotFound("no open recommendation \"" + std::string(id) + "\"");
  }
  return Status::Ok();
}

}  // namespace tally::sqlite
