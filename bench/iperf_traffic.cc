// SPDX-License-Identifier: Apache-2.0
#include "iperf_traffic.h"

#include <fmt/format.h>

#include <thread>

namespace nettoll::bench {

using namespace std::chrono_literals;

namespace {

constexpr const char* kPort = "5201";

bool server_listening(const testing::Testbed& testbed) {
  return testbed.run_in_b(std::string("ss -Hltn 'sport = :") + kPort + "'").output.find("LISTEN") !=
         std::string::npos;
}

std::vector<std::string> client_argv(const testing::Testbed& testbed, const IperfOptions& options) {
  std::vector<std::string> argv{"ip",        "netns",
                                "exec",      testbed.namespace_a(),
                                "iperf3",    "-c",
                                "10.77.0.2", "-p",
                                kPort,       "-J",
                                "-t",        std::to_string(options.seconds),
                                "-P",        std::to_string(options.streams)};
  if (options.download) argv.push_back("-R");
  if (options.udp) {
    argv.insert(argv.end(), {"-u", "-b", fmt::format("{:.0f}K", options.udp_offered_mbit * 1000)});
  }
  return argv;
}

}  // namespace

IperfTraffic::IperfTraffic(const testing::Testbed& testbed, const IperfOptions& options) : options_(options) {
  server_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "ip", "netns", "exec", testbed.namespace_b(), "iperf3", "-s", "-1", "-p", kPort});
  for (int i = 0; i < 200 && !server_listening(testbed); ++i) std::this_thread::sleep_for(10ms);
  started_ = std::chrono::steady_clock::now();
  client_ = std::make_unique<testing::ChildProcess>(client_argv(testbed, options));
}

std::optional<nlohmann::json> IperfTraffic::wait_for_report() {
  const auto limit = std::chrono::seconds(options_.seconds + 10);
  if (client_->wait_for_exit(std::chrono::duration_cast<std::chrono::milliseconds>(limit)) != 0) {
    error_ = "iperf3 client failed or hung:\n" + client_->output();
    return std::nullopt;
  }
  server_->wait_for_exit(5s);
  const std::string output = client_->output();
  const size_t brace = output.find('{');
  auto report = nlohmann::json::parse(brace == std::string::npos ? "" : output.substr(brace), nullptr, false);
  if (report.is_discarded()) {
    error_ = "iperf3 printed no JSON report:\n" + output;
    return std::nullopt;
  }
  return report;
}

double receiver_goodput_mbit(const nlohmann::json& report) {
  const auto& end = report.value("end", nlohmann::json::object());
  if (end.contains("sum_received")) return end["sum_received"].value("bits_per_second", 0.0) / 1e6;
  return 0;
}

double sender_mbit(const nlohmann::json& report) {
  const auto& end = report.value("end", nlohmann::json::object());
  if (end.contains("sum_sent")) return end["sum_sent"].value("bits_per_second", 0.0) / 1e6;
  if (end.contains("sum")) return end["sum"].value("bits_per_second", 0.0) / 1e6;
  return 0;
}

double sender_wire_mbit(const nlohmann::json& report) {
  constexpr double kUdpIpv4EthernetHeaders = 8 + 20 + 14;
  const auto test =
      report.value("start", nlohmann::json::object()).value("test_start", nlohmann::json::object());
  const double payload = test.value("blksize", 0.0);
  if (test.value("protocol", "") != "UDP" || payload <= 0) return sender_mbit(report);
  return sender_mbit(report) * (payload + kUdpIpv4EthernetHeaders) / payload;
}

double udp_lost_percent(const nlohmann::json& report) {
  const auto& end = report.value("end", nlohmann::json::object());
  if (end.contains("sum_received")) return end["sum_received"].value("lost_percent", 0.0);
  if (end.contains("sum")) return end["sum"].value("lost_percent", 0.0);
  return 0;
}

}  // namespace nettoll::bench
