// SPDX-License-Identifier: Apache-2.0
// ApiRequest / ApiResponse: an HTTP API call as the daemon's handlers see it,
// plain values with no HTTP library in sight. The server fills a request,
// checks it (host, token, body), and a handler on the daemon's loop answers.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace nettoll {

struct ApiRequest {
  std::string method;                         // GET, POST, DELETE...
  std::string path;                           // without the query
  std::map<std::string, std::string> params;  // the {name} parts of the route's pattern
  nlohmann::json body;                        // the parsed JSON body; null when there was none
  std::string raw_body;                       // as sent, for parsers that read the text themselves
  std::string content_type;  // as sent; JSON is parsed whatever it says (text/plain webhooks)
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  // When set, sent as is with `content_type` instead of `body` (/metrics).
  std::optional<std::string> text;
  std::string content_type = "text/plain";
};

// {"error": message} with `status`.
inline ApiResponse api_error(int status, std::string message) {
  return ApiResponse{status, nlohmann::json{{"error", std::move(message)}}};
}

}  // namespace nettoll
