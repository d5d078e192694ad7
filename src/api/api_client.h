// SPDX-License-Identifier: Apache-2.0
// The CLI's side of the HTTP API: one request to the daemon over its unix
// socket (cpp-httplib client, AF_UNIX).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace nettoll {

struct ApiReply {
  int status = 0;
  nlohmann::json body;  // the answer's JSON; null when it had none
};

// Sends `method path` (with `body` as JSON unless it is null) to the daemon
// listening on `socket_path`. Fails with "no daemon is running (...)" when
// nothing answers there, and when the answer is not JSON.
Result<ApiReply> call_daemon(const std::string& socket_path, const std::string& method,
                             const std::string& path, const nlohmann::json& body = nullptr);

// The message of an error answer ({"error": "..."}), else the status.
std::string reply_error(const ApiReply& reply);

}  // namespace nettoll
