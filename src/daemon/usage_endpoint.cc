// SPDX-License-Identifier: Apache-2.0
#include "daemon/usage_endpoint.h"

#include <chrono>
#include <ctime>
#include <memory>

#include "usage/usage_query.h"

namespace nettoll {
namespace {

ApiResponse usage_answer(const ApiRequest& request, const std::string& db_path) {
  UsageQuery query;
  for (const auto& [name, value] : request.query) {
    if (name == "by") {
      query.by = value;
    } else if (name == "since") {
      query.since = value;
    } else if (name == "period") {
      query.period = value;
    } else if (name == "rule") {
      query.rule = value;
    } else if (name == "split") {
      query.split = value;
    } else {
      return api_error(400, "unknown parameter '" + name + "' (known: by, since, period, rule, split)");
    }
  }
  auto planned = plan_usage_query(query, static_cast<int64_t>(std::time(nullptr)));
  if (!planned) return api_error(400, planned.error());
  auto store = UsageStore::open_read_only(db_path);
  if (!store) return api_error(503, "no usage history: " + store.error());
  auto rows = read_usage(*store, *planned);
  if (!rows) return api_error(503, "usage history unreadable: " + rows.error());
  return ApiResponse{200, usage_report_json(*rows, planned->range, planned->by, planned->split)};
}

}  // namespace

void register_usage_route(Router& router, std::string db_path, std::function<void()> flush) {
  // A page asking often must not turn into a database write each time.
  static constexpr std::chrono::seconds kFlushAtMostEvery{10};
  auto last_flush = std::make_shared<std::chrono::steady_clock::time_point>();
  router.add("GET", "/v1/usage",
             [db_path = std::move(db_path), flush = std::move(flush), last_flush](const ApiRequest& request) {
               const auto now = std::chrono::steady_clock::now();
               if (now - *last_flush >= kFlushAtMostEvery) {
                 flush();
                 *last_flush = now;
               }
               return usage_answer(request, db_path);
             });
}

}  // namespace nettoll
