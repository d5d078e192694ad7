// SPDX-License-Identifier: Apache-2.0
// `nettoll reserve`, `nettoll release` and `nettoll tautulli`: make or end
// reservations through the daemon's API (unix socket). The daemon checks
// what they send; a refusal (400) exits 1 with its message, an unreachable
// daemon 2.
#include <iostream>
#include <memory>

#include "api/api_client.h"
#include "api/api_server.h"
#include "cli/commands.h"

namespace nettoll::cli {
namespace {

// Prints what the daemon said; the exit code for its answer.
int report(const char* command, const Result<ApiReply>& reply) {
  if (!reply) {
    std::cerr << "nettoll " << command << ": " << reply.error() << "\n";
    return kExitRuntimeFailure;
  }
  if (reply->status >= 400) {
    std::cerr << "nettoll " << command << ": " << reply_error(*reply) << "\n";
    return reply->status == 400 || reply->status == 404 ? kExitBadInput : kExitRuntimeFailure;
  }
  if (!reply->body.is_null() && !reply->body.empty()) std::cout << reply->body.dump(2) << "\n";
  return kExitOk;
}

struct ReserveOptions {
  std::string socket = kDefaultApiSocket;
  std::string ip, upload, download, duration, id;
};

int run_reserve(const ReserveOptions& options) {
  // Without --id, one reservation per viewer address: reserving again updates it.
  nlohmann::json body{{"id", options.id.empty() ? "reserve-" + options.ip : options.id},
                      {"ip", options.ip},
                      {"upload", options.upload}};
  if (!options.download.empty()) body["download"] = options.download;
  if (!options.duration.empty()) body["duration"] = options.duration;
  return report("reserve", call_daemon(options.socket, "POST", "/v1/reservations", body));
}

struct ReleaseOptions {
  std::string socket = kDefaultApiSocket;
  std::string id;
};

struct TautulliOptions {
  std::string socket = kDefaultApiSocket;
};

// The throttler script's arguments as the body of Tautulli's webhook, whose
// parser on the daemon checks them (DURATION minutes, BANDWIDTH kbit/s).
int run_tautulli(const TautulliOptions& options, const std::vector<std::string>& arguments) {
  const std::string usage = "expected -play|-pause|-stop|-watched|-check IP SESSION [DURATION BANDWIDTH]";
  if (arguments.empty() || arguments[0].size() < 2 || arguments[0][0] != '-') {
    std::cerr << "nettoll tautulli: " << usage << "\n";
    return kExitBadInput;
  }
  const std::string action = arguments[0].substr(1);
  // The daemon expires reservations by itself: the script's timer has nothing to do.
  if (action == "check") return kExitOk;
  if (arguments.size() != 3 && arguments.size() != 5) {
    std::cerr << "nettoll tautulli: " << usage << " (got " << arguments.size() << " arguments)\n";
    return kExitBadInput;
  }
  nlohmann::json body{{"action", action}, {"ip_address", arguments[1]}, {"session_id", arguments[2]}};
  if (arguments.size() == 5) {
    body["remaining_duration"] = arguments[3];
    body["stream_bandwidth"] = arguments[4];
  }
  return report("tautulli", call_daemon(options.socket, "POST", "/v1/hooks/tautulli", body));
}

void add_socket_option(CLI::App* command, std::string& socket) {
  command->add_option("--socket", socket, "the daemon's API socket")->capture_default_str();
}

}  // namespace

CommandRunner add_reserve_command(CLI::App& app) {
  auto options = std::make_shared<ReserveOptions>();
  CLI::App* command = app.add_subcommand("reserve", "Reserve bandwidth for a stream to a viewer's address");
  command->add_option("--ip", options->ip, "the viewer's address (IPv4 or IPv6)")->required();
  command->add_option("--upload", options->upload, "rate towards the viewer, e.g. 10mbit")->required();
  command->add_option("--download", options->download,
                      "rate from the viewer (default: upload x download-factor)");
  command->add_option("--duration", options->duration,
                      "how long it lasts, e.g. 2h (default: default-duration)");
  command->add_option("--id", options->id, "the reservation's id (default: reserve-IP)");
  add_socket_option(command, options->socket);
  return [options]() { return run_reserve(*options); };
}

CommandRunner add_release_command(CLI::App& app) {
  auto options = std::make_shared<ReleaseOptions>();
  CLI::App* command = app.add_subcommand("release", "End a reservation");
  command->add_option("ID", options->id, "the reservation's id (see nettoll status)")->required();
  add_socket_option(command, options->socket);
  return [options]() {
    return report("release", call_daemon(options->socket, "DELETE", "/v1/reservations/" + options->id));
  };
}

CommandRunner add_tautulli_command(CLI::App& app) {
  auto options = std::make_shared<TautulliOptions>();
  CLI::App* command = app.add_subcommand(
      "tautulli",
      "Drop-in for the Tautulli throttler script: -play|-pause|-stop|-watched|-check IP SESSION "
      "[DURATION BANDWIDTH]");
  add_socket_option(command, options->socket);
  // "-play" and the rest are the script's own arguments, not options.
  command->prefix_command();
  command->allow_extras();
  return [options, command]() { return run_tautulli(*options, command->remaining()); };
}

}  // namespace nettoll::cli
