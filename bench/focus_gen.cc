// focus_gen: writes a large FOCUS 1.2 CSV with all 57 columns and realistic values, for the
// ingest benchmarks. Deterministic for a given --seed. Usage: focus_gen ROWS OUT.csv [--seed N]
//
// Cardinalities follow a mid-size cloud bill: 3 providers' worth of services, 3 billing accounts,
// 40 sub-accounts, ~20,000 resources, hourly charge periods over one month, 20% commitment-
// covered rows, and a third of the amounts carrying float residue to 28 fraction digits, as real
// exports do.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

struct Service {
  const char* provider;
  const char* name;
  const char* category;
  const char* subcategory;
  const char* resource_type;
  const char* unit;
};

constexpr Service kServices[] = {
    {"AWS", "Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Instance", "Hours"},
    {"AWS", "Amazon Simple Storage Service", "Storage", "Object Storage", "Bucket", "GB-Mo"},
    {"AWS", "Amazon Relational Database Service", "Databases", "Relational Databases",
     "DB Instance", "Hours"},
    {"AWS", "Amazon Elastic Kubernetes Service", "Compute", "Containers", "Cluster", "Hours"},
    {"AWS", "AWS Data Transfer", "Networking", "Network Connectivity", "Transfer", "GB"},
    {"AWS", "Amazon ElastiCache", "Databases", "Caching", "Cache Node", "Hours"},
    {"AWS", "Amazon SageMaker", "AI and Machine Learning", "Machine Learning", "Endpoint", "Hours"},
    {"AWS", "AWS Support (Business)", "Management and Governance", "Support", "", "Dollars"},
};
constexpr const char* kRegions[] = {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
                                    "ap-southeast-1"};
constexpr const char* kRegionNames[] = {"US East (N. Virginia)", "US West (Oregon)",
                                        "Europe (Ireland)", "Europe (Frankfurt)",
                                        "Asia Pacific (Singapore)"};
constexpr const char* kTeams[] = {"search",   "ads",      "payments", "ml-platform", "data-eng",
                                  "checkout", "identity", "growth",   "infra",       "mobile"};
constexpr const char* kInstanceTypes[] = {"m5.large",     "m5.2xlarge", "c6i.4xlarge", "r6g.xlarge",
                                          "p4d.24xlarge", "g5.xlarge",  "t3.medium"};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }

 private:
  std::mt19937_64 rng_;
};

// Appends a non-negative amount given in units of 1e-10, optionally with float residue.
void AppendAmount(std::string* out, uint64_t units, bool residue, Gen* g) {
  char buf[96];
  const uint64_t whole = units / 10000000000u, fraction = units % 10000000000u;
  int n = std::snprintf(buf, sizeof buf, "%" PRIu64 ".%010" PRIu64, whole, fraction);
  out->append(buf, static_cast<size_t>(n));
  if (residue) {
    n = std::snprintf(buf, sizeof buf, "%018" PRIu64, g->Below(1000000000000000000ull));
    out->append(buf, static_cast<size_t>(n));
  }
}

// Appends the instant `hours` hours after 2024-05-01T00:00:00Z (0 <= hours <= 744).
void AppendHour(std::string* out, int hours) {
  char buf[32];
  int n = hours == 744 ? std::snprintf(buf, sizeof buf, "2024-06-01T00:00:00Z")
                       : std::snprintf(buf, sizeof buf, "2024-05-%02dT%02d:00:00Z", 1 + hours / 24,
                                       hours % 24);
  out->append(buf, static_cast<size_t>(n));
}

