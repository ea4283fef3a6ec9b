// Ownership rules: the first matching rule wins; every field of a match must be present and
// non-empty ("*" takes any value); a label falls back from the consumer to its asset; "{field}"
// fills in values, and a rule whose template fills to nothing passes to the next; with no match,
// the fallback. Each expected owner is written out here.
#include "allocate/ownership.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

const Consumer kApi{"shop/api-1/app", "shop", "api-1", "app", "Deployment/api", {{"team", "web"}}};
const Consumer kJob{"etl/job-7/main", "etl", "job-7", "main", "", {}};
const Asset kNode{"node-1", "aws:///us-east-1a/i-1", "m5.large", "us-east-1a", {{"team", "infra"}}};

OwnershipRule Rule(Match match, std::string owner) { return {std::move(match), std::move(owner)}; }

OwnershipSubject Of(const Consumer* consumer, const Asset* asset = nullptr) {
  OwnershipSubject s;
  s.consumer = consumer;
  s.asset = asset;
  return s;
}

// A bill line: tags, service, account and source.
OwnershipSubject Line(const Labels* tags, std::string_view service, std::string_view account) {
  OwnershipSubject s;
  s.tags = tags;
  s.service = service;
  s.account = account;
  s.source = "AWS";
  return s;
}

TEST(OwnershipTest, FieldsComeFromTheirParts) {
  const Labels tags{{"cost-center", "cc-9"}};
  OwnershipSubject s = Line(&tags, "EC2", "1234");
  s.consumer = &kApi;
  s.asset = &kNode;
  s.resource = "cpu";
  EXPECT_EQ(FieldValue(s, "namespace"), "shop");
  EXPECT_EQ(FieldValue(s, "controller"), "Deployment/api");
  EXPECT_EQ(FieldValue(s, "label.team"), "web");  // the consumer's own label first
  EXPECT_EQ(FieldValue(s, "tag.cost-center"), "cc-9");
  EXPECT_EQ(FieldValue(s, "asset"), "node-1");
  EXPECT_EQ(FieldValue(s, "service"), "EC2");
  EXPECT_EQ(FieldValue(s, "resource"), "cpu");
  EXPECT_EQ(FieldValue(s, "owner"), std::nullopt);      // empty reads as absent
  EXPECT_EQ(FieldValue(s, "tag.missing"), std::nullopt);
  EXPECT_EQ(FieldValue(s, "no-such-field"), std::nullopt);
  OwnershipSubject job = Of(&kJob, &kNode);
  EXPECT_EQ(FieldValue(job, "label.team"), "infra");  // no label of its own: the asset's
  EXPECT_EQ(FieldValue(job, "controller"), std::nullopt);
  OwnershipSubject bare;
  EXPECT_EQ(FieldValue(bare, "label.team"), std::nullopt);
}

TEST(OwnershipTest, TheFirstMatchingRuleWins) {
  const std::vector<OwnershipRule> rules = {
      Rule({{"namespace", "etl"}}, "data/etl"),
      Rule({{"label.team", "*"}}, "teams/{label.team}"),
      Rule({{"namespace", "*"}}, "ns/{namespace}")};
  EXPECT_EQ(OwnerOf(rules, Of(&kJob, &kNode), "__unowned__"), "data/etl");  // before the label rule
  EXPECT_EQ(OwnerOf(rules, Of(&kApi, &kNode), "__unowned__"), "teams/web");
  EXPECT_EQ(OwnerOf(rules, Of(&kJob), "__unowned__"), "data/etl");
  const Consumer other{"x/y/z", "x", "y", "z", "", {}};
  EXPECT_EQ(OwnerOf(rules, Of(&other), "__unowned__"), "ns/x");
  EXPECT_EQ(OwnerOf(rules, OwnershipSubject{}, "__unowned__"), "__unowned__");  // nothing to match
}

TEST(OwnershipTest, EveryFieldOfAMatchMustHold) {
  const std::vector<OwnershipRule> rules = {
      Rule({{"namespace", "shop"}, {"controller", "*"}}, "shop/services"),
      Rule({{"namespace", "shop"}}, "shop/other")};
  EXPECT_EQ(OwnerOf(rules, Of(&kApi), "-"), "shop/services");
  const Consumer bare_pod{"shop/p/c", "shop", "p", "c", "", {}};  // no controller
  EXPECT_EQ(OwnerOf(rules, Of(&bare_pod), "-"), "shop/other");
}

TEST(OwnershipTest, TemplatesFillInAndAnEmptyOwnerPassesOn) {
  const Labels tags{{"team", "ads"}};
  const std::vector<OwnershipRule> rules = {
      Rule({{"service", "*"}}, "{tag.project}"),  // fills to "": the next rule decides
      Rule({{"service", "*"}}, "bills/{tag.team}/{service}/{account}"),
      Rule({}, "unreachable")};
  const OwnershipSubject line = Line(&tags, "S3", "42");
  EXPECT_EQ(OwnerOf(rules, line, "-"), "bills/ads/S3/42");
  // An unclosed brace is text.
  EXPECT_EQ(OwnerOf({Rule({}, "a/{b")}, line, "-"), "a/{b");
  // A rule with an empty match matches anything.
  EXPECT_EQ(OwnerOf({Rule({}, "everyone")}, OwnershipSubject{}, "-"), "everyone");
}

}  // namespace
}  // namespace tally
