#include "store/sqlite/dict_ids.h"

namespace tally::sqlite {

Result<int64_t> DictIds::Id(std::string_view text) {
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  TALLY_ASSIGN_OR_RETURN(Statement insert,
                         db_->Prepare("INSERT OR IGNORE INTO dict(value) VALUES(?)"));
  insert.BindText(1, text);
  TALLY_RETURN_IF_ERROR(insert.Run());
  TALLY_ASSIGN_OR_RETURN(Statement find, db_->Prepare("SELECT id FROM dict WHERE value = ?"));
  find.BindText(1, text);
  TALLY_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return Internal("sqlite: dict value vanished");
  const int64_t id = find.Int(0);
  ids_.emplace(std::string(text), id);
  texts_.emplace(id, std::string(text));
  return id;
}

Result<std::string> DictIds::Text(int64_t id) {
  if (auto it = texts_.find(id); it != texts_.end()) return it->second;
  TALLY_ASSIGN_OR_RETURN(Statement find, db_->Prepare("SELECT value FROM dict WHERE id = ?"));
  find.BindInt(1, id);
  TALLY_ASSIGN_OR_RETURN(bool found, find.Step());
  std::string text = found ? std::string(find.Text(0)) : "";
  texts_.emplace(id, text);
  if (found) ids_.emplace(text, id);
  return text;
}

}  // namespace tally::sqlite
