// SPDX-License-Identifier: Apache-2.0
#include "api/token_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nettoll {
namespace {

TEST(TokenFromText, FirstLineTrimmed) {
  EXPECT_EQ(token_from_text("  abc123 \nignored\n"), "abc123");
  EXPECT_EQ(token_from_text("abc\r\n"), "abc");
  EXPECT_EQ(token_from_text("\n"), "");
}

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("nettoll-token-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::filesystem::path directory_;
};

TEST_F(TokenFileTest, CreatesARandomTokenReadableByTheOwnerOnly) {
  const std::string path = (directory_ / "sub" / "api-token").string();
  auto created = load_or_create_token(path);
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(created->size(), 64u);
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto again = load_or_create_token(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *created);  // the second start reads the same token
  std::filesystem::remove(path);
  EXPECT_NE(*load_or_create_token(path), *created);
}

TEST_F(TokenFileTest, ReadsAnExistingTokenAndRefusesAnEmptyFile) {
  std::filesystem::create_directories(directory_);
  const std::string path = (directory_ / "token").string();
  std::ofstream(path) << "my-own-token\n";
  EXPECT_EQ(*load_or_create_token(path), "my-own-token");
  std::ofstream(path, std::ios::trunc) << "\n";
  auto empty = load_or_create_token(path);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().find("is empty"), std::string::npos);
}

}  // namespace
}  // namespace nettoll
