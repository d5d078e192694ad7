// SPDX-License-Identifier: Apache-2.0
// What the dashboard reads and steers, against a daemon in a namespace:
// the rate history, temporary rule limits (seen by `tc`), the event list,
// the usage history and the reload's answer.
#include <nlohmann/json.hpp>

#include "api_fixture.h"
#include "tc_text.h"

namespace nettoll::testing {
namespace {

using DashboardApiTest = ApiFixture;

nlohmann::json json_of(const httplib::Result& answer) {
  EXPECT_TRUE(answer);
  if (!answer) return nullptr;
  return nlohmann::json::parse(answer->body, nullptr, false);
}

constexpr const char* kRuleConfig = R"(upload: 100mbit
processes:
  browser:
    match: [{name: firefox}]
)";

TEST_F(DashboardApiTest, HistoryFillsOnceASecondWithTheLimit) {
  start_daemon("upload: 100mbit\n");
  nlohmann::json history;
  ASSERT_TRUE(eventually(
      [&] {
        history = json_of(over_unix("GET", "/v1/stats/history"));
        return history.is_object() && history["samples"].size() >= 2;
      },
      10s))
      << history;
  EXPECT_EQ(history["interval_ms"], 1000);
  const nlohmann::json& first = history["samples"][0];
  const nlohmann::json& second = history["samples"][1];
  EXPECT_GT(second["t"].get<int64_t>(), first["t"].get<int64_t>());
  EXPECT_EQ(first["upload_limit_bps"], 100'000'000);
  EXPECT_TRUE(first["download_limit_bps"].is_null()) << "download is not shaped";
  EXPECT_TRUE(first["rules"].is_object());
  const int64_t last = history["samples"].back()["t"];
  const nlohmann::json newer = json_of(over_unix("GET", "/v1/stats/history?since=" + std::to_string(last)));
  for (const auto& sample : newer["samples"]) EXPECT_GT(sample["t"].get<int64_t>(), last);
  auto bad = over_unix("GET", "/v1/stats/history?since=yesterday");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(DashboardApiTest, ARuleLimitReachesTheKernelAndClears) {
  start_daemon(kRuleConfig);
  auto ceil_of_rule = [&] {
    const auto classes = parse_tc_classes(testbed_->run_in_a("tc -s class show dev vA").output);
    auto it = classes.find("7a:10");
    return it == classes.end() ? uint64_t{0} : it->second.ceil_bits;
  };
  ASSERT_EQ(ceil_of_rule(), 100'000'000u);
  const CommandOutput set =
      run_command(nettoll_binary() + " set browser upload 5mbit --socket " + socket_path_ + " 2>&1");
  EXPECT_EQ(set.exit_status, 0) << set.output;
  EXPECT_EQ(ceil_of_rule(), 5'000'000u);
  const nlohmann::json status = json_of(over_unix("GET", "/v1/status"));
  EXPECT_EQ(status["rules"]["browser"]["override"], (nlohmann::json{{"upload", "5mbit"}})) << status;

  auto refused =
      over_unix("POST", "/v1/limits", R"({"rule": "browser", "direction": "upload", "rate": "1gbit"})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_EQ(ceil_of_rule(), 5'000'000u) << "a refused request changes nothing";

  const CommandOutput cleared =
      run_command(nettoll_binary() + " set browser clear --socket " + socket_path_ + " 2>&1");
  EXPECT_EQ(cleared.exit_status, 0) << cleared.output;
  EXPECT_EQ(ceil_of_rule(), 100'000'000u);
  EXPECT_EQ(json_of(over_unix("GET", "/v1/status"))["rules"]["browser"]["override"],
            nlohmann::json::object());
  const CommandOutput again =
      run_command(nettoll_binary() + " set browser clear --socket " + socket_path_ + " 2>&1");
  EXPECT_EQ(again.exit_status, 1) << again.output;
}

TEST_F(DashboardApiTest, APageWithASessionSetsARuleLimitThroughTheApi) {
  start_daemon(api_config() + kRuleConfig);
  const auto login = json_of(over_unix("POST", "/v1/dashboard/login"));
  const std::string url = login.value("url", "");
  auto redeemed = tcp("GET", url.substr(url.find("/login")), {});
  ASSERT_TRUE(redeemed);
  const std::string cookie = redeemed->get_header_value("Set-Cookie");
  const httplib::Headers page{{"Cookie", cookie.substr(0, cookie.find(';'))},
                              {"Origin", "http://127.0.0.1:7657"}};
  auto set =
      tcp("POST", "/v1/limits", page, R"({"rule": "browser", "direction": "upload", "rate": "7mbit"})");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200) << set->body;
  EXPECT_EQ(json_of(set), (nlohmann::json{{"rule", "browser"}, {"direction", "upload"}, {"rate", "7mbit"}}));
  EXPECT_NE(testbed_->run_in_a("tc class show dev vA").output.find("ceil 7Mbit"), std::string::npos);
  auto cleared = tcp("DELETE", "/v1/limits/browser", page);
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->status, 200) << cleared->body;
  EXPECT_EQ(testbed_->run_in_a("tc class show dev vA").output.find("ceil 7Mbit"), std::string::npos);
}

TEST_F(DashboardApiTest, EventsListWhatHappenedAndAReloadsRejection) {
  start_daemon("interface: auto\n");
  const nlohmann::json start = json_of(over_unix("GET", "/v1/events"));
  ASSERT_FALSE(start["events"].empty()) << start;
  EXPECT_NE(start.dump().find("managed interface: vA"), std::string::npos) << start;
  const uint64_t seen = start["events"].back()["seq"];
  EXPECT_FALSE(start["events"].back()["time"].get<std::string>().empty());

  std::ofstream(config_path_) << "upload: 10 parsecs\n";
  auto rejected = over_unix("POST", "/v1/reload");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400);
  EXPECT_NE(json_of(rejected)["messages"].dump().find(config_path_ + ":1:9:"), std::string::npos)
      << rejected->body;
  const nlohmann::json after = json_of(over_unix("GET", "/v1/events?since=" + std::to_string(seen)));
  bool error_seen = false;
  for (const auto& event : after["events"]) {
    EXPECT_GT(event["seq"].get<uint64_t>(), seen);
    if (event["level"] == "error" &&
        event["message"].get<std::string>().find("reload rejected") != std::string::npos)
      error_seen = true;
  }
  EXPECT_TRUE(error_seen) << after;

