// SPDX-License-Identifier: Apache-2.0
// The dashboard's log panel: the last 200 lines, numbered, asked for by seq.
#include "core/event_log.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TEST(EventLog, NumbersLinesAndReturnsThoseAfterASeq) {
  EventLog log;
  EXPECT_EQ(log.add("t1", "info", "managed interface: vA"), 1u);
  EXPECT_EQ(log.add("t2", "error", "reload rejected"), 2u);
  EXPECT_EQ(log.since(std::nullopt).size(), 2u);
  const auto after_first = log.since(1);
  ASSERT_EQ(after_first.size(), 1u);
  EXPECT_EQ(after_first[0].seq, 2u);
  EXPECT_EQ(after_first[0].level, "error");
  EXPECT_EQ(after_first[0].message, "reload rejected");
  EXPECT_TRUE(log.since(2).empty());
  EXPECT_TRUE(log.since(99).empty());
}

TEST(EventLog, KeepsTheLastCapacityLines) {
  EventLog log;
  for (int i = 1; i <= 250; ++i) log.add("t", "info", "line " + std::to_string(i));
  const auto all = log.since(std::nullopt);
  ASSERT_EQ(all.size(), EventLog::kDefaultCapacity);
  EXPECT_EQ(all.front().seq, 51u);
  EXPECT_EQ(all.back().message, "line 250");
  EXPECT_EQ(log.since(10).size(), EventLog::kDefaultCapacity) << "a page far behind gets what is kept";
}

TEST(EventLog, KeepsOneLinePerEvent) {
  EventLog log;
  log.add("t", "warning", "first line\nsecond line");
  EXPECT_EQ(log.since(std::nullopt).at(0).message, "first line");
}

TEST(EventLog, JsonHasTheContractsShape) {
  EventLog log;
  log.add("2026-12-02T04:40:00.000Z", "info", "reload applied");
  const nlohmann::json json = events_json(log.since(std::nullopt));
  EXPECT_EQ(json["events"].at(0), (nlohmann::json{{"seq", 1},
                                                  {"time", "2026-12-02T04:40:00.000Z"},
                                                  {"level", "info"},
                                                  {"message", "reload applied"}}));
}

TEST(Iso8601Utc, FormatsMilliseconds) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1764650400123), "2025-12-02T04:40:00.123Z");
}

}  // namespace
}  // namespace nettoll
