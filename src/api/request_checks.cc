// SPDX-License-Identifier: Apache-2.0
#include "api/request_checks.h"

#include <algorithm>
#include <cctype>

#include "core/listen_address.h"

namespace nettoll {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The host part of a Host header: "[::1]:7657" → "::1", "a:80" → "a".
std::string_view host_name(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return {};
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return {};
    return host.substr(1, close - 1);
  }
  const size_t colon = host.find(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) difference |= a[i] ^ b[i];
  return difference == 0;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string name = lowercase(host_name(host));
  if (!name.empty() && name.back() == '.') name.pop_back();  // "localhost." is the same name
  if (name == "localhost" || name.ends_with(".localhost")) return true;
  return is_loopback_address(name);
}

std::optional<ApiResponse> refuse_caller(const CallerFacts& caller, const std::string& token) {
  if (!caller.over_tcp) return std::nullopt;
  if (!is_loopback_host(caller.host)) {
    return api_error(403, "Host '" + caller.host + "' is not a loopback name; use 127.0.0.1 or localhost");
  }
  if (caller.path == "/metrics") return std::nullopt;
  constexpr std::string_view kScheme = "Bearer ";
  if (caller.authorization.empty())
    return api_error(401, "missing Authorization: Bearer <token from token-file>");
  if (!caller.authorization.starts_with(kScheme) || token.empty() ||
      !same_secret(std::string_view(caller.authorization).substr(kScheme.size()), token)) {
    return api_error(401, "wrong bearer token (see reservations: token-file)");
  }
  return std::nullopt;
}

Result<nlohmann::json> parse_body(std::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    return Error{"request body is " + std::to_string(body.size()) + " bytes, more than the 64 KiB allowed"};
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return nlohmann::json();
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& error) {
    return Error{"request body is not valid JSON (at byte " + std::to_string(error.byte) + ")"};
  } catch (const nlohmann::json::out_of_range&) {
    // A number beyond a double ("1e400"): found by tests/fuzz/api_body_fuzz.
    return Error{"request body has a number out of range"};
  }
}

}  // namespace nettoll
