// Slurm nodes as assets with capacity, from `sinfo -N -h -o '%N|%c|%m|%G'` (name, CPUs, real
// memory in MiB, generic resources such as "gpu:4" or "gpu:a100:4(S:0-1)").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tally/decimal.h"
#include "tally/result.h"

namespace tally {

struct SlurmNode {
  std::string name;
  int64_t cpus = 0;
  int64_t memory_mib = 0;
  int64_t gpus = 0;
};

// The sinfo format the reader expects.
inline constexpr const char* kSinfoNodeFormat = "%N|%c|%m|%G";

// One node per name (sinfo repeats a node once per partition). Errors: a line without four
// fields or with an unreadable number, naming the line.
Result<std::vector<SlurmNode>> ParseSinfoNodes(std::string_view text);

// The GPUs in a gres string: "gpu:4", "gpu:a100:2(S:0),gpu:v100:1", "(null)" -> 4, 3, 0.
int64_t GpusInGres(std::string_view gres);

}  // namespace tally
