// SPDX-License-Identifier: Apache-2.0
#include "core/listen_address.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TEST(ParseListenAddress, LoopbackAddresses) {
  EXPECT_EQ(*parse_listen_address("127.0.0.1:7657"), (ListenAddress{"127.0.0.1", 7657}));
  EXPECT_EQ(*parse_listen_address("[::1]:8000"), (ListenAddress{"::1", 8000}));
  EXPECT_EQ(*parse_listen_address("localhost:1"), (ListenAddress{"127.0.0.1", 1}));
  EXPECT_EQ(*parse_listen_address("127.0.0.2:65535"), (ListenAddress{"127.0.0.2", 65535}));
}

TEST(ParseListenAddress, RefusesOtherAddresses) {
  for (const char* text : {"0.0.0.0:7657", "192.168.1.2:7657", "[::]:7657", "example.com:80"}) {
    auto parsed = parse_listen_address(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find("not a loopback address"), std::string::npos) << parsed.error();
  }
}

TEST(ParseListenAddress, RefusesBadPorts) {
  for (const char* text : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x"}) {
    EXPECT_FALSE(parse_listen_address(text).ok()) << text;
  }
}

}  // namespace
}  // namespace nettoll
