// The FOCUS export: allocated cost written back out as FOCUS 1.3 or 1.4 rows with the split-
// allocation columns (AllocatedMethodId, AllocatedMethodDetails, AllocatedResourceId,
// AllocatedResourceName, AllocatedTags).
//
// Each row is one origin charge's part for one allocation target (consumer, owner, resource,
// kind, asset). The origin charges are the bill lines alike in every column the export writes,
// their four cost metrics summed. An origin's allocation rows are those of its asset (matched as
// the allocator matches, line_matcher.h), source and service in the allocated hours of its
// charge period; in each hour a target weighs its share of that hour's cost. Each of the four
// metrics splits by those weights with SplitProportionally, so, as the FOCUS 1.3 rule asks, the
// allocated rows of an origin sum back to it exactly, metric by metric. AllocatedRatio is the
// same split of 1.
//
// Every column the version makes mandatory is written; a mandatory value the bill left null is
// filled from its origin where FOCUS defines one (ServiceProviderName and HostProviderName are
// ProviderName; PublisherName and InvoiceIssuerName default to it; ChargeCategory to Usage).
// PricingQuantity and PricingUnit are null: a split of a charge has no price-list quantity.
// Cost from a rate card or an estimate has no origin charge and is not exported (counted).
//
// Pure functions except ExportFocus, which reads the store. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allocate/line_matcher.h"
#include "config/config.h"
#include "tally/showback.h"
#include "tally/store.h"

namespace tally {

enum class FocusVersion { k1_3, k1_4 };
// "1.3" or "1.4". Errors: kInvalidArgument naming both.
Result<FocusVersion> ParseFocusVersion(std::string_view text);

// One origin charge: "" stands for null.
struct FocusOrigin {
  std::string billing_account_id, billing_account_name, billing_currency;
  std::string billing_period_start, billing_period_end, charge_period_start, charge_period_end;
  std::string charge_category, charge_class, charge_description, charge_frequency;
  std::string invoice_issuer_name, provider_name, publisher_name;
  std::string service_category, service_name;
  std::string resource_id, resource_name, region_id, sku_id, sku_meter;
  Decimal billed_cost, effective_cost, list_cost, contracted_cost;
};

// The showback keys the export reads allocation rows by, in this order.
std::vector<std::string> FocusExportKeys();

struct FocusExport {
  std::string csv;
  int64_t rows = 0;
  int64_t origins = 0;                 // origin charges exported
  int64_t origins_not_allocated = 0;   // origins no allocated hour holds: left out
  Decimal not_charged;                 // rate-card and estimated cost: no origin, left out
};

// `allocation` is a showback grouped by FocusExportKeys(); `assets` the allocation's assets.
FocusExport RenderFocusExport(const ShowbackTable& allocation,
                              const std::vector<FocusOrigin>& origins, const Config& config,
                              const std::vector<Asset>& assets, FocusVersion version);

// The export of [from, to): the origin charges that start in it. Errors: the store's.
Result<FocusExport> ExportFocus(Store& store, const Config& config, std::optional<Timestamp> from,
                                std::optional<Timestamp> to, FocusVersion version);

}  // namespace tally
