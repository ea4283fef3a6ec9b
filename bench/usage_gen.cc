// usage_gen: writes a platform for the allocation and usage-ingest benchmarks, as the generic
// files any pipeline can produce (docs/formats/usage-csv.md) and a FOCUS bill:
//   usage.csv      one row per consumer, hour and resource (cpu, memory): request and usage
//   inventory.csv  one row per node and resource over the whole window: 8 cores, 32 GiB
//   bill.csv       one FOCUS line per node and hour: $0.384 (ResourceId = the node)
// 25 consumers per node (requests fill 78% of its cores and memory, usage moves around them),
// hourly from 2024-05-01T00:00:00Z; the team label owns each consumer.
//   usage_gen CONSUMERS HOURS OUT_DIR
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::string Hour(int h) {
  const int day = 1 + h / 24, hour = h % 24;
  char buf[32];
  std::snprintf(buf, sizeof buf, "2024-05-%02dT%02d:00:00Z", day, hour);
  if (day > 31) {
    std::snprintf(buf, sizeof buf, "2024-06-%02dT%02d:00:00Z", day - 31, hour);
  }
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: usage_gen CONSUMERS HOURS OUT_DIR\n");
    return 2;
  }
  const int consumers = std::atoi(argv[1]), hours = std::atoi(argv[2]);
  if (consumers <= 0 || hours <= 0 || hours > 61 * 24) {
    std::fprintf(stderr, "usage_gen: CONSUMERS > 0 and 0 < HOURS <= 1464\n");
    return 2;
  }
  const std::string dir = argv[3];
  const int nodes = (consumers + 24) / 25;
  std::FILE* usage = std::fopen((dir + "/usage.csv").c_str(), "w");
  std::FILE* inventory = std::fopen((dir + "/inventory.csv").c_str(), "w");
  std::FILE* bill = std::fopen((dir + "/bill.csv").c_str(), "w");
  if (usage == nullptr || inventory == nullptr || bill == nullptr) {
    std::perror(dir.c_str());
    return 1;
  }
  std::fprintf(usage, "start,end,consumer,asset,resource,request,usage,unit,labels\n");
  std::fprintf(inventory, "start,end,asset,resource,capacity,unit,labels\n");
  std::fprintf(bill,
               "BillingAccountId,ProviderName,BillingCurrency,BillingPeriodStart,"
               "ChargePeriodStart,ChargePeriodEnd,ResourceId,ServiceCategory,BilledCost,"
               "EffectiveCost\n");
  for (int n = 0; n < nodes; ++n) {
    std::fprintf(inventory, "%s,%s,node-%d,cpu,8,core,provider_id=i-%d\n", Hour(0).c_str(),
                 Hour(hours).c_str(), n, n);
    std::fprintf(inventory, "%s,%s,node-%d,memory,32,GiB,provider_id=i-%d\n", Hour(0).c_str(),
                 Hour(hours).c_str(), n, n);
  }
  for (int h = 0; h < hours; ++h) {
    const std::string start = Hour(h), end = Hour(h + 1);
    const std::string period = h < 31 * 24 ? "2024-05-01" : "2024-06-01";
    for (int n = 0; n < nodes; ++n) {
      std::fprintf(bill, "A1,AWS,USD,%s,%s,%s,i-%d,Compute,0.384,0.384\n", period.c_str(),
                   start.c_str(), end.c_str(), n);
    }
    for (int c = 0; c < consumers; ++c) {
      const int node = c / 25;
      const int spin = (c * 7 + h * 13) % 10;  // usage moves from hour to hour
      // cpu: request 0.25, usage 0.2 to 0.29; memory: request 1, usage 0.5 to 1.4 GiB.
      std::fprintf(usage, "%s,%s,ns-%d/pod-%d/app,node-%d,cpu,0.25,0.2%d,core,team=team-%d\n",
                   start.c_str(), end.c_str(), c % 50, c, node, spin, c % 20);
      std::fprintf(usage, "%s,%s,ns-%d/pod-%d/app,node-%d,memory,1,%d.%d,GiB,team=team-%d\n",
                   start.c_str(), end.c_str(), c % 50, c, node, spin < 5 ? 0 : 1,
                   (spin + 5) % 10, c % 20);
    }
  }
  if (std::fclose(usage) != 0 || std::fclose(inventory) != 0 || std::fclose(bill) != 0) {
    std::perror(dir.c_str());
    return 1;
  }
  return 0;
}
