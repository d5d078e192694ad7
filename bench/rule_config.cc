// SPDX-License-Identifier: Apache-2.0
#include "rule_config.h"

#include <fmt/format.h>

namespace nettoll::bench {

std::string config_with_rules(size_t rules, size_t changed_rule, int changed_upload_mbit) {
  std::string yaml = "upload: 100mbit\ndownload: 100mbit\nprocesses:\n";
  for (size_t i = 0; i < rules; ++i) {
    yaml += fmt::format("  p{0}:\n    match: [{{name: bench-proc-{0}}}]\n    upload: {1}mbit\n", i,
                        i == changed_rule ? changed_upload_mbit : 10);
  }
  return yaml;
}

}  // namespace nettoll::bench
