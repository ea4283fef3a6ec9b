#include "store/clickhouse/clickhouse_client.h"

#include <algorithm>

namespace tally::clickhouse {
namespace {

constexpr double kQuerySeconds = 600;  // one query or insert, without a deadline

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool ValidName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<ClickHouseUrl> ClickHouseUrl::Parse(std::string_view url) {
  constexpr std::string_view kScheme = "clickhouse://";
  if (!url.starts_with(kScheme))
    return InvalidArgument("a ClickHouse store URL starts with clickhouse://");
  std::string_view rest = url.substr(kScheme.size());
  ClickHouseUrl out;
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument("clickhouse://HOST:PORT/DATABASE: the database is missing");
  }
  std::string_view hosts = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  const size_t question = rest.find('?');
  out.database = std::string(rest.substr(0, question));
  if (!ValidName(out.database)) {
    return InvalidArgument("clickhouse://...: the database \"" + out.database +
                           "\" is not a name of letters, digits and _");
  }
  for (size_t start = 0; start <= hosts.size();) {
    const size_t comma = std::min(hosts.find(',', start), hosts.size());
    const std::string_view endpoint = hosts.substr(start, comma - start);
    const size_t colon = endpoint.rfind(':');
    if (endpoint.empty() || colon == std::string_view::npos || colon + 1 == endpoint.size() ||
        !std::all_of(endpoint.begin() + colon + 1, endpoint.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return InvalidArgument("clickhouse://...: \"" + std::string(endpoint) +
                             "\" is not HOST:PORT (the HTTP port, e.g. 8123)");
    }
    out.endpoints.emplace_back(endpoint);
    start = comma + 1;
  }
  if (question != std::string_view::npos) {
    std::string_view query = rest.substr(question + 1);
    for (size_t start = 0; start < query.size();) {
      const size_t amp = std::min(query.find('&', start), query.size());
      const std::string_view pair = query.substr(start, amp - start);
      const size_t eq = pair.find('=');
      const std::string key(pair.substr(0, eq));
      const std::string value =
          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
      if (key == "cluster") {
        if (!ValidName(value)) return InvalidArgument("clickhouse://...: a bad cluster name");
        out.cluster = value;
      } else if (key == "user") {
        out.user = value;
      } else if (key == "password") {
        out.password = value;
      } else if (key == "companion") {
        out.companion = value;
      } else {
        return InvalidArgument("clickhouse://...: unknown parameter \"" + key +
                               "\" (cluster, user, password, companion)");
      }
      start = amp + 1;
    }
  }
  if (out.endpoints.size() > 1 && out.cluster.empty()) {
    return InvalidArgument(
        "clickhouse://...: several endpoints are the shards of a cluster: name it with "
        "?cluster=NAME");
  }
  if (out.companion.empty()) out.companion = "tally-companion-" + out.database + ".db";
  return out;
}

std::string ClickHouseUrl::Redacted() const {
  std::string out = "clickhouse://";
  for (size_t i = 0; i < endpoints.size(); ++i) out += (i ? "," : "") + endpoints[i];
  out += "/" + database;
  if (!cluster.empty()) out += "?cluster=" + cluster;
  return out;
}

ClickHouseClient::ClickHouseClient(ClickHouseUrl url) : url_(std::move(url)) {
  authorization_ = "Authorization: Basic " + Base64(url_.user + ":" + url_.password);
}

Result<std::string> ClickHouseClient::Post(size_t shard, const std::string& params,
                                           const std::string& body) {
  if (shard >= url_.endpoints.size())
    return Internal("clickhouse: no shard " + std::to_string(shard));
  double seconds = kQuerySeconds;
  if (deadline_) {
    seconds = std::chrono::duration<double>(*deadline_ - std::chrono::steady_clock::now()).count();
    if (seconds <= 0) return Unavailable("clickhouse: the deadline passed");
  }
  HttpCall call;
  call.method = "POST";
  // The server stops the query too, not only this client waiting for it.
  call.url = "http://" + url_.endpoints[shard] + "/?" + params + (params.empty() ? "" : "&") +
             "max_execution_time=" + std::to_string(static_cast<int64_t>(seconds) + 1);
  call.body = body;
  call.content_type = "text/plain; charset=UTF-8";
  call.headers = {authorization_};
  call.timeout_seconds = seconds;
  auto answer = http_.Call(call);
  const std::string where = "clickhouse " + url_.endpoints[shard] + ": ";
  if (!answer.ok()) {
    std::string message = answer.status().message();
    // ClickHouse answers a refused query with HTTP 500 and its message: keep the message.
    const size_t code = message.find("Code: ");
    if (code != std::string::npos) message = message.substr(code);
    return Unavailable(where + message);
  }
  if (answer->status != 200) {
    return Unavailable(where + "HTTP " + std::to_string(answer->status) + ": " +
                       answer->body.substr(0, 300));
  }
  return std::move(answer->body);
}

Result<std::string> ClickHouseClient::Query(size_t shard, const std::string& sql,
                                            bool in_database) {
  return Post(shard, in_database ? "database=" + url_.database : "", sql);
}

Status ClickHouseClient::Insert(size_t shard, const std::string& table, const std::string& rows) {
  return Post(shard,
              "database=" + url_.database + "&query=INSERT%20INTO%20" + table +
                  "%20FORMAT%20TabSeparated",
              rows)
      .status();
}

}  // namespace tally::clickhouse
