// SPDX-License-Identifier: Apache-2.0
#include "core/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace nettoll {
namespace {

constexpr const char* kExample = "an address such as 127.0.0.1:7657 or [::1]:7657";

}  // namespace

bool is_loopback_address(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return Error{"expected " + std::string(kExample) + ", got '" + std::string(text) + "'"};
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Error{"bad port '" + std::string(port_text) + "' in '" + std::string(text) +
                 "': expected 1 to 65535"};
  }
  std::string address = host == "localhost" ? "127.0.0.1" : std::string(host);
  if (!is_loopback_address(address)) {
    return Error{
        "'" + std::string(host) +
        "' is not a loopback address: the API speaks plain HTTP and only listens on 127.0.0.1 or ::1"};
  }
  return ListenAddress{std::move(address), static_cast<uint16_t>(port)};
}

}  // namespace nettoll
