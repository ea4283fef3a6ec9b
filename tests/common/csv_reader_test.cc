#include "common/csv_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::TempDir;
using testing::WriteFile;

// Reads every record of `content` as vectors of strings.
Result<std::vector<std::vector<std::string>>> ReadAll(const std::string& content) {
  TempDir dir;
  WriteFile(dir.File("f.csv"), content);
  TALLY_ASSIGN_OR_RETURN(auto in, InputFile::Open(dir.File("f.csv")));
  CsvReader csv(in.get());
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, csv.Next());
    if (!more) break;
    rows.emplace_back(csv.fields().begin(), csv.fields().end());
  }
  return rows;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, ReadsPlainAndQuotedFields) {
  auto rows = ReadAll("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(*rows, (Rows{{"a", "b", "c"}, {"1", "x, y", "say \"hi\""}}));
}

TEST(CsvReaderTest, HandlesCrlfBomEmbeddedNewlinesAndNoFinalNewline) {
  auto rows = ReadAll("\xEF\xBB\xBFh1,h2\r\n\"line\nbreak\",2\r\nlast,row");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"h1", "h2"}, {"line\nbreak", "2"}, {"last", "row"}}));
}

TEST(CsvReaderTest, EmptyFieldsAndBlankLines) {
  auto rows = ReadAll("a,,c\n\n,\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"a", "", "c"}, {""}, {"", ""}}));
}

TEST(CsvReaderTest, ReportsTheLineOfEachRecord) {
  TempDir dir;
  WriteFile(dir.File("f.csv"), "h\n\"multi\nline\"\nnext\n");
  auto in = InputFile::Open(dir.File("f.csv"));
  ASSERT_TRUE(in.ok());
  CsvReader csv(in->get());
  std::vector<int64_t> lines;
  while (*csv.Next()) lines.push_back(csv.line());
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 4}));
}

TEST(CsvReaderTest, RecordsLongerThanTheBufferAndSplitAcrossReads) {
  std::string big(3 << 20, 'x');  // longer than the 1 MiB buffer
  std::string content = "a,b\n\"" + big + "\",\"q\"\"q\"\r\n";
  for (int i = 0; i < 50000; ++i) content += "row" + std::to_string(i) + ",\"v\"\"\"\r\n";
  auto rows = ReadAll(content);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 50002u);
  EXPECT_EQ((*rows)[1][0].size(), big.size());
  EXPECT_EQ((*rows)[1][1], "q\"q");
  EXPECT_EQ((*rows)[50001], (std::vector<std::string>{"row49999", "v\""}));
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnErrorWithItsLine) {
  auto rows = ReadAll("a,b\n1,2\n3,\"never closed\n4,5\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("line 3: unterminated quoted field"), std::string::npos);
}

TEST(CsvReaderTest, BinaryDataIsNotCsv) {
  auto rows = ReadAll(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("not a CSV file"), std::string::npos);
}

TEST(CsvReaderTest, ReadsGzipTransparently) {
  TempDir dir;
  std::string path = dir.File("f.csv.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string content = "a,b\n1,2\n";
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
  auto in = InputFile::Open(path);
  ASSERT_TRUE(in.ok());
  EXPECT_TRUE((*in)->compressed());
  CsvReader csv(in->get());
  ASSERT_TRUE(*csv.Next());
  ASSERT_TRUE(*csv.Next());
  EXPECT_EQ(csv.fields()[1], "2");
  EXPECT_FALSE(*csv.Next());
}

}  // namespace
}  // namespace tally
