#include "ingest/billing/azure/azure_export_reader.h"

#include <memory>

#include "common/strings.h"
#include "ingest/billing/native_export.h"
#include "ingest/billing/service_categories.h"
#include "model/json_object.h"

namespace tally {
namespace {

using C = FocusColumn;
constexpr int64_t kDay = 86400;

struct AzureColumns {
  explicit AzureColumns(const NativeHeader& h)
      : cost(h.FindAny({"CostInBillingCurrency", "PreTaxCost", "Cost"})),
        payg_cost(h.Find("PaygCostInBillingCurrency")),
        payg_price(h.Find("PayGPrice")),
        unit_price(h.Find("UnitPrice")),
        quantity(h.FindAny({"Quantity", "UsageQuantity"})),
        unit(h.Find("UnitOfMeasure")),
        date(h.FindAny({"Date", "UsageDateTime", "UsageDate"})),
        period_start(h.Find("BillingPeriodStartDate")),
        period_end(h.Find("BillingPeriodEndDate")),
        account(h.Find("BillingAccountId")),
        account_name(h.Find("BillingAccountName")),
        subscription(h.FindAny({"SubscriptionId", "SubscriptionGuid"})),
        subscription_name(h.Find("SubscriptionName")),
        currency(h.FindAny({"BillingCurrency", "BillingCurrencyCode", "Currency"})),
        family(h.Find("ServiceFamily")),
        meter_category(h.Find("MeterCategory")),
        meter_id(h.Find("MeterId")),
        meter_name(h.Find("MeterName")),
        part_number(h.Find("PartNumber")),
        resource(h.FindAny({"ResourceId", "InstanceId", "InstanceName"})),
        resource_name(h.Find("ResourceName")),
        location(h.Find("ResourceLocation")),
        zone(h.Find("AvailabilityZone")),
        charge_type(h.Find("ChargeType")),
        frequency(h.Find("Frequency")),
        pricing_model(h.Find("PricingModel")),
        reservation(h.FindAny({"ReservationId", "benefitId"})),
        reservation_name(h.FindAny({"ReservationName", "benefitName"})),
        publisher(h.Find("PublisherName")),
        invoice(h.Find("InvoiceId")),
        tags(h.Find("Tags")) {}

  int cost, payg_cost, payg_price, unit_price, quantity, unit, date, period_start, period_end;
  int account, account_name, subscription, subscription_name, currency, family, meter_category;
  int meter_id, meter_name, part_number, resource, resource_name, location, zone, charge_type;
  int frequency, pricing_model, reservation, reservation_name, publisher, invoice, tags;
};

class AzureConverter {
 public:
  AzureConverter(const NativeHeader& header, FileContext* context)
      : c_(header), context_(context) {}

  Result<bool> Convert(const NativeRow& row, CostLine* line) {
    TALLY_ASSIGN_OR_RETURN(bool ok, ReadMoney(row, line));
    if (!ok) return false;
    TALLY_ASSIGN_OR_RETURN(ok, ReadTimes(row, line));
    if (!ok) return false;
    SetCharge(row, line);
    SetDimensions(row, line);
    TALLY_RETURN_IF_ERROR(ReadTags(row));
    SetDim(line, C::kTags, tags_);
    return true;
  }

