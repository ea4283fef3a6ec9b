#include "ingest/telemetry/slurm/slurm_nodes.h"

#include <charconv>
#include <map>

#include "common/strings.h"

namespace tally {
namespace {

std::optional<int64_t> Count(std::string_view text) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  return n;  // a trailing "+" (sinfo's "4+" for mixed counts) is ignored
}

}  // namespace

int64_t GpusInGres(std::string_view gres) {
  int64_t gpus = 0;
  for (std::string item : SplitList(gres, ',')) {
    if (const size_t paren = item.find('('); paren != std::string::npos) item.resize(paren);
    if (!item.starts_with("gpu")) continue;
    const size_t colon = item.rfind(':');
    if (colon == std::string::npos) continue;
    gpus += Count(std::string_view(item).substr(colon + 1)).value_or(0);
  }
  return gpus;
}

Result<std::vector<SlurmNode>> ParseSinfoNodes(std::string_view text) {
  std::map<std::string, SlurmNode> nodes;
  int64_t number = 0;
  for (const std::string& raw : SplitList(text, '\n')) {
    ++number;
    const std::vector<std::string> f = SplitFields(raw, '|');
    if (f.size() != 4 || f[0].empty()) {
      return InvalidArgument("sinfo line " + std::to_string(number) + ": expected " +
                             kSinfoNodeFormat + ", got \"" + raw.substr(0, 200) + "\"");
    }
    auto cpus = Count(Trim(f[1])), memory = Count(Trim(f[2]));
    if (!cpus || !memory) {
      return InvalidArgument("sinfo line " + std::to_string(number) + ": bad CPUs or memory");
    }
    nodes[f[0]] = SlurmNode{f[0], *cpus, *memory, GpusInGres(f[3])};
  }
  std::vector<SlurmNode> out;
  for (auto& [name, node] : nodes) out.push_back(std::move(node));
  return out;
}

}  // namespace tally
