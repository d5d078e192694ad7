// SPDX-License-Identifier: Apache-2.0
// `nettoll apply -c FILE --interface IF [--netns NAME]`: apply shaping, stay
// in the foreground, re-read the config on SIGHUP, and remove everything on
// SIGTERM/SIGINT.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "core/config_loader.h"
#include "core/plan_format.h"
#include "daemon/interface_plan.h"
#include "daemon/kernel_recovery.h"
#include "daemon/logging.h"
#include "daemon/shaper.h"
#include "kernel/netns.h"

namespace nettoll::cli {
namespace {

struct ApplyOptions {
  std::string config_path = kDefaultConfigPath;
  std::string interface;
  std::string netns;
  std::string runtime_dir = kDefaultRuntimeDirectory;
};

// Loads the config for `interface`; logs its problems. Fails on bad input.
Result<Config> load_for_apply(const ApplyOptions& options) {
  const LoadedConfig loaded = load_config_file(options.config_path);
  log_diagnostics(loaded);
  if (!loaded.ok()) return Error{options.config_path + " has errors; see above"};
  Config config = *loaded.config;
  if (!options.interface.empty()) config.interface = options.interface;
  if (config.interface == "auto") {
    return Error{
        "apply needs an interface: pass --interface IF or name one in the config (the daemon follows "
        "'auto')"};
  }
  if (!config.processes.empty()) {
    spdlog::warn(
        "apply does not classify processes: the classes of the {} rule(s) under 'processes:' are "
        "created, but all traffic goes to the default class; run `nettoll daemon` for that",
        config.processes.size());
  }
  const bool rule_quota = std::any_of(config.processes.begin(), config.processes.end(),
                                      [](const ProcessRule& r) { return r.quota; });
  if (config.quota || rule_quota) {
    spdlog::warn("apply does not enforce quotas (it counts nothing); run `nettoll daemon` for them");
    config.quota.reset();  // nothing to count for: no counting programs either
  }
  return config;
}

// Loads and plans the config; logs the config's problems.
Result<Plan> plan_from_file(const ApplyOptions& options, NetlinkSocket& socket,
                            NaturalGsoSizes& natural_gso) {
  auto config = load_for_apply(options);
  if (!config) return Error{config.error()};
  return plan_for_interface(socket, *config, config->interface, natural_gso);
}

// Records the originals of what `plan` changes, applies it, and restores
// what it no longer shapes. The number of changes, or what failed.
Result<size_t> apply_recorded(KernelRecovery& recovery, Shaper& shaper, NetlinkSocket& socket,
                              const Plan& plan) {
  if (auto recorded = recovery.remember(socket, plan); !recorded) return Error{recorded.error()};
  auto changed = shaper.apply(plan);
  if (!changed) return changed;
  if (auto restored = recovery.restore(socket, managed_devices_of(plan)); !restored) {
    spdlog::error("{}", restored.error());
  }
  return changed;
}

int wait_for_signals(const ApplyOptions& options, KernelRecovery& recovery, Shaper& shaper,
                     NetlinkSocket& socket, NaturalGsoSizes& natural_gso, sigset_t signals) {
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) break;
    spdlog::info("SIGHUP: reloading {}", options.config_path);
    auto plan = plan_from_file(options, socket, natural_gso);
    if (!plan) {
      spdlog::error("reload rejected, shaping unchanged: {}", plan.error());
      continue;
    }
    auto changed = apply_recorded(recovery, shaper, socket, *plan);
    if (!changed) {
      spdlog::error("reload failed, previous shaping restored: {}", changed.error());
    } else {
      spdlog::info("reload applied: {} change(s)", *changed);
    }
  }
  spdlog::info("stopping: removing nettoll's qdiscs, classes and IFB");
  if (auto cleared = recovery.remove_all(shaper, socket); !cleared) {
    spdlog::error("{}", cleared.error());
    return kExitRuntimeFailure;
  }
  return kExitOk;
}

int run_apply(const ApplyOptions& options) {
  // Signals are taken with sigwait, so they must be blocked before anything starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (!options.netns.empty()) {
    if (auto entered = enter_network_namespace(options.netns); !entered) {
      spdlog::error("{}", entered.error());
      return kExitRuntimeFailure;
    }
  }
  auto shaper = Shaper::open([](const std::string& change) { spdlog::debug("{}", change); });
  auto socket = NetlinkSocket::open();
  if (!shaper || !socket) {
    spdlog::error("{}", shaper ? socket.error() : shaper.error());
    return kExitRuntimeFailure;
  }
  auto config = load_for_apply(options);
  if (!config) {
    spdlog::error("{}", config.error());
    return kExitBadInput;
  }
  auto recovery = KernelRecovery::open(options.runtime_dir);
  if (!recovery) {
    spdlog::error("{}", recovery.error());
    return kExitRuntimeFailure;
  }
  // Whatever an earlier run left (it crashed, or was killed), the first plan
  // adopts or removes it.
  NaturalGsoSizes natural_gso;
  if (auto adopted = recovery->adopt_into(*shaper, *socket, natural_gso); !adopted) {
    spdlog::error("{}", adopted.error());
    return kExitRuntimeFailure;
  }
  auto plan = plan_for_interface(*socket, *config, config->interface, natural_gso);
  if (!plan) {
    spdlog::error("{}", plan.error());
    return kExitRuntimeFailure;
  }
  auto changed = apply_recorded(*recovery, *shaper, *socket, *plan);
  if (!changed) {
    spdlog::error("{}", changed.error());
    // The shaper rolled back; put back the recorded sizes too.
    if (auto restored = recovery->restore(*socket, ManagedDevices{}); !restored)
      spdlog::error("{}", restored.error());
    return kExitRuntimeFailure;
  }
  spdlog::info("shaping {}: {} change(s); SIGHUP reloads, SIGTERM or Ctrl-C stops and cleans up",
               plan->interface, *changed);
  return wait_for_signals(options, *recovery, *shaper, *socket, natural_gso, signals);
}

}  // namespace

CommandRunner add_apply_command(CLI::App& app) {
  auto options = std::make_shared<ApplyOptions>();
  CLI::App* command = app.add_subcommand(
      "apply", "Apply shaping in the foreground; clean up on SIGTERM/SIGINT, reload on SIGHUP");
  command->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  command->add_option("-i,--interface", options->interface, "interface to shape (default: the config's)");
  command->add_option("--netns", options->netns,
                      "manage the interfaces of network namespace NAME (as ip -n)");
  command
      ->add_option("--runtime-dir", options->runtime_dir,
                   "where apply keeps what a restart after a crash needs to restore the kernel")
      ->capture_default_str();
  return [options]() { return run_apply(*options); };
}

}  // namespace nettoll::cli
