#include "ingest/input_kinds.h"

#include <algorithm>
#include <vector>

#include "common/input_file.h"
#include "common/strings.h"
#include "ingest/billing/bill_formats.h"
#include "ingest/telemetry/gpu/gpu_readers.h"

namespace tally {
namespace {

bool Has(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

InputKind Other(std::string looks_like, std::string command = "") {
  InputKind kind;
  kind.looks_like = std::move(looks_like);
  kind.command = std::move(command);
  return kind;
}

InputKind Bill(std::string_view format) {
  InputKind kind;
  kind.bill_format = format;
  return kind;
}

// The first line's fields, split on `separator`, trimmed and unquoted, as views into
// `first_line` (a header names columns; quoted commas inside a header name are rare enough to
// ignore here).
std::vector<std::string_view> HeaderFields(std::string_view first_line, char separator) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t end = std::min(first_line.find(separator, start), first_line.size());
    std::string_view field = Trim(first_line.substr(start, end - start));
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
      field = field.substr(1, field.size() - 2);
    }
    fields.push_back(field);
    if (end == first_line.size()) return fields;
    start = end + 1;
  }
}

bool HasField(const std::vector<std::string_view>& fields, std::string_view name) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](std::string_view f) { return EqualsIgnoreCase(f, name); });
}

InputKind DetectJson(std::string_view head) {
  if (Has(head, "\"Event\":\"SparkListener") || Has(head, "\"Event\": \"SparkListener")) {
    return Other("a Spark event log", "tally ingest spark-eventlog");
  }
  if (Has(head, "\"reportKeys\"") || Has(head, "\"assemblyId\"")) {
    InputKind manifest =
        Other("an AWS CUR manifest (it lists report files)", "tally ingest aws-cur");
    manifest.of_directory = true;
    return manifest;
  }
  if (Has(head, "\"jobs\"")) {
    return Other("Slurm accounting as JSON (sacct --json or slurmrestd)",
                 "tally ingest slurm-sacct");
  }
  if (Has(head, "\"nodes\"") && Has(head, "\"meta\"")) {
    return Other("a Slurm node list (sinfo --json); node capacity is read live",
                 "tally collect slurm");
  }
  if (Has(head, "\"FocusVersion\"") || Has(head, "\"DatasetInstanceId\"") ||
      Has(head, "\"ColumnDefinition\"")) {
    return Other("FOCUS metadata (a schema description, no cost rows)");
  }
  return Other("JSON that is no input tally reads");
}

InputKind DetectCsv(std::string_view first_line) {
  std::vector<std::string_view> fields = HeaderFields(first_line, ',');
  auto has = [&](std::string_view name) { return HasField(fields, name); };
  if (has("start") && has("end") && has("asset") && has("resource")) {
    if (has("consumer")) return Other("a usage CSV", "tally ingest usage-csv");
    if (has("capacity")) return Other("an asset capacity CSV", "tally ingest inventory");
  }
  if ((has("bucket") || has("table")) && has("bytes")) {
    return Other("a storage usage CSV", "tally ingest storage-csv");
  }
  if (has("report_period_start") && (has("pod") || has("persistentvolumeclaim"))) {
    return Other("an OpenShift (Koku) usage report, which tally does not read; it reads cluster "
                 "usage from kube-state-metrics scrapes (tally ingest kube-scrape) or from "
                 "Prometheus (tally collect prometheus)");
  }
  std::string columns;
  for (size_t i = 0; i < fields.size() && i < 4; ++i) {
    columns += (i > 0 ? ", " : "") + (fields[i].empty() ? std::string("(unnamed)")
                                                        : std::string(fields[i]));
  }
  if (fields.size() > 4) columns += ", ...";
  return Other("a CSV that is no bill (columns " + columns +
               "): a bill has a cost column such as BilledCost, lineItem/UnblendedCost, cost "
               "or CostInBillingCurrency");
}

}  // namespace

InputKind DetectInputKindOfText(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  if (head.empty()) return Other("an empty file");
  if (head.starts_with("PAR1")) {
    return Other("a Parquet file (tally reads CSV: export or convert it to CSV)");
  }
  if (head.find('\0') != std::string_view::npos) return Other("a binary file");
  const std::string_view first_line = Trim(head.substr(0, head.find('\n')));
  if (Has(first_line, ",")) {
    const std::vector<std::string_view> fields = HeaderFields(first_line, ',');
    if (auto format = DetectBillFormat(fields)) return Bill(*format);
  }
  // nvidia-smi's CSV starts "name, ..." like many a CSV: it must name a GPU query field too.
  const std::optional<GpuFormat> gpu = DetectGpuFormat(head);
  const bool gpu_fields = Has(first_line, "memory.") || Has(first_line, "utilization.") ||
                          Has(first_line, "pci.") || Has(first_line, "uuid");
  if (gpu && (*gpu != GpuFormat::kNvidiaSmiCsv || gpu_fields)) {
    return Other("GPU telemetry (" + std::string(GpuFormatName(*gpu)) + ")", "tally ingest gpu");
  }
  const std::string_view trimmed = Trim(head);
  if (trimmed.starts_with("{") || trimmed.starts_with("[")) return DetectJson(head);

  if (first_line.starts_with("# HELP") || first_line.starts_with("# TYPE") ||
      Has(head, "\n# TYPE ")) {
    if (Has(head, "kube_") || Has(head, "container_")) {
      return Other("a Kubernetes scrape (kube-state-metrics or cAdvisor, Prometheus text)",
                   "tally ingest kube-scrape");
    }
    return Other("Prometheus text without Kubernetes series (tally collect prometheus reads "
                 "a Prometheus server)");
  }
  const std::vector<std::string_view> words = HeaderFields(first_line, ' ');
  if ((HasField(words, "version") && HasField(words, "srcaddr")) ||
      (words.size() == 14 && words[0] == "2" && words[2].starts_with("eni-"))) {
    return Other("an AWS VPC flow log", "tally ingest vpc-flow");
  }
  const auto pipes = std::count(first_line.begin(), first_line.end(), '|');
  if (pipes > 0) {
    const std::vector<std::string_view> fields = HeaderFields(first_line, '|');
    if (HasField(fields, "JobID") || HasField(fields, "JobIDRaw")) {
      return Other("Slurm accounting (sacct -P)", "tally ingest slurm-sacct");
    }
    if (pipes >= 10) {
      return Other("Slurm accounting without a header (sacct -P -n)",
                   "tally ingest slurm-sacct --layout xdmod (or --fields F1,F2,...)");
    }
    return Other("pipe-separated text that is no Slurm accounting tally reads");
  }
  // A header of one column has no comma, but no space either.
  if (Has(first_line, ",") || !Has(first_line, " ")) return DetectCsv(first_line);
  return Other("text that is no input tally reads");
}

InputKind DetectInputKind(const std::string& path) {
  auto in = InputFile::Open(path);
  if (!in.ok()) return Other("an unreadable file: " + in.status().message());
  std::string head(kInputSniffBytes, '\0');
  size_t filled = 0;
  while (filled < head.size()) {
    auto n = (*in)->Read(head.data() + filled, head.size() - filled);
    if (!n.ok()) {
      if (filled == 0) return Other("an unreadable file: " + n.status().message());
      break;  // a truncated stream: what was read still tells the kind
    }
    if (*n == 0) break;
    filled += *n;
  }
  head.resize(filled);
  return DetectInputKindOfText(head);
}

}  // namespace tally