 private:
  Result<bool> ReadMoney(const NativeRow& row, CostLine* line) {
    std::optional<Decimal> cost, payg_cost, payg_price, unit_price, quantity;
    TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadDecimals({{c_.cost, &cost},
                                                      {c_.payg_cost, &payg_cost},
                                                      {c_.payg_price, &payg_price},
                                                      {c_.unit_price, &unit_price},
                                                      {c_.quantity, &quantity}}));
    if (!ok) return false;
    const Decimal billed = cost.value_or(Decimal());
    TALLY_ASSIGN_OR_RETURN(Decimal list, PriceTimesQuantity(row, payg_cost, payg_price, quantity,
                                                            billed, "PayGPrice"));
    TALLY_ASSIGN_OR_RETURN(Decimal contracted, PriceTimesQuantity(row, std::nullopt, unit_price,
                                                                  quantity, billed, "UnitPrice"));
    auto& d = line->decimals;
    d[DecimalIndex(C::kBilledCost)] = billed;
    d[DecimalIndex(C::kEffectiveCost)] = billed;
    d[DecimalIndex(C::kListCost)] = list;
    d[DecimalIndex(C::kContractedCost)] = contracted;
    d[DecimalIndex(C::kPricingQuantity)] = quantity;
    d[DecimalIndex(C::kConsumedQuantity)] = quantity;
    if (payg_price && !payg_price->is_zero()) d[DecimalIndex(C::kListUnitPrice)] = payg_price;
    d[DecimalIndex(C::kContractedUnitPrice)] = unit_price;
    if (quantity) {
      SetDim(line, C::kPricingUnit, row.Text(c_.unit));
      SetDim(line, C::kConsumedUnit, row.Text(c_.unit));
    }
    return true;
  }

  // A row is one day of usage. The billing period's end date is inclusive in Azure.
  Result<bool> ReadTimes(const NativeRow& row, CostLine* line) {
    std::optional<Timestamp> day, start, last_day;
    for (const auto& [col, out] : {std::pair{c_.date, &day}, std::pair{c_.period_start, &start},
                                   std::pair{c_.period_end, &last_day}}) {
      TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadTime(col, out));
      if (!ok) return false;
    }
    if (day) {
      const int64_t s = day->unix_seconds();
      const int64_t midnight = s - ((s % kDay) + kDay) % kDay;
      line->times[TimeIndex(C::kChargePeriodStart)] = Timestamp::FromUnixSeconds(midnight);
      line->times[TimeIndex(C::kChargePeriodEnd)] = Timestamp::FromUnixSeconds(midnight + kDay);
    }
    line->times[TimeIndex(C::kBillingPeriodStart)] = start;
    if (last_day) {
      line->times[TimeIndex(C::kBillingPeriodEnd)] =
          Timestamp::FromUnixSeconds(last_day->unix_seconds() + kDay);
    }
    return true;
  }

  // ChargeCategory, ChargeFrequency, PricingCategory and the commitment discount columns.
  void SetCharge(const NativeRow& row, CostLine* line) const {
    std::string_view charge_type = row.Text(c_.charge_type);
    std::string_view model = row.Text(c_.pricing_model);
    const bool unused = EqualsIgnoreCase(charge_type, "UnusedReservation") ||
                        EqualsIgnoreCase(charge_type, "UnusedSavingsPlan");
    const bool committed =
        EqualsIgnoreCase(model, "Reservation") || EqualsIgnoreCase(model, "SavingsPlan") || unused;
    SetDim(line, C::kChargeCategory, Category(charge_type, unused));
    SetDim(line, C::kChargeFrequency, Frequency(row.Text(c_.frequency)));
    SetDim(line, C::kPricingCategory,
           committed                         ? "Committed"
           : EqualsIgnoreCase(model, "Spot") ? "Dynamic"
                                             : "Standard");
    std::string_view id = row.Text(c_.reservation);
    if (id.empty()) return;
    const bool plan = EqualsIgnoreCase(model, "SavingsPlan") ||
                      EqualsIgnoreCase(charge_type, "UnusedSavingsPlan");
    SetDim(line, C::kCommitmentDiscountId, id);
    SetDim(line, C::kCommitmentDiscountName, row.Text(c_.reservation_name));
    SetDim(line, C::kCommitmentDiscountType, plan ? "Savings Plan" : "Reservation");
    SetDim(line, C::kCommitmentDiscountCategory, plan ? "Spend" : "Usage");
    if (unused) {
      SetDim(line, C::kCommitmentDiscountStatus, "Unused");
    } else if (EqualsIgnoreCase(charge_type, "Usage") || charge_type.empty()) {
      SetDim(line, C::kCommitmentDiscountStatus, "Used");
    }
  }

