// SPDX-License-Identifier: Apache-2.0
// `nettoll check [-c FILE]`: validate a config, one line per problem.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/config_loader.h"
#include "core/interface_limit_check.h"
#include "kernel/kernel_capabilities.h"
#include "kernel/sysfs_links.h"

namespace nettoll::cli {

CommandRunner add_check_command(CLI::App& app) {
  auto path = std::make_shared<std::string>(kDefaultConfigPath);
  CLI::App* command =
      app.add_subcommand("check", "Validate a config: exit 0, or 1 with FILE:LINE:COL: lines");
  command->add_option("-c,--config", *path, "config file")->capture_default_str();
  return [path]() {
    const LoadedConfig loaded = load_config_file(*path);
    for (const Diagnostic& diagnostic : loaded.diagnostics)
      std::cerr << format_diagnostic(diagnostic) << "\n";
    if (!loaded.ok()) return kExitBadInput;
    for (const Diagnostic& warning :
         interface_limit_warnings(*loaded.config, probe_kernel_capabilities().capabilities,
                                  read_listed_devices_from_sysfs(*loaded.config))) {
      std::cerr << format_diagnostic(warning) << "\n";
    }
    std::cout << *path << ": ok\n";
    return kExitOk;
  };
}

}  // namespace nettoll::cli
