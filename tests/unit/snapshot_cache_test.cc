// SPDX-License-Identifier: Apache-2.0
#include "core/snapshot_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace nettoll {
namespace {

struct Inputs {
  unsigned sample = 0;
  std::string interface;
  bool operator==(const Inputs&) const = default;
};

TEST(SnapshotCacheTest, ReadersWithTheSameInputsShareOneSnapshot) {
  SnapshotCache<Inputs, std::string> cache;
  int made = 0;
  const auto make = [&] { return "snapshot " + std::to_string(++made); };
  EXPECT_EQ(cache.get({1, "eth0"}, make), "snapshot 1");
  EXPECT_EQ(cache.get({1, "eth0"}, make), "snapshot 1");
  EXPECT_EQ(cache.get({1, "eth0"}, make), "snapshot 1");
  EXPECT_EQ(made, 1);
}

TEST(SnapshotCacheTest, AnyChangedInputMakesANewSnapshot) {
  SnapshotCache<Inputs, std::string> cache;
  int made = 0;
  const auto make = [&] { return "snapshot " + std::to_string(++made); };
  EXPECT_EQ(cache.get({1, "eth0"}, make), "snapshot 1");
  EXPECT_EQ(cache.get({2, "eth0"}, make), "snapshot 2") << "the next sample";
  EXPECT_EQ(cache.get({2, "wlan0"}, make), "snapshot 3") << "the interface moved";
  EXPECT_EQ(cache.get({1, "eth0"}, make), "snapshot 4") << "only the last snapshot is kept";
  EXPECT_EQ(made, 4);
}

TEST(SnapshotCacheTest, NothingIsKeptBeforeTheFirstReadOrAfterClear) {
  SnapshotCache<Inputs, std::string> cache;
  int made = 0;
  const auto make = [&] { return "snapshot " + std::to_string(++made); };
  EXPECT_FALSE(cache.holds());
  cache.get({}, make);
  EXPECT_TRUE(cache.holds());
  cache.clear();
  EXPECT_FALSE(cache.holds());
  EXPECT_EQ(cache.get({}, make), "snapshot 2") << "the same inputs after clear() make a new one";
}

}  // namespace
}  // namespace nettoll
