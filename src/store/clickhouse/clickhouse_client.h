// The ClickHouse store's connection: the URL that names a cluster, and queries and inserts over
// ClickHouse's HTTP interface (libcurl, through common/http_client).
//
//   clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME&user=U&password=P&companion=PATH]
//
// One endpoint per shard, each its HTTP port: tally creates the tables on each (18.16 has no
// distributed DDL without ZooKeeper) and inserts into the shard a row belongs to; reads go to the
// first endpoint, through Distributed tables over `cluster`. Without `cluster`, one endpoint is
// the whole store. `companion` is the SQLite file of the small mutable state (docs/store.md).
//
// Not thread-safe: one client per store connection.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_client.h"
#include "tally/result.h"

namespace tally::clickhouse {

struct ClickHouseUrl {
  std::vector<std::string> endpoints;  // "host:port", one per shard
  std::string database;
  std::string cluster;  // "" for one server
  std::string user = "default";
  std::string password;
  std::string companion;  // default: tally-companion-<database>.db in the current directory

  // Errors: kInvalidArgument naming what is wrong (never the password).
  static Result<ClickHouseUrl> Parse(std::string_view url);
  // The URL without its password, for messages.
  std::string Redacted() const;
};

class ClickHouseClient {
 public:
  explicit ClickHouseClient(ClickHouseUrl url);

  const ClickHouseUrl& url() const { return url_; }
  size_t shards() const { return url_.endpoints.size(); }

  // Runs `sql` on shard `shard` (reads: shard 0, through the Distributed tables) and returns
  // the answer's body. Errors: kUnavailable when the server cannot be reached or refuses the
  // query, with ClickHouse's message. `in_database`: names resolve in the URL's database (false
  // for the statement that creates it).
  Result<std::string> Query(size_t shard, const std::string& sql, bool in_database = true);
  // INSERT INTO `table` FORMAT TabSeparated, `rows` being the body.
  Status Insert(size_t shard, const std::string& table, const std::string& rows);

  // Work still running past `deadline` stops with kUnavailable (Store::SetDeadline).
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    deadline_ = deadline;
  }

 private:
  Result<std::string> Post(size_t shard, const std::string& params, const std::string& body);

  ClickHouseUrl url_;
  HttpClient http_;
  std::string authorization_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

}  // namespace tally::clickhouse
