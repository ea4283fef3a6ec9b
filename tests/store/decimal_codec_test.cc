#include "store/sqlite/decimal_codec.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tally::sqlite {
namespace {

TEST(DecimalCodecTest, RoundTripsSmallHugeNegativeAndNull) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("c.db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(v)").ok());
  std::vector<std::optional<Decimal>> values = {
      std::nullopt,
      *Decimal::Parse("0"),
      *Decimal::Parse("9.223372036854775807"),  // the largest that fits an INTEGER
      *Decimal::Parse("9.223372036854775808"),  // the smallest that needs a BLOB
      *Decimal::Parse("-12345678901234567890.123456789012345678"),
      Decimal::FromRaw(std::numeric_limits<Decimal::Raw>::max()),
      Decimal::FromRaw(std::numeric_limits<Decimal::Raw>::min() + 1),
  };
  auto insert = (*db)->Prepare("INSERT INTO t(v) VALUES(?)");
  ASSERT_TRUE(insert.ok());
  DecimalBlob scratch;
  for (const auto& v : values) {
    BindDecimal(&*insert, 1, v, &scratch);
    ASSERT_TRUE(insert->Run().ok());
  }
  auto select = (*db)->Prepare("SELECT v, typeof(v) FROM t ORDER BY rowid");
  ASSERT_TRUE(select.ok());
  std::vector<std::string> types;
  for (const auto& expected : values) {
    ASSERT_TRUE(*select->Step());
    auto got = ColumnDecimal(*select, 0);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, expected);
    types.emplace_back(select->Text(1));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"null", "integer", "integer", "blob", "blob", "blob",
                                             "blob"}));
}

}  // namespace
}  // namespace tally::sqlite
