// SPDX-License-Identifier: Apache-2.0
// Processes inside containers (ContainerFixture: a bridge, veths, nftables
// masquerade, Docker-like cgroups): the limited container process holds its
// limit both ways while another container's and a host process get the
// rest, IPv4 and IPv6; a published-port server in a container is limited on
// upload; a container started after the daemon is classified, and one
// removed while its flows run leaves no link or flow behind.
#include <httplib.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "container_fixture.h"

namespace nettoll::testing {
namespace {

class ContainerTest : public ContainerFixture {
 protected:
  nlohmann::json container_links() {
    const auto status = nlohmann::json::parse(status_json(), nullptr, false);
    if (status.is_discarded() || !status.contains("classifier")) return nlohmann::json::array();
    return status["classifier"].value("container_links", nlohmann::json::array());
  }
  bool lists_link(const std::string& name) {
    for (const auto& link : container_links()) {
      if (link.value("name", "") == name) return true;
    }
    return false;
  }
  size_t flows_of(const std::string& name) {
    for (const auto& link : container_links()) {
      if (link.value("name", "") == name) return link.value("flows", size_t(0));
    }
    return 0;
  }
};

const char* kBulkRule =
    "interface: vA\ndownload: 100mbit\nupload: 100mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n"
    "    upload: 5mbit\n    download: 5mbit\n";

// The testbed's "internet" sends MTU-sized frames, as a real uplink does: the
// class counters are on the wire.
constexpr double kLimit = 5.0;
constexpr double kTolerance = 0.25;  // above the limit: what a class may overshoot in a window
// Below it: a sender on a loaded 2-core machine falls short (4.65 of 5 seen
// for the published server's IPv6 upload), which no limit causes.
constexpr double kShortfall = 0.75;

// The class rate holds the limit: never more than kTolerance above it, at
// most kShortfall below.
::testing::AssertionResult holds_limit(double rate) {
  if (rate > kLimit + kTolerance)
    return ::testing::AssertionFailure() << rate << " Mbit/s is above the limit";
  if (rate < kLimit - kShortfall)
    return ::testing::AssertionFailure() << rate << " Mbit/s is far below the limit";
  return ::testing::AssertionSuccess();
}

TEST_F(ContainerTest, LimitedContainerProcessHoldsItsLimitWhileTheOthersGetTheRest) {
  const TestContainer& limited = add_container(1);
  const TestContainer& other = add_container(2);
  start_servers(5201, 6);
  start_daemon(kBulkRule);
  ASSERT_TRUE(eventually([&] { return lists_link(limited.host_link) && lists_link(other.host_link); }, 5s))
      << status_json();
  for (const char* host : {"10.77.0.2", "fd77::2"}) {
    for (const bool download : {false, true}) {
      const std::string flags = std::string(download ? " -R" : "") + " -t 7 -c " + host;
      const int port = download ? 5204 : 5201;
      start_in(limited, "./ntbulk -p " + std::to_string(port) + flags + " >/dev/null 2>&1");
      start_in(other, "./ntcall -p " + std::to_string(port + 1) + flags + " >/dev/null 2>&1");
      start_on_host("./nthost -p " + std::to_string(port + 2) + flags + " >/dev/null 2>&1");
      std::this_thread::sleep_for(1500ms);
      const std::string device = download ? "ntb-vA" : "vA";
      const auto rates = class_rates(device, 4000ms);
      const std::string what = std::string(host) + (download ? " download" : " upload");
      EXPECT_TRUE(holds_limit(rates.at("7a:10"))) << what << ": the limited container process";
      EXPECT_GT(rates.at("7a:2"), 20.0) << what << ": the other container and the host process get the rest";
      stop_clients();
    }
  }
  // Accounting: the container process is counted under its own name.
  const std::string top =
      run_command(nettoll_binary() + " top --once --json --socket " + socket_path_).output;
  EXPECT_NE(top.find("ntbulk"), std::string::npos) << top;
  EXPECT_NE(top.find("ntcall"), std::string::npos) << top;
}

TEST_F(ContainerTest, PublishedPortServerInAContainerIsLimitedOnUpload) {
  const TestContainer& server = add_container(1);
  publish(server, 8080, 5301);
  start_in(server, "./ntbulk -s -p 5301 >/dev/null 2>&1");
  ASSERT_TRUE(testbed_->wait_for_listener(server.netns, 5301, 5s));
  start_daemon(kBulkRule);
  for (const char* host : {"10.77.0.1", "fd77::1"}) {
    // The client in the internet asks the server to send (-R): the
    // container's upload, through DNAT.
    ChildProcess client({"ip", "netns", "exec", testbed_->namespace_b(), "iperf3", "-c", host, "-p", "8080",
                         "-R", "-t", "6"});
    std::this_thread::sleep_for(1500ms);
    const auto rates = class_rates("vA", 3000ms);
    EXPECT_TRUE(holds_limit(rates.at("7a:10"))) << host << ": the published server's upload";
    EXPECT_LT(rates.at("7a:2"), 1.0) << host << ": nothing of it escapes to the default class";
    client.wait_for_exit(10s);
    // The server takes the next test once it has closed this one's connections.
    const std::string connections =
        "ip netns exec " + server.netns + " ss -Htn state established '( sport = :5301 )'";
    ASSERT_TRUE(eventually([&] { return run_command(connections).output.empty(); }, 5s))
        << run_command(connections).output;
  }
}

TEST_F(ContainerTest, ContainerStartedAfterTheDaemonIsClassifiedAndARemovedOneLeavesNothing) {
  start_servers(5201, 2);
  start_daemon(kBulkRule);
  EXPECT_TRUE(container_links().empty()) << status_json();
  const TestContainer& late = add_container(3);
  ASSERT_TRUE(eventually([&] { return lists_link(late.host_link); }, 5s)) << status_json();
  start_in(late, "./ntbulk -c 10.77.0.2 -p 5201 -t 30 >/dev/null 2>&1");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(holds_limit(class_rates("vA", 3000ms).at("7a:10"))) << "a container started late";
  EXPECT_GE(flows_of(late.host_link), 1u) << status_json();

  // Removed while its flow runs: the link and its flows go from the maps.
  remove_container(late);
  EXPECT_TRUE(eventually([&] { return !lists_link(late.host_link); }, 5s)) << status_json();
  EXPECT_EQ(testbed_->run_in_a("tc filter show dev " + late.host_link + " ingress").output.find("bpf"),
            std::string::npos);
  const auto still = nlohmann::json::parse(status_json(), nullptr, false);
  EXPECT_FALSE(still.is_discarded());
  // A new container reusing the name works like the first.
  const TestContainer& again = add_container(3);
  ASSERT_TRUE(eventually([&] { return lists_link(again.host_link); }, 5s)) << status_json();
  EXPECT_EQ(flows_of(again.host_link), 0u) << "no flow of the removed container is left";
}

TEST_F(ContainerTest, StopRemovesTheProgramsFromContainerLinks) {
  const TestContainer& container = add_container(1);
  start_daemon(kBulkRule);
  ASSERT_TRUE(eventually([&] { return lists_link(container.host_link); }, 5s)) << status_json();
  const std::string show = "tc filter show dev " + container.host_link + " ingress";
  EXPECT_NE(testbed_->run_in_a(show).output.find("classify_conta"), std::string::npos);
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_for_exit(10s), 0) << daemon_->output();
  daemon_.reset();
  EXPECT_EQ(testbed_->run_in_a(show).output.find("bpf"), std::string::npos);
  EXPECT_EQ(testbed_->run_in_a("tc qdisc show dev " + container.host_link).output.find("clsact"),
            std::string::npos);
}

TEST_F(ContainerTest, ARestartAfterSigkillLeavesOneProgramPerContainerLink) {
  const TestContainer& container = add_container(1);
  start_daemon(kBulkRule);
  ASSERT_TRUE(eventually([&] { return lists_link(container.host_link); }, 5s)) << status_json();
  daemon_->signal(SIGKILL);
  daemon_->wait_for_exit(10s);
  start_daemon(kBulkRule);
  ASSERT_TRUE(eventually([&] { return lists_link(container.host_link); }, 5s)) << status_json();
  const std::string filters =
      testbed_->run_in_a("tc filter show dev " + container.host_link + " ingress").output;
  size_t programs = 0;
  // One line per filter, with its handle.
  for (size_t at = filters.find("handle 0x7a"); at != std::string::npos;
       at = filters.find("handle 0x7a", at + 1)) {
    ++programs;
  }
  EXPECT_EQ(programs, 1u) << filters;
  EXPECT_NE(filters.find("classify_conta"), std::string::npos) << filters;
}

// Status names the container behind a link started after the daemon (its
// process's cgroup gives the id, a fake engine on the configured socket the
// name), and `container: NAME` selects the container's processes.
TEST_F(ContainerTest, ALateContainerIsNamedInStatusAndMatchedByItsEngineName) {
  const std::string engine_socket = bin_dir_ + "/engine.sock";
  start_daemon(std::string(kBulkRule) + "  media:\n    match: [{container: plex$}]\n    upload: 5mbit\n" +
               "container-engines: [" + engine_socket + "]\n");
  const TestContainer& late = add_container(4);
  ASSERT_TRUE(eventually([&] { return lists_link(late.host_link); }, 5s)) << status_json();
  const auto link_field = [&](const std::string& field) {
    for (const auto& link : container_links()) {
      if (link.value("name", "") == late.host_link) return link.value(field, "");
    }
    return std::string();
  };
  EXPECT_EQ(link_field("container"), "") << "no process runs in it yet";

  httplib::Server engine;  // answers as Docker's API does
  engine.set_address_family(AF_UNIX);
  engine.Get("/containers/json", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"([{"Id": ")" + late.id + R"(", "Names": ["/plex"]}])", "application/json");
  });
  ASSERT_TRUE(engine.bind_to_port(engine_socket, 80));
  std::thread serving([&] { engine.listen_after_bind(); });
  start_in(late, "sleep 30");

  EXPECT_TRUE(eventually([&] { return link_field("container") == late.id; }, 10s)) << status_json();
  EXPECT_TRUE(eventually([&] { return link_field("container_name") == "plex"; }, 10s)) << status_json();
  const auto selects_media = [&] {
    const auto status = nlohmann::json::parse(status_json(), nullptr, false);
    if (status.is_discarded()) return false;
    const nlohmann::json processes = status.value("processes", nlohmann::json::object());
    for (const auto& [pid, rule] : processes.items()) {
      if (rule == "media") return true;
    }
    return false;
  };
  EXPECT_TRUE(eventually(selects_media, 10s)) << status_json();
  const std::string text = run_command(nettoll_binary() + " status --socket " + socket_path_).output;
  EXPECT_NE(
      text.find("container link " + late.host_link + ": container plex (" + late.id.substr(0, 12) + ")"),
      std::string::npos)
      << text;
  engine.stop();
  serving.join();
}

}  // namespace
}  // namespace nettoll::testing
