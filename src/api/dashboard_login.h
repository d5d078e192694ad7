// SPDX-License-Identifier: Apache-2.0
// DashboardLogin: the endpoints that log a browser in to the dashboard, and
// the session check the server applies to every TCP request. `POST
// /v1/dashboard/login` (unix socket or bearer token) issues a one-time URL;
// `GET /login?code=C` trades it for an HttpOnly, SameSite=Strict session
// cookie and sends the browser to `/`; `POST /v1/logout` (with the session,
// and over TCP the page's Origin, as every session write) forgets the session
// and clears the cookie. Thread-safe: the server's threads
// check sessions while the loop issues codes.
#pragma once

#include <mutex>
#include <string>

#include "api/router.h"
#include "api/session_book.h"

namespace nettoll {

class DashboardLogin {
 public:
  // `base_url` is where browsers reach the TCP listener
  // ("http://127.0.0.1:7657"); empty when there is none.
  DashboardLogin(std::string base_url, SessionBook::SecretSource secrets)
      : base_url_(std::move(base_url)), book_(std::move(secrets)) {}

  // True when `session` is a live session (and keeps it alive).
  bool session_valid(const std::string& session);

  // POST /v1/dashboard/login, GET /login and POST /v1/logout.
  void register_routes(Router& router);

 private:
  ApiResponse issue_link();
  ApiResponse log_in(const ApiRequest& request);
  ApiResponse log_out(const ApiRequest& request);

  std::string base_url_;
  std::mutex mutex_;
  SessionBook book_;  // guarded by mutex_
};

}  // namespace nettoll
