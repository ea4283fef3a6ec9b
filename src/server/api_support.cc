#include "server/api_support.h"

#include <charconv>

#include "common/strings.h"

namespace tally {

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

Status ParseWindow(const httplib::Request& req, std::optional<Timestamp>* from,
                   std::optional<Timestamp>* to) {
  return ParseWindowBounds(Param(req, "from"), Param(req, "to"), "", from, to);
}

std::shared_ptr<const Config> RunningConfig(const ApiContext& ctx) {
  return ctx.config != nullptr ? ctx.config->running()
                               : std::make_shared<const Config>(DefaultConfig());
}

Json Optional(const std::optional<Timestamp>& t) { return t ? Json(t->ToString()) : Json(nullptr); }

int ErrorStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnavailable:  // past the request's time budget, or the store is busy
      return 503;
    default:
      return 500;
  }
}

Result<std::vector<std::string>> GroupBy(const httplib::Request& req, std::string_view fallback) {
  const std::string by = Param(req, "by");
  std::vector<std::string> keys = SplitList(by.empty() ? std::string(fallback) : by, ',');
  if (keys.size() > kMaxGroupKeys) {
    return InvalidArgument("by: at most " + std::to_string(kMaxGroupKeys) + " keys, not " +
                           std::to_string(keys.size()));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (keys[i] == keys[j]) return InvalidArgument("by: \"" + keys[i] + "\" is named twice");
    }
  }
  return keys;
}

Result<Page> ParsePage(const httplib::Request& req) {
  Page page;
  auto number = [&](const char* name, size_t max, size_t* out) -> Status {
    const std::string text = Param(req, name);
    if (text.empty()) return Status::Ok();
    size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) {
      return InvalidArgument(std::string(name) + ": \"" + text + "\" is not a whole number up to " +
                             std::to_string(max));
    }
    *out = value;
    return Status::Ok();
  };
  TALLY_RETURN_IF_ERROR(number("limit", 100'000, &page.limit));
  if (page.limit == 0) return InvalidArgument("limit: must be at least 1");
  TALLY_RETURN_IF_ERROR(number("cursor", SIZE_MAX / 2, &page.offset));
  return page;
}

void AddPaging(Json* data, size_t total_rows, Json next_cursor) {
  (*data)["total_rows"] = total_rows;
  (*data)["next_cursor"] = std::move(next_cursor);
}

void ReplyPage(httplib::Response& res, const Page& page, Json data) {
  std::vector<Json> rows = data["rows"].get<std::vector<Json>>();
  const size_t total = rows.size();
  Json next = TakePage(page, &rows);
  data["rows"] = std::move(rows);
  AddPaging(&data, total, std::move(next));
  ReplySuccess(res, std::move(data));
}

}  // namespace tally
