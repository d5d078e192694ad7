// SPDX-License-Identifier: Apache-2.0
#include "core/recovery_record.h"

#include <nlohmann/json.hpp>

namespace nettoll {

std::string format_recovery_record(const RecoveryRecord& record) {
  nlohmann::json devices = nlohmann::json::object();
  for (const auto& [name, device] : record.devices) {
    devices[name] = {{"ifindex", device.ifindex},
                     {"root_qdisc", device.root_qdisc},
                     {"had_clsact", device.had_clsact},
                     {"gso_max_size", device.gso_max_size},
                     {"gro_max_size", device.gro_max_size}};
  }
  return nlohmann::json{{"devices", devices}}.dump(2) + "\n";
}

Result<RecoveryRecord> parse_recovery_record(const std::string& text, const std::string& where) {
  try {
    const nlohmann::json json = nlohmann::json::parse(text);
    RecoveryRecord record;
    for (const auto& [name, device] : json.at("devices").items()) {
      record.devices[name] =
          OriginalDevice{device.at("ifindex").get<int>(), device.at("root_qdisc").get<std::string>(),
                         device.at("had_clsact").get<bool>(), device.at("gso_max_size").get<uint32_t>(),
                         device.at("gro_max_size").get<uint32_t>()};
    }
    return record;
  } catch (const nlohmann::json::exception& error) {
    return Error{where + ": not a nettoll recovery record: " + error.what()};
  }
}

}  // namespace nettoll
