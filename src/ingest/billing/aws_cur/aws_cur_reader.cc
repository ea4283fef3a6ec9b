#include "ingest/billing/aws_cur/aws_cur_reader.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"
#include "ingest/bill_values.h"
#include "ingest/billing/native_export.h"
#include "ingest/billing/service_categories.h"

namespace tally {
namespace {

using C = FocusColumn;

// What a lineItem/LineItemType means in FOCUS terms (docs/formats/aws-cur.md).
struct LineItemKind {
  std::string_view type;
  std::string_view category;   // ChargeCategory
  std::string_view frequency;  // ChargeFrequency
};
constexpr LineItemKind kKinds[] = {
    {"Usage", "Usage", "Usage-Based"},
    {"DiscountedUsage", "Usage", "Usage-Based"},
    {"SavingsPlanCoveredUsage", "Usage", "Usage-Based"},
    {"SavingsPlanNegation", "Usage", "Usage-Based"},
    {"Fee", "Purchase", "One-Time"},
    {"RIFee", "Purchase", "Recurring"},
    {"SavingsPlanUpfrontFee", "Purchase", "One-Time"},
    {"SavingsPlanRecurringFee", "Purchase", "Recurring"},
    {"Tax", "Tax", "Recurring"},
    {"Credit", "Credit", "One-Time"},
    {"Refund", "Adjustment", "One-Time"},
    {"EdpDiscount", "Adjustment", "Recurring"},
    {"BundledDiscount", "Adjustment", "Recurring"},
    {"PrivateRateDiscount", "Adjustment", "Recurring"},
    {"DistributorDiscount", "Adjustment", "Recurring"},
    {"Discount", "Adjustment", "Recurring"},
};

// Column indexes of what the mapping reads; -1 when the file lacks the column.
struct CurColumns {
  explicit CurColumns(const NativeHeader& h)
      : payer(h.Find("bill/PayerAccountId")),
        usage_account(h.Find("lineItem/UsageAccountId")),
        usage_account_name(h.Find("lineItem/UsageAccountName")),
        period_start(h.Find("bill/BillingPeriodStartDate")),
        period_end(h.Find("bill/BillingPeriodEndDate")),
        usage_start(h.Find("lineItem/UsageStartDate")),
        usage_end(h.Find("lineItem/UsageEndDate")),
        type(h.Find("lineItem/LineItemType")),
        product_code(h.Find("lineItem/ProductCode")),
        product_name(h.FindAny({"product/ProductName", "product/servicename"})),
        unblended_cost(h.Find("lineItem/UnblendedCost")),
        usage_amount(h.Find("lineItem/UsageAmount")),
        currency(h.Find("lineItem/CurrencyCode")),
        od_cost(h.Find("pricing/publicOnDemandCost")),
        od_rate(h.Find("pricing/publicOnDemandRate")),
        pricing_unit(h.Find("pricing/unit")),
        pricing_term(h.Find("pricing/term")),
        region(h.FindAny({"product/regionCode", "product/region"})),
        location(h.Find("product/location")),
        zone(h.Find("lineItem/AvailabilityZone")),
        resource(h.Find("lineItem/ResourceId")),
        sku(h.Find("product/sku")),
        rate_id(h.Find("pricing/RateId")),
        usage_type(h.Find("lineItem/UsageType")),
        invoice(h.Find("bill/InvoiceId")),
        invoicing_entity(h.Find("bill/InvoicingEntity")),
        billing_entity(h.Find("bill/BillingEntity")),
        legal_entity(h.Find("lineItem/LegalEntity")),
        description(h.Find("lineItem/LineItemDescription")),
        ri_arn(h.Find("reservation/ReservationARN")),
        ri_effective(h.Find("reservation/EffectiveCost")),
        ri_unused_upfront(h.Find("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod")),
        ri_unused_recurring(h.Find("reservation/UnusedRecurringFee")),
        sp_arn(h.Find("savingsPlan/SavingsPlanARN")),
        sp_effective(h.Find("savingsPlan/SavingsPlanEffectiveCost")),
        sp_commitment(h.Find("savingsPlan/TotalCommitmentToDate")),
        sp_used(h.Find("savingsPlan/UsedCommitment")),
        // Cost allocation tags: resourceTags/user:team, or Athena's resource_tags_user_team.
        tags(h.PrefixedColumns({"resourceTags/", "resource_tags_"})) {}

