#include "ingest/billing/gcp/gcp_billing_reader.h"

#include <cstdio>
#include <memory>
#include <tuple>

#include "common/strings.h"
#include "ingest/billing/loose_json.h"
#include "ingest/billing/native_export.h"
#include "ingest/billing/service_categories.h"

namespace tally {
namespace {

using C = FocusColumn;

struct GcpColumns {
  explicit GcpColumns(const NativeHeader& h)
      : account(h.Find("billing_account_id")),
        service(h.Find("service.description")),
        sku(h.Find("sku.id")),
        sku_description(h.Find("sku.description")),
        start(h.Find("usage_start_time")),
        end(h.Find("usage_end_time")),
        project(h.Find("project.id")),
        project_name(h.Find("project.name")),
        project_labels(h.Find("project.labels")),
        labels(h.Find("labels")),
        system_labels(h.Find("system_labels")),
        location(h.Find("location.location")),
        region(h.Find("location.region")),
        zone(h.Find("location.zone")),
        cost(h.Find("cost")),
        cost_at_list(h.Find("cost_at_list")),
        currency(h.Find("currency")),
        amount(h.Find("usage.amount")),
        unit(h.Find("usage.unit")),
        pricing_amount(h.Find("usage.amount_in_pricing_units")),
        pricing_unit(h.Find("usage.pricing_unit")),
        credits(h.Find("credits")),
        invoice_month(h.Find("invoice.month")),
        cost_type(h.Find("cost_type")),
        resource(h.FindAny({"resource.global_name", "resource.name"})),
        resource_name(h.Find("resource.name")) {}

  int account, service, sku, sku_description, start, end, project, project_name, project_labels;
  int labels, system_labels, location, region, zone, cost, cost_at_list, currency, amount, unit;
  int pricing_amount, pricing_unit, credits, invoice_month, cost_type, resource, resource_name;
};

class GcpConverter {
 public:
  GcpConverter(const NativeHeader& header, FileContext* context) : c_(header), context_(context) {}

  Result<bool> Convert(const NativeRow& row, CostLine* line) {
    TALLY_ASSIGN_OR_RETURN(bool ok, ReadMoney(row, line));
    if (!ok) return false;
    TALLY_ASSIGN_OR_RETURN(ok, ReadTimes(row, line));
    if (!ok) return false;
    SetDimensions(row, line);
    TALLY_ASSIGN_OR_RETURN(ok, BuildTags(row));
    if (!ok) return false;
    SetDim(line, C::kTags, tags_);
    return true;
  }

 private:
  // Credits are separate amounts on the same row; the invoice is cost plus credits.
  Result<bool> ReadMoney(const NativeRow& row, CostLine* line) {
    std::optional<Decimal> cost, cost_at_list, amount, pricing_amount;
    TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadDecimals({{c_.cost, &cost},
                                                      {c_.cost_at_list, &cost_at_list},
                                                      {c_.amount, &amount},
                                                      {c_.pricing_amount, &pricing_amount}}));
    if (!ok) return false;
    Decimal credits;
    if (std::string_view text = row.Text(c_.credits); !text.empty()) {
      auto amounts = NumbersOfKey(PythonLiteralToJson(text), "amount");
      if (!amounts.ok()) {
        TALLY_RETURN_IF_ERROR(context_->Reject(row.line(), "credits", amounts.status().message()));
        return false;
      }
      for (Decimal a : *amounts) credits += a;
    }
    const Decimal gross = cost.value_or(Decimal());
    auto& d = line->decimals;
    d[DecimalIndex(C::kBilledCost)] = gross + credits;
    d[DecimalIndex(C::kEffectiveCost)] = gross + credits;
    d[DecimalIndex(C::kListCost)] = cost_at_list.value_or(gross);
    d[DecimalIndex(C::kContractedCost)] = gross;
    d[DecimalIndex(C::kConsumedQuantity)] = amount;
    d[DecimalIndex(C::kPricingQuantity)] = pricing_amount;
    SetDim(line, C::kConsumedUnit, amount ? row.Text(c_.unit) : "");
    SetDim(line, C::kPricingUnit, pricing_amount ? row.Text(c_.pricing_unit) : "");
    return true;
  }

