// DictIds: text <-> id through the dict table, for one connection, with its statements prepared
// once and a cache bounded in bytes (a CUR of millions of distinct resource ids must not keep
// them all in memory). Cost ingest and allocation both use it.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "common/strings.h"
#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

class DictIds {
 public:
  explicit DictIds(SqliteDb* db, size_t max_cache_bytes = 32u << 20)
      : db_(db), max_cache_bytes_(max_cache_bytes) {}
  // The id of `text`, added when new (inside the caller's write transaction). Most values are
  // new in a fresh store, so the insert is tried first and the lookup only when it existed.
  Result<int64_t> Id(std::string_view text);
  // The text of `id`; "" for an unknown id.
  Result<std::string> Text(int64_t id);

 private:
  void Remember(std::string_view text, int64_t id);

  SqliteDb* db_;
  size_t max_cache_bytes_;
  size_t cache_bytes_ = 0;
  std::optional<Statement> insert_, find_id_, find_text_;
  std::unordered_map<std::string, int64_t, TransparentStringHash, std::equal_to<>> ids_;
  std::unordered_map<int64_t, std::string> texts_;
};

}  // namespace tally::sqlite