  int payer, usage_account, usage_account_name, period_start, period_end, usage_start, usage_end;
  int type, product_code, product_name, unblended_cost, usage_amount, currency;
  int od_cost, od_rate, pricing_unit, pricing_term, region, location, zone, resource, sku;
  int rate_id, usage_type, invoice, invoicing_entity, billing_entity, legal_entity, description;
  int ri_arn, ri_effective, ri_unused_upfront, ri_unused_recurring;
  int sp_arn, sp_effective, sp_commitment, sp_used;
  std::vector<std::pair<std::string, int>> tags;  // tag key, column; sorted by key
};

class CurConverter {
 public:
  CurConverter(const NativeHeader& header, FileContext* context) : c_(header), context_(context) {}

  Result<bool> Convert(const NativeRow& row, CostLine* line) {
    std::string_view type = row.Text(c_.type);
    const LineItemKind* kind = nullptr;
    for (const LineItemKind& k : kKinds) {
      if (k.type == type) kind = &k;
    }
    if (kind == nullptr) {
      TALLY_RETURN_IF_ERROR(context_->WarnOnce("type:" + std::string(type), row.line(),
                                               "lineItem/LineItemType",
                                               "unknown line item type \"" + std::string(type) +
                                                   "\" read as ChargeCategory Adjustment"));
    }
    const std::string_view category = kind != nullptr ? kind->category : "Adjustment";
    TALLY_ASSIGN_OR_RETURN(bool ok, ReadMoney(row, type, category, line));
    if (!ok) return false;
    const std::pair<int, C> times[] = {{c_.period_start, C::kBillingPeriodStart},
                                       {c_.period_end, C::kBillingPeriodEnd},
                                       {c_.usage_start, C::kChargePeriodStart},
                                       {c_.usage_end, C::kChargePeriodEnd}};
    for (const auto& [col, focus] : times) {
      TALLY_ASSIGN_OR_RETURN(ok, row.ReadTime(col, &line->times[TimeIndex(focus)]));
      if (!ok) return false;
    }
    SetDim(line, C::kChargeCategory, category);
    SetDim(line, C::kChargeFrequency, kind != nullptr ? kind->frequency : "One-Time");
    SetDim(line, C::kPricingCategory, PricingCategory(row, type, category));
    SetDimensions(row, line);
    SetCommitment(row, type, line);
    tag_builder_.Clear();
    tag_builder_.AddColumns(row, c_.tags);
    tag_builder_.Build(&tags_);
    SetDim(line, C::kTags, tags_);
    return true;
  }

 private:
  // The cost metrics, prices and quantities. A value that cannot be read rejects the row.
  Result<bool> ReadMoney(const NativeRow& row, std::string_view type, std::string_view category,
                         CostLine* line) {
    std::optional<Decimal> billed, od_cost, od_rate, quantity, effective;
    TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadDecimals({{c_.unblended_cost, &billed},
                                                      {c_.od_cost, &od_cost},
                                                      {c_.od_rate, &od_rate},
                                                      {c_.usage_amount, &quantity}}));
    if (!ok) return false;
    TALLY_ASSIGN_OR_RETURN(ok, EffectiveCost(row, type, billed, &effective));
    if (!ok) return false;
    const Decimal billed_or_zero = billed.value_or(Decimal());
    const bool usage = category == "Usage";
    const Decimal list = usage && od_cost ? *od_cost : billed_or_zero;
    auto& d = line->decimals;
    d[DecimalIndex(C::kBilledCost)] = billed_or_zero;
    d[DecimalIndex(C::kEffectiveCost)] = effective;
    d[DecimalIndex(C::kListCost)] = list;
    d[DecimalIndex(C::kContractedCost)] = list;
    if (category == "Tax") return true;
    d[DecimalIndex(C::kPricingQuantity)] = quantity;
    if (quantity) SetDim(line, C::kPricingUnit, row.Text(c_.pricing_unit));
    if (usage) {
      d[DecimalIndex(C::kListUnitPrice)] = od_rate;
      d[DecimalIndex(C::kContractedUnitPrice)] = od_rate;
      d[DecimalIndex(C::kConsumedQuantity)] = quantity;
      if (quantity) SetDim(line, C::kConsumedUnit, row.Text(c_.pricing_unit));
    }
    return true;
  }