  void SetDimensions(const NativeRow& row, CostLine* line) const {
    std::string_view publisher = row.Text(c_.publisher);
    std::string_view meter_category = row.Text(c_.meter_category);
    SetDim(line, C::kProviderName, "Microsoft");
    SetDim(line, C::kInvoiceIssuerName, "Microsoft");
    SetDim(line, C::kPublisherName, publisher.empty() ? "Microsoft" : publisher);
    SetDim(line, C::kInvoiceId, row.Text(c_.invoice));
    SetDim(line, C::kBillingAccountId, row.Text(c_.account));
    SetDim(line, C::kBillingAccountName, row.Text(c_.account_name));
    SetDim(line, C::kSubAccountId, row.Text(c_.subscription));
    SetDim(line, C::kSubAccountName, row.Text(c_.subscription_name));
    if (!row.Text(c_.subscription).empty()) SetDim(line, C::kSubAccountType, "Subscription");
    SetDim(line, C::kBillingCurrency, row.Text(c_.currency));
    SetDim(line, C::kServiceName, meter_category);
    SetDim(line, C::kServiceCategory, AzureServiceCategory(meter_category, row.Text(c_.family)));
    SetDim(line, C::kSkuId, row.Text(c_.meter_id));
    SetDim(line, C::kSkuPriceId, row.Text(c_.part_number));
    SetDim(line, C::kSkuMeter, row.Text(c_.meter_name));
    SetDim(line, C::kChargeDescription, row.Text(c_.meter_name));
    SetDim(line, C::kResourceId, row.Text(c_.resource));
    SetDim(line, C::kResourceName, row.Text(c_.resource_name));
    SetDim(line, C::kRegionId, row.Text(c_.location));
    SetDim(line, C::kAvailabilityZone, row.Text(c_.zone));
  }

  // `total` if present, else price × quantity when the price is set and not zero, else the
  // row's cost (the export gave nothing better).
  Result<Decimal> PriceTimesQuantity(const NativeRow& row, const std::optional<Decimal>& total,
                                     const std::optional<Decimal>& price,
                                     const std::optional<Decimal>& quantity, Decimal cost,
                                     std::string_view column) {
    if (total) return *total;
    if (!price || price->is_zero() || !quantity) return cost;
    auto product = price->Multiply(*quantity);
    if (!product.ok()) {
      TALLY_RETURN_IF_ERROR(context_->Warn(row.line(), column,
                                           product.status().message() + "; using the row's cost"));
      return cost;
    }
    return *product;
  }

  static std::string_view Category(std::string_view charge_type, bool unused) {
    if (charge_type.empty() || unused || EqualsIgnoreCase(charge_type, "Usage")) return "Usage";
    if (EqualsIgnoreCase(charge_type, "Purchase")) return "Purchase";
    if (EqualsIgnoreCase(charge_type, "Tax")) return "Tax";
    if (EqualsIgnoreCase(charge_type, "Refund")) return "Credit";
    return "Adjustment";  // RoundingAdjustment and anything new
  }

  static std::string_view Frequency(std::string_view frequency) {
    if (EqualsIgnoreCase(frequency, "OneTime")) return "One-Time";
    if (EqualsIgnoreCase(frequency, "Recurring")) return "Recurring";
    return "Usage-Based";
  }

  // Azure writes tags as a JSON object, or as its members without the braces.
  Status ReadTags(const NativeRow& row) {
    tags_.clear();
    std::string_view text = row.Text(c_.tags);
    if (text.empty()) return Status::Ok();
    if (text.front() != '{') {
      braced_ = "{";
      braced_ += text;
      braced_ += '}';
      text = braced_;
    }
    if (!CanonicalJsonObject(text, &tags_).ok()) {
      tags_.clear();
      return context_->Warn(row.line(), "Tags", "not a JSON object; kept only as x_Tags");
    }
    if (tags_ == "{}") tags_.clear();
    return Status::Ok();
  }

  AzureColumns c_;
  FileContext* context_;
  std::string tags_, braced_;
};

}  // namespace

Status ReadAzureExportFile(InputFile* in, FileContext* context) {
  return ReadNativeExport<AzureConverter>(
      in, context, "an Azure cost export",
      {{"CostInBillingCurrency", "PreTaxCost", "Cost"}, {"Date", "UsageDateTime", "UsageDate"}});
}

}  // namespace tally
