// SPDX-License-Identifier: Apache-2.0
// DashboardTest: the web dashboard's system tests' fixture. A daemon shaping
// vA in namespace A with two rules (one with a quota), a link quota and the
// TCP listener; two renamed iperf3 copies (ntbulk uploads into `bulk`,
// ntcall downloads through `call`); the login link `nettoll dashboard`
// prints; chromium, headless, in the namespace (DashboardBrowser for
// --dump-dom and screenshots, DevToolsPage to click).
#pragma once

#include <nlohmann/json.hpp>
#include <regex>

#include "api_fixture.h"
#include "dashboard_browser.h"
#include "devtools_page.h"
#include "process_rules_fixture.h"

namespace nettoll::testing {

inline constexpr const char* kBulkClass = "7a:10";

class DashboardTest : public ProcessRulesFixture {
 protected:
  void SetUp() override {
    ProcessRulesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!DashboardBrowser::installed()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps)";
    browser_ = std::make_unique<DashboardBrowser>(testbed_->namespace_a(), bin_dir_ + "/chromium");
  }

  // Two rules, a monthly quota on one of them and on the link (far from
  // used up), and the TCP listener.
  std::string config() const {
    return "download: 100mbit\nupload: 100mbit\nprocesses:\n"
           "  bulk:\n    match: [{name: ntbulk}]\n    upload: 40mbit\n    download: 40mbit\n"
           "    quota: {period: month, start: 1, upload: 10GB, then: {upload: 1mbit}}\n"
           "  call:\n    match: [{name: ntcall}]\n"
           "quota: {period: month, start: 1, total: 500GB, then: {download: 1mbit, upload: 1mbit}}\n"
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

  // The page in a browser driven over DevTools, logged in through a fresh
  // login link, once it shows the managed interface; null (and a test
  // failure) when it does not.
  std::unique_ptr<DevToolsPage> open_page() {
    auto page = std::make_unique<DevToolsPage>(testbed_->namespace_a(), bin_dir_ + "/chromium", login_url());
    const bool shown = page->wait_for("document.getElementById('interface')?.textContent === 'vA'", 20s);
    EXPECT_TRUE(shown) << page->error() << "\n" << page->html() << page->log();
    return shown ? std::move(page) : nullptr;
  }

  // A Tautulli webhook (over the unix socket) that reserves 8 Mbit/s for a
  // viewer: reservation `id`.
  void play_webhook(const std::string& id) const {
    const auto hook = run_command("curl -sf --unix-socket " + socket_path_ +
                                  " -d '{\"action\":\"play\",\"session_id\":\"" + id +
                                  "\",\"ip_address\":\"203.0.113.7\",\"stream_bandwidth\":\"8000\","
                                  "\"remaining_duration\":\"90\",\"stream_location\":\"wan\"}' "
                                  "http://localhost/v1/hooks/tautulli");
    ASSERT_EQ(hook.exit_status, 0) << hook.output;
  }

  std::unique_ptr<DashboardBrowser> browser_;
};

}  // namespace nettoll::testing
