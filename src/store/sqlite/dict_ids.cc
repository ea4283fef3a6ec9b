#include "store/sqlite/dict_ids.h"

namespace tally::sqlite {

void DictIds::Remember(std::string_view text, int64_t id) {
  if (cache_bytes_ > max_cache_bytes_) {
    ids_.clear();
    texts_.clear();
    cache_bytes_ = 0;
  }
  ids_.emplace(std::string(text), id);
  texts_.emplace(id, std::string(text));
  cache_bytes_ += 2 * text.size() + 64;  // both maps, plus their nodes
}

Result<int64_t> DictIds::Id(std::string_view text) {
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  if (!insert_) {
    TALLY_ASSIGN_OR_RETURN(insert_, db_->Prepare("INSERT OR IGNORE INTO dict(value) VALUES(?)"));
  }
  insert_->BindText(1, text);
  TALLY_RETURN_IF_ERROR(insert_->Run());
  int64_t id = db_->LastInsertRowId();
  if (db_->Changes() == 0) {
    if (!find_id_) {
      TALLY_ASSIGN_OR_RETURN(find_id_, db_->Prepare("SELECT id FROM dict WHERE value = ?"));
    }
    find_id_->BindText(1, text);
    TALLY_ASSIGN_OR_RETURN(bool found, find_id_->Step());
    id = found ? find_id_->Int(0) : 0;
    find_id_->Reset();
    if (!found) return Internal("sqlite: dict value vanished");
  }
  Remember(text, id);
  return id;
}

Result<std::string> DictIds::Text(int64_t id) {
  if (auto it = texts_.find(id); it != texts_.end()) return it->second;
  if (!find_text_) {
    TALLY_ASSIGN_OR_RETURN(find_text_, db_->Prepare("SELECT value FROM dict WHERE id = ?"));
  }
  find_text_->BindInt(1, id);
  TALLY_ASSIGN_OR_RETURN(bool found, find_text_->Step());
  std::string text = found ? std::string(find_text_->Text(0)) : "";
  find_text_->Reset();
  if (found) Remember(text, id);
  return text;
}

}  // namespace tally::sqlite
