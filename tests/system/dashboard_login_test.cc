// SPDX-License-Identifier: Apache-2.0
// The dashboard's login over a real TCP listener in a namespace: a one-time
// code from the unix socket (what `nettoll dashboard` asks for) buys a
// session cookie; the cookie reads the API, writes need the same Origin, a
// foreign Host is refused, and /metrics still needs nothing.
#include <nlohmann/json.hpp>

#include "api_fixture.h"

namespace nettoll::testing {
namespace {

class DashboardLoginTest : public ApiFixture {
 protected:
  // The login URL's path and query ("/login?code=..."), from the unix socket.
  std::string login_path() {
    auto answer = over_unix("POST", "/v1/dashboard/login");
    EXPECT_TRUE(answer);
    if (!answer) return "";
    EXPECT_EQ(answer->status, 200) << answer->body;
    const auto body = nlohmann::json::parse(answer->body);
    const std::string url = body.value("url", "");
    EXPECT_TRUE(url.starts_with("http://127.0.0.1:7657/login?code=")) << url;
    EXPECT_EQ(body.value("expires_in_s", 0), 120);
    return url.substr(std::string("http://127.0.0.1:7657").size());
  }

  // The session cookie ("nettoll_session=...") the login sets.
  std::string log_in() {
    auto answer = tcp("GET", login_path(), {});
    EXPECT_TRUE(answer);
    if (!answer) return "";
    EXPECT_EQ(answer->status, 303) << answer->body;
    EXPECT_EQ(answer->get_header_value("Location"), "/");
    const std::string cookie = answer->get_header_value("Set-Cookie");
    EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
    return cookie.substr(0, cookie.find(';'));
  }
};

TEST_F(DashboardLoginTest, WithoutCredentialsThePageIs401WithTheLoginPage) {
  start_daemon(api_config());
  auto page = tcp("GET", "/", {});
  ASSERT_TRUE(page) << daemon_->output();
  EXPECT_EQ(page->status, 401);
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page->body.find("nettoll dashboard"), std::string::npos) << page->body;
  auto api = tcp("GET", "/v1/stats", {});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  auto metrics = tcp("GET", "/metrics", {});
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
}

TEST_F(DashboardLoginTest, ACodeBuysACookieThatReadsTheApi) {
  start_daemon(api_config());
  const std::string cookie = log_in();
  ASSERT_TRUE(cookie.starts_with("nettoll_session=")) << cookie;
  EXPECT_GE(cookie.size(), std::string("nettoll_session=").size() + 32) << "at least 128 bits in hex";
  auto status = tcp("GET", "/v1/status", {{"Cookie", cookie}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200) << status->body;
  EXPECT_NE(status->body.find("watching vA"), std::string::npos) << status->body;
  auto forged = tcp("GET", "/v1/status", {{"Cookie", "nettoll_session=0123456789abcdef0123456789abcdef"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
}

TEST_F(DashboardLoginTest, ACodeWorksOnce) {
  start_daemon(api_config());
  const std::string path = login_path();
  auto first = tcp("GET", path, {});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 303);
  auto again = tcp("GET", path, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401);
  EXPECT_NE(again->body.find("nettoll dashboard"), std::string::npos) << again->body;
  EXPECT_TRUE(again->get_header_value("Set-Cookie").empty());
  auto made_up = tcp("GET", "/login?code=00000000000000000000000000000000", {});
  ASSERT_TRUE(made_up);
  EXPECT_EQ(made_up->status, 401);
}

TEST_F(DashboardLoginTest, ACookieWriteNeedsTheSameOrigin) {
  start_daemon(api_config());
  const std::string cookie = log_in();
  auto without = tcp("POST", "/v1/reload", {{"Cookie", cookie}});
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 403) << without->body;
  auto foreign = tcp("POST", "/v1/reload", {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403) << foreign->body;
  EXPECT_EQ(daemon_->output().find("reloading"), std::string::npos) << "no refused write reloaded";
  auto same = tcp("POST", "/v1/reload", {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:7657"}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
}

TEST_F(DashboardLoginTest, LoggingOutClearsTheCookieAndEndsTheSession) {
  start_daemon(api_config());
  const std::string cookie = log_in();
  const std::string other = log_in();
  auto foreign = tcp("POST", "/v1/logout", {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403) << "another site cannot log you out: " << foreign->body;
  auto status = tcp("GET", "/v1/status", {{"Cookie", cookie}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200) << "still logged in after the refused logout";

  auto out = tcp("POST", "/v1/logout", {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:7657"}});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_EQ(nlohmann::json::parse(out->body).value("logged_out", false), true) << out->body;
  const std::string cleared = out->get_header_value("Set-Cookie");
  EXPECT_TRUE(cleared.starts_with("nettoll_session=;")) << cleared;
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
  auto after = tcp("GET", "/v1/status", {{"Cookie", cookie}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401) << "a copy of the old cookie no longer works: " << after->body;
  auto page = tcp("GET", "/", {{"Cookie", cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 401);
  EXPECT_NE(page->body.find("nettoll dashboard"), std::string::npos) << page->body;
  auto still = tcp("GET", "/v1/status", {{"Cookie", other}});
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200) << "the other browser's session lives on";
}

TEST_F(DashboardLoginTest, AForeignHostIsRefusedEvenWithACookie) {
  start_daemon(api_config());
  const std::string cookie = log_in();
  auto rebound = tcp("GET", "/v1/status", {{"Cookie", cookie}, {"Host", "rebind.example:7657"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  auto login = tcp("GET", login_path(), {{"Host", "rebind.example:7657"}});
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 403);
}

TEST_F(DashboardLoginTest, TheCommandPrintsALinkAndSaysWhenThereIsNoTcp) {
  start_daemon(api_config());
  const CommandOutput shown =
      run_command(nettoll_binary() + " dashboard --socket " + socket_path_ + " 2>/dev/null");
  EXPECT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_TRUE(shown.output.starts_with("http://127.0.0.1:7657/login?code=")) << shown.output;
  const std::string path =
      shown.output.substr(std::string("http://127.0.0.1:7657").size(),
                          shown.output.find('\n') - std::string("http://127.0.0.1:7657").size());
  auto login = tcp("GET", path, {});
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 303);
}

TEST_F(DashboardLoginTest, WithoutATcpListenerTheCommandExplains) {
  start_daemon("interface: auto\n");
  const CommandOutput shown = run_command(nettoll_binary() + " dashboard --socket " + socket_path_ + " 2>&1");
  EXPECT_EQ(shown.exit_status, 2) << shown.output;
  EXPECT_NE(shown.output.find("add `api:"), std::string::npos) << shown.output;
}

}  // namespace
}  // namespace nettoll::testing
