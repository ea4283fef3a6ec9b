// RunCommand: output captured, a failure's own message passed on, and time and size bounded.
#include "collect/command_runner.h"

#include <gtest/gtest.h>

namespace tally {
namespace {

TEST(CommandRunnerTest, CapturesOutputWithTheEnvironmentGiven) {
  CommandOptions options;
  options.env = {"TALLY_TEST_VALUE=42", "TZ=UTC"};
  auto out = RunCommand({"sh", "-c", "echo \"$TALLY_TEST_VALUE $TZ\"; echo noise >&2"}, options);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "42 UTC\n");
}

TEST(CommandRunnerTest, AFailureCarriesTheLastLineItPrinted) {
  auto out = RunCommand({"sh", "-c", "echo first >&2; echo 'fatal: no config' >&2; exit 3"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(out.status().message(), "sh: exited with status 3: fatal: no config");
  auto missing = RunCommand({"no-such-program-here"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(CommandRunnerTest, TimeAndOutputAreBounded) {
  CommandOptions quick;
  quick.timeout_seconds = 0.5;
  auto slow = RunCommand({"sleep", "30"}, quick);
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.status().message().find("(killed)"), std::string::npos);
  // A child that closes its output and goes on running is bounded too.
  auto silent = RunCommand({"sh", "-c", "exec >&- 2>&-; sleep 30"}, quick);
  ASSERT_FALSE(silent.ok());
  EXPECT_NE(silent.status().message().find("ran longer than"), std::string::npos);
  CommandOptions small;
  small.max_output = size_t{1} << 20;
  auto flood = RunCommand({"yes"}, small);
  ASSERT_FALSE(flood.ok());
  EXPECT_NE(flood.status().message().find("printed more than 1 MiB"), std::string::npos);
}

}  // namespace
}  // namespace tally
