// SPDX-License-Identifier: Apache-2.0
// `nettoll plan [-c FILE] [--interface IF] [--json]`: print what the config
// would create in the kernel, touching nothing.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/config_loader.h"
#include "core/plan_format.h"
#include "core/planner.h"
#include "kernel/kernel_capabilities.h"
#include "kernel/route_query.h"
#include "kernel/sysfs_links.h"

namespace nettoll::cli {
namespace {

struct PlanOptions {
  std::string config_path = kDefaultConfigPath;
  std::string interface;
  bool json = false;
};

// The interface's real MTU when it exists here; 1500 (noted) otherwise.
ManagedInterface observe_interface(std::string name, std::vector<std::string>& notes) {
  if (name == "auto") {
    // The same read-only route query the daemon makes.
    auto socket = NetlinkSocket::open();
    auto choice =
        socket ? find_active_interface(*socket, "auto") : Result<InterfaceChoice>(Error{socket.error()});
    if (!choice || choice->interface.empty()) {
      notes.push_back("interface: auto found no interface here (" +
                      (choice ? choice->reason : choice.error()) +
                      "): planned for MTU 1500 (use --interface IF to plan for one)");
      return ManagedInterface{"auto", 1500};
    }
    notes.push_back("interface: auto is " + choice->interface + " now: " + choice->reason);
    name = choice->interface;
  }
  ManagedInterface link{name, 1500};
  // sysfs is enough to read an MTU, and reading it needs no privilege.
  std::ifstream mtu_file("/sys/class/net/" + name + "/mtu");
  if (mtu_file >> link.mtu) return link;
  link.mtu = 1500;
  notes.push_back("interface " + name + " does not exist here: planned for MTU 1500");
  return link;
}

int run_plan(const PlanOptions& options) {
  const LoadedConfig loaded = load_config_file(options.config_path);
  for (const Diagnostic& diagnostic : loaded.diagnostics) std::cerr << format_diagnostic(diagnostic) << "\n";
  if (!loaded.ok()) return kExitBadInput;
  const Config& config = *loaded.config;

  std::vector<std::string> notes;
  const std::string name = options.interface.empty() ? config.interface : options.interface;
  const ManagedInterface link = observe_interface(name, notes);
  const KernelCapabilities kernel = probe_kernel_capabilities().capabilities;
  Plan plan = make_plan(config, link, kernel, read_listed_devices_from_sysfs(config));
  plan.notes.insert(plan.notes.begin(), notes.begin(), notes.end());
  if (options.json) {
    std::cout << plan_to_json(plan).dump(2) << "\n";
  } else {
    std::cout << format_plan(plan);
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_plan_command(CLI::App& app) {
  auto options = std::make_shared<PlanOptions>();
  CLI::App* command =
      app.add_subcommand("plan", "Print the kernel objects a config would create, touching nothing");
  command->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  command->add_option("-i,--interface", options->interface,
                      "plan for this interface instead of the config's");
  command->add_flag("--json", options->json, "print JSON");
  return [options]() { return run_plan(*options); };
}

}  // namespace nettoll::cli
