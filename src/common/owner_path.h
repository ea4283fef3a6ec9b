// Owner paths ("ml/training"): a subtree is a path and everything below it.
#pragma once

#include <string_view>

namespace tally {

// Whether owner path `owner` is `root` or below it ("ml/training" is below "ml", "mlops" is not).
inline bool IsOwnerWithin(std::string_view owner, std::string_view root) {
  return owner == root ||
         (owner.size() > root.size() && owner.starts_with(root) && owner[root.size()] == '/');
}

}  // namespace tally
