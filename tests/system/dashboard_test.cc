// SPDX-License-Identifier: Apache-2.0
// The web dashboard in a real browser: Debian's chromium, headless, inside
// the test's namespace A, against a daemon shaping vA with two renamed
// iperf3 copies running. It logs in through a one-time /login?code= link,
// and the page it renders shows the interface, both processes with their
// rates and rules, and a reservation made by a Tautulli webhook; a rule
// limit set through the page's API path (session cookie and Origin, as its
// JavaScript sends it) reaches the kernel and the measured rate; without a
// session `/` is the 401 login page. A screenshot is kept in the build
// directory.
#include <nlohmann/json.hpp>
#include <regex>

#include "api_fixture.h"
#include "dashboard_browser.h"
#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

const char* const kBulkClass = "7a:10";

class DashboardTest : public ProcessRulesFixture {
 protected:
  void SetUp() override {
    ProcessRulesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!DashboardBrowser::installed()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps)";
    browser_ = std::make_unique<DashboardBrowser>(testbed_->namespace_a(), bin_dir_ + "/chromium");
  }

  std::string config() const {
    return "download: 100mbit\nupload: 100mbit\nprocesses:\n"
           "  bulk:\n    match: [{name: ntbulk}]\n    upload: 40mbit\n    download: 40mbit\n"
           "  call:\n    match: [{name: ntcall}]\n"
           "reservations:\n  api: 127.0.0.1:" +
           std::to_string(kApiPort) + "\n  token-file: " + bin_dir_ + "/api-token\n" +
           "  link-upload: 100mbit\n  link-download: 100mbit\n";
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(kApiPort); }

  // A one-time login link, from `nettoll dashboard` as a user gets it.
  std::string login_url() const {
    const auto printed = run_command(nettoll_binary() + " dashboard --socket " + socket_path_ + " 2>&1");
    std::smatch url;
    const std::regex pattern("http://[^\\s]+/login\\?code=[A-Za-z0-9_-]+");
    EXPECT_TRUE(std::regex_search(printed.output, url, pattern)) << printed.output;
    return url.empty() ? "" : url.str();
  }

  // One request to the API over TCP inside namespace A.
  httplib::Result tcp(const std::string& method, const std::string& path, const httplib::Headers& headers,
                      const std::string& body = "") const {
    return http_in_namespace(testbed_->namespace_a(), kApiPort, method, path, headers, body);
  }

  // The session cookie ("nettoll_session=...") a login link sets.
  std::string session_cookie() {
    const std::string url = login_url();
    const auto reply = tcp("GET", url.substr(url.find("/login")), {});
    EXPECT_TRUE(reply) << "GET /login";
    if (!reply) return "";
    EXPECT_EQ(reply->status, 303) << reply->body;
    const std::string set_cookie = reply->get_header_value("Set-Cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  // The page's JavaScript's request: its session cookie, and the Origin a
  // browser adds to a same-origin write.
  httplib::Headers as_the_page(const std::string& cookie) const {
    return {{"Cookie", cookie}, {"Origin", origin()}};
  }

  bool both_clients_counted() const {
    const auto stats = nlohmann::json::parse(
        run_command(nettoll_binary() + " top --once --json --socket " + socket_path_).output, nullptr, false);
    int moving = 0;
    for (const auto& p : stats.value("processes", nlohmann::json::array())) {
      const double rate = p.value("download_bytes_per_second", 0.0) + p.value("upload_bytes_per_second", 0.0);
      if ((p.value("name", "") == "ntbulk" || p.value("name", "") == "ntcall") && rate > 0) ++moving;
    }
    return moving >= 2;
  }

  void start_traffic(int seconds) {
    start_client("ntbulk", kFirstIperfPort, "-b 60M", seconds);
    start_client("ntcall", kFirstIperfPort + 3, "-b 20M -R", seconds);
    ASSERT_TRUE(eventually([&] { return both_clients_counted(); }, 10s)) << "both iperf3 copies counted";
  }

  std::string in_a(const std::string& command) const { return testbed_->run_in_a(command).output; }

  // The status of a reply, or -1 when there was none.
  static int status_of(const httplib::Result& reply) { return reply ? reply->status : -1; }

  std::unique_ptr<DashboardBrowser> browser_;
};

TEST_P(DashboardTest, ThePageShowsTheInterfaceProcessesRulesAndAReservation) {
  start_daemon(config());
  start_traffic(40);
  const auto hook =
      run_command("curl -sf --unix-socket " + socket_path_ +
                  " -d '{\"action\":\"play\",\"session_id\":\"dash1\",\"ip_address\":\"203.0.113.7\","
                  "\"stream_bandwidth\":\"8000\",\"remaining_duration\":\"90\",\"stream_location\":\"wan\"}' "
                  "http://localhost/v1/hooks/tautulli");
  ASSERT_EQ(hook.exit_status, 0) << hook.output;

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
  // Quotas: a bar when the daemon reports them, the section hidden when not.
  const bool quotas = page.html.find("class=\"quota") != std::string::npos;
  EXPECT_EQ(quotas, page.html.find("id=\"quotas\" hidden") == std::string::npos) << page.html;

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

INSTANTIATE_TEST_SUITE_P(Paths, DashboardTest, ::testing::Values("bpf"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
