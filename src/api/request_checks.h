// SPDX-License-Identifier: Apache-2.0
// What the API server decides about a request before any handler sees it:
// who may call (Host against DNS rebinding, the bearer token over TCP) and
// whether its body is JSON of an acceptable size. Pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_request.h"
#include "core/result.h"

namespace nettoll {

inline constexpr size_t kMaxBodyBytes = 64 * 1024;

// True when a Host header names this machine's loopback: localhost or a
// *.localhost name, 127.0.0.0/8, [::1], each with or without a port. A
// browser tricked by DNS rebinding sends the attacker's name instead.
bool is_loopback_host(std::string_view host);

// What the server knows of a request when it decides whether to serve it.
struct CallerFacts {
  bool over_tcp = false;      // false: the root-only unix socket, trusted as is
  std::string host;           // the Host header
  std::string authorization;  // the Authorization header
  std::string path;
  std::string method;  // GET, POST...
  std::string cookie;  // the Cookie header
  std::string origin;  // the Origin header
};

// The dashboard's session cookie.
inline constexpr std::string_view kSessionCookie = "nettoll_session";

// The value of cookie `name` in a Cookie header ("a=1; nettoll_session=x"),
// or "" when it is not there.
std::string cookie_value(std::string_view header, std::string_view name);

// Whether `session` (a cookie's value) is a live dashboard session.
using SessionCheck = std::function<bool(const std::string& session)>;

// Paths anyone on loopback may fetch over TCP: /metrics, the dashboard's
// /login (it checks its code itself), its static /assets/ and /chart.js/.
bool is_public_path(std::string_view path);

// Empty when the request may proceed; else the refusal: 403 for a Host that
// is not loopback, 401 for a missing or wrong token or session (an HTML
// login page outside /v1/), 403 for a write authenticated by the session
// cookie whose Origin is not http://<Host>.
std::optional<ApiResponse> refuse_caller(const CallerFacts& caller, const std::string& token,
                                         const SessionCheck& session_valid = {});

// The body as JSON (null when empty); fails with a message when it is larger
// than kMaxBodyBytes or not JSON.
Result<nlohmann::json> parse_body(std::string_view body);

}  // namespace nettoll
