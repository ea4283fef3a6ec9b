#include "common/input_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "testing/test_util.h"

namespace tally {
namespace {

using testing::TempDir;

std::string GzipOf(const std::string& content) {
  TempDir dir;
  gzFile gz = gzopen(dir.File("x.gz").c_str(), "wb");
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
  return testing::ReadFile(dir.File("x.gz"));
}

Result<std::string> ReadAll(const std::string& path) {
  TALLY_ASSIGN_OR_RETURN(auto in, InputFile::Open(path));
  std::string out;
  char buf[4096];
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(size_t n, in->Read(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

TEST(InputFileTest, MissingFileIsNotFound) {
  auto in = InputFile::Open("/nonexistent/bill.csv");
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(in.status().message(), "/nonexistent/bill.csv: no such file");
}

TEST(InputFileTest, DirectoryIsAnError) {
  TempDir dir;
  auto in = InputFile::Open(dir.path());
  ASSERT_FALSE(in.ok());
  EXPECT_NE(in.status().message().find("is a directory"), std::string::npos);
}

TEST(InputFileTest, GzipIsDetectedByContentNotName) {
  TempDir dir;
  std::string content(200000, 'z');
  testing::WriteFile(dir.File("plain-name.csv"), GzipOf(content));
  auto read = ReadAll(dir.File("plain-name.csv"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, content);
}

TEST(InputFileTest, TruncatedGzipIsAnErrorNotAShortFile) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "line " + std::to_string(i) + "\n";
  std::string gz = GzipOf(content);
  testing::WriteFile(dir.File("t.csv.gz"), gz.substr(0, gz.size() / 2));
  auto read = ReadAll(dir.File("t.csv.gz"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("truncated gzip"), std::string::npos);
}

TEST(InputFileTest, CorruptGzipIsAnError) {
  TempDir dir;
  std::string gz = GzipOf(std::string(100000, 'a') + "tail");
  for (size_t i = 20; i < 60; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
  testing::WriteFile(dir.File("c.csv.gz"), gz);
  auto read = ReadAll(dir.File("c.csv.gz"));
  EXPECT_FALSE(read.ok());
}

}  // namespace
}  // namespace tally
