// SPDX-License-Identifier: Apache-2.0
#include "daemon/dashboard_routes.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "web/web_assets.h"

namespace nettoll {
namespace {

ApiResponse not_found(const std::string& message) {
  return text_response(404, message + "\n", "text/plain; charset=utf-8");
}

ApiResponse embedded(const std::string& name) {
  const EmbeddedFile* file = find_embedded_file(name);
  if (file == nullptr) return not_found("no dashboard file '" + name + "'");
  return text_response(200, std::string(file->bytes), content_type_of(name));
}

}  // namespace

void DashboardRoutes::register_routes(Router& router) {
  router.add("GET", "/", [](const ApiRequest&) { return embedded("index.html"); });
  router.add("GET", "/assets/{file}", [](const ApiRequest& request) {
    const std::string& name = request.params.at("file");
    if (!is_plain_file_name(name) || name.ends_with(".html"))
      return not_found("no dashboard file '" + name + "'");
    return embedded(name);
  });
  router.add("GET", "/chart.js/{file}",
             [this](const ApiRequest& request) { return chart_js(request.params.at("file")); });
}

ApiResponse DashboardRoutes::chart_js(const std::string& name) {
  if (!is_plain_file_name(name)) return not_found("no Chart.js file '" + name + "'");
  if (auto it = chart_js_files_.find(name); it != chart_js_files_.end()) {
    return text_response(200, it->second, content_type_of(name));
  }
  std::error_code error;
  if (!std::filesystem::is_directory(chart_js_directory_, error)) {
    return not_found("Chart.js is not installed (" + chart_js_directory_ +
                     " is missing): install Debian's libjs-chart.js for the dashboard's charts");
  }
  const std::filesystem::path path = std::filesystem::path(chart_js_directory_) / name;
  std::ifstream file(path, std::ios::binary);
  if (!file || !std::filesystem::is_regular_file(path, error)) {
    return not_found("no Chart.js file '" + name + "' in " + chart_js_directory_);
  }
  std::ostringstream bytes;
  bytes << file.rdbuf();
  const std::string& kept = chart_js_files_[name] = bytes.str();
  return text_response(200, kept, content_type_of(name));
}

}  // namespace nettoll
