// OpenStore and OpenAccessStore: pick the backend from the store URL. The list of backends is
// explicit here.
#include <filesystem>

#include "common/strings.h"
#include "store/clickhouse/clickhouse_store.h"
#include "store/sqlite/sqlite_access.h"
#include "store/sqlite/sqlite_store.h"
#include "tally/store.h"

namespace tally {
namespace {

bool IsClickHouse(std::string_view url) { return StartsWithIgnoreCase(url, "clickhouse://"); }

// The SQLite file a store URL names: its own, or a ClickHouse store's companion (tokens, the
// audit log and policy state live there). Errors: kInvalidArgument for another scheme or no
// path.
Result<std::string> SqlitePath(std::string_view url) {
  if (IsClickHouse(url)) {
    TALLY_ASSIGN_OR_RETURN(clickhouse::ClickHouseUrl parsed, clickhouse::ClickHouseUrl::Parse(url));
    return parsed.companion;
  }
  std::string_view path = url;
  if (StartsWithIgnoreCase(url, "sqlite:")) {
    path = url.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);
  } else if (url.find("://") != std::string_view::npos) {
    return InvalidArgument("unknown store \"" + std::string(url) +
                           "\": use sqlite:PATH or clickhouse://HOST:PORT/DATABASE");
  }
  if (path.empty()) return InvalidArgument("store URL \"" + std::string(url) + "\" has no path");
  return std::string(path);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, OpenMode mode) {
  if (IsClickHouse(url)) {
    TALLY_ASSIGN_OR_RETURN(clickhouse::ClickHouseUrl parsed, clickhouse::ClickHouseUrl::Parse(url));
    TALLY_ASSIGN_OR_RETURN(auto store,
                           clickhouse::ClickHouseStore::Open(parsed, mode == OpenMode::kCreate));
    return std::unique_ptr<Store>(std::move(store));
  }
  TALLY_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  std::error_code ec;
  if (mode == OpenMode::kMustExist && !std::filesystem::exists(path, ec)) {
    return NotFound("no store at " + std::string(url) +
                    " (ingest something first, or pass --store)");
  }
  TALLY_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::Open(path));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<PolicyStateStore>> OpenPolicyStateStore(std::string_view url) {
  TALLY_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  TALLY_ASSIGN_OR_RETURN(auto store, sqlite::SqliteAccessStore::Open(path));
  return std::unique_ptr<PolicyStateStore>(std::move(store));
}

Result<std::unique_ptr<AccessStore>> OpenAccessStore(std::string_view url) {
  TALLY_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  TALLY_ASSIGN_OR_RETURN(auto store, sqlite::SqliteAccessStore::Open(path));
  return std::unique_ptr<AccessStore>(std::move(store));
}

}  // namespace tally
