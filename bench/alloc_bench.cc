// alloc_bench: the allocation engine on a synthetic platform, in memory.
//   alloc_bench [CONSUMERS=50000] [HOURS=720] [THREADS=2]
// 25 consumers per node (8 cores, 32 GiB, $0.384/h billed daily), cpu and memory facts per
// consumer per hour, the team label as owner, one untagged support line. Prints the wall time,
// rows, peak memory, and checks every hour's rows sum to its bill exactly.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "allocate/allocator.h"
#include "allocate/cost_spreader.h"

using namespace tally;

int main(int argc, char** argv) {
  const int consumers = argc > 1 ? std::atoi(argv[1]) : 50000;
  const int hours = argc > 2 ? std::atoi(argv[2]) : 720;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const int nodes = (consumers + 24) / 25;
  const Timestamp start = Timestamp::FromCivil(2026, 10, 1);
  const TimeWindow window{start, Timestamp::FromUnixSeconds(start.unix_seconds() + hours * 3600LL)};

  AllocationInputs inputs;
  for (int n = 0; n < nodes; ++n) {
    inputs.assets.push_back(Asset{"node-" + std::to_string(n), "", "m5.2xlarge", "z", {}});
    for (int d = 0; d * 24 < hours; ++d) {
      AllocationCostLine line;
      line.source = "AWS";
      line.service = "EC2";
      line.resource_id = inputs.assets.back().name;
      line.start = Timestamp::FromUnixSeconds(start.unix_seconds() + d * 86400LL);
      line.end = Timestamp::FromUnixSeconds(line.start.unix_seconds() + 86400);
      line.cost = *Decimal::Parse("9.216");
      inputs.lines.push_back(std::move(line));
    }
  }
  inputs.lines.push_back(AllocationCostLine{
      "AWS", "acct", "Support", "", "", {}, window.start, window.end, *Decimal::Parse("1234.56"),
      "USD"});
  for (int c = 0; c < consumers; ++c) {
    inputs.consumers.push_back(
        Consumer{"team-" + std::to_string(c % 300) + "/pod-" + std::to_string(c) + "/main",
                 "",
                 "",
                 "",
                 "",
                 {{"team", "team-" + std::to_string(c % 300)}}});
  }
  const Config config = DefaultConfig();
  const auto t0 = std::chrono::steady_clock::now();
  const CostSpreader spreader(inputs.lines, window);

  std::atomic<int> next{0};
  std::atomic<int64_t> rows_total{0};
  std::atomic<bool> exact{true};
  auto work = [&] {
    Allocator allocator(config, inputs);
    std::vector<UsageFact> usage;
    std::vector<CapacityFact> capacity;
    std::vector<AllocationRow> rows;
    for (int h = next++; h < hours; h = next++) {
      const Timestamp hour = Timestamp::FromUnixSeconds(start.unix_seconds() + h * 3600LL);
      usage.clear();
      capacity.clear();
      for (int c = 0; c < consumers; ++c) {
        const auto node = static_cast<uint32_t>(c / 25);
        const int64_t m = 100 + (c * 37 + h * 11) % 200;  // millicores
        usage.push_back(UsageFact{hour, static_cast<uint32_t>(c), node, "cpu", "core",
                                  Decimal::FromRaw(Decimal::Raw(250) * (Decimal::kOne / 1000)),
                                  Decimal::FromRaw(Decimal::Raw(m) * (Decimal::kOne / 1000))});
        usage.push_back(UsageFact{hour, static_cast<uint32_t>(c), node, "memory", "GiB",
                                  Decimal::FromUnits(1), Decimal::FromUnits(1)});
      }
      for (uint32_t n = 0; n < static_cast<uint32_t>(nodes); ++n) {
        capacity.push_back(CapacityFact{hour, n, "cpu", "core", Decimal::FromUnits(8)});
        capacity.push_back(CapacityFact{hour, n, "memory", "GiB", Decimal::FromUnits(32)});
      }
      rows.clear();
      std::map<std::string, Decimal> bill;
      Status s = allocator.AllocateHour(
          HourInputs{hour, usage, capacity, spreader.PartsInHour(hour)}, &rows, &bill);
      Decimal sum;
      for (const AllocationRow& r : rows) sum += r.cost;
      if (!s.ok() || sum != bill["AWS"]) exact = false;
      rows_total += static_cast<int64_t>(rows.size());
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "%d consumers x %d hours on %d nodes, %d threads: %.2f s, %lld rows (%.1f M rows/s), "
      "peak %.0f MiB, every hour sums to its bill: %s\n",
      consumers, hours, nodes, threads, seconds, static_cast<long long>(rows_total.load()),
      static_cast<double>(rows_total.load()) / seconds / 1e6,
      static_cast<double>(usage.ru_maxrss) / 1024, exact ? "yes" : "NO");
  return exact ? 0 : 1;
}
