// SPDX-License-Identifier: Apache-2.0
// Router: the HTTP API's routes. Components register their handlers
// (`router.add("POST", "/v1/limits", handler)`); handlers run on the daemon's
// event loop and answer with a status and a JSON body. Pure: no sockets.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/api_request.h"

namespace nettoll {

class Router {
 public:
  using Handler = std::function<ApiResponse(const ApiRequest&)>;

  // Registers `handler` for `method` on `pattern`, a path whose segments may
  // be `{name}` placeholders ("/v1/reservations/{id}"); they arrive in
  // ApiRequest::params. Registering the same method and pattern again
  // replaces the handler.
  void add(const std::string& method, const std::string& pattern, Handler handler);
  // Removes the handlers of `pattern`, whatever their method (a component
  // that goes away on a reload); its paths answer 404 again.
  void remove(const std::string& pattern);

  // Answers with the matching handler; 404 when no pattern matches the path,
  // 405 when one does but not for this method.
  ApiResponse route(ApiRequest request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace nettoll
