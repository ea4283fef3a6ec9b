#include "access/audit_log.h"

#include "access/token.h"

namespace tally {

std::string AuditHash(const AuditEntry& e) {
  // Length-prefixed fields: no two different entries hash the same text.
  std::string text;
  auto add = [&](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  add(std::to_string(e.seq));
  add(std::to_string(e.at.unix_seconds()));
  add(e.actor);
  add(e.action);
  add(e.target);
  add(e.detail);
  add(e.prev_hash);
  return Sha256Hex(text);
}

std::optional<AuditBreak> AuditChainCheck::Next(const AuditEntry& e) {
  ++seq_;
  if (e.seq != seq_) {
    return AuditBreak{seq_, "entry " + std::to_string(seq_) + " is missing (found " +
                                std::to_string(e.seq) + ")"};
  }
  if (e.prev_hash != prev_) {
    return AuditBreak{e.seq,
                      "entry " + std::to_string(e.seq) + " does not follow the entry before it"};
  }
  if (AuditHash(e) != e.hash) {
    return AuditBreak{e.seq, "entry " + std::to_string(e.seq) +
                                 " was changed after it was written (its hash does not match)"};
  }
  prev_ = e.hash;
  return std::nullopt;
}

}  // namespace tally
