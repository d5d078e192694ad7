// SPDX-License-Identifier: Apache-2.0
// `nettoll dashboard [--open]`: asks the daemon for a one-time login URL for
// the web dashboard, prints it and, with --open, opens it with xdg-open.
#include <spawn.h>
#include <sys/wait.h>

#include <iostream>
#include <memory>

#include "api/api_client.h"
#include "api/api_server.h"
#include "cli/commands.h"

extern char** environ;

namespace nettoll::cli {
namespace {

struct DashboardOptions {
  std::string socket = kDefaultApiSocket;
  bool open = false;
};

// Runs `xdg-open url` (found on PATH); false when it is missing or fails.
bool open_in_browser(const std::string& url) {
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0)
    return false;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int run_dashboard(const DashboardOptions& options) {
  auto reply = call_daemon(options.socket, "POST", "/v1/dashboard/login");
  if (!reply) {
    std::cerr << "nettoll dashboard: " << reply.error() << "\n";
    return kExitRuntimeFailure;
  }
  if (reply->status != 200 || !reply->body.contains("url")) {
    std::cerr << "nettoll dashboard: " << reply_error(*reply) << "\n";
    return kExitRuntimeFailure;
  }
  const std::string url = reply->body.value("url", "");
  std::cout << url << "\n";
  std::cerr << "open it within " << reply->body.value("expires_in_s", 0)
            << " s; it works once (a daemon restart logs the browser out)\n";
  if (options.open && !open_in_browser(url)) {
    std::cerr << "nettoll dashboard: cannot run xdg-open; open the link above yourself\n";
    return kExitRuntimeFailure;
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_dashboard_command(CLI::App& app) {
  auto options = std::make_shared<DashboardOptions>();
  CLI::App* command =
      app.add_subcommand("dashboard", "Print (or open) a one-time login URL for the web dashboard");
  command->add_flag("--open", options->open, "open the URL with xdg-open");
  command->add_option("--socket", options->socket, "the daemon's API socket")->capture_default_str();
  return [options]() { return run_dashboard(*options); };
}

}  // namespace nettoll::cli
