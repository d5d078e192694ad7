// SPDX-License-Identifier: Apache-2.0
#include "api/router.h"

#include <map>
#include <optional>

namespace nettoll {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_placeholder(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The placeholders' values when `path` fits `pattern`.
std::optional<std::map<std::string, std::string>> match(const std::vector<std::string>& pattern,
                                                        const std::vector<std::string>& path) {
  if (pattern.size() != path.size()) return std::nullopt;
  std::map<std::string, std::string> params;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (is_placeholder(pattern[i])) {
      params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return std::nullopt;
    }
  }
  return params;
}

}  // namespace

void Router::add(const std::string& method, const std::string& pattern, Handler handler) {
  const auto segments = split_path(pattern);
  for (Route& route : routes_) {
    if (route.method == method && route.segments == segments) {
      route.handler = std::move(handler);
      return;
    }
  }
  routes_.push_back(Route{method, segments, std::move(handler)});
}

void Router::remove(const std::string& pattern) {
  const auto segments = split_path(pattern);
  std::erase_if(routes_, [&](const Route& route) { return route.segments == segments; });
}

ApiResponse Router::route(ApiRequest request) const {
  const auto path = split_path(request.path);
  std::string allowed;
  for (const Route& route : routes_) {
    auto params = match(route.segments, path);
    if (!params) continue;
    if (route.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + route.method;
      continue;
    }
    request.params = std::move(*params);
    // A copy runs: a handler may change the routes (a reload adds or
    // removes the reservations' endpoints), which moves the stored ones.
    const Handler handler = route.handler;
    return handler(request);
  }
  if (!allowed.empty()) {
    return api_error(405,
                     request.method + " is not allowed on " + request.path + " (allowed: " + allowed + ")");
  }
  return api_error(404, "no such endpoint: " + request.method + " " + request.path);
}

}  // namespace nettoll
