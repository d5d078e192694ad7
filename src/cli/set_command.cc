// SPDX-License-Identifier: Apache-2.0
// `nettoll set IF rate RATE`: change a running interface limit in place,
// through the daemon's API, until the next reload.
#include <iostream>
#include <memory>

#include "api/api_client.h"
#include "api/api_server.h"
#include "cli/commands.h"

namespace nettoll::cli {
namespace {

struct SetOptions {
  std::string socket = kDefaultApiSocket;
  std::string interface;
  std::string what;
  std::string rate;
};

int run_set(const SetOptions& options) {
  if (options.what != "rate") {
    std::cerr << "nettoll set: expected `nettoll set IF rate RATE`, got '" << options.what << "'\n";
    return kExitBadInput;
  }
  if (auto rate = parse_rate(options.rate); !rate) {
    std::cerr << "nettoll set: " << rate.error() << "\n";
    return kExitBadInput;
  }
  auto reply = call_daemon(options.socket, "POST", "/v1/limits",
                           {{"interface", options.interface}, {"rate", options.rate}});
  if (!reply) {
    std::cerr << "nettoll set: " << reply.error() << "\n";
    return kExitRuntimeFailure;
  }
  if (reply->status != 200) {
    std::cerr << "nettoll set: " << reply_error(*reply) << "\n";
    return reply->status == 400 ? kExitBadInput : kExitRuntimeFailure;
  }
  std::cout << options.interface << ": rate " << options.rate << " until the next reload\n";
  return kExitOk;
}

}  // namespace

CommandRunner add_set_command(CLI::App& app) {
  auto options = std::make_shared<SetOptions>();
  CLI::App* command =
      app.add_subcommand("set", "Change a running interface limit in place, until the next reload");
  command->add_option("IF", options->interface, "an interface listed under interfaces:")->required();
  command->add_option("WHAT", options->what, "rate")->required();
  command->add_option("RATE", options->rate, "the new rate, in tc units (e.g. 5mbit)")->required();
  command->add_option("--socket", options->socket, "the daemon's API socket")->capture_default_str();
  return [options]() { return run_set(*options); };
}

}  // namespace nettoll::cli
