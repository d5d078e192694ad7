// SPDX-License-Identifier: Apache-2.0
#include "api/dashboard_login.h"

#include <spdlog/spdlog.h>

#include "api/login_page.h"
#include "api/request_checks.h"

namespace nettoll {

bool DashboardLogin::session_valid(const std::string& session) {
  const std::lock_guard lock(mutex_);
  return book_.check(session, SessionBook::Clock::now());
}

void DashboardLogin::register_routes(Router& router) {
  router.add("POST", "/v1/dashboard/login", [this](const ApiRequest& request) {
    if (!request.body.is_null() && !request.body.empty())
      return api_error(400, "POST /v1/dashboard/login takes no body");
    return issue_link();
  });
  router.add("GET", "/login", [this](const ApiRequest& request) { return log_in(request); });
  router.add("POST", "/v1/logout", [this](const ApiRequest& request) { return log_out(request); });
}

ApiResponse DashboardLogin::issue_link() {
  if (base_url_.empty()) {
    return api_error(409,
                     "the dashboard needs the TCP listener: add `api: {listen: 127.0.0.1:7657}` to the "
                     "config and restart the daemon");
  }
  Result<std::string> code = Error{""};
  {
    const std::lock_guard lock(mutex_);
    code = book_.issue_code(SessionBook::Clock::now());
  }
  if (!code) return api_error(500, "cannot make a login code: " + code.error());
  spdlog::info("dashboard: login link issued (valid {} s, once)", SessionBook::kCodeLifetime.count());
  return ApiResponse{
      200,
      {{"url", base_url_ + "/login?code=" + *code}, {"expires_in_s", SessionBook::kCodeLifetime.count()}}};
}

ApiResponse DashboardLogin::log_in(const ApiRequest& request) {
  const auto code = request.query.find("code");
  std::optional<std::string> session;
  if (code != request.query.end()) {
    const std::lock_guard lock(mutex_);
    session = book_.redeem(code->second, SessionBook::Clock::now());
  }
  if (!session) {
    spdlog::warn("dashboard: a login link was refused (used, expired or unknown)");
    return login_page(401);
  }
  spdlog::info("dashboard: a browser logged in");
  ApiResponse response = text_response(303, "logged in; go to /\n", "text/plain; charset=utf-8");
  response.headers.emplace_back("Location", "/");
  response.headers.emplace_back(
      "Set-Cookie", std::string(kSessionCookie) + "=" + *session + "; HttpOnly; SameSite=Strict; Path=/");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ApiResponse DashboardLogin::log_out(const ApiRequest& request) {
  const std::string session = cookie_value(request.cookie, kSessionCookie);
  bool ended = false;
  {
    const std::lock_guard lock(mutex_);
    ended = book_.end(session, SessionBook::Clock::now());
  }
  if (ended) spdlog::info("dashboard: a browser logged out");
  // Answered alike whether or not the session was live: the browser forgets
  // its cookie either way.
  ApiResponse response{200, {{"logged_out", ended}}};
  response.headers.emplace_back(
      "Set-Cookie", std::string(kSessionCookie) + "=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace nettoll
