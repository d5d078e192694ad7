// SPDX-License-Identifier: Apache-2.0
#include "api/request_checks.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TEST(LoopbackHost, AcceptsLoopbackNamesWithOrWithoutPort) {
  for (const char* host : {"localhost", "localhost:7657", "LOCALHOST", "localhost.", "api.localhost:80",
                           "127.0.0.1", "127.0.0.1:7657", "127.1.2.3:1", "[::1]", "[::1]:7657"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
}

TEST(LoopbackHost, RefusesOtherNames) {
  // A DNS-rebinding page reaches 127.0.0.1 under its own name.
  for (const char* host :
       {"", "evil.example", "evil.example:7657", "localhost.evil.example", "127.0.0.1.nip.io",
        "10.0.0.1:7657", "[::2]:7657", "[::1", "[::1]x", "0.0.0.0", "localhostx"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

CallerFacts tcp_caller(std::string host, std::string authorization, std::string path = "/v1/status") {
  return CallerFacts{true, std::move(host), std::move(authorization), std::move(path)};
}

TEST(RefuseCaller, UnixSocketNeedsNothing) {
  EXPECT_FALSE(refuse_caller(CallerFacts{false, "", "", "/v1/status"}, "secret"));
}

TEST(RefuseCaller, TcpNeedsTheToken) {
  EXPECT_FALSE(refuse_caller(tcp_caller("127.0.0.1:7657", "Bearer secret"), "secret"));
  EXPECT_EQ(refuse_caller(tcp_caller("127.0.0.1:7657", ""), "secret")->status, 401);
  EXPECT_EQ(refuse_caller(tcp_caller("127.0.0.1:7657", "Bearer wrong"), "secret")->status, 401);
  EXPECT_EQ(refuse_caller(tcp_caller("127.0.0.1:7657", "Bearer secretx"), "secret")->status, 401);
  EXPECT_EQ(refuse_caller(tcp_caller("127.0.0.1:7657", "Basic c2VjcmV0"), "secret")->status, 401);
  // No token configured must never mean "anything goes".
  EXPECT_EQ(refuse_caller(tcp_caller("127.0.0.1:7657", "Bearer "), "")->status, 401);
}

TEST(RefuseCaller, TcpNeedsALoopbackHostEvenWithTheToken) {
  const auto refusal = refuse_caller(tcp_caller("evil.example:7657", "Bearer secret"), "secret");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 403);
  EXPECT_NE(refusal->body["error"].get<std::string>().find("evil.example"), std::string::npos);
}

TEST(RefuseCaller, MetricsNeedNoTokenButALoopbackHost) {
  EXPECT_FALSE(refuse_caller(tcp_caller("localhost:7657", "", "/metrics"), "secret"));
  EXPECT_EQ(refuse_caller(tcp_caller("evil.example", "", "/metrics"), "secret")->status, 403);
}

TEST(ParseBody, EmptyIsNull) {
  auto body = parse_body("");
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(body->is_null());
  EXPECT_TRUE(parse_body(" \r\n")->is_null());
}

TEST(ParseBody, JsonIsParsed) {
  auto body = parse_body(R"({"ip": "203.0.113.5"})");
  ASSERT_TRUE(body.ok()) << body.error();
  EXPECT_EQ((*body)["ip"], "203.0.113.5");
}

TEST(ParseBody, MalformedJsonSaysWhere) {
  auto body = parse_body(R"({"ip": )");
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.error().find("not valid JSON"), std::string::npos) << body.error();
}

TEST(ParseBody, RefusesMoreThan64KiB) {
  const std::string just_fits = "\"" + std::string(kMaxBodyBytes - 2, 'a') + "\"";
  EXPECT_TRUE(parse_body(just_fits).ok());
  auto too_big = parse_body(just_fits + " ");
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().find("64 KiB"), std::string::npos);
}

}  // namespace
}  // namespace nettoll

