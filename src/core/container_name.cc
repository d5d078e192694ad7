// SPDX-License-Identifier: Apache-2.0
#include "core/container_name.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace nettoll {
bool is_container_id(const std::string& text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

namespace {

// systemd escapes '-' in unit names as "\x2d".
std::string unescape_unit_name(const std::string& text) {
  std::string plain;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 4, "\\x2d") == 0) {
      plain += '-';
      i += 3;
    } else {
      plain += text[i];
    }
  }
  return plain;
}

// The container named by one path component, or "" (`parent`: the component
// before it, for the cgroupfs layout /docker/<id>).
std::string container_of_component(const std::string& component, const std::string& parent) {
  for (const std::string prefix : {"docker-", "libpod-", "crio-", "cri-containerd-"}) {
    if (component.starts_with(prefix) && component.ends_with(".scope")) {
      std::string id = component.substr(prefix.size(), component.size() - prefix.size() - 6);
      if (is_container_id(id)) return id;
    }
  }
  if (component.starts_with("libpod-") && is_container_id(component.substr(7))) return component.substr(7);
  if (component.starts_with("machine-") && component.ends_with(".scope")) {
    return unescape_unit_name(component.substr(8, component.size() - 8 - 6));
  }
  if ((parent == "docker" || parent == "libpod_parent") && is_container_id(component)) return component;
  return "";
}

}  // namespace

std::string container_of_cgroup(const std::string& cgroup_path) {
  std::vector<std::string> components;
  size_t start = 0;
  while (start <= cgroup_path.size()) {
    const size_t slash = cgroup_path.find('/', start);
    const size_t end = slash == std::string::npos ? cgroup_path.size() : slash;
    if (end > start) components.push_back(cgroup_path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (size_t i = components.size(); i-- > 0;) {
    std::string found = container_of_component(components[i], i > 0 ? components[i - 1] : "");
    if (!found.empty()) return found;
  }
  return "";
}

}  // namespace nettoll
