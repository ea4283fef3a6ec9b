// DictIds: text <-> id through the dict table, with a cache, for one connection.
#pragma once

#include <string>
#include <unordered_map>

#include "common/strings.h"
#include "store/sqlite/sqlite_db.h"

namespace tally::sqlite {

class DictIds {
 public:
  explicit DictIds(SqliteDb* db) : db_(db) {}
  // The id of `text`, added when new (inside the caller's write transaction).
  Result<int64_t> Id(std::string_view text);
  // The text of `id`; "" for an unknown id.
  Result<std::string> Text(int64_t id);

 private:
  SqliteDb* db_;
  std::unordered_map<std::string, int64_t, TransparentStringHash, std::equal_to<>> ids_;
  std::unordered_map<int64_t, std::string> texts_;
};

}  // namespace tally::sqlite
