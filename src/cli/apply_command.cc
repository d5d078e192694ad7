// `nettoll apply -c FILE --interface IF [--netns NAME]`: apply shaping, stay
// in the foreground, re-read the config on SIGHUP, and remove everything on
// SIGTERM/SIGINT.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>

#include "cli/commands.h"
#include "core/config_loader.h"
#include "core/plan_format.h"
#include "daemon/interface_plan.h"
#include "daemon/logging.h"
#include "daemon/shaper.h"
#include "kernel/netns.h"

namespace nettoll::cli {
namespace {

struct ApplyOptions {
  std::string config_path = kDefaultConfigPath;
  std::string interface;
  std::string netns;
};


// Loads and plans the config for `interface`; logs the config's problems.
Result<Plan> plan_from_file(const ApplyOptions& options, NetlinkSocket& socket, NaturalGsoSizes& natural_gso) {
  const LoadedConfig loaded = load_config_file(options.config_path);
  log_diagnostics(loaded);
  if (!loaded.ok()) return Error{options.config_path + " has errors; see above"};
  const std::string name = options.interface.empty() ? loaded.config->interface : options.interface;
  if (name == "auto") {
    return Error{"apply needs an interface: pass --interface IF or name one in the config (the daemon follows "
                 "'auto')"};
  }
  return plan_for_interface(socket, *loaded.config, name, natural_gso);
}

int wait_for_signals(const ApplyOptions& options, Shaper& shaper, NetlinkSocket& socket, NaturalGsoSizes& natural_gso,
                     sigset_t signals) {
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
    auto changed = shaper.apply(*plan);
    if (!changed) {
      spdlog::error("reload failed, previous shaping restored: {}", changed.error());
    } else {
      spdlog::info("reload applied: {} change(s)", *changed);
    }
  }
  spdlog::info("stopping: removing nettoll's qdiscs, classes and IFB");
  if (auto cleared = shaper.clear(); !cleared) {
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
  NaturalGsoSizes natural_gso;
  auto plan = plan_from_file(options, *socket, natural_gso);
  if (!plan) {
    spdlog::error("{}", plan.error());
    return plan.error().find("has errors") != std::string::npos ? kExitBadInput : kExitRuntimeFailure;
  }
  auto changed = shaper->apply(*plan);
  if (!changed) {
    spdlog::error("{}", changed.error());
    return kExitRuntimeFailure;
  }
  spdlog::info("shaping {}: {} change(s); SIGHUP reloads, SIGTERM or Ctrl-C stops and cleans up", plan->interface,
               *changed);
  return wait_for_signals(options, *shaper, *socket, natural_gso, signals);
}

}  // namespace

CommandRunner add_apply_command(CLI::App& app) {
  auto options = std::make_shared<ApplyOptions>();
  CLI::App* command =
      app.add_subcommand("apply", "Apply shaping in the foreground; clean up on SIGTERM/SIGINT, reload on SIGHUP");
  command->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  command->add_option("-i,--interface", options->interface, "interface to shape (default: the config's)");
  command->add_option("--netns", options->netns, "manage the interfaces of network namespace NAME (as ip -n)");
  return [options]() { return run_apply(*options); };
}

}  // namespace nettoll::cli
