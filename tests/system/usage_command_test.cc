// SPDX-License-Identifier: Apache-2.0
// `nettoll usage` as a user runs it: the binary against a usage database
// written by the store the daemon uses, with no daemon running. Needs no
// root and no namespace.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "usage/usage_store.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;

class UsageCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = "/tmp/nettoll-usage-command-test-" + std::to_string(getpid());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    db_ = directory_ + "/usage.db";
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // Runs `nettoll usage ARGS... --db DB`; its exit status and output.
  std::pair<int, std::string> usage(std::vector<std::string> args) {
    args.insert(args.begin(), {nettoll_binary(), "usage"});
    args.insert(args.end(), {"--db", db_});
    ChildProcess command(args);
    const auto status = command.wait_for_exit(20s);
    return {status.value_or(-1), command.output()};
  }

  std::string directory_;
  std::string db_;
};

TEST_F(UsageCommandTest, ReadsTheDatabaseWithoutTheDaemon) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t hour = hour_of(now);
  {
    auto store = UsageStore::open_for_writing(db_);
    ASSERT_TRUE(store) << store.error();
    ASSERT_TRUE(
        store->add({{hour, "firefox", "web", UsageDirection::download, 3'000'000'000},
                    {hour, "firefox", "web", UsageDirection::upload, 50'000'000},
                    {hour - 3600, "curl", "web", UsageDirection::download, 1'000'000},
                    {hour, "apt", "updates", UsageDirection::download, 700'000'000},
                    // 30 days ago: outside --since 7d
                    {hour - 30 * 86400, "steam", "games", UsageDirection::download, 90'000'000'000}}));
  }
  const auto [status, table] = usage({"--since", "7d"});
  EXPECT_EQ(status, 0) << table;
  EXPECT_EQ(table,
            "Process    Download      Upload       Total\n"
            "firefox     3.00 GB     50.0 MB     3.05 GB\n"
            "apt          700 MB         0 B      700 MB\n"
            "curl        1.00 MB         0 B     1.00 MB\n"
            "(all)       3.70 GB     50.0 MB     3.75 GB\n");

  const auto [json_status, json_text] = usage({"--by", "rule", "--json"});
  ASSERT_EQ(json_status, 0) << json_text;
  const auto document = nlohmann::json::parse(json_text);
  ASSERT_EQ(document["rows"].size(), 3u);
  EXPECT_EQ(document["rows"][0]["name"], "games");  // all time: the old row counts
  EXPECT_EQ(document["rows"][0]["download"], 90'000'000'000);
  EXPECT_EQ(document["rows"][1]["name"], "web");
  EXPECT_EQ(document["rows"][1]["total"], 3'051'000'000);

  const auto [rule_status, rule_only] = usage({"--by", "hour", "--rule", "updates", "--json"});
  ASSERT_EQ(rule_status, 0) << rule_only;
  EXPECT_EQ(nlohmann::json::parse(rule_only)["rows"].size(), 1u);
}

TEST_F(UsageCommandTest, SaysClearlyWhenThereIsNoDatabaseOrBadArguments) {
  const auto [status, output] = usage({});
  EXPECT_EQ(status, 2);
  EXPECT_EQ(output, "nettoll usage: no usage database at " + db_ +
                        " (the daemon writes it once it counts traffic)\n");
  EXPECT_EQ(usage({"--since", "7y"}).first, 1);
  EXPECT_EQ(usage({"--by", "minute"}).first, 1);
  EXPECT_EQ(usage({"--since", "1d", "--period", "month"}).first, 1);
}

}  // namespace
}  // namespace nettoll::testing