void AppendRow(std::string* o, int64_t i, Gen* g) {
  // A resource belongs to one service, region, account and sub-account, as in a real bill.
  const int resource = static_cast<int>(g->Below(20000));
  const Service& s = kServices[resource % std::size(kServices)];
  const int region = static_cast<int>((resource / 8) % std::size(kRegions));
  const int sub = static_cast<int>((resource / 40) % 40);
  const int account = sub % 3;
  const int team = resource % static_cast<int>(std::size(kTeams));
  const char* itype = kInstanceTypes[resource % std::size(kInstanceTypes)];
  const int hour = static_cast<int>(i % 744);  // hourly over May 2024
  const bool support = std::strcmp(s.category, "Management and Governance") == 0;
  const int kind = static_cast<int>(g->Below(100));
  const char* category = support ? "Purchase" : kind < 92 ? "Usage" : kind < 96 ? "Tax" : "Credit";
  const bool tax = std::strcmp(category, "Tax") == 0;
  const bool credit = std::strcmp(category, "Credit") == 0;
  const bool committed = !support && !tax && !credit && g->Chance(20);
  const uint64_t list_price = 100000000ull + g->Below(40000000000ull);  // $0.01 .. $4 per unit
  const uint64_t quantity = 1 + g->Below(8);
  const uint64_t list = list_price * quantity;
  const uint64_t contracted = list - list / 10;
  const uint64_t effective = committed ? contracted * 6 / 10 : contracted;
  const uint64_t billed = committed ? 0 : effective;
  const bool residue = g->Chance(33);
  auto sep = [o] { o->push_back(','); };
  auto text = [o](const char* t) { o->append(t); };

  text(support ? "" : (std::string(kRegions[region]) + (region % 2 ? "a" : "b")).c_str());
  sep();  // AvailabilityZone
  if (credit) o->push_back('-');
  AppendAmount(o, billed, residue, g);
  sep();  // BilledCost
  o->append(std::to_string(100000000000ull + static_cast<uint64_t>(account)));
  sep();  // BillingAccountId
  o->append("Payer Account " + std::to_string(account));
  sep();  // BillingAccountName
  text("Billing Account");
  sep();  // BillingAccountType
  text("USD");
  sep();  // BillingCurrency
  text("2024-06-01T00:00:00Z");
  sep();  // BillingPeriodEnd
  text("2024-05-01T00:00:00Z");
  sep();  // BillingPeriodStart
  sep();  // CapacityReservationId
  sep();  // CapacityReservationStatus
  text(category);
  sep();  // ChargeCategory
  sep();  // ChargeClass
  o->append("\"" + std::string(s.name) + " " + itype + ", per " + s.unit + "\"");
  sep();  // ChargeDescription
  text(support || tax ? "Recurring" : "Usage-Based");
  sep();  // ChargeFrequency
  AppendHour(o, hour + 1);
  sep();  // ChargePeriodEnd
  AppendHour(o, hour);
  sep();  // ChargePeriodStart
  text(committed ? "Spend" : "");
  sep();  // CommitmentDiscountCategory
  if (committed)
    o->append("arn:aws:savingsplans::" + std::to_string(100000000000ull + account) +
              ":savingsplan/sp-" + std::to_string(sub % 4));
  sep();  // CommitmentDiscountId
  text(committed ? "Compute Savings Plan" : "");
  sep();  // CommitmentDiscountName
  if (committed) AppendAmount(o, effective, false, g);
  sep();  // CommitmentDiscountQuantity
  text(committed ? "Used" : "");
  sep();  // CommitmentDiscountStatus
  text(committed ? "Savings Plan" : "");
  sep();  // CommitmentDiscountType
  text(committed ? "USD" : "");
  sep();  // CommitmentDiscountUnit
  if (!tax && !credit) o->append(std::to_string(quantity));
  sep();  // ConsumedQuantity
  text(tax || credit ? "" : s.unit);
  sep();  // ConsumedUnit
  if (credit) o->push_back('-');
  AppendAmount(o, contracted, residue, g);
  sep();  // ContractedCost
  if (!tax) AppendAmount(o, list_price - list_price / 10, false, g);
  sep();  // ContractedUnitPrice
  if (credit) o->push_back('-');
  AppendAmount(o, effective, residue, g);
  sep();  // EffectiveCost
  o->append("INV-2024-05-" + std::to_string(account));
  sep();  // InvoiceId
  text("\"Amazon Web Services, Inc.\"");
  sep();  // InvoiceIssuerName
  if (credit) o->push_back('-');
  AppendAmount(o, list, residue, g);
  sep();  // ListCost
  if (!tax) AppendAmount(o, list_price, false, g);
  sep();  // ListUnitPrice
  text(tax ? "" : committed ? "Committed" : "Standard");
  sep();  // PricingCategory
  text("USD");
  sep();  // PricingCurrency
  if (!tax) AppendAmount(o, list_price - list_price / 10, false, g);
  sep();  // PricingCurrencyContractedUnitPrice
  AppendAmount(o, effective, false, g);
  sep();  // PricingCurrencyEffectiveCost
  if (!tax) AppendAmount(o, list_price, false, g);
  sep();  // PricingCurrencyListUnitPrice
  if (!tax) o->append(std::to_string(quantity));
  sep();  // PricingQuantity
  text(tax ? "" : s.unit);
  sep();  // PricingUnit
  text(s.provider);
  sep();  // ProviderName
  text("\"Amazon Web Services, Inc.\"");
  sep();  // PublisherName
  text(support ? "" : kRegions[region]);
  sep();  // RegionId
  text(support ? "" : kRegionNames[region]);
  sep();  // RegionName
  if (!support)
    o->append("arn:aws:ec2:" + std::string(kRegions[region]) + ":" +
              std::to_string(200000000000ull + sub) + ":resource/r-" + std::to_string(resource));
  sep();  // ResourceId
  if (!support) o->append(std::string(kTeams[team]) + "-" + itype + "-" + std::to_string(resource));
  sep();  // ResourceName
  text(s.resource_type);
  sep();  // ResourceType
  text(s.category);
  sep();  // ServiceCategory
  text(s.name);
  sep();  // ServiceName
  text(s.subcategory);
  sep();  // ServiceSubcategory
  if (!tax) o->append(std::string("SKU-") + itype + "-" + kRegions[region]);
  sep();  // SkuId
  text(tax ? "" : s.unit);
  sep();  // SkuMeter
  if (!tax)
    o->append(std::string("\"{\"\"InstanceType\"\":\"\"") + itype +
              "\"\",\"\"OperatingSystem\"\":\"\"Linux\"\"}\"");
  sep();  // SkuPriceDetails
  if (!tax)
    o->append(std::string("PRICE-") + itype + "-" + kRegions[region] + (committed ? "-SP" : "-OD"));
  sep();  // SkuPriceId
  o->append(std::to_string(200000000000ull + static_cast<uint64_t>(sub)));
  sep();  // SubAccountId
  o->append(std::string(kTeams[sub % std::size(kTeams)]) + "-account-" + std::to_string(sub));
  sep();  // SubAccountName
  text("AWS Account");
  sep();  // SubAccountType
  o->append(std::string("\"{\"\"team\"\":\"\"") + kTeams[team] + "\"\",\"\"env\"\":\"\"" +
            (resource % 3 ? "prod" : "dev") + "\"\",\"\"cost-center\"\":\"\"cc-" +
            std::to_string(team * 10) + "\"\"}\"");  // Tags
  o->push_back('\n');
}

