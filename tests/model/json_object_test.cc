#include "model/json_object.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

TEST(JsonObjectTest, CanonicalFormSortsKeysAndDropsSpaces) {
  std::string a, b;
  ASSERT_TRUE(CanonicalJsonObject(R"({ "team": "search", "env":"prod" })", &a).ok());
  ASSERT_TRUE(CanonicalJsonObject(R"({"env":"prod","team":"search"})", &b).ok());
  EXPECT_EQ(a, R"({"env":"prod","team":"search"})");
  EXPECT_EQ(a, b);
}

TEST(JsonObjectTest, RejectsWhatIsNotAnObject) {
  std::string out;
  EXPECT_FALSE(CanonicalJsonObject("[1,2]", &out).ok());
  EXPECT_FALSE(CanonicalJsonObject("team=search", &out).ok());
  EXPECT_FALSE(CanonicalJsonObject(R"({"a":)", &out).ok());
}

TEST(JsonObjectTest, LooksUpValuesOfAnyType) {
  std::string tags = R"({"cost-center":"cc-1","flag":true,"n":3,"none":null})";
  EXPECT_EQ(JsonObjectValue(tags, "cost-center"), "cc-1");
  EXPECT_EQ(JsonObjectValue(tags, "flag"), "true");  // valueless FOCUS tags are true
  EXPECT_EQ(JsonObjectValue(tags, "n"), "3");
  EXPECT_FALSE(JsonObjectValue(tags, "none").has_value());
  EXPECT_FALSE(JsonObjectValue(tags, "missing").has_value());
  EXPECT_FALSE(JsonObjectValue("not json", "a").has_value());
}

}  // namespace
}  // namespace tally
