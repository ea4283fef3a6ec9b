#include "demo/demo_platform.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "demo/demo_cluster.h"
#include "demo/demo_openmetrics.h"
#include "tally/decimal.h"

namespace tally {
namespace {

using demo::Consumer;
using demo::HourUsage;
using demo::InstanceType;
using demo::Node;
using demo::Workload;

// Real instance shapes and their published on-demand prices.
constexpr InstanceType kGeneral[] = {{"m5.2xlarge", 8, 32, 0, "0.384"},
                                     {"r5.2xlarge", 8, 64, 0, "0.504"},
                                     {"c5.4xlarge", 16, 32, 0, "0.68"},
                                     {"m5.xlarge", 4, 16, 0, "0.192"}};
constexpr InstanceType kGpu = {"g5.xlarge", 4, 16, 1, "1.006"};
constexpr InstanceType kDgx = {"dgx-a100", 128, 1024, 8, nullptr};  // on-prem, rate card

constexpr const char* kTeamNames[] = {
    "search", "ads",      "payments",  "identity", "data-eng",  "ml",   "recsys", "growth",
    "mobile", "checkout", "analytics", "fraud",    "messaging", "maps", "video",  "platform"};

Decimal D(const char* text) { return *Decimal::Parse(text); }
Decimal Milli(int64_t m) { return Decimal::FromRaw(Decimal::Raw(m) * (Decimal::kOne / 1000)); }

class Writer {
 public:
  explicit Writer(const std::string& path) : f_(std::fopen(path.c_str(), "w")), path_(path) {}
  ~Writer() {
    if (f_ != nullptr) std::fclose(f_);
  }
  bool ok() const { return f_ != nullptr; }
  void Put(const std::string& s) {
    if (f_ != nullptr && std::fwrite(s.data(), 1, s.size(), f_) != s.size()) failed_ = true;
  }
  Status Close() {
    const bool bad = f_ == nullptr || failed_ || std::fclose(f_) != 0;
    f_ = nullptr;
    return bad ? IoError("demo: cannot write " + path_) : Status::Ok();
  }

 private:
  std::FILE* f_;
  std::string path_;
  bool failed_ = false;
};

std::string Hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%017llx", static_cast<unsigned long long>(v));
  return buf;
}

// Usage in percent of the request at hour h: daily (busy 9-18 UTC) and weekly shape.
int Seasonal(const Workload& w, int64_t hour_unix, std::mt19937_64& rng) {
  const int hour_of_day = static_cast<int>((hour_unix / 3600) % 24);
  const int day_of_week = static_cast<int>((hour_unix / 86400 + 4) % 7);  // 0 = Sunday
  int pct = w.util_pct;
  if (hour_of_day >= 9 && hour_of_day < 18) pct = pct * 3 / 2;
  if (hour_of_day < 6) pct = pct * 2 / 3;
  if (day_of_week == 0 || day_of_week == 6) pct = w.weekly ? pct / 4 : pct * 3 / 4;
  pct += std::uniform_int_distribution<int>(-5, 5)(rng);
  return std::clamp(pct, 1, 140);
}

// Finance's grouping of the teams: three cost centers, so that `tally report chargeback --by
// cost_center` has something to show.
std::string CostCenter(const std::string& team) {
  int sum = 0;
  for (char c : team) sum += static_cast<unsigned char>(c);
  return "cc-" + std::to_string(100 * (1 + sum % 3));
}

}  // namespace

