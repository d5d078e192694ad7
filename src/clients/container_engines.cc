// SPDX-License-Identifier: Apache-2.0
#include "clients/container_engines.h"

#include <httplib.h>
#include <sys/socket.h>

#include <filesystem>

namespace nettoll {

Result<ContainerNames> read_engine_containers(const std::string& socket_path,
                                              std::chrono::milliseconds timeout) {
  const std::string engine = "container engine at " + socket_path;
  httplib::Client client(socket_path, 80);
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_keep_alive(false);
  // cpp-httplib would send the socket's path as the Host, which Go's HTTP
  // server (Docker's, Podman's) refuses as malformed.
  const httplib::Headers headers = {{"Host", "localhost"}};
  const httplib::Result result = client.Get("/containers/json?all=true", headers);
  if (!result) return Error{engine + ": " + httplib::to_string(result.error())};
  if (result->status != 200)
    return Error{engine + ": GET /containers/json answered HTTP " + std::to_string(result->status)};
  auto names = parse_engine_containers(result->body);
  if (!names) return Error{engine + ": " + names.error()};
  return names;
}

EngineAnswers read_container_names(const std::vector<std::string>& socket_paths,
                                   std::chrono::milliseconds timeout) {
  EngineAnswers answers;
  for (const std::string& path : socket_paths) {
    std::error_code error;
    if (!std::filesystem::is_socket(path, error)) continue;
    auto names = read_engine_containers(path, timeout);
    if (!names) {
      answers.failures.push_back(names.error() + "; its containers are matched by id only");
      continue;
    }
    answers.names.merge(*names);
  }
  return answers;
}

}  // namespace nettoll
