// The FOCUS 1.2 cost-and-usage columns (57), their types, and the names older FOCUS versions
// used for them. Columns are numbered by type group, so a cost line can keep each group in a
// dense array: dimensions (String and JSON), then Decimals, then Date/Times.
//
// Immutable static tables. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tally {

enum class FocusType : uint8_t { kString, kJson, kDecimal, kDateTime };

enum class FocusColumn : uint8_t {
  // Dimensions: String.
  kAvailabilityZone,
  kBillingAccountId,
  kBillingAccountName,
  kBillingAccountType,
  kBillingCurrency,
  kCapacityReservationId,
  kCapacityReservationStatus,
  kChargeCategory,
  kChargeClass,
  kChargeDescription,
  kChargeFrequency,
  kCommitmentDiscountCategory,
  kCommitmentDiscountId,
  kCommitmentDiscountName,
  kCommitmentDiscountStatus,
  kCommitmentDiscountType,
  kCommitmentDiscountUnit,
  kConsumedUnit,
  kInvoiceId,
  kInvoiceIssuerName,
  kPricingCategory,
  kPricingCurrency,
  kPricingUnit,
  kProviderName,
  kPublisherName,
  kRegionId,
  kRegionName,
  kResourceId,
  kResourceName,
  kResourceType,
  kServiceCategory,
  kServiceName,
  kServiceSubcategory,
  kSkuId,
  kSkuMeter,
  kSkuPriceId,
  kSubAccountId,
  kSubAccountName,
  kSubAccountType,
  // Dimensions: JSON objects.
  kSkuPriceDetails,
  kTags,
  // Metrics: Decimal.
  kBilledCost,
  kCommitmentDiscountQuantity,
  kConsumedQuantity,
  kContractedCost,
  kContractedUnitPrice,
  kEffectiveCost,
  kListCost,
  kListUnitPrice,
  kPricingCurrencyContractedUnitPrice,
  kPricingCurrencyEffectiveCost,
  kPricingCurrencyListUnitPrice,
  kPricingQuantity,
  // Date/Time.
  kBillingPeriodEnd,
  kBillingPeriodStart,
  kChargePeriodEnd,
  kChargePeriodStart,
};

inline constexpr size_t kFocusColumnCount = 57;
inline constexpr size_t kFocusDimCount = 41;      // String and JSON columns
inline constexpr size_t kFocusDecimalCount = 12;  // Decimal columns
inline constexpr size_t kFocusTimeCount = 4;      // Date/Time columns
inline constexpr size_t kFirstDecimal = kFocusDimCount;
inline constexpr size_t kFirstTime = kFocusDimCount + kFocusDecimalCount;

struct FocusColumnInfo {
  FocusColumn column;
  std::string_view name;  // FOCUS 1.2 Column ID
  FocusType type;
  bool mandatory;  // Mandatory in FOCUS 1.2
};

std::span<const FocusColumnInfo> AllFocusColumns();
const FocusColumnInfo& InfoOf(FocusColumn column);
inline std::string_view NameOf(FocusColumn column) { return InfoOf(column).name; }

// Index of a column inside its type group (dimension, decimal or time array).
inline constexpr size_t DimIndex(FocusColumn c) { return static_cast<size_t>(c); }
inline constexpr size_t DecimalIndex(FocusColumn c) {
  return static_cast<size_t>(c) - kFirstDecimal;
}
inline constexpr size_t TimeIndex(FocusColumn c) { return static_cast<size_t>(c) - kFirstTime; }
inline constexpr FocusColumn DimColumn(size_t i) { return static_cast<FocusColumn>(i); }
inline constexpr FocusColumn DecimalColumn(size_t i) {
  return static_cast<FocusColumn>(i + kFirstDecimal);
}

// Finds a column by its FOCUS 1.2 name, ignoring case and surrounding spaces.
std::optional<FocusColumn> FindFocusColumn(std::string_view name);
// Finds a column by a name that FOCUS 0.5 or 1.0-preview used (AmortizedCost, ChargeType,
// Provider, Publisher, InvoiceIssuer, Region, UsageQuantity, UsageUnit), or that FOCUS 1.3 and
// 1.4 use instead of ProviderName (ServiceProviderName), ignoring case.
std::optional<FocusColumn> FindFocusAlias(std::string_view name);

// The four cost metrics, in the order reports list them.
inline constexpr FocusColumn kCostMetrics[] = {FocusColumn::kBilledCost,
                                               FocusColumn::kEffectiveCost, FocusColumn::kListCost,
                                               FocusColumn::kContractedCost};

}  // namespace tally
