// SPDX-License-Identifier: Apache-2.0
// reservation_bench: time from a Tautulli webhook POST to the new limits
// being active, through the running daemon in a namespace testbed, with the
// real rTorrent, Transmission and qBittorrent: in the kernel (the stream's
// class on vA and the bulk rule's lowered ceil, read over netlink) and in
// each client (its getter polled). Median and p99 over N plays and N stops.
//   reservation_bench [PLAYS]   (default 20)
#include <fmt/format.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "bench_output.h"
#include "child_process.h"
#include "clients/client_factory.h"
#include "daemon/bpf_path.h"
#include "kernel/kernel_observer.h"
#include "kernel/netlink_socket.h"
#include "sample_stats.h"
#include "testbed.h"
#include "torrent_client_process.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kStreamBits = 10'000'000;   // the play: 10000 kbit/s
constexpr uint64_t kLoweredCeil = 40'000'000;  // 50 Mbit/s upload − the stream
constexpr uint64_t kFullCeil = 50'000'000;

using testing::RealClient;
const std::vector<RealClient> kClients{RealClient::rtorrent_tcp, RealClient::transmission,
                                       RealClient::qbittorrent};

// True when vA's tree shows the stream (a class of its rate, the bulk ceil
// lowered) or, with !playing, neither.
bool kernel_shows(NetlinkSocket& socket, bool playing) {
  auto observed = observe_devices(socket, {"vA"});
  if (!observed) return false;
  bool stream = false, lowered = false, full = false;
  for (const ObservedClass& c : observed->device("vA").classes) {
    stream |= c.rate.bits_per_second() == kStreamBits;
    lowered |= c.ceil.bits_per_second() == kLoweredCeil;
    full |= c.ceil.bits_per_second() == kFullCeil && c.rate.bits_per_second() < kFullCeil;
  }
  return playing ? stream && lowered : !stream && !lowered && full;
}

bool client_shows(TorrentClient& probe, Rate upload) {
  auto limits = probe.read_limits();
  return limits && limits->upload.enabled && limits->upload.rate == upload;
}