  // Usage times, and the billing period from invoice.month (YYYYMM): that calendar month.
  Result<bool> ReadTimes(const NativeRow& row, CostLine* line) {
    for (const auto& [col, focus] :
         {std::pair{c_.start, C::kChargePeriodStart}, std::pair{c_.end, C::kChargePeriodEnd}}) {
      TALLY_ASSIGN_OR_RETURN(bool ok, row.ReadTime(col, &line->times[TimeIndex(focus)]));
      if (!ok) return false;
    }
    std::string_view month = row.Text(c_.invoice_month);
    if (month.empty()) return true;
    int y = 0, m = 0;
    if (month.size() != 6 || std::sscanf(std::string(month).c_str(), "%4d%2d", &y, &m) != 2 ||
        m < 1 || m > 12) {
      TALLY_RETURN_IF_ERROR(context_->Reject(row.line(), "invoice.month",
                                             "not a YYYYMM month: \"" + std::string(month) + "\""));
      return false;
    }
    line->times[TimeIndex(C::kBillingPeriodStart)] =
        Timestamp::FromCivil(y, static_cast<unsigned>(m), 1);
    line->times[TimeIndex(C::kBillingPeriodEnd)] =
        Timestamp::FromCivil(m == 12 ? y + 1 : y, static_cast<unsigned>(m % 12 + 1), 1);
    return true;
  }

  void SetDimensions(const NativeRow& row, CostLine* line) const {
    std::string_view cost_type = row.Text(c_.cost_type);
    SetDim(
        line, C::kChargeCategory,
        EqualsIgnoreCase(cost_type, "tax") ? "Tax"
        : EqualsIgnoreCase(cost_type, "adjustment") || EqualsIgnoreCase(cost_type, "rounding_error")
            ? "Adjustment"
            : "Usage");
    SetDim(line, C::kChargeFrequency, "Usage-Based");
    SetDim(line, C::kPricingCategory, "Standard");
    for (C c : {C::kProviderName, C::kPublisherName, C::kInvoiceIssuerName}) {
      SetDim(line, c, "Google Cloud");
    }
    SetDim(line, C::kBillingAccountId, row.Text(c_.account));
    SetDim(line, C::kBillingCurrency, row.Text(c_.currency));
    SetDim(line, C::kSubAccountId, row.Text(c_.project));
    SetDim(line, C::kSubAccountName, row.Text(c_.project_name));
    if (!row.Text(c_.project).empty()) SetDim(line, C::kSubAccountType, "Project");
    SetDim(line, C::kServiceName, row.Text(c_.service));
    SetDim(line, C::kServiceCategory, GcpServiceCategory(row.Text(c_.service)));
    SetDim(line, C::kSkuId, row.Text(c_.sku));
    SetDim(line, C::kChargeDescription, row.Text(c_.sku_description));
    std::string_view region = row.Text(c_.region);
    SetDim(line, C::kRegionId, region.empty() ? row.Text(c_.location) : region);
    SetDim(line, C::kAvailabilityZone, row.Text(c_.zone));
    SetDim(line, C::kResourceId, row.Text(c_.resource));
    SetDim(line, C::kResourceName, row.Text(c_.resource_name));
  }

  // Resource labels as they are, system labels (their keys carry the service's name), and
  // project labels under "project:".
  Result<bool> BuildTags(const NativeRow& row) {
    builder_.Clear();
    for (const auto& [col, name, prefix] :
         {std::tuple{c_.labels, "labels", ""}, std::tuple{c_.system_labels, "system_labels", ""},
          std::tuple{c_.project_labels, "project.labels", "project:"}}) {
      std::string_view text = row.Text(col);
      if (text.empty()) continue;
      auto pairs = KeyValueList(PythonLiteralToJson(text));
      if (!pairs.ok()) {
        TALLY_RETURN_IF_ERROR(context_->Warn(
            row.line(), name, pairs.status().message() + "; kept only as x_" + name));
        continue;
      }
      for (const auto& [key, value] : *pairs) builder_.Add(std::string(prefix) + key, value);
    }
    builder_.Build(&tags_);
    return true;
  }

  GcpColumns c_;
  FileContext* context_;
  TagsBuilder builder_;  // copies what it is given
  std::string tags_;
};

}  // namespace

Status ReadGcpBillingFile(InputFile* in, FileContext* context) {
  return ReadNativeExport<GcpConverter>(in, context, "a GCP billing export",
                                        {{"cost"}, {"usage_start_time"}});
}

}  // namespace tally
