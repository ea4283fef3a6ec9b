// FOCUS ServiceCategory for a provider's service, from tables written for tally (docs/formats
// say which columns they read). A service a table does not know is "Other", never empty.
//
// Immutable static tables. Thread-safe.
#pragma once

#include <string_view>

namespace tally {

// By AWS lineItem/ProductCode (e.g. "AmazonEC2"), ignoring case.
std::string_view AwsServiceCategory(std::string_view product_code);

}  // namespace tally