  void SetDimensions(const NativeRow& row, CostLine* line) {
    SetDim(line, C::kProviderName, "AWS");
    SetDim(line, C::kPublisherName, First(row, {c_.legal_entity, c_.billing_entity}, "AWS"));
    SetDim(line, C::kInvoiceIssuerName,
           First(row, {c_.invoicing_entity, c_.billing_entity}, "AWS"));
    SetDim(line, C::kBillingAccountId, row.Text(c_.payer));
    SetDim(line, C::kSubAccountId, row.Text(c_.usage_account));
    SetDim(line, C::kSubAccountName, row.Text(c_.usage_account_name));
    SetDim(line, C::kBillingCurrency, row.Text(c_.currency));
    SetDim(line, C::kInvoiceId, row.Text(c_.invoice));
    SetDim(line, C::kChargeDescription, row.Text(c_.description));
    SetDim(line, C::kServiceName, First(row, {c_.product_name, c_.product_code}, "AWS"));
    SetDim(line, C::kServiceCategory, Category(row.Text(c_.product_code)));
    SetDim(line, C::kRegionId, row.Text(c_.region));
    SetDim(line, C::kRegionName, row.Text(c_.region).empty() ? "" : row.Text(c_.location));
    SetDim(line, C::kAvailabilityZone, row.Text(c_.zone));
    SetDim(line, C::kResourceId, row.Text(c_.resource));
    SetDim(line, C::kSkuId, row.Text(c_.sku));
    SetDim(line, C::kSkuPriceId, row.Text(c_.rate_id));
    SetDim(line, C::kSkuMeter, row.Text(c_.usage_type));
  }

  // Amortized cost, as AWS defines it for each line item type.
  Result<bool> EffectiveCost(const NativeRow& row, std::string_view type,
                             const std::optional<Decimal>& billed, std::optional<Decimal>* out) {
    std::optional<Decimal> a, b;
    bool ok = true;
    if (type == "DiscountedUsage") {
      TALLY_ASSIGN_OR_RETURN(ok, row.ReadDecimal(c_.ri_effective, &a));
      *out = a ? a : billed;
    } else if (type == "SavingsPlanCoveredUsage") {
      TALLY_ASSIGN_OR_RETURN(ok, row.ReadDecimal(c_.sp_effective, &a));
      *out = a ? a : billed;
    } else if (type == "SavingsPlanNegation" || type == "SavingsPlanUpfrontFee" ||
               (type == "Fee" && !row.Text(c_.ri_arn).empty())) {
      *out = Decimal();  // counted in the covered usage instead
    } else if (type == "SavingsPlanRecurringFee") {
      TALLY_ASSIGN_OR_RETURN(ok, row.ReadDecimals({{c_.sp_commitment, &a}, {c_.sp_used, &b}}));
      *out = a ? *a - b.value_or(Decimal()) : billed;
    } else if (type == "RIFee") {
      TALLY_ASSIGN_OR_RETURN(
          ok, row.ReadDecimals({{c_.ri_unused_upfront, &a}, {c_.ri_unused_recurring, &b}}));
      *out = (a || b) ? a.value_or(Decimal()) + b.value_or(Decimal()) : billed;
    } else {
      *out = billed;
    }
    if (!out->has_value()) *out = Decimal();
    return ok;
  }

  std::string_view PricingCategory(const NativeRow& row, std::string_view type,
                                   std::string_view category) const {
    if (category == "Tax") return "";
    if (type == "DiscountedUsage" || type == "SavingsPlanCoveredUsage") return "Committed";
    if (EqualsIgnoreCase(row.Text(c_.pricing_term), "Spot")) return "Dynamic";
    return category == "Usage" || category == "Purchase" ? "Standard" : "Other";
  }

  void SetCommitment(const NativeRow& row, std::string_view type, CostLine* line) const {
    const bool sp = type.starts_with("SavingsPlan");
    std::string_view id = sp ? row.Text(c_.sp_arn) : row.Text(c_.ri_arn);
    if (id.empty() || (!sp && type != "DiscountedUsage" && type != "RIFee" && type != "Fee"))
      return;
    SetDim(line, C::kCommitmentDiscountId, id);
    SetDim(line, C::kCommitmentDiscountCategory, sp ? "Spend" : "Usage");
    SetDim(line, C::kCommitmentDiscountType, sp ? "Savings Plan" : "Reservation");
    if (type == "DiscountedUsage" || type == "SavingsPlanCoveredUsage") {
      SetDim(line, C::kCommitmentDiscountStatus, "Used");
    }
  }

  static std::string_view First(const NativeRow& row, std::initializer_list<int> cols,
                                std::string_view fallback) {
    for (int col : cols) {
      if (std::string_view v = row.Text(col); !v.empty()) return v;
    }
    return fallback;
  }

  std::string_view Category(std::string_view code) {
    if (code != last_code_) {
      last_code_.assign(code);
      last_category_ = AwsServiceCategory(code);
    }
    return last_category_;
  }

  CurColumns c_;
  FileContext* context_;
  TagsBuilder tag_builder_;
  std::string tags_;
  std::string last_code_ = "\x01";
  std::string_view last_category_;
};

}  // namespace

Status ReadAwsCurFile(InputFile* in, FileContext* context) {
  return ReadNativeExport<CurConverter>(in, context, "an AWS CUR file",
                                        {{"lineItem/UnblendedCost"}, {"lineItem/LineItemType"}});
}

}  // namespace tally
