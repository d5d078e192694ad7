// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "usage/usage_recorder.h"
#include "usage/usage_rollup.h"

namespace nettoll {
namespace {

constexpr int64_t kHour = kSecondsPerHour;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kNoon = 1'780'000'000 / kDay * kDay + 12 * kHour;  // some UTC noon in 2026

using Direction = UsageDirection;

class UsageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("nettoll-usage-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    path_ = (directory_ / "usage.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  UsageStore open() {
    auto store = UsageStore::open_for_writing(path_);
    EXPECT_TRUE(store.ok()) << store.error();
    return std::move(store.value());
  }

  std::filesystem::path directory_;
  std::string path_;
};

TEST(UsageRollup, AddsDeltasIntoTheirHour) {
  UsageRollup rollup;
  rollup.add(kNoon + 10, {"curl", "web", Direction::download, 100});
  rollup.add(kNoon + 3599, {"curl", "web", Direction::download, 50});
  rollup.add(kNoon + 3600, {"curl", "web", Direction::download, 7});  // the next hour
  rollup.add(kNoon + 20, {"curl", "web", Direction::upload, 3});
  rollup.add(kNoon + 30, {"curl", "web", Direction::upload, 0});  // ignored
  EXPECT_EQ(rollup.take(),
            (std::vector<HourlyUsage>{{kNoon, "curl", "web", Direction::download, 150},
                                      {kNoon, "curl", "web", Direction::upload, 3},
                                      {kNoon + kHour, "curl", "web", Direction::download, 7}}));
  EXPECT_TRUE(rollup.empty());
  EXPECT_TRUE(rollup.take().empty());
}

TEST(UsageRollup, HourOfRoundsDown) {
  EXPECT_EQ(hour_of(kNoon + 1799), kNoon);
  EXPECT_EQ(hour_of(kNoon), kNoon);
  EXPECT_EQ(hour_of(-1), -kHour);
}

TEST_F(UsageStoreTest, AddsToExistingRowsAndGroups) {
  UsageStore store = open();
  ASSERT_TRUE(store.add({{kNoon, "curl", "web", Direction::download, 1000},
                         {kNoon, "curl", "web", Direction::upload, 10},
                         {kNoon, "apt", "updates", Direction::download, 5000}}));
  ASSERT_TRUE(store.add({{kNoon, "curl", "web", Direction::download, 500},
                         {kNoon + kHour, "firefox", "web", Direction::download, 70}}));

  auto by_process = store.totals(UsageKey::process, {});
  ASSERT_TRUE(by_process) << by_process.error();
  EXPECT_EQ(*by_process,
            (std::vector<UsageBucket>{{"apt", 0, 5000, 0}, {"curl", 0, 1500, 10}, {"firefox", 0, 70, 0}}));
  auto by_rule = store.totals(UsageKey::rule, {});
  EXPECT_EQ(*by_rule, (std::vector<UsageBucket>{{"updates", 0, 5000, 0}, {"web", 0, 1570, 10}}));
  auto by_hour = store.totals(UsageKey::hour, {});
  EXPECT_EQ(*by_hour, (std::vector<UsageBucket>{{"", kNoon, 6500, 10}, {"", kNoon + kHour, 70, 0}}));
  auto later_web = store.totals(UsageKey::process, {kNoon + kHour, INT64_MAX, "web"});
  EXPECT_EQ(*later_web, (std::vector<UsageBucket>{{"firefox", 0, 70, 0}}));
}

TEST_F(UsageStoreTest, GroupsByHourAndNameInHourThenNameOrder) {
  UsageStore store = open();
  ASSERT_TRUE(store.add({{kNoon, "curl", "web", Direction::download, 1000},
                         {kNoon, "apt", "updates", Direction::download, 5000},
                         {kNoon, "firefox", "web", Direction::upload, 30},
                         {kNoon + kHour, "curl", "web", Direction::download, 70}}));
  auto by_rule = store.totals(UsageKey::hour_and_rule, {});
  ASSERT_TRUE(by_rule) << by_rule.error();
  EXPECT_EQ(*by_rule,
            (std::vector<UsageBucket>{
                {"updates", kNoon, 5000, 0}, {"web", kNoon, 1000, 30}, {"web", kNoon + kHour, 70, 0}}));
  auto by_process = store.totals(UsageKey::hour_and_process, {INT64_MIN, INT64_MAX, "web"});
  EXPECT_EQ(*by_process,
            (std::vector<UsageBucket>{
                {"curl", kNoon, 1000, 0}, {"firefox", kNoon, 0, 30}, {"curl", kNoon + kHour, 70, 0}}));
}

TEST_F(UsageStoreTest, ReopeningKeepsRowsSchemaAndWal) {
  {
    UsageStore store = open();
    ASSERT_TRUE(store.add({{kNoon, "curl", "web", Direction::download, 42}}));
  }
  UsageStore again = open();
  EXPECT_EQ(*again.schema_version(), kUsageSchemaVersion);
  // Root's only, the WAL included (it holds the same rows).
  EXPECT_EQ(std::filesystem::status(path_).permissions(), std::filesystem::perms(0640));
  EXPECT_EQ(std::filesystem::status(path_ + "-wal").permissions(), std::filesystem::perms(0640));
  ASSERT_TRUE(again.add({{kNoon, "curl", "web", Direction::download, 8}}));
  EXPECT_EQ(again.totals(UsageKey::process, {})->at(0).download, 50u);

  auto reader = UsageStore::open_read_only(path_);
  ASSERT_TRUE(reader) << reader.error();
  EXPECT_EQ(reader->totals(UsageKey::rule, {})->at(0), (UsageBucket{"web", 0, 50, 0}));
  EXPECT_FALSE(reader->add({{kNoon, "curl", "web", Direction::download, 1}}).ok());

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* mode = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &mode, nullptr);
  ASSERT_EQ(sqlite3_step(mode), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0)), "wal");
  sqlite3_finalize(mode);
  sqlite3_close(raw);
}

