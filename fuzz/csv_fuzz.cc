// libFuzzer target: the FOCUS reader (and so CsvReader and the value parsers) on an arbitrary
// file, through the real ingest driver with a sink that only counts.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "ingest/billing/bill_formats.h"
#include "ingest/ingest_files.h"

namespace {

struct CountingSink : tally::CostSink {
  tally::Status BeginFile(const tally::SourceFile&) override { return {}; }
  tally::Status DeclareExtraColumns(const std::vector<std::string>&) override { return {}; }
  tally::Status Add(const tally::CostLine& line) override {
    rows += line.dims.size() > 0 ? 1 : 0;
    return {};
  }
  tally::Status AddDiagnostic(const tally::Diagnostic&) override { return {}; }
  tally::Status AbandonFile() override { return {}; }
  long rows = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/tally-fuzz-" + std::to_string(getpid()) + ".csv";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  for (const tally::BillFormat& format : tally::BillFormats()) {
    CountingSink sink;
    tally::IngestTotals totals;
    std::vector<std::string> paths = {path};
    (void)tally::IngestFiles(paths, format.name, format.reader, &sink, {}, &totals);
  }
  return 0;
}
