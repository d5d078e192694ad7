// SPDX-License-Identifier: Apache-2.0
// DashboardRoutes: the web dashboard's files on the HTTP API. `GET /` is the
// page (who may see it is the API server's decision, as for /v1/*),
// `GET /assets/{file}` its embedded CSS and JS, and `GET /chart.js/{file}`
// Chart.js from Debian's libjs-chart.js, read from its directory (and kept
// in memory once read) so that the repository holds no copy of it.
#pragma once

#include <map>
#include <string>

#include "api/router.h"

namespace nettoll {

inline constexpr const char* kChartJsDirectory = "/usr/share/javascript/chart.js";

class DashboardRoutes {
 public:
  // `chart_js_directory`: where the Chart.js files are (tests point it
  // elsewhere).
  explicit DashboardRoutes(std::string chart_js_directory = kChartJsDirectory)
      : chart_js_directory_(std::move(chart_js_directory)) {}

  // GET /, GET /assets/{file}, GET /chart.js/{file}.
  void register_routes(Router& router);

 private:
  ApiResponse chart_js(const std::string& name);

  std::string chart_js_directory_;
  std::map<std::string, std::string> chart_js_files_;  // read once
};

}  // namespace nettoll
