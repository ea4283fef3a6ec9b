#include "tally/focus_schema.h"

#include <array>
#include <cassert>

#include "common/strings.h"

namespace tally {
namespace {

using C = FocusColumn;
using T = FocusType;

constexpr std::array<FocusColumnInfo, kFocusColumnCount> kColumns = {{
    {C::kAvailabilityZone, "AvailabilityZone", T::kString, false},
    {C::kBillingAccountId, "BillingAccountId", T::kString, true},
    {C::kBillingAccountName, "BillingAccountName", T::kString, true},
    {C::kBillingAccountType, "BillingAccountType", T::kString, false},
    {C::kBillingCurrency, "BillingCurrency", T::kString, true},
    {C::kCapacityReservationId, "CapacityReservationId", T::kString, false},
    {C::kCapacityReservationStatus, "CapacityReservationStatus", T::kString, false},
    {C::kChargeCategory, "ChargeCategory", T::kString, true},
    {C::kChargeClass, "ChargeClass", T::kString, true},
    {C::kChargeDescription, "ChargeDescription", T::kString, true},
    {C::kChargeFrequency, "ChargeFrequency", T::kString, false},
    {C::kCommitmentDiscountCategory, "CommitmentDiscountCategory", T::kString, false},
    {C::kCommitmentDiscountId, "CommitmentDiscountId", T::kString, false},
    {C::kCommitmentDiscountName, "CommitmentDiscountName", T::kString, false},
    {C::kCommitmentDiscountStatus, "CommitmentDiscountStatus", T::kString, false},
    {C::kCommitmentDiscountType, "CommitmentDiscountType", T::kString, false},
    {C::kCommitmentDiscountUnit, "CommitmentDiscountUnit", T::kString, false},
    {C::kConsumedUnit, "ConsumedUnit", T::kString, false},
    {C::kInvoiceId, "InvoiceId", T::kString, false},
    {C::kInvoiceIssuerName, "InvoiceIssuerName", T::kString, true},
    {C::kPricingCategory, "PricingCategory", T::kString, false},
    {C::kPricingCurrency, "PricingCurrency", T::kString, false},
    {C::kPricingUnit, "PricingUnit", T::kString, true},
    {C::kProviderName, "ProviderName", T::kString, true},
    {C::kPublisherName, "PublisherName", T::kString, true},
    {C::kRegionId, "RegionId", T::kString, false},
    {C::kRegionName, "RegionName", T::kString, false},
    {C::kResourceId, "ResourceId", T::kString, false},
    {C::kResourceName, "ResourceName", T::kString, false},
    {C::kResourceType, "ResourceType", T::kString, false},
    {C::kServiceCategory, "ServiceCategory", T::kString, true},
    {C::kServiceName, "ServiceName", T::kString, true},
    {C::kServiceSubcategory, "ServiceSubcategory", T::kString, false},
    {C::kSkuId, "SkuId", T::kString, false},
    {C::kSkuMeter, "SkuMeter", T::kString, false},
    {C::kSkuPriceId, "SkuPriceId", T::kString, false},
    {C::kSubAccountId, "SubAccountId", T::kString, false},
    {C::kSubAccountName, "SubAccountName", T::kString, false},
    {C::kSubAccountType, "SubAccountType", T::kString, false},
    {C::kSkuPriceDetails, "SkuPriceDetails", T::kJson, false},
    {C::kTags, "Tags", T::kJson, false},
    {C::kBilledCost, "BilledCost", T::kDecimal, true},
    {C::kCommitmentDiscountQuantity, "CommitmentDiscountQuantity", T::kDecimal, false},
    {C::kConsumedQuantity, "ConsumedQuantity", T::kDecimal, false},
    {C::kContractedCost, "ContractedCost", T::kDecimal, true},
    {C::kContractedUnitPrice, "ContractedUnitPrice", T::kDecimal, false},
    {C::kEffectiveCost, "EffectiveCost", T::kDecimal, true},
    {C::kListCost, "ListCost", T::kDecimal, true},
    {C::kListUnitPrice, "ListUnitPrice", T::kDecimal, false},
    {C::kPricingCurrencyContractedUnitPrice, "PricingCurrencyContractedUnitPrice", T::kDecimal,
     false},
    {C::kPricingCurrencyEffectiveCost, "PricingCurrencyEffectiveCost", T::kDecimal, false},
    {C::kPricingCurrencyListUnitPrice, "PricingCurrencyListUnitPrice", T::kDecimal, false},
    {C::kPricingQuantity, "PricingQuantity", T::kDecimal, true},
    {C::kBillingPeriodEnd, "BillingPeriodEnd", T::kDateTime, true},
    {C::kBillingPeriodStart, "BillingPeriodStart", T::kDateTime, true},
    {C::kChargePeriodEnd, "ChargePeriodEnd", T::kDateTime, true},
    {C::kChargePeriodStart, "ChargePeriodStart", T::kDateTime, true},
}};

constexpr bool TableIsInEnumOrder() {
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (static_cast<size_t>(kColumns[i].column) != i) return false;
  }
  return true;
}
static_assert(TableIsInEnumOrder(), "kColumns must follow the FocusColumn order");

struct Alias {
  std::string_view name;
  FocusColumn column;
};
constexpr Alias kAliases[] = {
    {"AmortizedCost", C::kEffectiveCost},     {"ChargeType", C::kChargeCategory},
    {"Provider", C::kProviderName},           {"Publisher", C::kPublisherName},
    {"InvoiceIssuer", C::kInvoiceIssuerName}, {"Region", C::kRegionId},
    {"UsageQuantity", C::kConsumedQuantity},  {"UsageUnit", C::kConsumedUnit},
    // FOCUS 1.3 deprecated ProviderName for ServiceProviderName, and 1.4 removed it.
    {"ServiceProviderName", C::kProviderName},
};

}  // namespace

std::span<const FocusColumnInfo> AllFocusColumns() { return kColumns; }

const FocusColumnInfo& InfoOf(FocusColumn column) { return kColumns[static_cast<size_t>(column)]; }

std::optional<FocusColumn> FindFocusColumn(std::string_view name) {
  name = Trim(name);
  for (const FocusColumnInfo& info : kColumns) {
    if (EqualsIgnoreCase(info.name, name)) return info.column;
  }
  return std::nullopt;
}

std::optional<FocusColumn> FindFocusAlias(std::string_view name) {
  name = Trim(name);
  for (const Alias& alias : kAliases) {
    if (EqualsIgnoreCase(alias.name, name)) return alias.column;
  }
  return std::nullopt;
}

}  // namespace tally
