#include "ingest/telemetry/network/vpc_flow_reader.h"

#include <array>
#include <charconv>
#include <span>

#include "common/input_lines.h"

namespace tally {
namespace {

// The fields tally reads, by their position in a record.
struct FieldMap {
  int interface_id = -1, src = -1, dst = -1, packets = -1, bytes = -1, start = -1, end = -1,
      action = -1, log_status = -1;
  size_t count = 0;  // fields a record has
};

// The default format: version account-id interface-id srcaddr dstaddr srcport dstport protocol
// packets bytes start end action log-status.
constexpr FieldMap kDefaultV2{2, 3, 4, 8, 9, 10, 11, 12, 13, 14};

constexpr size_t kMaxFields = 64;
// Flow times tally accepts (unix seconds): a clock or a field gone wrong must not put traffic
// centuries away, where allocation would walk every hour in between.
constexpr int64_t kMinFlowTime = 946'684'800;    // 2000-01-01
constexpr int64_t kMaxFlowTime = 7'258'118'400;  // 2200-01-01

// Splits on runs of spaces (and tabs); returns false past kMaxFields.
bool SplitSpaces(std::string_view line, std::array<std::string_view, kMaxFields>* out,
                 size_t* n) {
  *n = 0;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) break;
    const size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (*n == kMaxFields) return false;
    (*out)[(*n)++] = line.substr(begin, i - begin);
  }
  return true;
}

std::string Normalized(std::string_view name) {
  std::string s(name);
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

// A header line names known fields; a record starts with a number (the version).
bool IsHeader(std::string_view first_field) {
  return !first_field.empty() && (first_field[0] < '0' || first_field[0] > '9') &&
         first_field != "-";
}

Status MapHeader(std::span<const std::string_view> fields, FieldMap* map) {
  *map = FieldMap{};
  map->count = fields.size();
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string name = Normalized(fields[i]);
    const int at = static_cast<int>(i);
    if (name == "interface-id") map->interface_id = at;
    if (name == "srcaddr") map->src = at;
    if (name == "dstaddr") map->dst = at;
    if (name == "packets") map->packets = at;
    if (name == "bytes") map->bytes = at;
    if (name == "start") map->start = at;
    if (name == "end") map->end = at;
    if (name == "action") map->action = at;
    if (name == "log-status") map->log_status = at;
  }
  std::string missing;
  auto need = [&](int at, const char* name) {
    if (at < 0) missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  need(map->src, "srcaddr");
  need(map->dst, "dstaddr");
  need(map->packets, "packets");
  need(map->bytes, "bytes");
  need(map->start, "start");
  if (!missing.empty()) {
    return InvalidArgument("the header names no " + missing +
                           " (a flow record needs srcaddr, dstaddr, packets, bytes and start)");
  }
  return Status::Ok();
}

bool ParseCount(std::string_view text, int64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
}

}  // namespace

Status ReadVpcFlowLog(const std::string& path,
                      const std::function<void(const VpcFlowRecord&)>& record,
                      VpcFlowCounts* counts, std::vector<Diagnostic>* problems) {
  FieldMap map;
  bool have_map = false;
  std::string header_text;
  size_t kept_problems = 0;
  auto problem = [&](int64_t line, std::string reason) {
    ++counts->rejected_lines;
    if (kept_problems++ < kMaxVpcFlowProblems) {
      problems->push_back(Diagnostic{Severity::kError, path, line, "", std::move(reason)});
    }
  };
  std::array<std::string_view, kMaxFields> f;
  Status status = ForEachLine(path, kMaxVpcFlowLine, [&](int64_t number, std::string_view line,
                                                          bool overlong) -> Status {
    ++counts->lines;
    if (overlong) {
      problem(number, "line longer than " + std::to_string(kMaxVpcFlowLine) + " bytes");
      return Status::Ok();
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t n = 0;
    if (!SplitSpaces(line, &f, &n)) {
      problem(number, "more than " + std::to_string(kMaxFields) + " fields");
      return Status::Ok();
    }
    if (n == 0) return Status::Ok();  // a blank line
    if (IsHeader(f[0])) {
      if (have_map && line == header_text) return Status::Ok();  // files concatenated
      if (have_map) {
        problem(number, "a second, different header line");
        return Status::Ok();
      }
      TALLY_RETURN_IF_ERROR(MapHeader(std::span(f.data(), n), &map)
                                .WithContext(path + ": line " + std::to_string(number)));
      header_text = line;
      have_map = true;
      return Status::Ok();
    }
    if (!have_map) {  // no header: the default format
      map = kDefaultV2;
      have_map = true;
    }
    if (n != map.count) {
      problem(number, std::to_string(n) + " fields where the " +
                          (header_text.empty() ? std::string("default format has 14")
                                               : "header names " + std::to_string(map.count)));
      return Status::Ok();
    }
    const std::string_view log_status = map.log_status >= 0 ? f[map.log_status] : "OK";
    if (log_status == "NODATA") {
      ++counts->nodata;
      return Status::Ok();
    }
    if (log_status == "SKIPDATA") {
      ++counts->skipdata;
      return Status::Ok();
    }
    if (log_status != "OK") {
      problem(number, "log-status \"" + std::string(log_status) +
                          "\" is none of OK, NODATA, SKIPDATA");
      return Status::Ok();
    }
    VpcFlowRecord r;
    auto count = [&](int at, const char* name, int64_t* out) {
      if (ParseCount(f[at], out)) return true;
      problem(number, std::string(name) + ": not a count: \"" + std::string(f[at]) + "\"");
      return false;
    };
    if (!count(map.packets, "packets", &r.packets) || !count(map.bytes, "bytes", &r.bytes) ||
        !count(map.start, "start", &r.start)) {
      return Status::Ok();
    }
    r.end = r.start;
    if (map.end >= 0 && !count(map.end, "end", &r.end)) return Status::Ok();
    if (r.end < r.start) {
      problem(number, "end is before start");
      return Status::Ok();
    }
    if (r.start < kMinFlowTime || r.end >= kMaxFlowTime) {
      problem(number, "start or end outside 2000 to 2199: \"" + std::to_string(r.start) + "\"");
      return Status::Ok();
    }
    r.src = f[map.src];
    r.dst = f[map.dst];
    if (map.interface_id >= 0 && f[map.interface_id] != "-") r.interface_id = f[map.interface_id];
    if (map.action >= 0) r.action = f[map.action];
    ++counts->records;
    record(r);
    return Status::Ok();
  });
  return status;
}

}  // namespace tally
