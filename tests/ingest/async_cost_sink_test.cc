#include "ingest/async_cost_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tally {
namespace {

// Records every call as text, in the order the worker makes them; can be told to fail.
class LogSink : public CostSink {
 public:
  Status BeginFile(const SourceFile& file) override { return Log("begin " + file.path); }
  Status DeclareExtraColumns(const std::vector<std::string>& names) override {
    return Log("declare " + std::to_string(names.size()));
  }
  Status Add(const CostLine& line) override {
    return Log(
        "line " + std::to_string(line.line) + " " +
        std::string(line.dim(FocusColumn::kResourceId)) + " " + std::string(line.extras) + " " +
        (line.decimal(FocusColumn::kBilledCost) ? line.decimal(FocusColumn::kBilledCost)->ToString()
                                                : "-"));
  }
  Status AddDiagnostic(const Diagnostic& d) override { return Log("diag " + d.reason); }
  Status AbandonFile() override { return Log("abandon"); }

  std::vector<std::string> log;
  size_t fail_at = SIZE_MAX;

 private:
  Status Log(std::string entry) {
    if (log.size() == fail_at) return IoError("disk full");
    log.push_back(std::move(entry));
    return Status::Ok();
  }
};

CostLine Line(int64_t n, std::string_view resource) {
  CostLine line;
  line.line = n;
  line.dims[DimIndex(FocusColumn::kResourceId)] = resource;
  line.decimals[DecimalIndex(FocusColumn::kBilledCost)] = Decimal::FromUnits(n);
  return line;
}

TEST(AsyncCostSinkTest, DeliversEveryCallInOrderWithCopiedText) {
  LogSink target;
  std::vector<std::string> expected;
  {
    AsyncCostSink async(&target, /*max_batches=*/2);
    ASSERT_TRUE(async.BeginFile({"a.csv", "focus", 1}).ok());
    expected.push_back("begin a.csv");
    ASSERT_TRUE(async.DeclareExtraColumns({"x_a", "x_b"}).ok());
    expected.push_back("declare 2");
    for (int i = 1; i <= 50000; ++i) {
      std::string resource = "r-" + std::to_string(i);  // dies right after Add: must be copied
      ASSERT_TRUE(async.Add(Line(i, resource)).ok());
      expected.push_back("line " + std::to_string(i) + " " + resource + "  " + std::to_string(i));
      if (i % 10000 == 0) {
        ASSERT_TRUE(
            async.AddDiagnostic({Severity::kWarning, "a.csv", i, "", "w" + std::to_string(i)})
                .ok());
        expected.push_back("diag w" + std::to_string(i));
      }
    }
    ASSERT_TRUE(async.AbandonFile().ok());
    expected.push_back("abandon");
    ASSERT_TRUE(async.Flush().ok());
    EXPECT_EQ(target.log, expected);  // safe to read: Flush() returned
  }
}

TEST(AsyncCostSinkTest, RowLargerThanABatchIsDeliveredWhole) {
  LogSink target;
  std::string huge(9u << 20, 'x');
  std::string extras = "{\"x_note\":\"" + huge + "\"}";
  AsyncCostSink async(&target);
  CostLine line = Line(1, "r");
  line.extras = extras;
  ASSERT_TRUE(async.Add(Line(0, "before")).ok());
  ASSERT_TRUE(async.Add(line).ok());
  ASSERT_TRUE(async.Flush().ok());
  ASSERT_EQ(target.log.size(), 2u);
  EXPECT_EQ(target.log[1].size(), std::string("line 1 r ").size() + extras.size() + 2);
}

TEST(AsyncCostSinkTest, TargetErrorComesBackAndStopsDelivery) {
  LogSink target;
  target.fail_at = 100;
  AsyncCostSink async(&target, 2);
  Status status;
  for (int i = 0; i < 200000 && status.ok(); ++i) status = async.Add(Line(i, "r"));
  Status flushed = async.Flush();
  EXPECT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.message(), "disk full");
  EXPECT_EQ(target.log.size(), 100u);
  EXPECT_FALSE(async.AbandonFile().ok());  // later calls report the error too
}

}  // namespace
}  // namespace tally
