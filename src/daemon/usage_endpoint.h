// SPDX-License-Identifier: Apache-2.0
// `GET /v1/usage?by=day|hour|rule|process&since=30d` (or `period=month`,
// `rule=NAME`, `split=rule|process` for days and hours): the usage history
// as `nettoll usage --json` prints it, read from the usage database; 503
// with a message when there is none.
#pragma once

#include <functional>
#include <string>

#include "api/router.h"

namespace nettoll {

// Registers the endpoint for the database at `db_path`; `flush` writes what
// the daemon recorded but has not written yet, so the answer includes it.
void register_usage_route(Router& router, std::string db_path, std::function<void()> flush);

}  // namespace nettoll