TEST_F(UsageStoreTest, MissingDatabaseAndNewerSchemaAreClearErrors) {
  auto missing = UsageStore::open_read_only(path_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(),
            "no usage database at " + path_ + " (the daemon writes it once it counts traffic)");

  { UsageStore store = open(); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version=7", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto newer = UsageStore::open_for_writing(path_);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.error().find("schema version 7, newer than this nettoll knows (1)"), std::string::npos)
      << newer.error();
  EXPECT_FALSE(UsageStore::open_read_only(path_).ok());
}

TEST_F(UsageStoreTest, PruneDropsOldHoursAndUnusedNames) {
  UsageStore store = open();
  ASSERT_TRUE(store.add({{kNoon - 2 * kHour, "old", "web", Direction::download, 1},
                         {kNoon, "new", "web", Direction::download, 2}}));
  auto removed = store.prune_before(kNoon - kHour);
  ASSERT_TRUE(removed) << removed.error();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(*store.totals(UsageKey::process, {}), (std::vector<UsageBucket>{{"new", 0, 2, 0}}));
  ASSERT_TRUE(store.add({{kNoon, "old", "web", Direction::upload, 3}}));  // names come back as needed
  EXPECT_EQ(store.totals(UsageKey::process, {})->size(), 2u);
}

TEST_F(UsageStoreTest, RecorderFlushesCountsLiveBytesAndKeepsTheRetention) {
  UsageRecorder recorder(open(), 400);
  recorder.record(kNoon,
                  {{"curl", "web", Direction::download, 100}, {"apt", "updates", Direction::upload, 9}});
  // Not yet written: the use still counts them.
  auto used = recorder.used({kNoon, INT64_MAX, "web"});
  ASSERT_TRUE(used) << used.error();
  EXPECT_EQ(used->download, 100u);
  EXPECT_TRUE(recorder.store().totals(UsageKey::process, {})->empty());

  ASSERT_TRUE(recorder.flush(kNoon + 60));
  EXPECT_EQ(recorder.store().totals(UsageKey::process, {})->size(), 2u);
  recorder.record(kNoon + 61, {{"curl", "web", Direction::download, 1}});
  EXPECT_EQ(recorder.used({kNoon, INT64_MAX, "web"})->download, 101u);  // database + live
  EXPECT_EQ(recorder.used({kNoon, INT64_MAX, ""})->upload, 9u);
  EXPECT_EQ(recorder.used({kNoon + kHour, INT64_MAX, ""})->download, 0u);

  // 400 days later the first hour goes; the row of day 399 stays.
  recorder.record(kNoon + 399 * kDay, {{"curl", "web", Direction::download, 5}});
  ASSERT_TRUE(recorder.flush(kNoon + 399 * kDay));
  ASSERT_TRUE(recorder.flush(kNoon + 400 * kDay + kHour));
  EXPECT_EQ(*recorder.store().totals(UsageKey::process, {}), (std::vector<UsageBucket>{{"curl", 0, 5, 0}}));
}

TEST_F(UsageStoreTest, AShorterRetentionPrunesAtTheNextFlush) {
  UsageRecorder recorder(open(), 400);
  recorder.record(kNoon, {{"curl", "web", Direction::download, 100}});
  recorder.record(kNoon + 20 * kDay, {{"apt", "updates", Direction::download, 7}});
  ASSERT_TRUE(recorder.flush(kNoon + 30 * kDay));
  EXPECT_EQ(recorder.store().totals(UsageKey::process, {})->size(), 2u) << "both within 400 days";
  // `usage: {retention: 15d}` on a reload: the 30-day-old row goes at once,
  // not a day after the last prune; the 10-day-old one stays.
  recorder.set_retention_days(15);
  ASSERT_TRUE(recorder.flush(kNoon + 30 * kDay + 60));
  EXPECT_EQ(*recorder.store().totals(UsageKey::process, {}), (std::vector<UsageBucket>{{"apt", 0, 7, 0}}));
}

TEST_F(UsageStoreTest, RecorderStampsTheAccountingsDeltasWithItsClock) {
  int64_t now = kNoon + 5;
  UsageRecorder recorder(open(), 400, [&now] { return now; });
  UsageSink& sink = recorder;
  sink.on_usage({{"curl", "", Direction::upload, 10, 1}});
  now += kHour;
  sink.on_usage({{"curl", "", Direction::upload, 20, 2}});
  ASSERT_TRUE(recorder.flush(now));
  EXPECT_EQ(*recorder.store().totals(UsageKey::hour, {}),
            (std::vector<UsageBucket>{{"", kNoon, 0, 10}, {"", kNoon + kHour, 0, 20}}));
}

TEST_F(UsageStoreTest, ReopenedRecorderSeesTheRowsOfTheOneBefore) {
  {
    UsageRecorder first(open(), 400);
    first.record(kNoon, {{"curl", "web", Direction::download, 1234}});
    ASSERT_TRUE(first.flush(kNoon));  // what the daemon does on stop
  }
  UsageRecorder second(open(), 400);
  EXPECT_EQ(second.used({kNoon, INT64_MAX, "web"})->download, 1234u);
}

}  // namespace
}  // namespace nettoll