Result<DemoSummary> WriteDemoPlatform(const DemoOptions& o) {
  if (o.teams <= 0 || o.workloads <= 0 || o.days <= 0 || o.days > 366) {
    return InvalidArgument("demo: --teams, --workloads and --days must be positive (days <= 366)");
  }
  if (o.start.unix_seconds() % 86400 != 0) return InvalidArgument("demo: the start must be a day");
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) return IoError("demo: cannot create " + o.out_dir + ": " + ec.message());
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  std::vector<std::string> teams;
  for (int t = 0; t < o.teams; ++t) {
    const std::string base = kTeamNames[t % std::size(kTeamNames)];
    teams.push_back(t < static_cast<int>(std::size(kTeamNames)) ? base
                                                                : base + "-" + std::to_string(t));
  }
  const std::string ml_team = o.teams > 5 ? teams[5] : teams[0];

  // Workloads, with the planted inefficiencies at fixed positions.
  std::vector<Workload> workloads;
  for (int i = 0; i < o.workloads; ++i) {
    Workload w;
    w.team = teams[static_cast<size_t>(i % o.teams)];
    const bool batch = i % 9 == 4;
    const bool gpu = i % 15 == 7;
    w.name = std::string(gpu ? "trainer" : batch ? "batch" : "svc") + "-" + std::to_string(i);
    w.replicas = batch ? 1 : uniform(1, 3);
    w.cpu_m = int64_t{250} * uniform(1, batch ? 16 : 8);
    w.mem_mib = int64_t{512} * uniform(1, batch ? 32 : 12);
    w.gpus = gpu ? 1 : 0;
    // Sized as a careful team sizes them: busy hours (1.5x) use about what they request, so
    // that only the planted workloads are over-requested.
    w.util_pct = uniform(55, 80);
    w.weekly = batch;
    if (gpu) w.team = ml_team;
    workloads.push_back(std::move(w));
  }
  auto plant = [&](size_t i, const char* kind) {
    if (i < workloads.size()) workloads[i].planted = kind;
  };
  plant(3, "over_requested");
  workloads[std::min<size_t>(3, workloads.size() - 1)].cpu_m = 8000;
  workloads[std::min<size_t>(3, workloads.size() - 1)].util_pct = 5;
  plant(5, "abandoned");
  Workload notebook{ml_team, "notebook-gpu", 1, 2000, 16384, 2, 0, false, "idle_gpu"};
  workloads.push_back(notebook);
  Workload trainer{ml_team, "llm-finetune", 1, 32000, 262144, 4, 85, false, ""};
  workloads.push_back(trainer);
  // A node left behind by a scale-down: one small pod on a node of its own, though the others
  // have room for it.
  Workload straggler{teams[std::min<size_t>(2, teams.size() - 1)], "cron-agent", 1, 100, 256, 0,
                     70, false, "leftover_node"};
  workloads.push_back(straggler);

  // Nodes by first fit; GPU work on g5 (1 GPU) or the on-prem DGX servers (several).
  std::vector<Node> nodes;
  int dgx_count = 0;
  auto new_node = [&](const InstanceType* type, const std::string& pool, const std::string& team) {
    Node n{type->hourly ? "i-" + Hex(rng()) : "dgx-" + std::to_string(++dgx_count),
           type,
           pool,
           team,
           int64_t{type->cores} * 900,
           int64_t{type->memory_gib} * 1024 * 9 / 10,
           type->gpus};
    nodes.push_back(std::move(n));
    return &nodes.back();
  };
  nodes.reserve(static_cast<size_t>(o.workloads) * 4 + 8);
  std::vector<Consumer> consumers;
  int general_rotation = 0;
  const Node* leftover_node = nullptr;  // the planted one, when another node had room
  // Largest first (first fit decreasing), as a bin-packing scheduler would leave them: the
  // nodes hold no room a smaller pod placed later could have used.
  std::vector<const Workload*> by_size;
  for (const Workload& w : workloads) by_size.push_back(&w);
  std::stable_sort(by_size.begin(), by_size.end(), [](const Workload* a, const Workload* b) {
    return std::max(a->cpu_m * 4, a->mem_mib) > std::max(b->cpu_m * 4, b->mem_mib);
  });
  for (const Workload* wp : by_size) {
    const Workload& w = *wp;
    for (int r = 0; r < w.replicas; ++r) {
      const std::string pool = w.gpus > 1 ? "dgx" : w.gpus == 1 ? "gpu" : "general";
      Node* fit = nullptr;
      bool room_elsewhere = false;
      for (Node& n : nodes) {
        if (n.pool == pool && n.free_m >= w.cpu_m && n.free_mib >= w.mem_mib &&
            n.free_gpu >= w.gpus) {
          fit = &n;
          break;
        }
      }
      if (w.planted == "leftover_node") {  // a node of its own, though `fit` had room
        room_elsewhere = fit != nullptr;
        fit = nullptr;
      }
      if (fit == nullptr && pool != "general") {
        fit = new_node(pool == "dgx" ? &kDgx : &kGpu, pool, ml_team);
      }
      for (int tries = 0; fit == nullptr; ++tries) {
        // The next general type in turn that can hold the pod (a scheduler never places a pod
        // on a node smaller than its requests); the largest when none of them can.
        const InstanceType* type = &kGeneral[general_rotation++ % 4];
        const bool fits = int64_t{type->cores} * 900 >= w.cpu_m &&
                          int64_t{type->memory_gib} * 1024 * 9 / 10 >= w.mem_mib;
        if (fits || tries == 4) fit = new_node(fits ? type : &kGeneral[2], pool, "");
      }
      if (w.planted == "leftover_node" && room_elsewhere) leftover_node = fit;
      fit->free_m -= w.cpu_m;
      fit->free_mib -= w.mem_mib;
      fit->free_gpu -= w.gpus;
      const std::string pod = w.name + "-" + std::to_string(r);
      consumers.push_back(Consumer{w.team + "/" + pod + "/main", w.team, pod, &w, fit});
    }
  }

  const int64_t start = o.start.unix_seconds();
  const int64_t hours = int64_t{o.days} * 24;
  const int64_t end = start + hours * 3600;
  const std::string window_start = o.start.ToString();
  const std::string window_end = Timestamp::FromUnixSeconds(end).ToString();
  DemoSummary summary;
  summary.consumers = static_cast<int>(consumers.size());

  // Inventory: each node's capacity for the whole window.
  Writer inventory(o.out_dir + "/inventory.csv");
  inventory.Put("start,end,asset,resource,capacity,unit,labels\n");
  for (const Node& n : nodes) {
    std::string labels =
        "instance_type=" + std::string(n.type->name) + ";pool=" + n.pool + ";zone=us-east-1a";
    if (!n.team.empty()) labels += ";team=" + n.team;
    const std::string prefix = window_start + "," + window_end + "," + n.id + ",";
    inventory.Put(prefix + "cpu," + std::to_string(n.type->cores) + ",core," + labels + "\n");
    inventory.Put(prefix + "memory," + std::to_string(n.type->memory_gib) + ",GiB," + labels +
                  "\n");
    if (n.type->gpus > 0) {
      inventory.Put(prefix + "gpu," + std::to_string(n.type->gpus) + ",gpu," + labels + "\n");
    }
    (n.type->hourly ? summary.nodes : summary.gpu_servers)++;
  }
  // Persistent volumes: each team's 200 GiB data volume, mounted by the team's first pod, and
  // the orphaned 500 GiB one that nothing mounts.
  std::map<std::string, const Consumer*> volume_user;  // team -> the pod that mounts its volume
  for (const Consumer& c : consumers) volume_user.emplace(c.w->team, &c);
  std::vector<demo::Volume> volumes;
  for (const auto& [team, c] : volume_user) {
    volumes.push_back(demo::Volume{"vol-" + team, 200, 120, c->ns, "data", team, c});
  }
  volumes.push_back(demo::Volume{"vol-orphan-0001", 500, 0, teams.back(), "archive",
                                 teams.back(), nullptr});
  for (const demo::Volume& v : volumes) {
    inventory.Put(window_start + "," + window_end + "," + v.name + ",storage," +
                  std::to_string(v.gib) + ",GiB,team=" + v.team + "\n");
  }
  TALLY_RETURN_IF_ERROR(inventory.Close());

  // Usage, hour by hour; waste of the planted workloads is tallied as we go.
  const Decimal kCpuRef = D("0.031611"), kMemRef = D("0.004237"), kGpuRef = D("0.95");
  auto unit_price = [&](const Node& n, int resource, int64_t hour) -> Decimal {
    // Hourly node cost × the resource's share of capacity × reference price, per unit. A rate
    // card's month is spread over the hours of its calendar month, as tally spreads it.
    Decimal hourly = n.type->hourly ? D(n.type->hourly) : Decimal();
    if (!n.type->hourly) {
      const Timestamp month = Timestamp::FromUnixSeconds(hour).StartOfMonth();
      const int64_t month_hours =
          (Timestamp::FromUnixSeconds(month.unix_seconds() + 32 * 86400).StartOfMonth().unix_seconds() -
           month.unix_seconds()) / 3600;
      hourly = *(*D("300000").Divide(Decimal::FromUnits(48)) + D("3400"))
                    .Divide(Decimal::FromUnits(month_hours));
    }
    const Decimal w_cpu = *Decimal::FromUnits(n.type->cores).Multiply(kCpuRef);
    const Decimal w_mem = *Decimal::FromUnits(n.type->memory_gib).Multiply(kMemRef);
    const Decimal w_gpu = *Decimal::FromUnits(n.type->gpus).Multiply(kGpuRef);
    const Decimal weights[] = {w_cpu, w_mem, w_gpu};
    const int caps[] = {n.type->cores, n.type->memory_gib, n.type->gpus};
    const Decimal share = *(*hourly.Multiply(weights[resource])).Divide(w_cpu + w_mem + w_gpu);
    return *share.Divide(Decimal::FromUnits(caps[resource]));
  };
  std::map<std::string, Decimal> waste;  // consumer -> cost of reserved-but-unused
  std::map<std::string, Decimal> gpu_busy;  // node -> busy GPU-hours
  // GPU idle cost per owner: held and unused by its workloads; capacity of its nodes nobody
  // requested (a node's idle goes to its team, as the ownership rules give it).
  std::map<std::string, Decimal> gpu_unused, gpu_unrequested;
  std::map<std::string, int> gpus_requested;  // node -> GPUs its pods request
  for (const Consumer& c : consumers) gpus_requested[c.node->id] += c.w->gpus;
  Writer usage(o.out_dir + "/usage.csv");
  usage.Put("start,end,consumer,asset,resource,request,usage,unit,labels\n");
  std::vector<std::vector<HourUsage>> samples(o.openmetrics ? consumers.size() : 0);
  for (int64_t h = start; h < end; h += 3600) {
    for (const Node& n : nodes) {
      const int free = n.type->gpus - gpus_requested[n.id];
      if (free > 0) {
        gpu_unrequested[n.team.empty() ? "__idle__" : n.team] +=
            *Decimal::FromUnits(free).Multiply(unit_price(n, 2, h));
      }
    }
    const std::string span = Timestamp::FromUnixSeconds(h).ToString() + "," +
                             Timestamp::FromUnixSeconds(h + 3600).ToString() + ",";
    for (size_t ci = 0; ci < consumers.size(); ++ci) {
      const Consumer& c = consumers[ci];
      const Workload& w = *c.w;
      int pct = Seasonal(w, h, rng);
      if (w.planted == "abandoned") pct = 0;
      const int64_t cpu_use = w.planted == "abandoned" ? 2 : w.cpu_m * pct / 100;
      const int64_t mem_use = w.planted == "abandoned" ? 40 : w.mem_mib * std::max(pct, 40) / 100;
      const std::string labels = ",team=" + w.team + ";namespace=" + w.team + ";app=" + w.name +
                                 ";cost_center=" + CostCenter(w.team) + "\n";
      const std::string head = span + c.name + "," + c.node->id + ",";
      usage.Put(head + "cpu," + Milli(w.cpu_m).ToString() + "," + Milli(cpu_use).ToString() +
                ",core" + labels);
      usage.Put(head + "memory," +
                Decimal::FromUnits(w.mem_mib).Divide(Decimal::FromUnits(1024))->ToString() + "," +
                Decimal::FromUnits(mem_use).Divide(Decimal::FromUnits(1024))->ToString() + ",GiB" +
                labels);
      summary.usage_rows += 2;
      const int gpu_use_pct = w.planted == "idle_gpu" ? 0 : std::min(pct, 100);
      if (o.openmetrics) samples[ci].push_back(HourUsage{cpu_use, mem_use, gpu_use_pct});
      if (w.gpus > 0) {
        const Decimal gpu_use =
            *Decimal::FromUnits(int64_t{w.gpus} * gpu_use_pct).Divide(Decimal::FromUnits(100));
        usage.Put(head + "gpu," + std::to_string(w.gpus) + "," + gpu_use.ToString() + ",gpu" +
                  labels);
        gpu_busy[c.node->id] += gpu_use;
        gpu_unused[w.team] += *(*Decimal::FromUnits(int64_t{w.gpus} * (100 - gpu_use_pct))
                                    .Multiply(unit_price(*c.node, 2, h)))
                                   .Divide(Decimal::FromUnits(100));
        ++summary.usage_rows;
        if (w.planted == "idle_gpu") {
          waste[c.name] += *Decimal::FromUnits(w.gpus).Multiply(unit_price(*c.node, 2, h));
        }
      }
      if (w.planted == "over_requested" || w.planted == "abandoned") {
        waste[c.name] += *Milli(w.cpu_m - cpu_use).Multiply(unit_price(*c.node, 0, h));
        if (w.mem_mib > mem_use) {
          waste[c.name] +=
              *(*Decimal::FromUnits(w.mem_mib - mem_use).Divide(Decimal::FromUnits(1024)))
                   .Multiply(unit_price(*c.node, 1, h));
        }
      }
    }
    // A volume is its mounting pod's as a whole ("namespace/pod"), as the kube series give it.
    for (const demo::Volume& v : volumes) {
      if (v.mounter == nullptr) continue;
      usage.Put(span + v.mounter->ns + "/" + v.mounter->pod + "," + v.name + ",storage," +
                std::to_string(v.gib) + "," + std::to_string(v.used_gib) + ",GiB,team=" + v.team +
                ";namespace=" + v.ns + ";app=" + v.mounter->w->name + "\n");
      ++summary.usage_rows;
    }
  }
  TALLY_RETURN_IF_ERROR(usage.Close());
  if (o.openmetrics) {
    TALLY_RETURN_IF_ERROR(
        WriteDemoOpenMetrics(o.out_dir + "/metrics.om", o.start, hours, nodes, consumers, samples,
                             volumes));
  }

  // The FOCUS bill: nodes per day, storage and network per team per day, support and tax.
  Writer bill(o.out_dir + "/bill.csv");
  bill.Put(
      "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,"
      "EffectiveCost,ListCost,ContractedCost,BillingCurrency,ProviderName,PublisherName,"
      "InvoiceIssuerName,BillingAccountId,SubAccountId,ServiceName,ServiceCategory,"
      "ChargeCategory,ChargeClass,ChargeDescription,ResourceId,ResourceType,RegionId,SkuId,"
      "PricingUnit,PricingQuantity,BillingAccountName,Tags\n");
  Decimal total;
  auto line = [&](int64_t from, int64_t to, Decimal cost, const std::string& service,
                  const char* category, const char* charge_category, const std::string& description,
                  const std::string& resource, const char* type, const std::string& sku,
                  const std::string& tags) {
    const Timestamp f = Timestamp::FromUnixSeconds(from);
    const std::string bp_start = f.StartOfMonth().ToString();
    const std::string bp_end =
        Timestamp::FromUnixSeconds(f.StartOfMonth().unix_seconds() + int64_t{32} * 86400)
            .StartOfMonth()
            .ToString();
    const std::string c = cost.ToString();
    std::string tag_cell = tags.empty() ? "" : "\"" + tags + "\"";
    bill.Put(bp_start + "," + bp_end + "," + f.ToString() + "," +
             Timestamp::FromUnixSeconds(to).ToString() + "," + c + "," + c + "," + c + "," + c +
             ",USD,AWS,Amazon Web Services,Amazon Web Services,123456789012,123456789012," +
             service + "," + category + "," + charge_category + ",," + description + "," +
             resource + "," + type + ",us-east-1," + sku + ",,,Demo Platform," + tag_cell + "\n");
    total += cost;
    ++summary.bill_lines;
  };
  const int spike_day = o.days / 2;
  const std::string spike_team = teams[static_cast<size_t>(std::min(1, o.teams - 1))];
  Decimal spike_extra;  // the spike's cost over that day's usual egress
  for (int64_t day = start; day < end; day += 86400) {
    // A line never crosses a month: real bills split there.
    for (const Node& n : nodes) {
      if (n.type->hourly == nullptr) continue;
      const Decimal cost = *D(n.type->hourly).Multiply(Decimal::FromUnits(24));
      line(day, day + 86400, cost, "Amazon Elastic Compute Cloud", "Compute", "Usage",
           std::string(n.type->name) + " on-demand", n.id, "Instance", n.type->name,
           "{\"\"cluster\"\":\"\"prod\"\",\"\"pool\"\":\"\"" + n.pool + "\"\"}");
    }
    for (const std::string& team : teams) {
      // gp3 at $0.08 per GiB-month, billed per day (rounded to the cent's hundredth as AWS does).
      const Decimal volume = D("200").Multiply(*D("0.08").Divide(Decimal::FromUnits(30)))->Round(4);
      line(day, day + 86400, volume, "Amazon Elastic Block Store", "Storage", "Usage",
           "gp3 200 GiB", "vol-" + team, "Volume", "gp3", "{\"\"team\"\":\"\"" + team + "\"\"}");
      // Egress in GB: the team's base, less at weekends, growing 1% a week, +-8% day to day,
      // so that forecasts and anomaly detection have a real series to learn.
      const int64_t day_index = (day - start) / 86400;
      const int weekday = static_cast<int>((day / 86400 + 4) % 7);  // 0 = Sunday
      int64_t gb = int64_t{40 + static_cast<int64_t>(team.size() * 7) % 60} * 1000;
      gb = gb * (weekday == 0 || weekday == 6 ? 60 : 100) / 100;
      gb = gb * (700 + day_index) / 700 * uniform(920, 1080) / 1000;
      Decimal egress = *D("0.09").Multiply(Milli(gb));
      if (day_index == spike_day && team == spike_team) {
        spike_extra = *egress.Multiply(Decimal::FromUnits(19));
        egress = egress + spike_extra;
      }
      line(day, day + 86400, egress, "AWS Data Transfer", "Networking", "Usage", "internet egress",
           "", "", "DataTransfer-Out-Bytes", "{\"\"team\"\":\"\"" + team + "\"\"}");
    }
    // The orphaned volume: 500 GiB of gp3, tagged to a team, attached to nothing.
    line(day, day + 86400, D("500").Multiply(*D("0.08").Divide(Decimal::FromUnits(30)))->Round(4),
         "Amazon Elastic Block Store", "Storage", "Usage", "gp3 500 GiB (unattached)",
         "vol-orphan-0001", "Volume", "gp3", "{\"\"team\"\":\"\"" + teams.back() + "\"\"}");
  }
  const Decimal before_support = total;
  line(start, end, before_support.Multiply(D("0.1"))->Round(2), "AWS Support (Business)", "Other",
       "Usage", "Business support", "", "", "Support", "");
  line(start, end, before_support.Multiply(D("0.05"))->Round(2), "Tax", "Other", "Tax", "Sales tax",
       "", "", "Tax", "");
  TALLY_RETURN_IF_ERROR(bill.Close());
  summary.bill_total = total.ToString();

  // The policy: the rate card for the on-prem servers, support and tax shared by cost; two
  // budgets.
  Writer config(o.out_dir + "/tally.yaml");
  config.Put(
      "# The demo platform's policy (docs/config.md).\n"
      "rate_cards:\n"
      "  - asset: dgx-*\n    purchase_price: 300000\n    life_months: 48\n"
      "    monthly: {power: 1800, space: 400, support: 1200}\n"
      "ownership:\n"
      "  - match: {label.team: \"*\"}\n    owner: \"{label.team}\"\n"
      "  - match: {tag.team: \"*\"}\n    owner: \"{tag.team}\"\n"
      "shared:\n"
      "  - name: support-and-tax\n    pool: {owner: __unallocated__}\n"
      "    distribute: proportional\n"
      "# Budgets (docs/budgets.md): the ML team's, and the platform's data transfer on the bill.\n"
      "budgets:\n"
      "  - {name: ml, owner: ml, amount: 25000, period: month}\n"
      "  - {name: data-transfer, where: {ServiceName: AWS Data Transfer}, amount: 3000,\n"
      "     thresholds: {actual: [80, 100], forecast: [100]}}\n");
  TALLY_RETURN_IF_ERROR(config.Close());

  // The truth: what a good tool should find, and what it costs.
  nlohmann::ordered_json truth = {{"window", {{"start", window_start}, {"end", window_end}}},
                                  {"bill_total", summary.bill_total},
                                  {"inefficiencies", nlohmann::ordered_json::array()}};
  auto monthly = [&](Decimal cost) {
    return (*(*cost.Multiply(Decimal::FromUnits(720))).Divide(Decimal::FromUnits(hours)))
        .Round(2)
        .ToString();
  };
  // GPUs: each GPU node's capacity (its GPUs for every hour of the window) and busy GPU-hours
  // (the usage written above), and the utilization a GPU view must show: busy / capacity.
  Decimal gpu_capacity_total, gpu_busy_total;
  nlohmann::ordered_json gpu_nodes = nlohmann::ordered_json::array();
  for (const Node& n : nodes) {
    if (n.type->gpus == 0) continue;
    const Decimal capacity = Decimal::FromUnits(int64_t{n.type->gpus} * hours);
    gpu_capacity_total += capacity;
    gpu_busy_total += gpu_busy[n.id];
    gpu_nodes.push_back({{"node", n.id},
                         {"capacity_gpu_hours", capacity.ToString()},
                         {"busy_gpu_hours", gpu_busy[n.id].ToString()}});
  }
  truth["gpu"] = {{"capacity_gpu_hours", gpu_capacity_total.ToString()},
                  {"busy_gpu_hours", gpu_busy_total.ToString()},
                  {"utilization", gpu_capacity_total.is_zero()
                                      ? std::string()
                                      : gpu_busy_total.Divide(gpu_capacity_total)->Round(4).ToString()},
                  {"nodes", std::move(gpu_nodes)},
                  {"idle_cost_by_owner", nlohmann::ordered_json::object()}};
  std::set<std::string> gpu_owners;
  for (const auto& [owner, cost] : gpu_unused) gpu_owners.insert(owner);
  for (const auto& [owner, cost] : gpu_unrequested) gpu_owners.insert(owner);
  for (const std::string& owner : gpu_owners) {
    truth["gpu"]["idle_cost_by_owner"][owner] = {
        {"unused_cost", gpu_unused[owner].ToString()},
        {"unrequested_cost", gpu_unrequested[owner].ToString()},
        {"idle_cost", (gpu_unused[owner] + gpu_unrequested[owner]).ToString()}};
  }
  for (const Consumer& c : consumers) {
    if (c.w->planted.empty() || c.w->planted == "leftover_node") continue;
    truth["inefficiencies"].push_back({{"kind", c.w->planted},
                                       {"consumer", c.name},
                                       {"owner", c.w->team},
                                       {"asset", c.node->id},
                                       {"window", {{"start", window_start}, {"end", window_end}}},
                                       {"true_monthly_cost", monthly(waste[c.name])}});
  }
  truth["inefficiencies"].push_back(
      {{"kind", "orphaned_volume"},
       {"consumer", "vol-orphan-0001"},
       {"owner", teams.back()},
       {"asset", "vol-orphan-0001"},
       {"window", {{"start", window_start}, {"end", window_end}}},
       {"true_monthly_cost", monthly(*D("500")
                                          .Multiply(*D("0.08").Divide(Decimal::FromUnits(30)))
                                          ->Round(4)
                                          .Multiply(Decimal::FromUnits(o.days)))}});
  if (leftover_node != nullptr) {
    // What deleting it saves: the node's whole bill.
    truth["inefficiencies"].push_back(
        {{"kind", "underutilized_node"},
         {"consumer", leftover_node->id},
         {"owner", "(platform)"},
         {"asset", leftover_node->id},
         {"window", {{"start", window_start}, {"end", window_end}}},
         {"true_monthly_cost", monthly(*D(leftover_node->type->hourly).Multiply(Decimal::FromUnits(hours)))}});
  }
  // On-demand compute that runs every hour: a 1-year commitment of its hourly cost would save
  // 28% of it (the nodes never change, so the steady baseline is all of it).
  Decimal on_demand_hourly;
  for (const Node& n : nodes) {
    if (n.type->hourly != nullptr) on_demand_hourly += D(n.type->hourly);
  }
  truth["inefficiencies"].push_back(
      {{"kind", "commitment"},
       {"consumer", "Compute"},
       {"owner", "(platform)"},
       {"asset", ""},
       {"window", {{"start", window_start}, {"end", window_end}}},
       {"true_monthly_cost",
        (*(*on_demand_hourly.Multiply(Decimal::FromUnits(730))).Multiply(D("0.28"))).Round(2).ToString()}});
  const int64_t spike_start = start + int64_t{spike_day} * 86400;
  truth["inefficiencies"].push_back(
      {{"kind", "cost_spike"},
       {"consumer", "AWS Data Transfer"},
       {"owner", spike_team},
       {"asset", ""},
       {"window",
        {{"start", Timestamp::FromUnixSeconds(spike_start).ToString()},
         {"end", Timestamp::FromUnixSeconds(spike_start + 86400).ToString()}}},
       {"true_monthly_cost", spike_extra.ToString()}});
  summary.inefficiencies = static_cast<int>(truth["inefficiencies"].size());
  Writer truth_file(o.out_dir + "/truth.json");
  truth_file.Put(truth.dump(2) + "\n");
  TALLY_RETURN_IF_ERROR(truth_file.Close());
  return summary;
}

}  // namespace tally
