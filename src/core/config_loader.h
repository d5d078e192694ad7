// SPDX-License-Identifier: Apache-2.0
// Loading a config file (native schema of DESIGN.md §3, or TrafficToll's
// unchanged) into a Config, with a Diagnostic for every problem found.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/diagnostic.h"

namespace nettoll {

struct LoadedConfig {
  std::optional<Config> config;         // present when there are no errors
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in file order

  // True when no diagnostic is an error (warnings allowed).
  bool ok() const;
};

// Parses and validates YAML text; `file_name` names it in diagnostics and
// becomes config.path. A YAML syntax error gives one diagnostic; otherwise
// every problem in the file is reported.
LoadedConfig load_config_text(std::string_view yaml_text, const std::string& file_name);

// Reads and loads a file; an unreadable one gives "FILE: cannot read: <reason>".
LoadedConfig load_config_file(const std::string& path);

}  // namespace nettoll
