// SPDX-License-Identifier: Apache-2.0
// `nettoll set IF rate RATE`, `nettoll set RULE download|upload RATE` and
// `nettoll set RULE clear`: change a running interface or rule limit in
// place, through the daemon's API, until the next reload.
#include <iostream>
#include <memory>

#include "api/api_client.h"
#include "api/api_server.h"
#include "cli/commands.h"

namespace nettoll::cli {
namespace {

struct SetOptions {
  std::string socket = kDefaultApiSocket;
  std::string name;
  std::string what;
  std::string rate;
};

constexpr const char* kUsage =
    "expected `nettoll set IF rate RATE`, `nettoll set RULE download|upload RATE` or `nettoll set RULE "
    "clear`";

// The request for `options`, or a message saying what is wrong with them.
Result<std::pair<std::string, nlohmann::json>> request_for(const SetOptions& options) {
  if (options.what == "clear") {
    if (!options.rate.empty()) return Error{std::string(kUsage) + "; `clear` takes no rate"};
    return std::pair{"DELETE /v1/limits/" + options.name, nlohmann::json()};
  }
  if (options.what != "rate" && options.what != "download" && options.what != "upload") {
    return Error{std::string(kUsage) + ", got '" + options.what + "'"};
  }
  if (options.rate.empty()) return Error{std::string(kUsage) + "; the rate is missing"};
  if (auto rate = parse_rate(options.rate); !rate) return Error{rate.error()};
  if (options.what == "rate") {
    return std::pair{std::string("POST /v1/limits"),
                     nlohmann::json{{"interface", options.name}, {"rate", options.rate}}};
  }
  return std::pair{
      std::string("POST /v1/limits"),
      nlohmann::json{{"rule", options.name}, {"direction", options.what}, {"rate", options.rate}}};
}

int run_set(const SetOptions& options) {
  auto request = request_for(options);
  if (!request) {
    std::cerr << "nettoll set: " << request.error() << "\n";
    return kExitBadInput;
  }
  const std::string& line = request->first;
  const size_t space = line.find(' ');
  auto reply = call_daemon(options.socket, line.substr(0, space), line.substr(space + 1), request->second);
  if (!reply) {
    std::cerr << "nettoll set: " << reply.error() << "\n";
    return kExitRuntimeFailure;
  }
  if (reply->status != 200) {
    std::cerr << "nettoll set: " << reply_error(*reply) << "\n";
    return reply->status == 400 || reply->status == 404 ? kExitBadInput : kExitRuntimeFailure;
  }
  if (options.what == "clear") {
    std::cout << options.name << ": temporary limits cleared\n";
  } else {
    std::cout << options.name << ": " << options.what << " " << options.rate << " until the next reload\n";
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_set_command(CLI::App& app) {
  auto options = std::make_shared<SetOptions>();
  CLI::App* command =
      app.add_subcommand("set", "Change a running interface or rule limit in place, until the next reload");
  command->add_option("NAME", options->name, "an interface listed under interfaces:, or a process rule")
      ->required();
  command->add_option("WHAT", options->what, "rate (interface); download, upload or clear (rule)")
      ->required();
  command->add_option("RATE", options->rate, "the new rate, in tc units (e.g. 5mbit)");
  command->add_option("--socket", options->socket, "the daemon's API socket")->capture_default_str();
  return [options]() { return run_set(*options); };
}

}  // namespace nettoll::cli
