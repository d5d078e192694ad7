// SPDX-License-Identifier: Apache-2.0
// `nettoll daemon [-c FILE] [--netns NAME]`: the service, in the foreground.
#include <spdlog/spdlog.h>

#include <memory>

#include "cli/commands.h"
#include "daemon/daemon.h"

namespace nettoll::cli {

CommandRunner add_daemon_command(CLI::App& app) {
  auto options = std::make_shared<DaemonOptions>();
  options->config_path = kDefaultConfigPath;
  CLI::App* command = app.add_subcommand("daemon", "Run the service in the foreground (systemd runs this)");
  command->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  command->add_option("--netns", options->netns,
                      "manage the interfaces of network namespace NAME (as ip -n)");
  CLI::Option* socket_option = command->add_option("--socket", options->api_socket,
                                                   "the HTTP API's unix socket (default: in --runtime-dir)");
  command
      ->add_option("--runtime-dir", options->runtime_dir,
                   "where the daemon keeps what a restart after a crash needs to restore the kernel")
      ->capture_default_str();
  command->add_option("--state-file", options->state_path, "reservations and the clients' original limits")
      ->capture_default_str();
  command
      ->add_option("--usage-db", options->usage_db, "the usage history's database (nettoll usage reads it)")
      ->capture_default_str();
  // Hidden: tests observe a flush without waiting a minute.
  command
      ->add_option_function<int>(
          "--usage-flush-interval",
          [options](int seconds) { options->usage_flush_interval = std::chrono::seconds(seconds); },
          "seconds between writes of the usage history")
      ->check(CLI::Range(1, 3600))
      ->group("");
  // Test-only (its own help group, also in --help-all; not in the README):
  // tests see a quota's period end without waiting a day.
  command
      ->add_option("--test-clock-offset", options->clock_offset_seconds,
                   "TEST ONLY: the usage history and quotas run this many seconds ahead of the clock")
      ->group("Test-only");
  command->add_option("--cgroup", options->cgroup,
                      "classify only the processes and sockets of this cgroup v2 directory and below "
                      "(default: the whole machine)");
  command
      ->add_option_function<std::string>(
          "--classifier",
          [options](const std::string& text) { options->classifier = *parse_classifier_mode(text); },
          "per-process classification: bpf (exact from the first packet), u32 (port filters polled from "
          "sock_diag, for kernels without the eBPF features), or auto (bpf, else u32)")
      ->check(CLI::IsMember({"auto", "bpf", "u32"}))
      ->default_str("auto");
  return [options, socket_option]() {
    if (socket_option->count() == 0) options->api_socket = options->runtime_dir + "/api.sock";
    auto started = Daemon::start(*options);
    if (auto* failure = std::get_if<Daemon::StartFailure>(&started)) {
      spdlog::error("{}", failure->message);
      return failure->exit_code;
    }
    return std::get<std::unique_ptr<Daemon>>(started)->run();
  };
}

}  // namespace nettoll::cli
