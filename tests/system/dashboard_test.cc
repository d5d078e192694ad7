// SPDX-License-Identifier: Apache-2.0
// The web dashboard in a real browser: Debian's chromium, headless, inside
// the test's namespace A, against a daemon shaping vA with two renamed
// iperf3 copies running. It logs in through a one-time /login?code= link,
// and the page it renders shows the interface, both processes with their
// rates and rules, a reservation made by a Tautulli webhook and the quota
// bars with their use, size and reset time; a rule
// limit set through the page's API path (session cookie and Origin, as its
// JavaScript sends it) reaches the kernel and the measured rate; without a
// session `/` is the 401 login page. A screenshot is kept in the build
// directory.
#include "dashboard_fixture.h"

namespace nettoll::testing {
namespace {

TEST_P(DashboardTest, ThePageShowsTheInterfaceProcessesRulesAndAReservation) {
  start_daemon(config());
  start_traffic(40);
  play_webhook("dash1");

  // The login link sets the cookie and redirects to the page, which then
  // polls the API for a few (virtual) seconds.
  const PageDom page = browser_->dump_dom(login_url());
  ASSERT_FALSE(page.html.empty()) << page.log;
  EXPECT_EQ(page.element_text("interface"), "vA") << page.html;
  const auto rows = page.process_rows();
  const auto find = [&](const std::string& name) {
    for (const auto& row : rows)
      if (row.name == name && row.up_bps + row.down_bps > 0) return row;
    return ProcessRow{};
  };
  const ProcessRow bulk = find("ntbulk"), call = find("ntcall");
  EXPECT_EQ(bulk.rule, "bulk") << page.html;
  EXPECT_GT(bulk.up_bps, 1e6) << "ntbulk uploads at 40 Mbit/s";
  EXPECT_EQ(call.rule, "call") << page.html;
  EXPECT_GT(call.down_bps, 1e6) << "ntcall downloads at 20 Mbit/s";
  EXPECT_NE(page.html.find("data-id=\"dash1\""), std::string::npos) << "the webhook's reservation";
  EXPECT_NE(page.html.find("203.0.113.7"), std::string::npos);
  // The quota bars: the bulk rule's upload and the link's total, with what
  // the daemon counted against them, their size and their reset time.
  EXPECT_EQ(page.html.find("id=\"quotas\" hidden"), std::string::npos) << page.html;
  const auto quotas = nlohmann::json::parse(status_json())["quotas"];
  ASSERT_EQ(quotas.size(), 2u) << quotas.dump();
  for (const auto& [scope, measure, limit] :
       {std::tuple{"bulk", "upload", "10000000000"}, std::tuple{"link", "total", "500000000000"}}) {
    const QuotaBar bar = page.quota_bar(scope, measure);
    EXPECT_EQ(bar.limit, limit) << scope << " " << measure << "\n" << page.html;
    EXPECT_GT(bar.used, 0.0) << scope << " " << measure << ": traffic counted against the quota";
    EXPECT_LT(bar.used, 1e10) << scope << " " << measure;
    int64_t resets = 0;
    for (const auto& quota : quotas)
      if (quota.value("scope", "") == scope) resets = quota.value("resets", int64_t{0});
    EXPECT_EQ(bar.resets, std::to_string(resets)) << "the period's end, as the daemon reports it";
    EXPECT_TRUE(std::regex_search(bar.text, std::regex("B of [0-9.]+ GB · resets in [0-9]+ (d|h)")))
        << bar.text;
  }
  EXPECT_NE(page.html.find("the link total"), std::string::npos) << page.html;

  const std::string shot = browser_->screenshot(login_url(), dashboard_artifact("dashboard.png"));
  EXPECT_FALSE(shot.empty()) << "screenshot";
  std::cout << "dashboard screenshot: " << shot << std::endl;
  stop_clients();
}

TEST_P(DashboardTest, WithoutASessionThePageIsTheLoginPage) {
  start_daemon(config());
  const auto page = tcp("GET", "/", {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 401);
  EXPECT_NE(page->body.find("nettoll dashboard"), std::string::npos) << page->body;
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  // The page's own files are public; the API behind them is not.
  EXPECT_EQ(status_of(tcp("GET", "/assets/dashboard.js", {})), 200);
  EXPECT_EQ(status_of(tcp("GET", "/v1/stats", {})), 401);
  // What a browser without a session shows.
  const PageDom shown = browser_->dump_dom("http://127.0.0.1:" + std::to_string(kApiPort) + "/");
  EXPECT_NE(shown.html.find("nettoll dashboard"), std::string::npos) << shown.html << shown.log;
  EXPECT_EQ(shown.html.find("id=\"process-table\""), std::string::npos) << "no dashboard without a session";
}

TEST_P(DashboardTest, ARuleLimitSetThroughThePageReachesTheKernelAndTheRate) {
  start_daemon(config());
  start_traffic(30);
  const std::string cookie = session_cookie();
  ASSERT_FALSE(cookie.empty());
  // What dashboard.js's "temporary limit" form sends.
  const auto set = tcp("POST", "/v1/limits", as_the_page(cookie),
                       R"({"rule":"bulk","direction":"upload","rate":"5mbit"})");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;
  const auto ceil = [&] { return parse_tc_classes(in_a("tc class show dev vA"))[kBulkClass].ceil_bits; };
  EXPECT_TRUE(eventually([&] { return ceil() == 5'000'000; }, 5s)) << in_a("tc class show dev vA");
  std::this_thread::sleep_for(1500ms);  // the queue drains to the new ceil
  const double limited = class_rates("vA", 3000ms)[kBulkClass];
  EXPECT_LE(limited, 5.0 * 1.05) << "Mbit/s through the bulk class under its 5 Mbit/s override";
  EXPECT_GT(limited, 5.0 * 0.8) << "iperf3 still sends 60 Mbit/s into it";
  const auto status = tcp("GET", "/v1/status", {{"Cookie", cookie}});
  ASSERT_TRUE(status);
  EXPECT_NE(status->body.find("override"), std::string::npos) << status->body;

  // A write with the cookie but without the page's Origin is refused.
  EXPECT_EQ(status_of(tcp("DELETE", "/v1/limits/bulk", {{"Cookie", cookie}})), 403);
  // The page's "Clear" button.
  const auto cleared = tcp("DELETE", "/v1/limits/bulk", as_the_page(cookie));
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->status, 200) << cleared->body;
  EXPECT_TRUE(eventually([&] { return ceil() == 40'000'000; }, 5s)) << in_a("tc class show dev vA");
  stop_clients();
}

// "bpf" only: the page does not depend on the classifier path.
INSTANTIATE_TEST_SUITE_P(Paths, DashboardTest, ::testing::Values("bpf"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
