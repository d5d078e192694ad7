// SPDX-License-Identifier: Apache-2.0
// Temporary rule limits (`nettoll set RULE download 5mbit`, the dashboard).
#include "core/rule_limit_overrides.h"

#include <gtest/gtest.h>

#include "core/config_loader.h"

namespace nettoll {
namespace {

Config config() {
  const LoadedConfig loaded = load_config_text(R"(download: 50mbit
processes:
  browser:
    match: [{name: firefox}]
    upload: 2mbit
  voice:
    match: [{name: mumble}]
)",
                                               "o.yaml");
  EXPECT_TRUE(loaded.ok());
  return *loaded.config;
}

TEST(RuleLimitOverrides, SetsACeilInOneDirection) {
  RuleLimitOverrides overrides;
  const Config base = config();
  ASSERT_TRUE(
      overrides.set_from_request({{"rule", "browser"}, {"direction", "download"}, {"rate", "5mbit"}}, base));
  const Config applied = overrides.apply(base);
  EXPECT_EQ(applied.processes[0].download.limit, Rate::bits_per_second(5'000'000));
  EXPECT_EQ(applied.processes[0].upload.limit, Rate::bits_per_second(2'000'000))
      << "the other direction stays";
  EXPECT_FALSE(applied.processes[1].download.limit);
  EXPECT_EQ(overrides.to_json("browser"), (nlohmann::json{{"download", "5mbit"}}));
  EXPECT_EQ(overrides.to_json("voice"), nlohmann::json::object());
}

TEST(RuleLimitOverrides, ClearingARuleBringsTheConfigBack) {
  RuleLimitOverrides overrides;
  const Config base = config();
  ASSERT_TRUE(
      overrides.set_from_request({{"rule", "browser"}, {"direction", "upload"}, {"rate", "1mbit"}}, base));
  ASSERT_TRUE(overrides.clear_rule("browser"));
  EXPECT_EQ(overrides.apply(base).processes[0].upload.limit, Rate::bits_per_second(2'000'000));
  EXPECT_FALSE(overrides.clear_rule("browser")) << "nothing left to clear";
}

TEST(RuleLimitOverrides, RefusesBadRequestsAndRecordsNothing) {
  RuleLimitOverrides overrides;
  const Config base = config();
  const std::vector<std::pair<nlohmann::json, std::string>> cases{
      {{{"rule", "nope"}, {"direction", "download"}, {"rate", "5mbit"}},
       "rule 'nope' is not under processes"},
      {{{"rule", "browser"}, {"direction", "sideways"}, {"rate", "5mbit"}}, "direction:"},
      {{{"rule", "browser"}, {"direction", "download"}, {"rate", "fast"}}, "rate:"},
      {{{"rule", "browser"}, {"direction", "download"}, {"rate", "60mbit"}},
       "above the global download limit"},
      {{{"rule", "browser"}, {"direction", "download"}, {"rate", 5}}, "rate"},
      {{{"rule", "browser"}, {"direction", "download"}, {"rate", "5mbit"}, {"x", 1}}, "x"},
      {{{"direction", "download"}, {"rate", "5mbit"}}, "rule"}};
  for (const auto& [body, message] : cases) {
    auto set = overrides.set_from_request(body, base);
    ASSERT_FALSE(set) << body;
    EXPECT_NE(set.error().find(message), std::string::npos) << set.error();
  }
  EXPECT_EQ(overrides.apply(base).processes[0].download.limit, std::nullopt);
}

TEST(RuleLimitOverrides, ARuleGoneFromTheConfigIsSkipped) {
  RuleLimitOverrides overrides;
  ASSERT_TRUE(
      overrides.set_from_request({{"rule", "voice"}, {"direction", "upload"}, {"rate", "1mbit"}}, config()));
  Config without = config();
  without.processes.pop_back();
  EXPECT_EQ(overrides.apply(without).processes.size(), 1u);
}

}  // namespace
}  // namespace nettoll
