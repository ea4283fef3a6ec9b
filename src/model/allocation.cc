#include "tally/allocation.h"

namespace tally {

std::string_view AllocationKindName(AllocationKind kind) {
  switch (kind) {
    case AllocationKind::kDirect:
      return "direct";
    case AllocationKind::kIdle:
      return "idle";
    case AllocationKind::kUnallocated:
      return "unallocated";
    case AllocationKind::kShared:
      return "shared";
  }
  return "direct";
}

}  // namespace tally
