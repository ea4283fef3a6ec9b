#include "ingest/billing/oci/oci_cost_reader.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "common/strings.h"
#include "ingest/billing/native_export.h"
#include "ingest/billing/service_categories.h"

namespace tally {
namespace {

using C = FocusColumn;

struct OciColumns {
  explicit OciColumns(const NativeHeader& h)
      : tenant(h.Find("lineItem/tenantId")),
        start(h.Find("lineItem/intervalUsageStart")),
        end(h.Find("lineItem/intervalUsageEnd")),
        correction(h.Find("lineItem/isCorrection")),
        service(h.Find("product/service")),
        compartment(h.Find("product/compartmentId")),
        compartment_name(h.Find("product/compartmentName")),
        region(h.Find("product/region")),
        domain(h.Find("product/availabilityDomain")),
        resource(h.Find("product/resourceId")),
        description(h.Find("product/Description")),
        quantity(h.Find("usage/billedQuantity")),
        sku(h.Find("cost/productSku")),
        unit_price(h.Find("cost/unitPrice")),
        cost(h.Find("cost/myCost")),
        currency(h.Find("cost/currencyCode")),
        unit(h.Find("cost/skuUnitDescription")),
        subscription(h.Find("cost/subscriptionId")),
        tags(h.PrefixedColumns({"tags/"})) {}

  int tenant, start, end, correction, service, compartment, compartment_name, region, domain;
  int resource, description, quantity, sku, unit_price, cost, currency, unit, subscription;
  std::vector<std::pair<std::string, int>> tags;  // tag key ("Namespace.key"), column
};

class OciConverter {
 public:
  OciConverter(const NativeHeader& header, FileContext*) : c_(header) {}

  Result<bool> Convert(const NativeRow& row, CostLine* line) {
    std::optional<Decimal> cost, unit_price, quantity;
    TALLY_ASSIGN_OR_RETURN(
        bool ok, row.ReadDecimals(
                     {{c_.cost, &cost}, {c_.unit_price, &unit_price}, {c_.quantity, &quantity}}));
    if (!ok) return false;
    const Decimal billed = cost.value_or(Decimal());
    for (C metric : kCostMetrics) line->decimals[DecimalIndex(metric)] = billed;
    line->decimals[DecimalIndex(C::kPricingQuantity)] = quantity;
    line->decimals[DecimalIndex(C::kConsumedQuantity)] = quantity;
    line->decimals[DecimalIndex(C::kListUnitPrice)] = unit_price;
    line->decimals[DecimalIndex(C::kContractedUnitPrice)] = unit_price;
    std::optional<Timestamp> t;
    for (const auto& [col, focus] :
         {std::pair{c_.start, C::kChargePeriodStart}, std::pair{c_.end, C::kChargePeriodEnd}}) {
      TALLY_ASSIGN_OR_RETURN(ok, row.ReadTime(col, &t));
      if (!ok) return false;
      line->times[TimeIndex(focus)] = t;
    }
    SetDim(line, C::kProviderName, "Oracle Cloud Infrastructure");
    SetDim(line, C::kPublisherName, "Oracle");
    SetDim(line, C::kInvoiceIssuerName, "Oracle");
    SetDim(line, C::kChargeCategory, "Usage");
    SetDim(line, C::kChargeFrequency, "Usage-Based");
    SetDim(line, C::kPricingCategory, "Standard");
    if (EqualsIgnoreCase(row.Text(c_.correction), "true"))
      SetDim(line, C::kChargeClass, "Correction");
    SetDim(line, C::kBillingAccountId, row.Text(c_.tenant));
    SetDim(line, C::kSubAccountId, row.Text(c_.compartment));
    SetDim(line, C::kSubAccountName, row.Text(c_.compartment_name));
    if (!row.Text(c_.compartment).empty()) SetDim(line, C::kSubAccountType, "Compartment");
    SetDim(line, C::kBillingCurrency, row.Text(c_.currency));
    SetDim(line, C::kServiceName, row.Text(c_.service));
    SetDim(line, C::kServiceCategory, OciServiceCategory(row.Text(c_.service)));
    SetDim(line, C::kRegionId, row.Text(c_.region));
    SetDim(line, C::kAvailabilityZone, row.Text(c_.domain));
    SetDim(line, C::kResourceId, row.Text(c_.resource));
    SetDim(line, C::kSkuId, row.Text(c_.sku));
    SetDim(line, C::kChargeDescription, row.Text(c_.description));
    if (quantity) {
      SetDim(line, C::kPricingUnit, row.Text(c_.unit));
      SetDim(line, C::kConsumedUnit, row.Text(c_.unit));
    }
    builder_.Clear();
    builder_.AddColumns(row, c_.tags);
    builder_.Build(&tags_);
    SetDim(line, C::kTags, tags_);
    return true;
  }

 private:
  OciColumns c_;
  TagsBuilder builder_;
  std::string tags_;
};

}  // namespace

Status ReadOciCostFile(InputFile* in, FileContext* context) {
  return ReadNativeExport<OciConverter>(in, context, "an OCI cost report", {{"cost/myCost"}});
}

}  // namespace tally
