// cur_gen: writes a large legacy AWS CUR CSV (lineItem/... header style, 64 columns, realistic
// values) for the CUR ingest benchmark. Deterministic. Usage: cur_gen ROWS OUT.csv
//
// Like a real CUR, each row has its own identity/LineItemId, an hourly TimeInterval, and
// per-row amounts; resources (20,000) keep one product, region and account; 15% of the usage
// is covered by Savings Plans or reservations, and there are taxes and credits.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string>

namespace {

constexpr const char* kProducts[][3] = {
    // code, name, unit
    {"AmazonEC2", "Amazon Elastic Compute Cloud", "Hrs"},
    {"AmazonS3", "Amazon Simple Storage Service", "GB-Mo"},
    {"AmazonRDS", "Amazon Relational Database Service", "Hrs"},
    {"AWSDataTransfer", "AWS Data Transfer", "GB"},
    {"AmazonEKS", "Amazon Elastic Container Service for Kubernetes", "Hrs"},
    {"AmazonElastiCache", "Amazon ElastiCache", "Hrs"},
    {"AmazonCloudWatch", "AmazonCloudWatch", "Metrics"},
    {"AmazonDynamoDB", "Amazon DynamoDB", "ReadCapacityUnit-Hrs"},
};
constexpr const char* kRegions[][2] = {{"us-east-1", "US East (N. Virginia)"},
                                       {"us-west-2", "US West (Oregon)"},
                                       {"eu-west-1", "EU (Ireland)"}};
constexpr const char* kTeams[] = {"search",   "ads",      "payments", "ml-platform",
                                  "data-eng", "checkout", "identity", "growth"};

constexpr char kHeader[] =
    "identity/LineItemId,identity/TimeInterval,bill/InvoiceId,bill/InvoicingEntity,"
    "bill/BillingEntity,bill/BillType,bill/PayerAccountId,bill/BillingPeriodStartDate,"
    "bill/BillingPeriodEndDate,lineItem/UsageAccountId,lineItem/LineItemType,"
    "lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UsageType,"
    "lineItem/Operation,lineItem/AvailabilityZone,lineItem/ResourceId,lineItem/UsageAmount,"
    "lineItem/NormalizationFactor,lineItem/NormalizedUsageAmount,lineItem/CurrencyCode,"
    "lineItem/UnblendedRate,lineItem/UnblendedCost,lineItem/BlendedRate,lineItem/BlendedCost,"
    "lineItem/LineItemDescription,lineItem/TaxType,lineItem/LegalEntity,product/ProductName,"
    "product/instanceType,product/location,product/locationType,product/operatingSystem,"
    "product/productFamily,product/region,product/servicecode,product/sku,product/usagetype,"
    "product/vcpu,product/memory,pricing/RateId,pricing/currency,pricing/publicOnDemandCost,"
    "pricing/publicOnDemandRate,pricing/term,pricing/unit,reservation/EffectiveCost,"
    "reservation/ReservationARN,reservation/UnusedAmortizedUpfrontFeeForBillingPeriod,"
    "reservation/UnusedRecurringFee,savingsPlan/SavingsPlanARN,"
    "savingsPlan/SavingsPlanEffectiveCost,savingsPlan/SavingsPlanRate,"
    "savingsPlan/TotalCommitmentToDate,savingsPlan/UsedCommitment,resourceTags/user:team,"
    "resourceTags/user:env,resourceTags/user:cost-center,costCategory/BusinessUnit,"
    "discount/TotalDiscount,splitLineItem/SplitUsage,splitLineItem/ParentResourceId,"
    "product/group\n";

void Amount(std::string* o, uint64_t units_1e10) {
  char buf[48];
  const uint64_t whole = units_1e10 / 10000000000u, fraction = units_1e10 % 10000000000u;
  int n = std::snprintf(buf, sizeof buf, "%" PRIu64 ".%010" PRIu64, whole, fraction);
  o->append(buf, static_cast<size_t>(n));
}

void Hour(std::string* o, int h) {
  char buf[32];
  int n = h >= 744 ? std::snprintf(buf, sizeof buf, "2024-06-01T00:00:00Z")
                   : std::snprintf(buf, sizeof buf, "2024-05-%02dT%02d:00:00Z", 1 + h / 24, h % 24);
  o->append(buf, static_cast<size_t>(n));
}

void Row(std::string* o, int64_t i, std::mt19937_64* rng) {
  auto below = [&](uint64_t n) { return (*rng)() % n; };
  const int resource = static_cast<int>(below(20000));
  const auto& product = kProducts[resource % std::size(kProducts)];
  const auto& region = kRegions[(resource / 8) % std::size(kRegions)];
  const int account = (resource / 40) % 30;
  const int hour = static_cast<int>(i % 744);
  const int kind = static_cast<int>(below(100));
  const char* type = kind < 80   ? "Usage"
                     : kind < 88 ? "SavingsPlanCoveredUsage"
                     : kind < 95 ? "DiscountedUsage"
                     : kind < 98 ? "Tax"
                                 : "Credit";
  const uint64_t rate = 50000000u + static_cast<uint64_t>(resource) * 1500000u;  // a price per SKU
  const uint64_t qty = 1 + below(4);
  const uint64_t cost = rate * qty;
  const bool sp = type[0] == 'S', ri = type[0] == 'D';
  char id[64];
  std::snprintf(id, sizeof id, "%016" PRIx64 "%016" PRIx64, (*rng)(), (*rng)());
  auto c = [o] { o->push_back(','); };
  auto t = [o](const std::string& s) { o->append(s); };
  t(id);
  c();
  Hour(o, hour);
  t("/");
  Hour(o, hour + 1);
  c();
  t("INV-" + std::to_string(account % 3));
  c();
  t("AWS");
  c();
  t("AWS");
  c();
  t("Anniversary");
  c();
  t(std::to_string(100000000000ull + account % 3));
  c();
  t("2024-05-01T00:00:00Z");
  c();
  t("2024-06-01T00:00:00Z");
  c();
  t(std::to_string(200000000000ull + account));
  c();
  t(type);
  c();
  Hour(o, hour);
  c();
  Hour(o, hour + 1);
  c();
  t(product[0]);
  c();
  t(std::string(region[0]) + "-BoxUsage:m5.large");
  c();
  t("RunInstances");
  c();
  t(std::string(region[0]) + "a");
  c();
  t("i-" + std::to_string(1000000 + resource));
  c();
  t(std::to_string(qty));
  c();
  t("4");
  c();
  t(std::to_string(qty * 4));
  c();
  t("USD");
  c();
  Amount(o, rate);
  c();
  if (type[0] == 'C') o->push_back('-');
  Amount(o, sp ? cost : ri ? 0 : cost);
  c();
  Amount(o, rate);
  c();
  Amount(o, cost);
  c();
  t(std::string("\"$") + std::to_string(rate / 10000000) + " per unit of " + product[2] + ", " +
    type + "\"");
  c();
  t(type[0] == 'T' ? "VAT" : "");
  c();
  t("\"Amazon Web Services, Inc.\"");
  c();
  t(product[1]);
  c();
  t("m5.large");
  c();
  t(region[1]);
  c();
  t("AWS Region");
  c();
  t("Linux");
  c();
  t("Compute Instance");
  c();
  t(region[0]);
  c();
  t(product[0]);
  c();
  t("SKU" + std::to_string(resource % 500));
  c();
  t("BoxUsage:m5.large");
  c();
  t("2");
  c();
  t("8 GiB");
  c();
  t(std::to_string(resource % 500 * 7));
  c();
  t("USD");
  c();
  Amount(o, cost);
  c();
  Amount(o, rate);
  c();
  t(sp || ri ? "Reserved" : "OnDemand");
  c();
  t(product[2]);
  c();
  if (ri) Amount(o, cost * 6 / 10);
  c();
  if (ri)
    t("arn:aws:ec2:" + std::string(region[0]) + ":1:reserved-instances/ri-" +
      std::to_string(resource % 20));
  c();
  c();
  c();
  if (sp) t("arn:aws:savingsplans::1:savingsplan/sp-" + std::to_string(account % 4));
  c();
  if (sp) Amount(o, cost * 7 / 10);
  c();
  if (sp) Amount(o, rate * 7 / 10);
  c();
  c();
  c();
  t(kTeams[resource % std::size(kTeams)]);
  c();
  t(resource % 3 ? "prod" : "dev");
  c();
  t("cc-" + std::to_string(resource % 8));
  c();
  t("bu-" + std::to_string(resource % 4));
  c();
  c();
  c();
  c();
  t("compute");
  o->push_back('\n');
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cur_gen ROWS OUT.csv\n");
    return 2;
  }
  const int64_t rows = std::atoll(argv[1]);
  std::FILE* out = std::fopen(argv[2], "wb");
  if (out == nullptr) {
    std::perror(argv[2]);
    return 1;
  }
  std::mt19937_64 rng(7);
  std::string buf = kHeader;
  for (int64_t i = 0; i < rows; ++i) {
    Row(&buf, i, &rng);
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), out);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), out);
  return std::fclose(out) == 0 ? 0 : 1;
}
