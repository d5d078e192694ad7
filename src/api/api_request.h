// SPDX-License-Identifier: Apache-2.0
// ApiRequest / ApiResponse: an HTTP API call as the daemon's handlers see it,
// plain values with no HTTP library in sight. The server fills a request,
// checks it (host, token, body), and a handler on the daemon's loop answers.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nettoll {

struct ApiRequest {
  std::string method;                         // GET, POST, DELETE...
  std::string path;                           // without the query
  std::map<std::string, std::string> params;  // the {name} parts of the route's pattern
  std::map<std::string, std::string> query;   // ?name=value (the first of repeated names)
  nlohmann::json body;                        // the parsed JSON body; null when there was none
  std::string raw_body;                       // as sent, for parsers that read the text themselves
  std::string content_type;  // as sent; JSON is parsed whatever it says (text/plain webhooks)
  std::string cookie;        // the Cookie header, as sent (the dashboard's logout reads its session)
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  // When set, sent as is with `content_type` instead of `body` (/metrics,
  // the dashboard's HTML, CSS and JS; see text_response()).
  std::optional<std::string> text;
  std::string content_type = "text/plain";
  // More response headers (Location, Set-Cookie, Cache-Control...).
  std::vector<std::pair<std::string, std::string>> headers;
};

// `text` sent as is with `content_type` ("text/html; charset=utf-8").
inline ApiResponse text_response(int status, std::string text, std::string content_type) {
  ApiResponse response{status};
  response.text = std::move(text);
  response.content_type = std::move(content_type);
  return response;
}

// {"error": message} with `status`.
inline ApiResponse api_error(int status, std::string message) {
  return ApiResponse{status, nlohmann::json{{"error", std::move(message)}}};
}

}  // namespace nettoll
