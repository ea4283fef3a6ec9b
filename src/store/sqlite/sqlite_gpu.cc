#include "store/sqlite/sqlite_gpu.h"

#include "model/gpu_device_json.h"

namespace tally::sqlite {

Result<int64_t> StoreGpuReadings(SqliteDb* db, std::span<const GpuDevice> devices,
                                 Timestamp default_time) {
  for (const GpuDevice& d : devices) {
    if (d.uuid.empty()) {
      return InvalidArgument("a GPU of " + (d.host.empty() ? std::string("?") : d.host) +
                             " has no UUID");
    }
  }
  TALLY_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  TALLY_ASSIGN_OR_RETURN(
      Statement put,
      db->Prepare("INSERT INTO gpu_devices(host, uuid, observed_at, reading) VALUES(?, ?, ?, ?) "
                  "ON CONFLICT(host, uuid) DO UPDATE SET observed_at = excluded.observed_at, "
                  "reading = excluded.reading WHERE excluded.observed_at >= observed_at"));
  int64_t stored = 0;
  for (GpuDevice d : devices) {
    if (!d.observed_at) d.observed_at = default_time;
    const std::string reading = GpuDeviceJson(d).dump(-1, ' ', false,
                                                      nlohmann::json::error_handler_t::replace);
    put.BindText(1, d.host);
    put.BindText(2, d.uuid);
    put.BindInt(3, d.observed_at->unix_seconds());
    put.BindText(4, reading);
    TALLY_RETURN_IF_ERROR(put.Run());
    stored += db->Changes();
  }
  TALLY_RETURN_IF_ERROR(txn->Commit());
  return stored;
}

Result<std::vector<GpuDevice>> ListGpuDevices(SqliteDb* db) {
  TALLY_ASSIGN_OR_RETURN(Statement q,
                         db->Prepare("SELECT reading FROM gpu_devices ORDER BY host, uuid"));
  std::vector<GpuDevice> out;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    TALLY_ASSIGN_OR_RETURN(GpuDevice d, GpuDeviceFromJson(q.Text(0)));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tally::sqlite
