// SPDX-License-Identifier: Apache-2.0
// HttpEndpoint: an http:// URL of a client's API, and requests to it through
// cpp-httplib with timeouts on connect, read and write.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace nettoll {

struct HttpReply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // as cpp-httplib gives them
  std::string body;
  // The first value of header `name` (case-insensitive), or "".
  std::string header(const std::string& name) const;
};

struct HttpRequest {
  std::string path;  // with the query, if any
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // nullopt = GET
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> form;  // POST form fields (url-encoded)
  std::optional<std::pair<std::string, std::string>> basic_auth;
};

class HttpEndpoint {
 public:
  // Parses "http://host:port/path" (https is refused: the clients run on
  // this machine). Fails naming the URL.
  static Result<HttpEndpoint> parse(std::string_view url);

  const std::string& url() const { return url_; }
  const std::string& path() const { return path_; }
  // Sends `request`; any HTTP status is a reply. Fails on connection
  // errors and timeouts, with cpp-httplib's reason.
  Result<HttpReply> send(const HttpRequest& request, std::chrono::milliseconds timeout) const;

 private:
  std::string url_;
  std::string origin_;  // "http://host:port"
  std::string path_;    // "/transmission/rpc", "" for none
};

}  // namespace nettoll
