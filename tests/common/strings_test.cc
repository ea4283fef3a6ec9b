// The string helpers the readers share.
#include "common/strings.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

using V = std::vector<std::string>;

TEST(StringsTest, SplitListTrimsAndDropsEmptyPieces) {
  EXPECT_EQ(SplitList(" a, b ,,c ", ','), (V{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("", ',').empty());
}

TEST(StringsTest, SplitFieldsKeepsEveryFieldAsItIs) {
  EXPECT_EQ(SplitFields("a|| b|", '|'), (V{"a", "", " b", ""}));
  EXPECT_EQ(SplitFields("", '|'), (V{""}));
  EXPECT_EQ(SplitFields("x", '|'), (V{"x"}));
}

}  // namespace
}  // namespace tally
