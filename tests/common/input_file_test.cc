#include "common/input_file.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

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

std::string ZstdOf(const std::string& content) {
  std::string out(ZSTD_compressBound(content.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), content.data(), content.size(), 3));
  return out;
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

TEST(InputFileTest, ZstdIsDetectedByContentAndFramesFollowOneAnother) {
  TempDir dir;
  std::string first, second;
  for (int i = 0; i < 50000; ++i) first += "{\"Event\":" + std::to_string(i) + "}\n";
  second = "last line\n";
  testing::WriteFile(dir.File("eventlog"), ZstdOf(first) + ZstdOf(second));
  auto in = InputFile::Open(dir.File("eventlog"));
  ASSERT_TRUE(in.ok());
  EXPECT_TRUE((*in)->compressed());
  auto read = ReadAll(dir.File("eventlog"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(*read, first + second);
}

TEST(InputFileTest, TruncatedZstdIsAnErrorNotAShortFile) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "line " + std::to_string(i * 7919 % 100003) + "\n";
  const std::string z = ZstdOf(content);
  testing::WriteFile(dir.File("t.zstd"), z.substr(0, z.size() / 2));
  auto read = ReadAll(dir.File("t.zstd"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("truncated zstd"), std::string::npos);
}

TEST(InputFileTest, CorruptZstdIsAnError) {
  TempDir dir;
  std::string z = ZstdOf(std::string(100000, 'a') + "tail");
  for (size_t i = 4; i < z.size(); ++i) z[i] = static_cast<char>(z[i] ^ 0x5A);
  testing::WriteFile(dir.File("c.zstd"), z);
  auto read = ReadAll(dir.File("c.zstd"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("zstd"), std::string::npos);
}

}  // namespace
}  // namespace tally
