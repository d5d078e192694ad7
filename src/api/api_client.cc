// SPDX-License-Identifier: Apache-2.0
#include "api/api_client.h"

#include <httplib.h>
#include <sys/socket.h>

namespace nettoll {

Result<ApiReply> call_daemon(const std::string& socket_path, const std::string& method,
                             const std::string& path, const nlohmann::json& body) {
  httplib::Client client(socket_path, 80);
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(2, 0);
  // A reload re-plans the kernel: give the daemon longer than its own 10 s
  // limit for waiting on its loop.
  client.set_read_timeout(15, 0);
  const std::string payload = body.is_null() ? "" : body.dump();
  httplib::Result result = method == "GET"      ? client.Get(path)
                           : method == "DELETE" ? client.Delete(path, payload, "application/json")
                                                : client.Post(path, payload, "application/json");
  if (!result) {
    const std::string reason = result.error() == httplib::Error::Connection
                                   ? "nothing listens there"
                                   : httplib::to_string(result.error());
    return Error{"no daemon is running (cannot reach " + socket_path + ": " + reason + ")"};
  }
  ApiReply reply{result->status, nullptr};
  if (!result->body.empty()) {
    reply.body = nlohmann::json::parse(result->body, nullptr, false);
    if (reply.body.is_discarded()) {
      return Error{"the daemon's answer is not JSON: " + result->body.substr(0, 200)};
    }
  }
  return reply;
}

std::string reply_error(const ApiReply& reply) {
  if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_string()) {
    return reply.body["error"].get<std::string>();
  }
  return "the daemon answered HTTP " + std::to_string(reply.status);
}

}  // namespace nettoll
