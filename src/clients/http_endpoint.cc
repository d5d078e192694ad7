// SPDX-License-Identifier: Apache-2.0
#include "clients/http_endpoint.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace nettoll {
namespace {

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

}  // namespace

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) return value;
  }
  return "";
}

Result<HttpEndpoint> HttpEndpoint::parse(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Error{"bad URL '" + std::string(url) + "': expected http://host:port/path"};
  }
  const size_t slash = url.find('/', kScheme.size());
  HttpEndpoint endpoint;
  endpoint.url_ = std::string(url);
  endpoint.origin_ = std::string(url.substr(0, slash));
  endpoint.path_ = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  while (!endpoint.path_.empty() && endpoint.path_.back() == '/') endpoint.path_.pop_back();
  if (endpoint.origin_.size() == kScheme.size()) return Error{"bad URL '" + std::string(url) + "': no host"};
  return endpoint;
}

Result<HttpReply> HttpEndpoint::send(const HttpRequest& request, std::chrono::milliseconds timeout) const {
  httplib::Client client(origin_);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_keep_alive(false);
  if (request.basic_auth) client.set_basic_auth(request.basic_auth->first, request.basic_auth->second);
  httplib::Headers headers(request.headers.begin(), request.headers.end());
  httplib::Result result = [&] {
    if (!request.form.empty()) {
      httplib::Params params(request.form.begin(), request.form.end());
      return client.Post(request.path, headers, params);
    }
    if (request.body) return client.Post(request.path, headers, *request.body, request.content_type);
    return client.Get(request.path, headers);
  }();
  if (!result) return Error{url_ + ": " + httplib::to_string(result.error())};
  HttpReply reply;
  reply.status = result->status;
  reply.headers.insert(result->headers.begin(), result->headers.end());
  reply.body = result->body;
  return reply;
}

}  // namespace nettoll
