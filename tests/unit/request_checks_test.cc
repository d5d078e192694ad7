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
