// SPDX-License-Identifier: Apache-2.0
// ApiServer: the HTTP API (cpp-httplib) on the root-only unix socket and, when
// configured, on a loopback TCP address. Its threads check each request
// (Host, token, body; see request_checks.h) and hand it to the daemon's loop,
// where the router's handlers answer. Each listener has a few threads of its
// own and short timeouts, so a stalled client ties up at most one thread for
// a few seconds and never the loop; a TCP flood leaves the unix socket free.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/dashboard_login.h"
#include "api/loop_handoff.h"
#include "api/router.h"
#include "core/config.h"
#include "core/listen_address.h"
#include "core/result.h"

namespace httplib {
struct Request;
}

namespace nettoll {

inline constexpr const char* kDefaultApiSocket = "/run/nettoll/api.sock";

struct ApiServerOptions {
  std::string socket_path = kDefaultApiSocket;  // root only, no token
  std::optional<ListenAddress> tcp;             // also here, with the token
  std::string token;                            // required over TCP
};

// The options for `config`: the unix socket at `socket_path`, and TCP at
// `api: listen` (or `reservations: api`) with the token of its `token-file`
// (created when missing) when the config has either section. Fails for a bad address or
// an unreadable token file.
Result<ApiServerOptions> api_server_options(const Config& config, const std::string& socket_path);

class ApiServer {
 public:
  // Creates the unix socket (its directory with mode 0700 when missing, the
  // socket 0600, replacing a stale one) and the TCP listener, and starts
  // serving. Fails with a message naming the address that cannot be bound.
  static Result<std::unique_ptr<ApiServer>> start(const ApiServerOptions& options);
  // Answers waiting requests 503, stops listening and joins the threads.
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Where components register their endpoints (on the loop).
  Router& router() { return router_; }
  // The loop watches this fd and calls run_pending() when it is readable.
  int fd() const { return handoff_->fd(); }
  void run_pending() { handoff_->run_pending(); }

 private:
  struct Listener;
  ApiServer(std::unique_ptr<LoopHandoff> handoff, std::string token, std::string base_url);
  Result<void> listen_unix(const std::string& path);
  Result<void> listen_tcp(const ListenAddress& address);
  // Routes every request of `listener` to answer() and starts its thread.
  Result<void> serve(std::unique_ptr<Listener> listener, bool over_tcp, const std::string& shown);
  // On a server thread: the refusal, or the loop's answer.
  ApiResponse answer(const httplib::Request& req, bool over_tcp);

  std::unique_ptr<LoopHandoff> handoff_;
  std::string token_;
  DashboardLogin login_;
  Router router_;
  std::string socket_path_;
  std::vector<std::unique_ptr<Listener>> listeners_;
};

}  // namespace nettoll
