// SPDX-License-Identifier: Apache-2.0
// What an open dashboard costs the daemon: its CPU time (schedstat) over 30 s
// with no client, then over 30 s with a client polling as the page does,
// once a second: /v1/status, /v1/stats, /v1/stats/history?since=.. and
// /v1/events?since=.., over loopback TCP with a session cookie. The daemon
// shapes vA in a namespace with two renamed iperf3 copies running (one
// upload, one download), so accounting and classification run in both
// windows. Target: the difference below 0.5 % of one core. Then, to show
// where that goes, the daemon's CPU per request of each of the four kinds.
#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "bench_output.h"
#include "process_daemon.h"
#include "process_sandbox.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWindow = 30s;
constexpr double kTargetPercent = 0.5;
constexpr int kIperfSeconds = 80;  // covers the warm-up and both windows
constexpr int kUploadPort = 5301;
constexpr int kDownloadPort = 5302;
constexpr int kBurst = 100;  // requests of each kind for the cost per request

// One request over the unix socket (as the CLI sends it); null on failure.
nlohmann::json over_unix(const std::string& socket, const std::string& method, const std::string& path) {
  httplib::Client client(socket, 80);
  client.set_address_family(AF_UNIX);
  auto answer = method == "GET" ? client.Get(path) : client.Post(path, "", "application/json");
  if (!answer || answer->status != 200) return nullptr;
  return nlohmann::json::parse(answer->body, nullptr, false);
}

// The page's loop: one round of its four requests a second until `stop`.
// Runs in namespace A, where the daemon listens. The count of rounds in
// which every request answered 200.
int poll_like_the_page(const ProcessSandbox& sandbox, const std::string& cookie,
                       const std::atomic<bool>& stop) {
  testing::ScopedNetworkNamespace inside(sandbox.testbed().namespace_a());
  httplib::Client client("127.0.0.1", 7657);
  client.set_keep_alive(true);
  const httplib::Headers headers{{"Cookie", cookie}};
  int64_t last_sample = 0;
  uint64_t last_event = 0;
  int good_rounds = 0;
  auto next = Clock::now();
  while (!stop) {
    bool good = true;
    for (const char* path : {"/v1/status", "/v1/stats"}) {
      auto answer = client.Get(path, headers);
      good = good && answer && answer->status == 200;
    }
    if (auto history = client.Get("/v1/stats/history?since=" + std::to_string(last_sample), headers);
        history && history->status == 200) {
      const auto body = nlohmann::json::parse(history->body, nullptr, false);
      if (body.is_object() && !body["samples"].empty()) last_sample = body["samples"].back()["t"];
    } else {
      good = false;
    }
    if (auto events = client.Get("/v1/events?since=" + std::to_string(last_event), headers);
        events && events->status == 200) {
      const auto body = nlohmann::json::parse(events->body, nullptr, false);
      if (body.is_object() && !body["events"].empty()) last_event = body["events"].back()["seq"];
    } else {
      good = false;
    }
    good_rounds += good ? 1 : 0;
    next += 1s;
    std::this_thread::sleep_until(next);
  }
  return good_rounds;
}

