#include "access/caller.h"

#include <algorithm>

#include "common/owner_path.h"

namespace tally {

bool Caller::Sees(std::string_view owner) const {
  if (owners.empty()) return true;
  return std::any_of(owners.begin(), owners.end(),
                     [&](const std::string& root) { return IsOwnerWithin(owner, root); });
}

bool Caller::CanWrite(std::string_view source) const {
  return std::any_of(write_sources.begin(), write_sources.end(),
                     [&](const std::string& s) { return s == "*" || s == source; });
}

}  // namespace tally