constexpr char kHeader[] =
    "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,"
    "BillingCurrency,BillingPeriodEnd,BillingPeriodStart,CapacityReservationId,"
    "CapacityReservationStatus,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,"
    "ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory,CommitmentDiscountId,"
    "CommitmentDiscountName,CommitmentDiscountQuantity,CommitmentDiscountStatus,"
    "CommitmentDiscountType,CommitmentDiscountUnit,ConsumedQuantity,ConsumedUnit,ContractedCost,"
    "ContractedUnitPrice,EffectiveCost,InvoiceId,InvoiceIssuerName,ListCost,ListUnitPrice,"
    "PricingCategory,PricingCurrency,PricingCurrencyContractedUnitPrice,"
    "PricingCurrencyEffectiveCost,PricingCurrencyListUnitPrice,PricingQuantity,PricingUnit,"
    "ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,"
    "ServiceCategory,ServiceName,ServiceSubcategory,SkuId,SkuMeter,SkuPriceDetails,SkuPriceId,"
    "SubAccountId,SubAccountName,SubAccountType,Tags\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: focus_gen ROWS OUT.csv [--seed N]\n");
    return 2;
  }
  const int64_t rows = std::atoll(argv[1]);
  uint64_t seed = 1;
  if (argc >= 5 && std::strcmp(argv[3], "--seed") == 0) seed = std::strtoull(argv[4], nullptr, 10);
  std::FILE* out = std::fopen(argv[2], "wb");
  if (out == nullptr) {
    std::perror(argv[2]);
    return 1;
  }
  Gen g(seed);
  std::string buf = kHeader;
  for (int64_t i = 0; i < rows; ++i) {
    AppendRow(&buf, i, &g);
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), out);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), out);
  return std::fclose(out) == 0 ? 0 : 1;
}
