#include "store/sqlite/sqlite_network.h"

#include <set>

namespace tally::sqlite {

Status ReplaceAddresses(SqliteDb* db, int64_t source_id, const UsageBatch& batch,
                        std::span<const int64_t> consumer_ids) {
  TALLY_ASSIGN_OR_RETURN(Statement del,
                         db->Prepare("DELETE FROM usage_addresses WHERE source_id = ? AND "
                                     "hour >= ? AND hour < ?"));
  del.BindInt(1, source_id);
  del.BindInt(2, batch.hours().start.unix_seconds());
  del.BindInt(3, batch.hours().end.unix_seconds());
  TALLY_RETURN_IF_ERROR(del.Run());
  if (batch.addresses().empty()) return Status::Ok();
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT INTO usage_addresses(source_id, hour, ip, "
                                     "consumer_id, zone, region, node) VALUES(?,?,?,?,?,?,?)"));
  for (const AddressFact& a : batch.addresses()) {
    if (!batch.hours().Contains(a.hour)) {
      return InvalidArgument("address for hour " + a.hour.ToString() + " outside the batch window");
    }
    insert.BindInt(1, source_id);
    insert.BindInt(2, a.hour.unix_seconds());
    insert.BindText(3, a.ip);
    insert.BindInt(4, consumer_ids[a.consumer]);
    insert.BindText(5, a.zone);
    insert.BindText(6, a.region);
    insert.BindInt(7, a.node ? 1 : 0);
    TALLY_RETURN_IF_ERROR(insert.Run());
  }
  return Status::Ok();
}

Result<std::vector<NetworkAddress>> ListAddresses(SqliteDb* db, TimeWindow window) {
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db->Prepare("SELECT a.hour, a.ip, c.name, a.zone, a.region, a.node FROM usage_addresses a "
                  "JOIN consumers c ON c.id = a.consumer_id WHERE a.hour >= ? AND a.hour < ? "
                  "ORDER BY a.hour, a.ip, a.node, c.name"));
  q.BindInt(1, window.start.unix_seconds());
  q.BindInt(2, window.end.unix_seconds());
  std::vector<NetworkAddress> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(NetworkAddress{Timestamp::FromUnixSeconds(q.Int(0)), std::string(q.Text(1)),
                                 std::string(q.Text(2)), std::string(q.Text(3)),
                                 std::string(q.Text(4)), q.Int(5) != 0});
  }
  return out;
}

Result<std::vector<Timestamp>> StoreFlowFiles(SqliteDb* db, std::span<const FlowFile> files) {
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  std::set<int64_t> hours;
  TALLY_ASSIGN_OR_RETURN(
      Statement old_hours,
      db->Prepare("SELECT DISTINCT f.hour FROM flows f JOIN flow_files ff ON ff.id = f.file_id "
                  "WHERE ff.path = ?"));
  TALLY_ASSIGN_OR_RETURN(Statement del,
                         db->Prepare("DELETE FROM flows WHERE file_id IN (SELECT id FROM "
                                     "flow_files WHERE path = ?)"));
  TALLY_ASSIGN_OR_RETURN(
      Statement upsert,
      db->Prepare("INSERT INTO flow_files(source, path, records, nodata, skipdata, "
                  "rejected_lines) VALUES(?,?,?,?,?,?) ON CONFLICT(path) DO UPDATE SET "
                  "source=excluded.source, records=excluded.records, nodata=excluded.nodata, "
                  "skipdata=excluded.skipdata, rejected_lines=excluded.rejected_lines "
                  "RETURNING id"));
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db->Prepare("INSERT INTO flows(file_id, hour, interface, src, dst, "
                                     "class, consumer, bytes, packets) VALUES(?,?,?,?,?,?,?,?,?)"));
  for (const FlowFile& file : files) {
    const FlowFileSummary& s = file.summary;
    old_hours.BindText(1, s.file);
    for (;;) {
      TALLY_ASSIGN_OR_RETURN(bool row, old_hours.Step());
      if (!row) break;
      hours.insert(old_hours.Int(0));
    }
    old_hours.Reset();
    del.BindText(1, s.file);
    TALLY_RETURN_IF_ERROR(del.Run());
    upsert.BindText(1, s.source);
    upsert.BindText(2, s.file);
    upsert.BindInt(3, s.records);
    upsert.BindInt(4, s.nodata);
    upsert.BindInt(5, s.skipdata);
    upsert.BindInt(6, s.rejected_lines);
    TALLY_ASSIGN_OR_RETURN(bool got, upsert.Step());
    if (!got) return Internal("sqlite: flow file upsert returned no id");
    const int64_t file_id = upsert.Int(0);
    upsert.Reset();
    for (const FlowRow& f : file.rows) {
      insert.BindInt(1, file_id);
      insert.BindInt(2, f.hour.unix_seconds());
      insert.BindText(3, file.names.at(f.interface_id));
      insert.BindText(4, file.names.at(f.src));
      insert.BindText(5, file.names.at(f.dst));
      insert.BindText(6, file.names.at(f.flow_class));
      insert.BindText(7, file.names.at(f.consumer));
      insert.BindInt(8, f.bytes);
      insert.BindInt(9, f.packets);
      TALLY_RETURN_IF_ERROR(insert.Run());
      hours.insert(f.hour.unix_seconds());
    }
  }
  TALLY_RETURN_IF_ERROR(txn->Commit());
  std::vector<Timestamp> out;
  for (int64_t h : hours) out.push_back(Timestamp::FromUnixSeconds(h));
  return out;
}

Status ScanFlows(SqliteDb* db, std::optional<Timestamp> from, std::optional<Timestamp> to,
                 const std::function<Status(const FlowAggregate&)>& each) {
  // Row by row, as stored: the callers sum what they group by (sorting millions of rows here
  // to merge the few that two files share cost more than it saves).
  TALLY_ASSIGN_OR_RETURN(
      Statement q,
      db->Prepare("SELECT hour, interface, src, dst, class, consumer, bytes, packets "
                  "FROM flows WHERE hour >= ? AND hour < ?"));
  q.BindInt(1, from ? from->unix_seconds() : INT64_MIN);
  q.BindInt(2, to ? to->unix_seconds() : INT64_MAX);
  FlowAggregate f;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    f.hour = Timestamp::FromUnixSeconds(q.Int(0));
    f.interface_id = q.Text(1);
    f.src = q.Text(2);
    f.dst = q.Text(3);
    f.flow_class = q.Text(4);
    f.consumer = q.Text(5);
    f.bytes = q.Int(6);
    f.packets = q.Int(7);
    TALLY_RETURN_IF_ERROR(each(f));
  }
  return Status::Ok();
}

}  // namespace tally::sqlite
