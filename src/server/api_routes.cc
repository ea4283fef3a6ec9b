#include "server/api_routes.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "common/strings.h"
#include "report/allocation_views.h"
#include "report/cost_report.h"
#include "report/usage_report.h"
#include "report/gpu_report.h"
#include "report/output_format.h"
#include "report/showback.h"
#include "server/metrics_exporter.h"

namespace tally {
namespace {

using Json = nlohmann::ordered_json;

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

Status ParseWindow(const httplib::Request& req, std::optional<Timestamp>* from,
                   std::optional<Timestamp>* to) {
  return ParseWindowBounds(Param(req, "from"), Param(req, "to"), "", from, to);
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
constexpr size_t kMaxGroupKeys = 8;
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

// A page of a long answer: `limit` rows (default 10,000, at most 100,000) from `cursor` (the
// next_cursor of the previous page).
struct Page {
  size_t offset = 0;
  size_t limit = 10'000;
};

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
void AddPaging(Json* data, size_t total_rows, Json next_cursor) {
  (*data)["total_rows"] = total_rows;
  (*data)["next_cursor"] = std::move(next_cursor);
}

void Costs(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  CostQuery query;
  auto by = GroupBy(req, "");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  for (const std::string& name : *by) {
    auto key = GroupKey::Parse(name);
    if (!key.ok()) return ReplyError(res, 400, key.status().message());
    query.group_by.push_back(std::move(*key));
  }
  if (const std::string metric = Param(req, "metric"); !metric.empty()) {
    auto parsed = ParseCostMetric(metric);
    if (!parsed.ok()) return ReplyError(res, 400, parsed.status().message());
    query.metric = *parsed;
  }
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto step = ParseCostStep(Param(req, "step"));
  if (!step.ok()) return ReplyError(res, 400, step.status().message());
  query.step = *step;
  const size_t filters = req.get_param_value_count("where");
  if (filters > kMaxGroupKeys) {
    return ReplyError(res, 400, "where: at most " + std::to_string(kMaxGroupKeys) + " filters");
  }
  for (size_t i = 0; i < filters; ++i) {
    auto filter = CostFilter::Parse(req.get_param_value("where", i));
    if (!filter.ok()) return ReplyError(res, 400, filter.status().message());
    query.where.push_back(std::move(*filter));
  }
  if (const std::string top = Param(req, "top"); !top.empty()) {
    auto [end, ec] = std::from_chars(top.data(), top.data() + top.size(), query.top);
    if (ec != std::errc() || end != top.data() + top.size()) {
      return ReplyError(res, 400, "top: \"" + top + "\" is not a whole number");
    }
  }
  auto table = Locked<CostTable>(ctx, res, [&] { return QueryCostTable(ctx.store, query); });
  if (!table) return;
  const size_t total_rows = table->rows.size();
  Json next = TakePage(*page, &table->rows);
  Json data = Json::parse(RenderCostTable(*table, OutputFormat::kJson));
  AddPaging(&data, total_rows, std::move(next));
  data["warnings"] = CostTableWarnings(query, *table);
  ReplySuccess(res, std::move(data));
}

// Prometheus scrapes it every few seconds from many replicas: answered from the cache until the
// data changes, like the dashboard's questions.
void Metrics(const ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto text = Locked<std::string>(ctx, res, [&] { return RenderMetrics(ctx.store); });
  if (!text) return;
  res.status = 200;
  res.set_content(*text, "text/plain; version=0.0.4; charset=utf-8");
}

void Usage(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  UsageQuery query;
  auto by = GroupBy(req, "");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  for (const std::string& name : *by) {
    auto key = UsageGroupKey::Parse(name);
    if (!key.ok()) return ReplyError(res, 400, key.status().message());
    if (key->kind == UsageGroupKey::Kind::kResource || key->kind == UsageGroupKey::Kind::kUnit) {
      continue;
    }
    query.group_by.push_back(std::move(*key));
  }
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto table = Locked<UsageTable>(ctx, res, [&] { return QueryUsage(*ctx.store, query); });
  if (!table) return;
  const size_t total_rows = table->rows.size();
  Json next = TakePage(*page, &table->rows);
  Json rows = Json::array();
  for (const UsageRow& row : table->rows) {
    Json r = Json::object();
    for (size_t i = 0; i < row.keys.size(); ++i) r[table->columns[i]] = row.keys[i];
    r["request"] = row.request.ToString();
    r["usage"] = row.usage.ToString();
    rows.push_back(std::move(r));
  }
  Json data{{"columns", table->columns}, {"rows", std::move(rows)}};
  AddPaging(&data, total_rows, std::move(next));
  ReplySuccess(res, std::move(data));
}

// Showback; with step=1h or 1d, one time series per group.
void Showback(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  ShowbackQuery query;
  auto by = GroupBy(req, "owner");
  if (!by.ok()) return ReplyError(res, 400, by.status().message());
  auto keys = ParseShowbackKeys(*by);
  if (!keys.ok()) return ReplyError(res, 400, "by: " + keys.status().message());
  query.group_by = std::move(*keys);
  auto page = ParsePage(req);
  if (!page.ok()) return ReplyError(res, 400, page.status().message());
  const std::string step = Param(req, "step");
  if (!step.empty() && step != "1h" && step != "1d") {
    return ReplyError(res, 400, "step must be 1h or 1d");
  }
  Status window = ParseWindow(req, &query.from, &query.to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  if (step.empty()) {
    auto table = Locked<ShowbackTable>(ctx, res, [&] { return QueryShowback(*ctx.store, query); });
    if (!table) return;
    const size_t total_rows = table->rows.size();
    Json next = TakePage(*page, &table->rows);
    Json data = ShowbackJson(*table);
    AddPaging(&data, total_rows, std::move(next));
    return ReplySuccess(res, std::move(data));
  }
  for (const ShowbackKey& k : query.group_by) {
    if (k == ShowbackKey::Of(AllocationColumn::kHour) ||
        k == ShowbackKey::Of(AllocationColumn::kDay)) {
      return ReplyError(res, 400, "by: with step, time is the series' axis, not a group key");
    }
  }
  const std::vector<std::string> names = *by;
  // Days read the daily rollup.
  query.group_by.push_back(
      ShowbackKey::Of(step == "1d" ? AllocationColumn::kDay : AllocationColumn::kHour));
  auto table = Locked<ShowbackTable>(ctx, res, [&] { return QueryShowback(*ctx.store, query); });
  if (!table) return;
  std::map<std::vector<std::string>, std::map<std::string, Decimal>> series;
  for (const ShowbackRow& row : table->rows) {
    std::vector<std::string> key(row.keys.begin(), row.keys.end() - 1);
    const std::string& t = row.keys.back();
    series[key][step == "1d" ? t + "T00:00:00Z" : t] += row.cost;
  }
  std::vector<std::pair<std::vector<std::string>, std::map<std::string, Decimal>>> groups(
      std::make_move_iterator(series.begin()), std::make_move_iterator(series.end()));
  const size_t total_rows = groups.size();
  Json next = TakePage(*page, &groups);
  Json out = Json::array();
  for (const auto& [key, points] : groups) {
    Json k = Json::object();
    for (size_t i = 0; i < names.size(); ++i) k[names[i]] = key[i];
    Json p = Json::array();
    for (const auto& [t, cost] : points) p.push_back(Json::array({t, cost.ToString()}));
    out.push_back(Json{{"key", std::move(k)}, {"points", std::move(p)}});
  }
  Json data{{"step", step}, {"series", std::move(out)}, {"total", table->total.ToString()}};
  AddPaging(&data, total_rows, std::move(next));
  ReplySuccess(res, std::move(data));
}

void Reconcile(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindow(req, &from, &to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto rows =
      Locked<std::vector<ReconcileRow>>(ctx, res, [&] { return tally::Reconcile(*ctx.store, from, to); });
  if (!rows) return;
  auto missing = Locked<std::vector<Timestamp>>(
      ctx, res, [&] { return ctx.store->UnallocatedBillHours(from, to); });
  if (!missing) return;
  Json data = Json::parse(RenderRecordTable(ReconcileRecordTable(*rows), OutputFormat::kJson));
  bool exact = true;
  for (const ReconcileRow& r : *rows) exact &= r.difference().is_zero();
  // Hours with bill cost but no current allocation are missing from the figures.
  data["unallocated_hours"] = missing->size();
  data["exact"] = exact && !rows->empty() && missing->empty();
  ReplySuccess(res, std::move(data));
}

void Gpu(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindow(req, &from, &to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto report = Locked<GpuReport>(ctx, res, [&] { return BuildGpuReport(*ctx.store, from, to); });
  if (report) ReplySuccess(res, GpuReportJson(*report));
}

void Sources(const ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto sources = Locked<std::vector<UsageSourceRecord>>(
      ctx, res, [&] { return ctx.store->ListUsageSources(); });
  if (!sources) return;
  auto ingests =
      Locked<std::vector<IngestRecord>>(ctx, res, [&] { return ctx.store->ListIngests(20); });
  if (!ingests) return;
  auto window =
      Locked<std::optional<TimeWindow>>(ctx, res, [&] { return ctx.store->DataWindow(); });
  if (!window) return;
  auto allocation =
      Locked<AllocationStatus>(ctx, res, [&] { return ctx.store->GetAllocationStatus(); });
  if (!allocation) return;
  Json usage = Json::array();
  for (const UsageSourceRecord& s : *sources) {
    usage.push_back(Json{{"name", s.name},
                         {"complete_hours", s.complete_hours},
                         {"facts", s.facts},
                         {"first_hour", Optional(s.first_hour)},
                         {"last_hour", Optional(s.last_hour)},
                         {"last_run", Optional(s.last_run)},
                         {"last_error", s.last_error}});
  }
  Json bills = Json::array();
  for (const IngestRecord& r : *ingests) {
    bills.push_back(Json{{"id", r.id},
                         {"format", r.format},
                         {"committed_at", r.committed_at.ToString()},
                         {"files", r.files},
                         {"rows", r.rows_stored},
                         {"problems", r.problems}});
  }
  Json config = nullptr;
  if (ctx.config != nullptr) {
    const ConfigState state = ctx.config->state();
    config = Json{{"path", state.path},
                  {"digest", state.digest},
                  {"loaded_at", Optional(state.loaded_at)},
                  {"error", state.error},
                  {"error_at", Optional(state.error_at)}};
  }
  Json data_window = nullptr;
  if (*window) {
    data_window = Json{{"from", (*window)->start.ToString()}, {"to", (*window)->end.ToString()}};
  }
  ReplySuccess(res, Json{{"window", std::move(data_window)},
                         {"allocation", Json{{"allocated_hours", allocation->allocated_hours},
                                             {"dirty_hours", allocation->dirty_hours},
                                             {"first_hour", Optional(allocation->first_hour)},
                                             {"last_hour", Optional(allocation->last_hour)}}},
                         {"usage", std::move(usage)},
                         {"ingests", std::move(bills)},
                         {"config", std::move(config)}});
}

void Assets(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::optional<Timestamp> from, to;
  Status window = ParseWindow(req, &from, &to);
  if (!window.ok()) return ReplyError(res, 400, window.message());
  auto assets =
      Locked<std::vector<AssetRecord>>(ctx, res, [&] { return ctx.store->ListAssets(from, to); });
  if (!assets) return;
  Json out = Json::array();
  for (const AssetRecord& a : *assets) {
    Json capacity = Json::object();
    for (const auto& [resource, amount] : a.capacity) capacity[resource] = amount.ToString();
    out.push_back(Json{{"name", a.asset.name},
                       {"provider_id", a.asset.provider_id},
                       {"instance_type", a.asset.instance_type},
                       {"zone", a.asset.zone},
                       {"labels", a.asset.labels},
                       {"capacity_hours", std::move(capacity)}});
  }
  ReplySuccess(res, std::move(out));
}

}  // namespace

void ReplySuccess(httplib::Response& res, Json data) {
  res.status = 200;
  res.set_content(Json{{"status", "success"}, {"data", std::move(data)}}.dump(
                      -1, ' ', false, Json::error_handler_t::replace),
                  "application/json");
}

void ReplyError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(Json{{"status", "error"}, {"error", message}}.dump(
                      -1, ' ', false, Json::error_handler_t::replace),
                  "application/json");
}

std::optional<ResponseCache::Answer> ResponseCache::Find(const std::string& key,
                                                         int64_t version) {
  std::lock_guard lock(mu_);
  if (version != version_) {
    bodies_.clear();
    bytes_ = 0;
    version_ = version;
    return std::nullopt;
  }
  auto it = bodies_.find(key);
  if (it == bodies_.end()) return std::nullopt;
  return it->second;
}

void ResponseCache::Put(const std::string& key, int64_t version, Answer answer) {
  std::lock_guard lock(mu_);
  if (version != version_) return;
  // Bounded in count and bytes: the dashboard asks a handful of questions; anything past that
  // starts the cache over.
  constexpr size_t kMaxBytes = 256u << 20;
  if (bodies_.size() >= 1000 || bytes_ + answer.body.size() > kMaxBytes) {
    bodies_.clear();
    bytes_ = 0;
  }
  bytes_ += answer.body.size();
  bodies_[key] = std::move(answer);
}

std::vector<ApiRoute> ApiRoutes(ApiContext ctx) {
  const ApiParam from{"from", "first hour, inclusive (RFC 3339 or a date)"};
  const ApiParam to{"to", "end, exclusive"};
  // Serves a JSON answer from the cache while the store has not changed.
  auto bind = [ctx](void (*f)(const ApiContext&, const httplib::Request&, httplib::Response&)) {
    return [ctx, f](const httplib::Request& req, httplib::Response& res) {
      if (ctx.cache == nullptr) return f(ctx, req, res);
      std::string key = req.path;
      for (const auto& [name, value] : req.params) key += "&" + name + "=" + value;
      if (ctx.config != nullptr) key += "#config=" + std::to_string(ctx.config->state().generation);
      Result<int64_t> version = [&] {
        std::lock_guard lock(*ctx.store_mu);
        return ctx.store->DataVersion();
      }();
      if (version.ok()) {
        if (auto answer = ctx.cache->Find(key, *version)) {
          res.set_content(answer->body, answer->content_type);
          return;
        }
      }
      // One computation at a time: 50 clients missing together wait for the first answer
      // instead of each scanning the store.
      std::lock_guard compute(ctx.cache->compute_mu());
      if (version.ok()) {
        if (auto answer = ctx.cache->Find(key, *version)) {
          res.set_content(answer->body, answer->content_type);
          return;
        }
      }
      f(ctx, req, res);
      if (version.ok() && res.status == 200) {
        ctx.cache->Put(key, *version, {res.body, res.get_header_value("Content-Type")});
      }
    };
  };
  return {
      {"GET",
       "/api/v1/costs",
       "cost lines summed and grouped, as `tally costs`",
       {{"by", "FOCUS columns, Tags.<key> or x_ columns, comma-separated"},
        {"metric", "EffectiveCost (default), BilledCost, ListCost or ContractedCost"},
        {"step", "hour, day or month: a time series per group"},
        {"where", "COLUMN%3DVALUE[,VALUE...] keeps lines with one of the values; repeatable"},
        {"top", "keep the N costliest groups, the rest summed as one (other) row"},
        from,
        to},
       bind(Costs)},
      {"GET",
       "/api/v1/usage",
       "usage amount-hours grouped, as `tally usage`",
       {{"by",
         "consumer, namespace, pod, container, controller, node, source, day, hour, "
         "label.<key>"},
        from,
        to},
       bind(Usage)},
      {"GET",
       "/api/v1/showback",
       "allocated cost grouped, as `tally report showback`",
       {{"by",
         "owner (default), consumer, asset, resource, service, source, kind, namespace, "
         "hour, day, label.<key>"},
        {"step", "1h or 1d: a time series per group"},
        from,
        to},
       bind(Showback)},
      {"GET",
       "/api/v1/reconcile",
       "bill = allocated + idle + unallocated per source",
       {from, to},
       bind(Reconcile)},
      {"GET",
       "/api/v1/owners",
       "allocated cost per owner, as showback by owner",
       {from, to},
       [ctx](const httplib::Request& req, httplib::Response& res) {
         httplib::Request by_owner = req;
         by_owner.params.erase("by");
         by_owner.params.emplace("by", "owner");
         Showback(ctx, by_owner, res);
       }},
      {"GET",
       "/api/v1/gpu",
       "GPU capacity, requested and used GPU-hours, utilization and cost per node, consumer "
       "and day",
       {from, to},
       bind(Gpu)},
      {"GET",
       "/api/v1/sources",
       "the data's time window; allocation progress; each usage source's hours, last run and "
       "error; recent ingests",
       {},
       bind(Sources)},
      {"GET",
       "/api/v1/assets",
       "assets with identity and capacity-hours",
       {from, to},
       bind(Assets)},
      {"GET",
       "/api/v1/version",
       "the store's data version: it changes whenever data changes (the dashboard polls it to "
       "refresh without a reload)",
       {},
       [ctx](const httplib::Request&, httplib::Response& res) {
         auto version = Locked<int64_t>(ctx, res, [&] { return ctx.store->DataVersion(); });
         if (version) ReplySuccess(res, Json{{"version", *version}});
       }},
      {"GET",
       "/metrics",
       "Prometheus text: OpenCost-compatible node and container series, and tally_* series",
       {},
       bind(Metrics)},
  };
}

Json OpenApiDocument(const std::vector<ApiRoute>& routes) {
  Json paths = Json::object();
  auto add = [&](const char* method, const char* path, const char* summary,
                 const std::vector<ApiParam>& params) {
    Json parameters = Json::array();
    for (const ApiParam& p : params) {
      parameters.push_back(Json{{"name", p.name},
                                {"in", "query"},
                                {"required", false},
                                {"description", p.description},
                                {"schema", Json{{"type", "string"}}}});
    }
    std::string m = method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path][m] = Json{{"summary", summary},
                          {"parameters", std::move(parameters)},
                          {"responses", Json{{"200", Json{{"description", "success envelope"}}},
                                             {"400", Json{{"description", "bad parameters"}}}}}};
  };
  for (const ApiRoute& r : routes) add(r.method, r.path, r.summary, r.params);
  add("GET", "/healthz", "liveness", {});
  add("GET", "/readyz", "readiness: the store answers", {});
  add("POST", "/api/v1/write", "Prometheus remote_write (snappy protobuf WriteRequest)", {});
  add("GET", "/api/v1/remote-write", "remote_write receiver counters", {});
  add("GET", "/api/v1/openapi.json", "this document", {});
  return Json{{"openapi", "3.0.3"},
              {"info", Json{{"title", "tally API"}, {"version", "0.1.0"}}},
              {"paths", std::move(paths)}};
}

}  // namespace tally
