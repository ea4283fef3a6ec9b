// Ownership rules: ordered matchers over a consumer's, an asset's or a bill line's fields,
// giving an owner path; the first match wins.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "tally/usage.h"

namespace tally {

// What a rule can look at. Any part may be absent.
struct OwnershipSubject {
  const Consumer* consumer = nullptr;
  const Asset* asset = nullptr;
  const Labels* tags = nullptr;  // a bill line's Tags
  std::string_view service;
  std::string_view account;
  std::string_view source;
  std::string_view owner;  // for shared-cost pools: the owner so far
  std::string_view resource;
};

// The value of a field (see Match in config.h), or nullopt when the subject has none.
std::optional<std::string> FieldValue(const OwnershipSubject& subject, std::string_view field);

bool Matches(const Match& match, const OwnershipSubject& subject);

// The owner given by the first matching rule (with "{field}" filled in), else `fallback`.
std::string OwnerOf(const std::vector<OwnershipRule>& rules, const OwnershipSubject& subject,
                    std::string_view fallback);

}  // namespace tally
