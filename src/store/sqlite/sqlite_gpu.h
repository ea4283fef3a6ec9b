// Physical GPUs in the SQLite store: the newest reading of each (table gpu_devices, keyed by host
// and UUID, the reading as model/gpu_device_json.h writes it). A reading older than the stored
// one of its device is ignored, so files ingested out of order keep the newest.
//
// Stateless. Runs on the caller's connection.
#pragma once

#include <span>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "tally/gpu.h"

namespace tally::sqlite {

// Errors: kInvalidArgument for a device without a UUID (nothing is stored then).
Result<int64_t> StoreGpuReadings(SqliteDb* db, std::span<const GpuDevice> devices,
                                 Timestamp default_time);
// By host, then UUID.
Result<std::vector<GpuDevice>> ListGpuDevices(SqliteDb* db);

}  // namespace tally::sqlite
