// SPDX-License-Identifier: Apache-2.0
#include "core/container_engine_names.h"

#include <nlohmann/json.hpp>

#include "core/container_name.h"

namespace nettoll {

Result<ContainerNames> parse_engine_containers(const std::string& body) {
  const auto list = nlohmann::json::parse(body, nullptr, false);
  if (list.is_discarded()) return Error{"the answer is not JSON: " + body.substr(0, 80)};
  if (!list.is_array()) return Error{"the answer is not a list of containers"};
  ContainerNames names;
  for (const auto& container : list) {
    if (!container.is_object() || !container.contains("Id") || !container["Id"].is_string())
      return Error{"a container without a text \"Id\" in the answer"};
    const auto found = container.find("Names");
    if (found == container.end() || !found->is_array() || found->empty() || !(*found)[0].is_string())
      continue;  // nameless: matched by its id
    std::string name = (*found)[0].get<std::string>();
    if (name.starts_with('/')) name.erase(0, 1);  // Docker names "/plex"
    if (!name.empty()) names[container["Id"].get<std::string>()] = name;
  }
  return names;
}

void add_container_name(ProcessAttributes& process, const ContainerNamer& namer) {
  const auto id = process.values.find("container");
  if (id == process.values.end() || !namer) return;
  if (auto name = namer(id->second)) process.values[kContainerNameAttribute] = *name;
}

std::optional<std::string> ContainerNameBook::name_of(const std::string& id) const {
  const auto found = names_.find(id);
  if (found == names_.end()) return std::nullopt;
  return found->second;
}

bool ContainerNameBook::should_ask(const std::string& id, std::chrono::steady_clock::time_point now) {
  if (!is_container_id(id) || names_.contains(id)) return false;
  const auto asked = asked_.find(id);
  if (asked != asked_.end() && now - asked->second < kRetryUnknown) return false;
  asked_[id] = now;
  return true;
}

bool ContainerNameBook::update(ContainerNames names) {
  bool changed = false;
  for (const auto& [id, name] : names) {
    const auto known = names_.find(id);
    if (known == names_.end() || known->second != name) changed = true;
    asked_.erase(id);
  }
  names_ = std::move(names);
  return changed;
}

}  // namespace nettoll
