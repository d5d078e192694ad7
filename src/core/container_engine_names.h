// SPDX-License-Identifier: Apache-2.0
// Containers' names as Docker and Podman give them (GET /containers/json on
// their API socket, read-only): parsing the engine's answer, and the book
// of names the daemon keeps, asking the engines again only for container
// ids it has not seen named yet. Pure: the engines are asked elsewhere.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/process_match.h"
#include "core/result.h"

namespace nettoll {

// Container id (64 hex digits) → name ("plex", without Docker's leading
// "/").
using ContainerNames = std::map<std::string, std::string>;

// The process attribute holding the container's engine name beside
// `container` (its id); `container:` predicates match either.
inline constexpr char kContainerNameAttribute[] = "container_name";

// The containers of a /containers/json answer (Docker's and Podman's
// compatible API: [{"Id": "...", "Names": ["/plex"]}, ...]). Fails saying
// what is wrong when the body is not such a list.
Result<ContainerNames> parse_engine_containers(const std::string& body);

// Looks up a container's name by id; nullopt when it is not known (yet).
using ContainerNamer = std::function<std::optional<std::string>(const std::string& id)>;

// Sets kContainerNameAttribute from `namer` when `process` is in a container
// whose name is known.
void add_container_name(ProcessAttributes& process, const ContainerNamer& namer);

class ContainerNameBook {
 public:
  // How long an id the engines did not know waits before they are asked
  // about it again (a container just being created is listed a moment later).
  static constexpr std::chrono::seconds kRetryUnknown{5};

  // The name of container `id`, or nullopt.
  std::optional<std::string> name_of(const std::string& id) const;

  // True when the engines should be asked about `id` at `now`: an engine's
  // id (64 hex digits, not an nspawn machine's name) with no known name, not
  // asked about in the last kRetryUnknown. Records the question.
  bool should_ask(const std::string& id, std::chrono::steady_clock::time_point now);

  // Takes the engines' complete answer; true when a name was added or changed.
  bool update(ContainerNames names);

 private:
  ContainerNames names_;
  std::map<std::string, std::chrono::steady_clock::time_point> asked_;  // unknown ids, when asked
};

}  // namespace nettoll
