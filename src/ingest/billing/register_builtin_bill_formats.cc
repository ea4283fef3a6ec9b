// The explicit list of billing formats, and `auto`, which reads a file's header to pick one.
#include "common/csv_reader.h"
#include "ingest/billing/aws_cur/aws_cur_reader.h"
#include "ingest/billing/azure/azure_export_reader.h"
#include "ingest/billing/bill_formats.h"
#include "ingest/billing/focus/focus_reader.h"
#include "ingest/billing/gcp/gcp_billing_reader.h"
#include "ingest/billing/native_export.h"
#include "ingest/billing/oci/oci_cost_reader.h"

namespace tally {
namespace {

Status ReadDetectedFile(InputFile* in, FileContext* context);

const std::vector<BillFormat>& Formats() {
  static const std::vector<BillFormat> formats = {
      {"focus", "FOCUS 1.0-1.2 CSV (.csv, .csv.gz; a directory means the CSV files below it)",
       ReadFocusFile, nullptr},
      {"aws-cur",
       "AWS Cost and Usage Report (legacy CUR) CSV, either header style; a directory with a "
       "*-Manifest.json means the report files it lists",
       ReadAwsCurFile, ExpandAwsCurPaths},
      {"gcp-billing", "Google Cloud billing export (BigQuery table as CSV)", ReadGcpBillingFile,
       nullptr},
      {"azure-export", "Azure cost export (EA or MCA, actual or amortized cost, any header style)",
       ReadAzureExportFile, nullptr},
      {"oci", "Oracle Cloud Infrastructure cost report CSV", ReadOciCostFile, nullptr},
      {"auto", "any of the formats above, detected per file from its header", ReadDetectedFile,
       ExpandAwsCurPaths},
  };
  return formats;
}

Status ReadDetectedFile(InputFile* in, FileContext* context) {
  // Peek at the header through a second reader, so that the chosen reader starts afresh.
  TALLY_ASSIGN_OR_RETURN(auto peek, InputFile::Open(in->path()));
  CsvReader csv(peek.get());
  TALLY_ASSIGN_OR_RETURN(bool has_header, csv.Next());
  if (!has_header) return InvalidArgument(context->path() + ": empty file: no header row");
  std::optional<std::string_view> name = DetectBillFormat(csv.fields());
  if (!name) {
    return InvalidArgument(context->path() +
                           ": cannot tell the format: the header matches none of FOCUS, AWS CUR, "
                           "GCP billing export, Azure cost export, OCI cost report (name it: "
                           "tally ingest focus|aws-cur|gcp-billing|azure-export|oci)");
  }
  for (const BillFormat& format : Formats()) {
    if (format.name == *name) {
      TALLY_RETURN_IF_ERROR(context->Note("read as " + std::string(*name)));
      return format.reader(in, context);
    }
  }
  return Internal("detected format " + std::string(*name) + " has no reader");
}

}  // namespace

std::span<const BillFormat> BillFormats() { return Formats(); }

const BillFormat* FindBillFormat(std::string_view name) {
  for (const BillFormat& format : Formats()) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::optional<std::string_view> DetectBillFormat(std::span<const std::string_view> header) {
  NativeHeader h(header);
  auto has = [&](std::string_view name) { return h.Find(name) >= 0; };
  if (has("lineItem/UnblendedCost")) return "aws-cur";
  if (has("cost/myCost")) return "oci";
  for (std::string_view metric :
       {"BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "AmortizedCost"}) {
    if (has(metric)) return "focus";
  }
  if (has("cost") && has("usage_start_time")) return "gcp-billing";
  const bool azure_cost = has("CostInBillingCurrency") || has("PreTaxCost") || has("Cost");
  const bool azure_ids =
      has("MeterCategory") || has("MeterId") || has("SubscriptionId") || has("SubscriptionGuid");
  if (azure_cost && azure_ids) return "azure-export";
  return std::nullopt;
}

}  // namespace tally
