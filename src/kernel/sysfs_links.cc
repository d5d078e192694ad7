// SPDX-License-Identifier: Apache-2.0
#include "kernel/sysfs_links.h"

#include <fstream>

#include "core/tbf_params.h"

namespace nettoll {

ListedDevices read_listed_devices_from_sysfs(const Config& config) {
  ListedDevices devices;
  for (const InterfaceLimit& limit : config.interfaces) {
    const std::string base = "/sys/class/net/" + limit.name + "/";
    uint32_t mtu = 0;
    uint16_t type = 0;
    std::ifstream mtu_file(base + "mtu");
    std::ifstream type_file(base + "type");
    if (!(mtu_file >> mtu) || !(type_file >> type)) continue;
    devices[limit.name] = ListedDevice{mtu, link_header_bytes_for(type)};
  }
  return devices;
}

}  // namespace nettoll
