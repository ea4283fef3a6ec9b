// What every API handler shares: parameter parsing (window, group keys, paging), the store
// lock with the request's time budget, paging of long answers and the JSON envelope. Each
// resource's handler is a file of its own (api_<resource>.cc), declared in api_handlers.h.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api_routes.h"

namespace tally {

using Json = nlohmann::ordered_json;

std::string Param(const httplib::Request& req, const char* name);
// `from` and `to` of the request. Errors: kInvalidArgument.
Status ParseWindow(const httplib::Request& req, std::optional<Timestamp>* from,
                   std::optional<Timestamp>* to);
Json Optional(const std::optional<Timestamp>& t);
// The tally.yaml the server runs under (the defaults without one).
std::shared_ptr<const Config> RunningConfig(const ApiContext& ctx);
// The HTTP status of an error: 400 for bad parameters, 503 past the budget, else 500.
int ErrorStatus(const Status& s);

// Runs `query` under the store lock, within the request's time budget; replies with its error
// or hands the value on.
template <typename T, typename Query>
std::optional<T> Locked(const ApiContext& ctx, httplib::Response& res, Query query) {
  Result<T> result = [&] {
    std::lock_guard lock(*ctx.store_mu);
    ctx.store->SetDeadline(std::chrono::steady_clock::now() + ctx.budget);
    Result<T> answer = query();
    ctx.store->SetDeadline(std::nullopt);
    return answer;
  }();
  if (!result.ok()) {
    ReplyError(res, ErrorStatus(result.status()), result.status().message());
    return std::nullopt;
  }
  return std::move(*result);
}

// The group-by keys of `by`: each at most once, and at most kMaxGroupKeys of them, so that no
// request can ask for a grouping that takes minutes. Errors: kInvalidArgument.
inline constexpr size_t kMaxGroupKeys = 8;
Result<std::vector<std::string>> GroupBy(const httplib::Request& req, std::string_view fallback);

// A page of a long answer: `limit` rows (default 10,000, at most 100,000) from `cursor` (the
// next_cursor of the previous page).
struct Page {
  size_t offset = 0;
  size_t limit = 10'000;
};

// `limit` and `cursor`. Errors: kInvalidArgument.
Result<Page> ParsePage(const httplib::Request& req);

// Keeps the page's rows of `rows` and says where the next page starts (null on the last).
template <typename Row>
Json TakePage(const Page& page, std::vector<Row>* rows) {
  const size_t total = rows->size();
  const size_t begin = std::min(page.offset, total);
  const size_t end = begin + std::min(page.limit, total - begin);
  rows->erase(rows->begin() + static_cast<std::ptrdiff_t>(end), rows->end());
  rows->erase(rows->begin(), rows->begin() + static_cast<std::ptrdiff_t>(begin));
  return end < total ? Json(std::to_string(end)) : Json(nullptr);
}

// Adds the paging fields to an answer.
void AddPaging(Json* data, size_t total_rows, Json next_cursor);
// Replies with `data` whose "rows" array is cut to `page`, with the paging fields.
void ReplyPage(httplib::Response& res, const Page& page, Json data);

}  // namespace tally