// The daemon's CPU per request of each kind the page sends, in µs: kBurst
// of them back to back over one connection each, the daemon's own idle CPU
// over that time (`idle_percent`) taken off. Back to back, /v1/stats mostly
// comes from the second's snapshot, as it does for a second reader.
nlohmann::json cost_per_request(const ProcessSandbox& sandbox, const std::string& cookie, pid_t pid,
                                double idle_percent) {
  testing::ScopedNetworkNamespace inside(sandbox.testbed().namespace_a());
  httplib::Client client("127.0.0.1", 7657);
  const httplib::Headers headers{{"Cookie", cookie}};
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::pair<const char*, std::string> kinds[] = {
      {"status_us", "/v1/status"},
      {"stats_us", "/v1/stats"},
      {"history_us", "/v1/stats/history?since=" + std::to_string(now_ms - 2000)},
      {"events_us", "/v1/events?since=0"}};
  nlohmann::json costs = nlohmann::json::object();
  for (const auto& [name, path] : kinds) {
    const double before = cpu_seconds(pid);
    const auto start = Clock::now();
    int answered = 0;
    for (int i = 0; i < kBurst; ++i) {
      auto answer = client.Get(path, headers);
      answered += answer && answer->status == 200 ? 1 : 0;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double spent = cpu_seconds(pid) - before - idle_percent / 100.0 * elapsed;
    costs[name] = answered == kBurst ? spent / kBurst * 1e6 : -1.0;  // -1: some went unanswered
  }
  return costs;
}

// The daemon's CPU over one window, in percent of one core.
double cpu_percent_over_window(pid_t pid) {
  const double before = cpu_seconds(pid);
  const auto start = Clock::now();
  std::this_thread::sleep_for(kWindow);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return (cpu_seconds(pid) - before) / elapsed * 100.0;
}

int run() {
  ProcessSandbox sandbox;
  if (!sandbox.setup_error().empty()) {
    std::fprintf(stderr, "dashboard_bench: %s\n", sandbox.setup_error().c_str());
    return 2;
  }
  for (const char* name : {"ntbulk", "ntcall"}) sandbox.install_copy("/usr/bin/iperf3", name);
  const std::string config = fmt::format(
      "download: 200mbit\nupload: 100mbit\napi:\n  token-file: {}/api-token\nprocesses:\n"
      "  bulk:\n    match: [{{name: ntbulk}}]\n    upload: 20mbit\n"
      "  call:\n    match: [{{name: ntcall}}]\n    download: 30mbit\n",
      sandbox.bin_dir());
  auto upload_server = sandbox.start_in_b({"iperf3", "-s", "-p", std::to_string(kUploadPort)});
  auto download_server = sandbox.start_in_b({"iperf3", "-s", "-p", std::to_string(kDownloadPort)});
  DaemonSession daemon(sandbox, config, "");
  if (!daemon.error().empty()) {
    std::fprintf(stderr, "dashboard_bench: %s\n", daemon.error().c_str());
    return 2;
  }
  for (int port : {kUploadPort, kDownloadPort}) {
    if (!sandbox.testbed().wait_for_listener(sandbox.testbed().namespace_b(), port, 5s)) {
      std::fprintf(stderr, "dashboard_bench: no iperf3 server on %d\n", port);
      return 2;
    }
  }
  auto upload = sandbox.start_in_a(
      fmt::format("./ntbulk -c 10.77.0.2 -p {} -t {} >/dev/null 2>&1", kUploadPort, kIperfSeconds));
  auto download = sandbox.start_in_a(
      fmt::format("./ntcall -c 10.77.0.2 -p {} -t {} -R >/dev/null 2>&1", kDownloadPort, kIperfSeconds));
  const std::string socket = sandbox.bin_dir() + "/api.sock";
  const nlohmann::json login = over_unix(socket, "POST", "/v1/dashboard/login");
  if (!login.is_object()) {
    std::fprintf(stderr, "dashboard_bench: no login link from the daemon\n");
    return 2;
  }
  std::string cookie;
  {
    testing::ScopedNetworkNamespace inside(sandbox.testbed().namespace_a());
    httplib::Client client("127.0.0.1", 7657);
    const std::string url = login["url"];
    auto answer = client.Get(url.substr(url.find("/login")));
    if (answer && answer->status == 303) {
      const std::string set_cookie = answer->get_header_value("Set-Cookie");
      cookie = set_cookie.substr(0, set_cookie.find(';'));
    }
  }
  if (cookie.empty()) {
    std::fprintf(stderr, "dashboard_bench: the login link bought no session cookie\n");
    return 2;
  }
  std::this_thread::sleep_for(5s);  // iperf3 ramps up; the classifier has seen both
  const double idle = cpu_percent_over_window(daemon.pid());
  std::atomic<bool> stop{false};
  int good_rounds = 0;
  std::thread page([&] { good_rounds = poll_like_the_page(sandbox, cookie, stop); });
  const double polled = cpu_percent_over_window(daemon.pid());
  stop = true;
  page.join();
  const nlohmann::json stats = over_unix(socket, "GET", "/v1/stats");
  int busy_processes = 0;
  if (stats.is_object()) {
    for (const auto& process : stats["processes"]) {
      if (process.value("download_bytes_per_second", 0.0) + process.value("upload_bytes_per_second", 0.0) > 0)
        ++busy_processes;
    }
  }
  const double cost = polled - idle;
  report(
      fmt::format("dashboard polling (4 requests/s over TCP with a session cookie, {} good rounds of {} s; "
                  "{} processes moving traffic): daemon CPU {:.3f} % of a core idle, {:.3f} % polled, "
                  "cost {:.3f} % (target < {} %)",
                  good_rounds, kWindow.count(), busy_processes, idle, polled, cost, kTargetPercent),
      {{"bench", "dashboard_polling"},
       {"window_s", kWindow.count()},
       {"good_rounds", good_rounds},
       {"busy_processes", busy_processes},
       {"idle_cpu_percent", idle},
       {"polled_cpu_percent", polled},
       {"cost_cpu_percent", cost},
       {"target_cpu_percent", kTargetPercent}});
  nlohmann::json per_request = cost_per_request(sandbox, cookie, daemon.pid(), idle);
  nlohmann::json figure{{"bench", "dashboard_request_cost"}, {"requests_each", kBurst}};
  figure.update(per_request);
  report(
      fmt::format("daemon CPU per request ({} of each back to back, idle taken off): /v1/status {:.0f} µs, "
                  "/v1/stats {:.0f} µs, /v1/stats/history {:.0f} µs, /v1/events {:.0f} µs",
                  kBurst, per_request.value("status_us", 0.0), per_request.value("stats_us", 0.0),
                  per_request.value("history_us", 0.0), per_request.value("events_us", 0.0)),
      figure);
  return 0;
}

}  // namespace
}  // namespace nettoll::bench

int main() { return nettoll::bench::run(); }
