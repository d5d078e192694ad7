// SPDX-License-Identifier: Apache-2.0
// Asking Docker and Podman for their containers' names: GET
// /containers/json?all=true on the engine's API socket (HTTP over a unix
// socket, read-only), with short timeouts.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/container_engine_names.h"
#include "core/result.h"

namespace nettoll {

// How long one engine may take to connect, and then to answer.
inline constexpr std::chrono::milliseconds kContainerEngineTimeout{1000};

// The containers (created, running or stopped) of the engine listening on
// unix socket `socket_path`, id → name. Fails with a message naming the
// socket when it cannot be reached within `timeout`, answers with an error
// status or with something that is not a container list.
Result<ContainerNames> read_engine_containers(const std::string& socket_path,
                                              std::chrono::milliseconds timeout);

// What the engines told.
struct EngineAnswers {
  ContainerNames names;               // of every engine that answered
  std::vector<std::string> failures;  // one line per engine that failed
};

// Asks every engine of `socket_paths` whose socket exists (an engine that
// is not installed is not a failure).
EngineAnswers read_container_names(const std::vector<std::string>& socket_paths,
                                   std::chrono::milliseconds timeout = kContainerEngineTimeout);

}  // namespace nettoll