  std::ofstream(config_path_) << "upload: 10mbit\n";
  auto applied = over_unix("POST", "/v1/reload");
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->status, 200);
  EXPECT_EQ(json_of(applied)["result"], "applied") << applied->body;
}

TEST_F(DashboardApiTest, UsageComesFromTheDatabaseOr503) {
  start_daemon("interface: auto\naccounting: true\n");  // counting opens the database
  auto by_day = over_unix("GET", "/v1/usage?by=day&since=30d");
  ASSERT_TRUE(by_day);
  EXPECT_EQ(by_day->status, 200) << by_day->body;
  const nlohmann::json report = json_of(by_day);
  EXPECT_EQ(report["by"], "day") << report;
  EXPECT_TRUE(report["rows"].is_array()) << report;
  auto split = over_unix("GET", "/v1/usage?by=day&since=30d&split=rule");
  ASSERT_TRUE(split);
  EXPECT_EQ(split->status, 200) << split->body;
  EXPECT_EQ(json_of(split)["split"], "rule") << split->body;
  auto bad = over_unix("GET", "/v1/usage?by=week");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  auto unsplittable = over_unix("GET", "/v1/usage?by=rule&split=process");
  ASSERT_TRUE(unsplittable);
  EXPECT_EQ(unsplittable->status, 400) << unsplittable->body;
  EXPECT_NE(unsplittable->body.find("split: only days and hours split"), std::string::npos)
      << unsplittable->body;
  std::filesystem::remove(directory_ + "/usage.db");
  auto missing = over_unix("GET", "/v1/usage?by=rule");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 503) << missing->body;
  EXPECT_NE(missing->body.find("no usage history"), std::string::npos) << missing->body;
}

}  // namespace
}  // namespace nettoll::testing
