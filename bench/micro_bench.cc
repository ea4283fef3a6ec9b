// Micro-benchmarks of the hot paths of ingestion: decimal parsing, timestamp parsing, CSV
// reading, and proportional splitting. Run: build/bench/micro_bench
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/csv_reader.h"
#include "ingest/bill_values.h"
#include "ingest/telemetry/prometheus/exposition.h"
#include "tally/decimal.h"
#include "tally/time.h"

namespace tally {
namespace {

void BM_DecimalParse(benchmark::State& state) {
  const std::vector<std::string> inputs = {"0.0960000000", "12.5", "0.0123456789012345678901234567",
                                           "-3.25", "1234.56789"};
  size_t i = 0;
  for (auto _ : state) {
    auto d = Decimal::Parse(inputs[i++ % inputs.size()]);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecimalParse);

void BM_BillDecimalFormatted(benchmark::State& state) {
  for (auto _ : state) {
    auto d = ParseBillDecimal("$10,000.00 ");
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BillDecimalFormatted);

void BM_TimestampParse(benchmark::State& state) {
  for (auto _ : state) {
    auto t = ParseTimestamp("2024-05-01T13:00:00Z");
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimestampParse);

void BM_Split(benchmark::State& state) {
  std::vector<Decimal> weights;
  for (int i = 0; i < state.range(0); ++i) weights.push_back(Decimal::FromUnits(1 + i % 7));
  Decimal total = *Decimal::Parse("1234.567890123456789");
  for (auto _ : state) {
    auto parts = SplitProportionally(total, weights);
    benchmark::DoNotOptimize(parts);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Split)->Arg(10)->Arg(1000);

// The split allocation does most: an hour of a node's component (cents) over bases in cores.
void BM_SplitAllocation(benchmark::State& state) {
  std::vector<Decimal> weights;
  for (int i = 0; i < state.range(0); ++i) {
    weights.push_back(*Decimal::Parse(std::to_string(1 + i % 40) + ".125"));
  }
  Decimal total = *Decimal::Parse("0.384");
  for (auto _ : state) {
    auto parts = SplitProportionally(total, weights);
    benchmark::DoNotOptimize(parts);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SplitAllocation)->Arg(25)->Arg(1000);

// Prometheus text as cAdvisor writes it: 100,000 samples with 8 labels each.
void BM_PrometheusTextParse(benchmark::State& state) {
  std::string text =
      "# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed.\n"
      "# TYPE container_cpu_usage_seconds_total counter\n";
  for (int i = 0; i < 100000; ++i) {
    text += "container_cpu_usage_seconds_total{container=\"app-" + std::to_string(i % 50) +
            "\",cpu=\"total\",id=\"/kubepods/burstable/pod" + std::to_string(i) +
            "\",image=\"registry/app:1.2.3\",name=\"k8s_app_" + std::to_string(i) +
            "\",namespace=\"team-" + std::to_string(i % 40) + "\",pod=\"app-" + std::to_string(i) +
            "-7d9f\",node=\"node-" + std::to_string(i % 300) + "\"} " + std::to_string(i * 3.25) +
            " 1700000000000\n";
  }
  struct Count : ExpositionVisitor {
    void OnSample(const ExpositionSample& s) override { n += s.labels.size() > 0 ? 1 : 0; }
    int64_t n = 0;
  } count;
  for (auto _ : state) {
    Status s = ParseExposition(text, ExpositionFormat::kPrometheusText, &count);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * 100000);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_PrometheusTextParse)->Unit(benchmark::kMillisecond);

void BM_CsvRead(benchmark::State& state) {
  std::string path = "/tmp/tally-micro-bench.csv";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    for (int i = 0; i < 100000; ++i) {
      std::fprintf(f, "abc,%d,\"quoted, field\",2024-05-01T00:00:00Z,0.0960000000,,x_%d\n", i, i);
    }
    std::fclose(f);
  }
  int64_t bytes = 0;
  for (auto _ : state) {
    auto in = InputFile::Open(path);
    CsvReader csv(in->get());
    int64_t fields = 0;
    while (*csv.Next()) fields += static_cast<int64_t>(csv.fields().size());
    benchmark::DoNotOptimize(fields);
    bytes += static_cast<int64_t>((*in)->size_on_disk());
  }
  state.SetBytesProcessed(bytes);
  std::remove(path.c_str());
}
BENCHMARK(BM_CsvRead)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tally

BENCHMARK_MAIN();
