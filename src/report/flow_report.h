// The flows report (`tally flows`, GET /api/v1/flows): stored network flows in a window, bytes
// and packets summed by interface, class, source or destination address, consumer or owner (any
// of them, comma-separated), sorted by bytes, most first. Flows nobody is named for are
// consumer and owner "__unattributed__".
//
// Stateless; runs on the caller's thread through the Store interface.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "report/record_table.h"
#include "tally/store.h"

namespace tally {

enum class FlowKey { kInterface, kClass, kSrc, kDst, kConsumer, kOwner };

inline constexpr std::string_view kUnattributed = "__unattributed__";

// "interface,class" -> keys. Errors: kInvalidArgument naming the keys there are.
Result<std::vector<FlowKey>> ParseFlowKeys(std::string_view by);

struct FlowQuery {
  std::vector<FlowKey> by;
  std::optional<Timestamp> from, to;
};

// Columns: the keys (interface, class, src, dst, consumer, owner), then bytes and packets.
// Owners come from `config`'s ownership rules over the consumers' stored labels.
Result<RecordTable> QueryFlows(Store& store, const Config& config, const FlowQuery& query);

}  // namespace tally
