// SPDX-License-Identifier: Apache-2.0
// `nettoll top [--once] [--json]`: live rates per process and per class from
// the daemon's /v1/stats, redrawn every second with plain ANSI. Keys: d, u,
// t, n, p, r sort by download, upload, total, name, pid, rate; g groups by
// rule; q quits.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "api/api_client.h"
#include "api/api_server.h"
#include "cli/commands.h"
#include "core/top_view.h"

namespace nettoll::cli {
namespace {

struct TopCommandOptions {
  std::string socket = kDefaultApiSocket;
  bool once = false;
  bool json = false;
};

Result<nlohmann::json> fetch_stats(const std::string& socket) {
  auto reply = call_daemon(socket, "GET", "/v1/stats");
  if (!reply) return Error{reply.error() + " (is the daemon running?)"};
  if (reply->status != 200) return Error{reply_error(*reply)};
  return reply->body;
}

// Raw keys for the loop, the terminal's settings back on exit.
class RawTerminal {
 public:
  RawTerminal() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    std::cout << "\x1b[?25l" << std::flush;  // hide the cursor
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    std::cout << "\x1b[?25h" << std::flush;
  }

 private:
  termios saved_{};
  bool active_ = false;
};

// The key pressed within `timeout_ms`, or 0.
char read_key(int timeout_ms) {
  pollfd input{STDIN_FILENO, POLLIN, 0};
  if (::poll(&input, 1, timeout_ms) <= 0) return 0;
  char key = 0;
  return ::read(STDIN_FILENO, &key, 1) == 1 ? key : 'q';  // end of input quits
}

bool apply_key(char key, TopOptions& view) {
  switch (key) {
    case 'q':
      return false;
    case 'd':
      view.sort = TopSort::download;
      break;
    case 'u':
      view.sort = TopSort::upload;
      break;
    case 't':
      view.sort = TopSort::total;
      break;
    case 'n':
      view.sort = TopSort::name;
      break;
    case 'p':
      view.sort = TopSort::pid;
      break;
    case 'r':
      view.sort = TopSort::rate;
      break;
    case 'g':
      view.group_by_rule = !view.group_by_rule;
      break;
    default:
      break;
  }
  return true;
}

int run_live(const TopCommandOptions& options) {
  RawTerminal terminal;
  TopOptions view;
  constexpr int kRefreshMs = 1000;
  for (;;) {
    auto stats = fetch_stats(options.socket);
    std::cout << "\x1b[H\x1b[2J";
    if (stats) {
      std::cout << format_top(*stats, view);
    } else {
      std::cout << "nettoll top: " << stats.error() << "\n";
    }
    std::cout << "\nq quit  d/u/t/n/p/r sort  g group by rule" << std::flush;
    if (!apply_key(read_key(kRefreshMs), view)) break;
  }
  std::cout << "\n";
  return kExitOk;
}

int run_top(const TopCommandOptions& options) {
  if (!options.once) return run_live(options);
  auto stats = fetch_stats(options.socket);
  if (!stats) {
    std::cerr << "nettoll top: " << stats.error() << "\n";
    return kExitRuntimeFailure;
  }
  std::cout << (options.json ? stats->dump(2) + "\n" : format_top(*stats, TopOptions{}));
  return kExitOk;
}

}  // namespace

CommandRunner add_top_command(CLI::App& app) {
  auto options = std::make_shared<TopCommandOptions>();
  CLI::App* command = app.add_subcommand("top", "Live rates per process and per class");
  command->add_option("--socket", options->socket, "the daemon's API socket")->capture_default_str();
  command->add_flag("--once", options->once, "print one sample and exit");
  command->add_flag("--json", options->json, "with --once: print the /v1/stats JSON");
  return [options]() { return run_top(*options); };
}

}  // namespace nettoll::cli
