// SPDX-License-Identifier: Apache-2.0
// The pure halves of the torrent client adapters: XML-RPC and SCGI framing
// for rTorrent, Transmission's session JSON, qBittorrent's preferences.
#include <gtest/gtest.h>

#include "clients/qbittorrent_client.h"
#include "clients/scgi_transport.h"
#include "clients/transmission_client.h"
#include "clients/xmlrpc.h"

namespace nettoll {
namespace {

TEST(XmlRpcTest, CallHasStringTargetAndI8Value) {
  const std::string call =
      format_xmlrpc_call("throttle.global_up.max_rate.set", {std::string(), int64_t{5120}});
  EXPECT_NE(call.find("<methodName>throttle.global_up.max_rate.set</methodName>"), std::string::npos) << call;
  EXPECT_NE(call.find("<value><string></string></value>"), std::string::npos) << call;
  EXPECT_NE(call.find("<value><i8>5120</i8></value>"), std::string::npos) << call;
}

TEST(XmlRpcTest, IntegerReplies) {
  EXPECT_EQ(
      *parse_xmlrpc_integer(
          "<?xml version=\"1.0\"?><methodResponse><params><param><value><i8>1048576</i8></value></param>"
          "</params></methodResponse>"),
      1048576);
  EXPECT_EQ(*parse_xmlrpc_integer("<methodResponse><params><param><value><i4>0</i4></value></param></params>"
                                  "</methodResponse>"),
            0);
}

TEST(XmlRpcTest, FaultsAndGarbageAreErrors) {
  const auto fault = parse_xmlrpc_integer(
      "<methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>-506</i4></value></"
      "member>"
      "<member><name>faultString</name><value><string>Method 'x' not "
      "defined</string></value></member></struct>"
      "</value></fault></methodResponse>");
  ASSERT_FALSE(fault);
  EXPECT_NE(fault.error().find("Method 'x' not defined"), std::string::npos) << fault.error();
  EXPECT_FALSE(parse_xmlrpc_integer("<html>502 Bad Gateway</html>"));
  EXPECT_FALSE(
      parse_xmlrpc_integer("<methodResponse><params><param><value><string>1</string></value></param>"
                           "</params></methodResponse>"));
  EXPECT_FALSE(parse_xmlrpc_integer("<methodResponse><params><param><value><i8>12x</i8>"));
  EXPECT_FALSE(parse_xmlrpc_integer(""));
}

TEST(ScgiTest, RequestBeginsWithContentLength) {
  const std::string request = format_scgi_request("<x/>");
  const std::string headers = std::string(
      "CONTENT_LENGTH\0"
      "4\0"
      "SCGI\0"
      "1\0",
      24);
  EXPECT_EQ(request, "24:" + headers + ",<x/>");
}

TEST(ScgiTest, ReplyBodyAndStatus) {
  EXPECT_EQ(*parse_scgi_reply("Status: 200 OK\r\nContent-Type: text/xml\r\n\r\n<a/>"), "<a/>");
  EXPECT_EQ(*parse_scgi_reply("Content-Type: text/xml\r\n\r\n<a/>"), "<a/>");
  EXPECT_FALSE(parse_scgi_reply("Status: 500 Internal Server Error\r\n\r\n"));
  EXPECT_FALSE(parse_scgi_reply("garbage"));
}

constexpr const char* kSession = R"({"alt-speed-down":50,"alt-speed-enabled":false,"alt-speed-up":50,
  "speed-limit-down":100,"speed-limit-down-enabled":false,"speed-limit-up":6250,"speed-limit-up-enabled":true,
  "units":{"speed-bytes":1000,"speed-units":["kB/s","MB/s","GB/s","TB/s"]}})";

TEST(TransmissionTest, SessionLimitsInKilobytes) {
  auto session = parse_transmission_session(kSession);
  ASSERT_TRUE(session) << session.error();
  EXPECT_EQ(session->speed_bytes, 1000u);
  EXPECT_EQ(session->limits.upload, (SpeedLimit{Rate::bytes_per_second(6'250'000), true}));
  EXPECT_EQ(session->limits.download, (SpeedLimit{Rate::bytes_per_second(100'000), false}));
  EXPECT_EQ(session->limits.alternative_upload, (SpeedLimit{Rate::bytes_per_second(50'000), true}));
  EXPECT_FALSE(session->limits.alternative_mode);
}

TEST(TransmissionTest, SetArgumentsAreIntegers) {
  const auto session = *parse_transmission_session(kSession);
  ClientLimits limits = session.limits;
  limits.upload = {Rate::bytes_per_second(5'000'999), true};
  const std::string request = format_transmission_limits(limits, 1000);
  EXPECT_NE(request.find("\"speed-limit-up\":5000,"), std::string::npos) << request;
  EXPECT_NE(request.find("\"speed-limit-down-enabled\":false"), std::string::npos) << request;
  EXPECT_NE(request.find("\"method\":\"session-set\""), std::string::npos) << request;
  EXPECT_EQ(request.find('.'), std::string::npos) << request;
}

TEST(TransmissionTest, BadSessionsAreErrors) {
  EXPECT_FALSE(parse_transmission_session("{}"));
  EXPECT_FALSE(parse_transmission_session("[1]"));
  EXPECT_FALSE(parse_transmission_session(R"({"speed-limit-up":1.5})"));
  const auto error = parse_transmission_session(
      R"({"speed-limit-up":"x","speed-limit-up-enabled":true,"speed-limit-down":1,"speed-limit-down-enabled":true,
          "alt-speed-up":1,"alt-speed-down":1,"alt-speed-enabled":false})");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().find("speed-limit-up"), std::string::npos) << error.error();
}

TEST(QbittorrentTest, PreferencesInBytesAndMode) {
  auto limits = parse_qbittorrent_preferences(
      R"({"up_limit":2048000,"dl_limit":0,"alt_up_limit":10240,"alt_dl_limit":-1,"other":"x"})", "1");
  ASSERT_TRUE(limits) << limits.error();
  EXPECT_EQ(limits->upload, (SpeedLimit{Rate::bytes_per_second(2'048'000), true}));
  EXPECT_EQ(limits->download, (SpeedLimit{Rate(), false}));
  EXPECT_EQ(limits->alternative_upload, (SpeedLimit{Rate::bytes_per_second(10'240), true}));
  EXPECT_EQ(limits->alternative_download, (SpeedLimit{Rate(), false}));
  EXPECT_TRUE(limits->alternative_mode);
}

TEST(QbittorrentTest, BadRepliesAreErrors) {
  EXPECT_FALSE(parse_qbittorrent_preferences("Forbidden", "0"));
  EXPECT_FALSE(parse_qbittorrent_preferences(R"({"up_limit":1})", "0"));
  EXPECT_FALSE(parse_qbittorrent_preferences(
      R"({"up_limit":1,"dl_limit":1,"alt_up_limit":1,"alt_dl_limit":1})", "<html>"));
}

}  // namespace
}  // namespace nettoll
