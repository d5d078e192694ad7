// `nettoll status [--json]`: what the running daemon manages now.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "daemon/status_report.h"
#include "daemon/status_socket.h"

namespace nettoll::cli {
namespace {

struct StatusOptions {
  std::string socket = kDefaultStatusSocket;
  bool json = false;
};

int run_status(const StatusOptions& options) {
  auto answer = ask_daemon(options.socket, "GET /v1/status");
  if (!answer) {
    std::cerr << "nettoll status: " << answer.error() << "\n";
    return kExitRuntimeFailure;
  }
  const auto report = nlohmann::json::parse(*answer, nullptr, false);
  if (report.is_discarded()) {
    std::cerr << "nettoll status: the daemon's answer is not JSON: " << answer->substr(0, 200) << "\n";
    return kExitRuntimeFailure;
  }
  std::cout << (options.json ? report.dump(2) + "\n" : format_status(report));
  return kExitOk;
}

}  // namespace

CommandRunner add_status_command(CLI::App& app) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command = app.add_subcommand("status", "Show what the daemon manages now: interface, classes, counters");
  command->add_option("--socket", options->socket, "the daemon's control socket")->capture_default_str();
  command->add_flag("--json", options->json, "print JSON");
  return [options]() { return run_status(*options); };
}

}  // namespace nettoll::cli
