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

  Result<bool> Convert(const NativeRow& row, const NativeHeader& header, CostLine* line) {
    auto set = [&](C column, std::string_view value) { line->dims[DimIndex(column)] = value; };
    std::optional<Decimal> cost, payg_cost, payg_price, unit_price, quantity;
    TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadDecimals({{c_.cost, &cost},
                                                      {c_.payg_cost, &payg_cost},
                                                      {c_.payg_price, &payg_price},
                                                      {c_.unit_price, &unit_price},
                                                      {c_.quantity, &quantity}}));
    if (!ok) return false;
    const Decimal billed = cost.value_or(Decimal());
    line->decimals[DecimalIndex(C::kBilledCost)] = billed;
    line->decimals[DecimalIndex(C::kEffectiveCost)] = billed;
    TALLY_ASSIGN_OR_RETURN(Decimal list, PriceTimesQuantity(row, payg_cost, payg_price, quantity,
                                                            billed, "PayGPrice"));
    TALLY_ASSIGN_OR_RETURN(Decimal contracted, PriceTimesQuantity(row, std::nullopt, unit_price,
                                                                  quantity, billed, "UnitPrice"));
    line->decimals[DecimalIndex(C::kListCost)] = list;
    line->decimals[DecimalIndex(C::kContractedCost)] = contracted;
    line->decimals[DecimalIndex(C::kPricingQuantity)] = quantity;
    line->decimals[DecimalIndex(C::kConsumedQuantity)] = quantity;
    if (payg_price && !payg_price->is_zero()) {
      line->decimals[DecimalIndex(C::kListUnitPrice)] = payg_price;
    }
    line->decimals[DecimalIndex(C::kContractedUnitPrice)] = unit_price;

    // A row is one day of usage. The billing period's end date is inclusive in Azure.
    std::optional<Timestamp> day, start, last_day;
    TALLY_ASSIGN_OR_RETURN(ok, row.ReadTime(c_.date, &day));
    if (!ok) return false;
    TALLY_ASSIGN_OR_RETURN(ok, ReadTimes(row, &start, &last_day));
    if (!ok) return false;
    if (day) {
      Timestamp midnight = Timestamp::FromUnixSeconds(day->unix_seconds() -
                                                      ((day->unix_seconds() % kDay) + kDay) % kDay);
      line->times[TimeIndex(C::kChargePeriodStart)] = midnight;
      line->times[TimeIndex(C::kChargePeriodEnd)] =
          Timestamp::FromUnixSeconds(midnight.unix_seconds() + kDay);
    }
    line->times[TimeIndex(C::kBillingPeriodStart)] = start;
    if (last_day) {
      line->times[TimeIndex(C::kBillingPeriodEnd)] =
          Timestamp::FromUnixSeconds(last_day->unix_seconds() + kDay);
    }

    std::string_view charge_type = row.Text(c_.charge_type);
    std::string_view model = row.Text(c_.pricing_model);
    const bool unused = EqualsIgnoreCase(charge_type, "UnusedReservation") ||
                        EqualsIgnoreCase(charge_type, "UnusedSavingsPlan");
    set(C::kChargeCategory, Category(charge_type, unused));
    set(C::kChargeFrequency, Frequency(row.Text(c_.frequency)));
    set(C::kPricingCategory,
        EqualsIgnoreCase(model, "Reservation") || EqualsIgnoreCase(model, "SavingsPlan") || unused
            ? "Committed"
        : EqualsIgnoreCase(model, "Spot") ? "Dynamic"
                                          : "Standard");
    if (std::string_view id = row.Text(c_.reservation); !id.empty()) {
      const bool plan = EqualsIgnoreCase(model, "SavingsPlan") ||
                        EqualsIgnoreCase(charge_type, "UnusedSavingsPlan");
      set(C::kCommitmentDiscountId, id);
      set(C::kCommitmentDiscountName, row.Text(c_.reservation_name));
      set(C::kCommitmentDiscountType, plan ? "Savings Plan" : "Reservation");
      set(C::kCommitmentDiscountCategory, plan ? "Spend" : "Usage");
      if (unused) {
        set(C::kCommitmentDiscountStatus, "Unused");
      } else if (EqualsIgnoreCase(charge_type, "Usage") || charge_type.empty()) {
        set(C::kCommitmentDiscountStatus, "Used");
      }
    }
    set(C::kProviderName, "Microsoft");
    set(C::kInvoiceIssuerName, "Microsoft");
    std::string_view publisher = row.Text(c_.publisher);
    set(C::kPublisherName, publisher.empty() ? "Microsoft" : publisher);
    set(C::kInvoiceId, row.Text(c_.invoice));
    set(C::kBillingAccountId, row.Text(c_.account));
    set(C::kBillingAccountName, row.Text(c_.account_name));
    set(C::kSubAccountId, row.Text(c_.subscription));
    set(C::kSubAccountName, row.Text(c_.subscription_name));
    if (!row.Text(c_.subscription).empty()) set(C::kSubAccountType, "Subscription");
    set(C::kBillingCurrency, row.Text(c_.currency));
    std::string_view meter_category = row.Text(c_.meter_category);
    set(C::kServiceName, meter_category);
    set(C::kServiceCategory, AzureServiceCategory(meter_category, row.Text(c_.family)));
    set(C::kSkuId, row.Text(c_.meter_id));
    set(C::kSkuPriceId, row.Text(c_.part_number));
    set(C::kSkuMeter, row.Text(c_.meter_name));
    set(C::kChargeDescription, row.Text(c_.meter_name));
    set(C::kResourceId, row.Text(c_.resource));
    set(C::kResourceName, row.Text(c_.resource_name));
    set(C::kRegionId, row.Text(c_.location));
    set(C::kAvailabilityZone, row.Text(c_.zone));
    if (quantity) {
      set(C::kPricingUnit, row.Text(c_.unit));
      set(C::kConsumedUnit, row.Text(c_.unit));
    }
    TALLY_RETURN_IF_ERROR(ReadTags(row));
    set(C::kTags, tags_);
    header.EncodeExtras(row.fields(), &extras_);
    line->extras = extras_.blob();
    return true;
  }

 private:
  Result<bool> ReadTimes(const NativeRow& row, std::optional<Timestamp>* start,
                         std::optional<Timestamp>* last_day) {
    TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadTime(c_.period_start, start));
    if (!ok) return false;
    return row.ReadTime(c_.period_end, last_day);
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
  ExtrasEncoder extras_;
};

}  // namespace

Status ReadAzureExportFile(InputFile* in, FileContext* context) {
  return ReadNativeExport<AzureConverter>(
      in, context, "an Azure cost export",
      {{"CostInBillingCurrency", "PreTaxCost", "Cost"}, {"Date", "UsageDateTime", "UsageDate"}});
}

}  // namespace tally
