// SPDX-License-Identifier: Apache-2.0
// `nettoll export networkd IF [-c FILE]`: the `[TokenBucketFilter]` section
// for an `interfaces:` limit, for users who want networkd to own it.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/config_loader.h"
#include "core/planner.h"
#include "core/tbf_params.h"
#include "kernel/kernel_capabilities.h"
#include "kernel/sysfs_links.h"

namespace nettoll::cli {
namespace {

struct ExportOptions {
  std::string config_path = kDefaultConfigPath;
  std::string interface;
};

int run_export_networkd(const ExportOptions& options) {
  const LoadedConfig loaded = load_config_file(options.config_path);
  for (const Diagnostic& diagnostic : loaded.diagnostics) std::cerr << format_diagnostic(diagnostic) << "\n";
  if (!loaded.ok()) return kExitBadInput;
  Config config = *loaded.config;
  std::erase_if(config.interfaces,
                [&](const InterfaceLimit& limit) { return limit.name != options.interface; });
  if (config.interfaces.empty()) {
    std::cerr << "nettoll export networkd: " << options.config_path << " has no interfaces: entry for '"
              << options.interface << "'\n";
    return kExitBadInput;
  }
  // Planned as a listed interface, never folded into a managed HTB tree.
  const Plan plan = make_plan(config, ManagedInterface{"", 0}, probe_kernel_capabilities().capabilities,
                              read_listed_devices_from_sysfs(config));
  for (const std::string& note : plan.notes) std::cout << "# note: " << note << "\n";
  for (const TbfPlan& tbf : plan.tbfs) {
    std::cout << "# nettoll: " << tbf.device
              << (tbf.direction == TbfDirection::ingress ? " ingress" : " egress") << " limit from "
              << options.config_path << "\n"
              << networkd_section_for(tbf);
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_export_command(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command = app.add_subcommand("export", "Print an interface limit in another tool's format");
  command->require_subcommand(1);
  CLI::App* networkd = command->add_subcommand("networkd", "systemd-networkd [TokenBucketFilter] section");
  networkd->add_option("IF", options->interface, "an interface listed under interfaces:")->required();
  networkd->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  return [options]() { return run_export_networkd(*options); };
}

}  // namespace nettoll::cli
