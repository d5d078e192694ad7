// SPDX-License-Identifier: Apache-2.0
#include "api/request_checks.h"

#include <algorithm>
#include <cctype>

#include "api/login_page.h"
#include "api/session_book.h"
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

bool is_write(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

// No credentials: JSON for the API, the login page for what a browser opens.
ApiResponse unauthorized(const CallerFacts& caller, std::string message) {
  if (caller.path.starts_with("/v1/")) return api_error(401, std::move(message));
  return login_page(401);
}

std::optional<ApiResponse> refuse_bearer(const CallerFacts& caller, const std::string& token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (!caller.authorization.starts_with(kScheme) || token.empty() ||
      !same_secret(std::string_view(caller.authorization).substr(kScheme.size()), token)) {
    return unauthorized(caller, "wrong bearer token (see api: token-file)");
  }
  return std::nullopt;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string name = lowercase(host_name(host));
  if (!name.empty() && name.back() == '.') name.pop_back();  // "localhost." is the same name
  if (name == "localhost" || name.ends_with(".localhost")) return true;
  return is_loopback_address(name);
}

std::optional<ApiResponse> refuse_caller(const CallerFacts& caller, const std::string& token,
                                         const SessionCheck& session_valid) {
  if (!caller.over_tcp) return std::nullopt;
  if (!is_loopback_host(caller.host)) {
    return api_error(403, "Host '" + caller.host + "' is not a loopback name; use 127.0.0.1 or localhost");
  }
  if (is_public_path(caller.path)) return std::nullopt;
  if (!caller.authorization.empty()) return refuse_bearer(caller, token);
  const std::string session = cookie_value(caller.cookie, kSessionCookie);
  if (session.empty() || !session_valid || !session_valid(session)) {
    return unauthorized(caller, session.empty()
                                    ? "missing Authorization: Bearer <token from token-file>"
                                    : "the dashboard session has expired; run `nettoll dashboard`");
  }
  // SameSite=Strict keeps other sites' requests from carrying the cookie;
  // the Origin check also refuses writes from any other page on this host.
  if (is_write(caller.method) && caller.origin != "http://" + caller.host) {
    return api_error(403, caller.method + " " + caller.path + " with a session cookie needs Origin: http://" +
                              caller.host +
                              (caller.origin.empty() ? " (none was sent)" : ", not " + caller.origin));
  }
  return std::nullopt;
}

bool is_public_path(std::string_view path) {
  return path == "/metrics" || path == "/login" || path.starts_with("/assets/") ||
         path.starts_with("/chart.js/");
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = std::min(header.find(';'), header.size());
    std::string_view pair = header.substr(0, end);
    header.remove_prefix(std::min(end + 1, header.size()));
    while (pair.starts_with(' ')) pair.remove_prefix(1);
    const size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
  }
  return "";
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
