// FOCUS ServiceCategory for a provider's service, from tables written for tally (docs/formats
// say which columns they read). A service a table does not know is "Other", never empty.
//
// Immutable static tables. Thread-safe.
#pragma once

#include <string_view>

namespace tally {

// By AWS lineItem/ProductCode (e.g. "AmazonEC2"), ignoring case.
std::string_view AwsServiceCategory(std::string_view product_code);
// By GCP service.description (e.g. "Compute Engine"), ignoring case.
std::string_view GcpServiceCategory(std::string_view service);
// By Azure MeterCategory (e.g. "Virtual Machines"), else by ServiceFamily (e.g. "Compute"),
// ignoring case. MeterCategory comes first: exports fill ServiceFamily loosely.
std::string_view AzureServiceCategory(std::string_view meter_category,
                                      std::string_view service_family);
// By OCI product/service (e.g. "BLOCK_STORAGE"), ignoring case.
std::string_view OciServiceCategory(std::string_view service);

}  // namespace tally
