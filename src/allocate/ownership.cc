#include "allocate/ownership.h"

namespace tally {
namespace {

std::optional<std::string> Lookup(const Labels* labels, std::string_view key) {
  if (labels == nullptr) return std::nullopt;
  auto it = labels->find(key);
  if (it == labels->end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> NonEmpty(std::string_view v) {
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

}  // namespace

std::optional<std::string> FieldValue(const OwnershipSubject& s, std::string_view field) {
  if (field.starts_with("label.")) {
    const std::string_view key = field.substr(6);
    if (s.consumer != nullptr) {
      if (auto v = Lookup(&s.consumer->labels, key)) return v;
    }
    if (s.asset != nullptr) return Lookup(&s.asset->labels, key);
    return std::nullopt;
  }
  if (field.starts_with("tag.")) return Lookup(s.tags, field.substr(4));
  const Consumer* c = s.consumer;
  if (field == "consumer") return c ? NonEmpty(c->name) : std::nullopt;
  if (field == "namespace") return c ? NonEmpty(c->namespace_name) : std::nullopt;
  if (field == "pod") return c ? NonEmpty(c->pod) : std::nullopt;
  if (field == "container") return c ? NonEmpty(c->container) : std::nullopt;
  if (field == "controller") return c ? NonEmpty(c->controller) : std::nullopt;
  if (field == "asset") return s.asset ? NonEmpty(s.asset->name) : std::nullopt;
  if (field == "service") return NonEmpty(s.service);
  if (field == "account") return NonEmpty(s.account);
  if (field == "source") return NonEmpty(s.source);
  if (field == "owner") return NonEmpty(s.owner);
  if (field == "resource") return NonEmpty(s.resource);
  return std::nullopt;
}

bool Matches(const Match& match, const OwnershipSubject& subject) {
  for (const auto& [field, want] : match) {
    const std::optional<std::string> got = FieldValue(subject, field);
    if (!got || got->empty()) return false;
    if (want != "*" && *got != want) return false;
  }
  return true;
}

std::string OwnerOf(const std::vector<OwnershipRule>& rules, const OwnershipSubject& subject,
                    std::string_view fallback) {
  for (const OwnershipRule& rule : rules) {
    if (!Matches(rule.match, subject)) continue;
    std::string owner;
    const std::string& t = rule.owner;
    for (size_t i = 0; i < t.size();) {
      const size_t open = t.find('{', i);
      const size_t close = open == std::string::npos ? open : t.find('}', open);
      if (close == std::string::npos) {
        owner += t.substr(i);
        break;
      }
      owner += t.substr(i, open - i);
      owner +=
          FieldValue(subject, std::string_view(t).substr(open + 1, close - open - 1)).value_or("");
      i = close + 1;
    }
    if (!owner.empty()) return owner;
  }
  return std::string(fallback);
}

}  // namespace tally
