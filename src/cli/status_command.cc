// SPDX-License-Identifier: Apache-2.0
// `nettoll status [--json]`: what the running daemon manages now.
#include <iostream>
#include <memory>

#include "api/api_client.h"
#include "api/api_server.h"
#include "cli/commands.h"
#include "daemon/status_report.h"

namespace nettoll::cli {
namespace {

struct StatusOptions {
  std::string socket = kDefaultApiSocket;
  bool json = false;
};

int run_status(const StatusOptions& options) {
  auto reply = call_daemon(options.socket, "GET", "/v1/status");
  if (!reply) {
    std::cerr << "nettoll status: " << reply.error() << "\n";
    return kExitRuntimeFailure;
  }
  if (reply->status != 200) {
    std::cerr << "nettoll status: " << reply_error(*reply) << "\n";
    return kExitRuntimeFailure;
  }
  std::cout << (options.json ? reply->body.dump(2) + "\n" : format_status(reply->body));
  return kExitOk;
}

}  // namespace

CommandRunner add_status_command(CLI::App& app) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command =
      app.add_subcommand("status", "Show what the daemon manages now: interface, classes, counters");
  command->add_option("--socket", options->socket, "the daemon's API socket")->capture_default_str();
  command->add_flag("--json", options->json, "print JSON");
  return [options]() { return run_status(*options); };
}

}  // namespace nettoll::cli