namespace nettoll {
namespace {

CallerFacts cookie_caller(std::string method, std::string path, std::string cookie, std::string origin = "") {
  return CallerFacts{
      true, "127.0.0.1:7657", "", std::move(path), std::move(method), std::move(cookie), std::move(origin)};
}

const SessionCheck kLiveSession = [](const std::string& session) { return session == "live"; };

TEST(CookieValue, FindsTheNamedCookie) {
  EXPECT_EQ(cookie_value("nettoll_session=abc", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("a=1; nettoll_session=abc; b=2", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("xnettoll_session=abc", kSessionCookie), "");
  EXPECT_EQ(cookie_value("", kSessionCookie), "");
  EXPECT_EQ(cookie_value("a=1;", kSessionCookie), "");
}

TEST(RefuseCaller, ALiveSessionCookieReadsWithoutAToken) {
  EXPECT_FALSE(
      refuse_caller(cookie_caller("GET", "/v1/status", "nettoll_session=live"), "secret", kLiveSession));
  EXPECT_FALSE(refuse_caller(cookie_caller("GET", "/", "nettoll_session=live"), "secret", kLiveSession));
  const auto dead =
      refuse_caller(cookie_caller("GET", "/v1/status", "nettoll_session=dead"), "secret", kLiveSession);
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->status, 401);
  EXPECT_NE(dead->body.dump().find("nettoll dashboard"), std::string::npos) << dead->body;
}

TEST(RefuseCaller, ACookieWriteNeedsTheSameOrigin) {
  EXPECT_FALSE(
      refuse_caller(cookie_caller("POST", "/v1/reload", "nettoll_session=live", "http://127.0.0.1:7657"),
                    "secret", kLiveSession));
  for (const char* origin : {"", "http://evil.example", "http://localhost:7657", "null"}) {
    const auto refused = refuse_caller(
        cookie_caller("DELETE", "/v1/limits/x", "nettoll_session=live", origin), "secret", kLiveSession);
    ASSERT_TRUE(refused) << origin;
    EXPECT_EQ(refused->status, 403) << origin;
  }
}

TEST(RefuseCaller, ABearerWriteNeedsNoOrigin) {
  CallerFacts caller = cookie_caller("POST", "/v1/reload", "");
  caller.authorization = "Bearer secret";
  EXPECT_FALSE(refuse_caller(caller, "secret", kLiveSession));
}

TEST(RefuseCaller, AWrongTokenIsNotRescuedByACookie) {
  CallerFacts caller = cookie_caller("GET", "/v1/status", "nettoll_session=live");
  caller.authorization = "Bearer wrong";
  EXPECT_EQ(refuse_caller(caller, "secret", kLiveSession)->status, 401);
}

TEST(RefuseCaller, PagesWithoutASessionGetTheHtmlLoginPage) {
  const auto refused = refuse_caller(cookie_caller("GET", "/", ""), "secret", kLiveSession);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  ASSERT_TRUE(refused->text);
  EXPECT_EQ(refused->content_type, "text/html; charset=utf-8");
  EXPECT_NE(refused->text->find("nettoll dashboard"), std::string::npos);
  const auto api = refuse_caller(cookie_caller("GET", "/v1/stats", ""), "secret", kLiveSession);
  ASSERT_TRUE(api);
  EXPECT_FALSE(api->text) << "the API answers JSON";
}

TEST(RefuseCaller, StaticFilesAndTheLoginNeedNothingButALoopbackHost) {
  for (const char* path : {"/login", "/assets/dashboard.js", "/chart.js/chart.umd.min.js", "/metrics"}) {
    EXPECT_FALSE(refuse_caller(cookie_caller("GET", path, ""), "secret", kLiveSession)) << path;
    CallerFacts foreign = cookie_caller("GET", path, "");
    foreign.host = "evil.example";
    EXPECT_EQ(refuse_caller(foreign, "secret", kLiveSession)->status, 403) << path;
  }
  CallerFacts foreign = cookie_caller("GET", "/v1/status", "nettoll_session=live");
  foreign.host = "evil.example:7657";
  EXPECT_EQ(refuse_caller(foreign, "secret", kLiveSession)->status, 403);
}

}  // namespace
}  // namespace nettoll