// Milliseconds from `sent` until each check first holds (each polled every
// 1 ms on a thread of its own inside `netns`, so a slow probe, such as
// qBittorrent's, delays no other; at most 10 s); -1 for one that never did.
std::map<std::string, double> time_until(const std::map<std::string, std::function<bool()>>& checks,
                                         Clock::time_point sent, const std::string& netns) {
  std::map<std::string, double> when;
  for (const auto& [name, check] : checks) when[name] = -1;
  std::vector<std::thread> probes;
  probes.reserve(checks.size());
  for (const auto& [name, check] : checks) {
    probes.emplace_back([&, &check = check, &result = when[name]] {
      testing::ScopedNetworkNamespace inside(netns);
      while (inside.error().empty() && Clock::now() - sent < 10s) {
        if (check()) {
          result = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
          return;
        }
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  for (std::thread& probe : probes) probe.join();
  return when;
}

int run(int plays) {
  if (!testing::running_as_root()) {
    std::fprintf(stderr, "reservation_bench: needs root (network namespaces)\n");
    return 2;
  }
  testing::Testbed testbed;
  if (!testbed.setup_error().empty()) return std::fprintf(stderr, "%s\n", testbed.setup_error().c_str()), 2;
  testbed.run_in_a("ip route add default via 10.77.0.2 dev vA");
  const std::string dir = "/tmp/nettoll-reservation-bench-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/run");
  const std::string cgroup = cgroup_v2_root() + "/nettoll-bench-" + std::to_string(getpid());
  std::filesystem::create_directory(cgroup);
  std::map<RealClient, std::unique_ptr<testing::TorrentClientProcess>> clients;
  std::map<RealClient, Rate> user_upload;
  std::map<RealClient, std::unique_ptr<TorrentClient>> probes;  // one adapter each: qBittorrent logs in once
  std::string clients_yaml;
  bool up = true;
  for (RealClient client : kClients) {
    clients[client] = std::make_unique<testing::TorrentClientProcess>(client, testbed.namespace_a(),
                                                                      dir + "/" + testing::to_string(client));
    clients[client]->start();
    clients_yaml += "    - " + clients[client]->config_yaml() + "\n";
  }
  for (RealClient client : kClients) {
    auto ready = clients[client]->wait_until_ready();
    auto limits = clients[client]->read_limits();
    if (!ready || !limits) {
      std::fprintf(stderr, "reservation_bench: %s\n", ready ? limits.error().c_str() : ready.error().c_str());
      up = false;
      continue;
    }
    user_upload[client] = limits->upload.rate;
    probes[client] = make_torrent_client(clients[client]->config(), 5s).value();
  }
  std::ofstream(dir + "/nettoll.yaml")
      << "upload: 50mbit\ndownload: 100mbit\nprocesses:\n  bulk:\n    match-any:\n      - name: "
         "nettoll-bench-bulk\n"
      << "    bulk: true\nreservations:\n  token-file: " << dir << "/token\n  link-upload: 50mbit\n"
      << "  link-download: 100mbit\n  clients:\n"
      << clients_yaml;
  testing::ChildProcess daemon({testing::nettoll_binary(), "daemon", "-c", dir + "/nettoll.yaml", "--netns",
                                testbed.namespace_a(), "--socket", dir + "/run/api.sock", "--runtime-dir",
                                dir + "/run", "--state-file", dir + "/state.json", "--cgroup", cgroup,
                                "--usage-db", dir + "/usage.db"});
  int status = 0;
  if (!up || !daemon.wait_for_output("managed interface", 10s)) {
    std::fprintf(stderr, "reservation_bench: setup failed\n%s\n", daemon.output().c_str());
    status = 2;
  } else {
    std::string token;
    std::getline(std::ifstream(dir + "/token"), token);
    testing::ScopedNetworkNamespace inside(testbed.namespace_a());
    auto socket = NetlinkSocket::open();
    httplib::Client api("127.0.0.1", 7657);
    const httplib::Headers auth{{"Authorization", "Bearer " + token}};
    std::map<std::string, std::vector<double>> samples;  // "play kernel", ...
    for (int i = 0; i < plays && socket; ++i) {
      for (const bool playing : {true, false}) {
        const std::string body = fmt::format(
            R"({{"action": "{}", "session_id": "bench{}", "ip_address": "203.0.113.5", "stream_bandwidth": "10000", "remaining_duration": "90"}})",
            playing ? "play" : "stop", i);
        std::map<std::string, std::function<bool()>> checks{
            {"kernel", [&] { return kernel_shows(*socket, playing); }}};
        for (RealClient client : kClients) {
          // 50 Mbit/s link − the 10 Mbit/s stream, in the client's unit.
          const Rate wanted = playing ? Rate::bytes_per_second(testing::in_client_unit(client, 40'000'000))
                                      : user_upload[client];
          checks[testing::to_string(client)] = [&, client, wanted] {
            return client_shows(*probes[client], wanted);
          };
        }
        const auto sent = Clock::now();
        auto answer = api.Post("/v1/hooks/tautulli", auth, body, "application/json");
        if (!answer || answer->status != 200) return std::fprintf(stderr, "webhook failed\n"), 2;
        const auto times = time_until(checks, sent, testbed.namespace_a());
        for (const auto& [name, ms] : times)
          samples[std::string(playing ? "play " : "stop ") + name].push_back(ms);
      }
    }
    std::printf("%-20s %8s %8s %8s %6s\n", "webhook -> active", "median", "p99", "max", "lost");
    nlohmann::json figure{{"benchmark", "reservation_latency"}, {"plays", plays}};
    for (const auto& [name, values] : samples) {
      std::vector<double> seen;
      for (double v : values)
        if (v >= 0) seen.push_back(v);
      const double median = percentile(seen, 0.5), p99 = percentile(seen, 0.99), max = percentile(seen, 1.0);
      std::printf("%-20s %6.1fms %6.1fms %6.1fms %6zu\n", name.c_str(), median, p99, max,
                  values.size() - seen.size());
      figure[name] = {
          {"median_ms", median}, {"p99_ms", p99}, {"max_ms", max}, {"never", values.size() - seen.size()}};
    }
    report("", figure);
  }
  daemon.signal(SIGTERM);
  daemon.wait_for_exit(15s);
  clients.clear();
  std::filesystem::remove(cgroup);
  std::filesystem::remove_all(dir);
  return status;
}

}  // namespace
}  // namespace nettoll::bench

int main(int argc, char** argv) {
  try {
    return nettoll::bench::run(argc > 1 ? std::atoi(argv[1]) : 20);
  } catch (const std::exception& error) {  // a setup step's .value() on a failure
    std::fprintf(stderr, "reservation_bench: %s\n", error.what());
    return 2;
  }
}
