// SPDX-License-Identifier: Apache-2.0
// Processes inside containers (ContainerFixture: a bridge, veths, nftables
// masquerade, Docker-like cgroups): the limited container process holds its
// limit both ways while another container's and a host process get the
// rest, IPv4 and IPv6; a published-port server in a container is limited on
// upload; a container started after the daemon is classified, and one
// removed while its flows run leaves no link or flow behind.
#include <httplib.h>
#include <sys/socket.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "container_fixture.h"
#include "qdisc_counter.h"
#include "rtt_probe.h"

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

constexpr double kLimit = kContainerLimit;

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

// Within 5 % both ways, on the wire: the class's byte counter over a steady
// window (once the class has carried a second at its limit: past slow start
// and its burst), timed at the midpoints of the tc calls, not iperf3's
// whole-run average.
constexpr double kFivePercent = 0.05 * kLimit;
// Except below the limit on upload, where the container's TCP sender falls
// short of keeping the class backlogged on a loaded machine: 4.57-4.89 of 5
// Mbit/s seen on a loaded 2-core machine (downloads: 4.93-5.06), 5.000 and
// 5.016 on a quiet one, never above. One-sided: a class cannot send more
// than its ceil, a sender can send less. Why only upload: a host socket
// waits when its class's queue is full (TCP small queues), a container's
// only learns it from drops, since the host forwards its packets. On our
// test kernel (no fq_codel) the leaf is a 24 KB fifo, about 6 of the
// forwarded multi-segment packets: ~10 drops a second, and loss recovery
// from a busy sender leaves the class idle now and then.
constexpr double kUploadShortfall = 0.10 * kLimit;
constexpr uint64_t kSettleBytes = uint64_t(kLimit * 1e6 / 8);
constexpr auto kSteadyWindow = 5000ms;

::testing::AssertionResult within_five_percent(std::optional<double> rate, bool download) {
  if (!rate) return ::testing::AssertionFailure() << "the class never carried a second at its limit";
  if (*rate > kLimit + kFivePercent)
    return ::testing::AssertionFailure() << *rate << " Mbit/s: over 5 % above";
  if (*rate < kLimit - (download ? kFivePercent : kUploadShortfall))
    return ::testing::AssertionFailure() << *rate << " Mbit/s: too far below";
  return ::testing::AssertionSuccess();
}

// `limited` runs ntbulk (the 5 Mbit/s rule), `other` ntcall and the host
// nthost (no rule), all at once, IPv4 and IPv6, upload and download: the
// bulk class holds its limit within 5 %, the others get the rest.
class ContainerLimitTest : public ContainerTest {
 protected:
  void expect_limit_within_five_percent(const TestContainer& limited, const TestContainer& other) {
    start_servers(5201, 6);
    start_daemon(kBulkRule);
    ASSERT_TRUE(eventually([&] { return lists_link(limited.host_link) && lists_link(other.host_link); }, 5s))
        << status_json();
    for (const char* host : {"10.77.0.2", "fd77::2"}) {
      for (const bool download : {false, true}) {
        const std::string flags = std::string(download ? " -R" : "") + " -t 10 -c " + host;
        const int port = download ? 5204 : 5201;
        start_in(limited, "./ntbulk -p " + std::to_string(port) + flags + " >/dev/null 2>&1");
        start_in(other, "./ntcall -p " + std::to_string(port + 1) + flags + " >/dev/null 2>&1");
        start_on_host("./nthost -p " + std::to_string(port + 2) + flags + " >/dev/null 2>&1");
        const std::string device = download ? "ntb-vA" : "vA";
        const std::string what = limited.host_link + " " + host + (download ? " download" : " upload");
        const std::optional<double> rate =
            steady_class_rate(testbed_->namespace_a(), device, "7a:10", kSettleBytes, kSteadyWindow, 10s);
        std::printf("%s: %.3f Mbit/s (limit %.1f)\n", what.c_str(), rate.value_or(-1), kLimit);
        EXPECT_TRUE(within_five_percent(rate, download)) << what << ": the limited container process";
        EXPECT_GT(class_rates(device, 1000ms).at("7a:2"), 20.0)
            << what << ": the other container and the host process get the rest";
        stop_clients();
      }
    }
    // Accounting: the container process is counted under its own name.
    const std::string top =
        run_command(nettoll_binary() + " top --once --json --socket " + socket_path_).output;
    EXPECT_NE(top.find("ntbulk"), std::string::npos) << top;
    EXPECT_NE(top.find("ntcall"), std::string::npos) << top;
  }
};

TEST_F(ContainerLimitTest, LimitedContainerProcessHoldsItsLimitWithinFivePercent) {
  const TestContainer& limited = add_container(1);
  const TestContainer& other = add_container(2);
  expect_limit_within_five_percent(limited, other);
}

// A routed container (nspawn's ve-*, CNI ptp: a veth on no bridge, /32
// routes): its process holds its limit both ways like a bridged one's.
TEST_F(ContainerLimitTest, RoutedContainerProcessHoldsItsLimitBothWays) {
  const TestContainer& routed = add_routed_container(1);
  const TestContainer& bridged = add_container(2);
  expect_limit_within_five_percent(routed, bridged);
  EXPECT_GE(flows_of(routed.host_link), 1u) << status_json();
}

// Without NAT: the routed container's addresses reach the internet as they
// are (B routes them back through A; the host's masquerade skips them). The
// uplink records and matches the flows by those addresses.
TEST_F(ContainerLimitTest, RoutedContainerWithoutNatHoldsItsLimitBothWays) {
  const TestContainer& routed = add_routed_container(1);
  const TestContainer& bridged = add_container(2);
  for (const char* step : {"nft insert rule inet ntnat post ip saddr 10.79.1.0/24 accept",
                           "nft insert rule inet ntnat post ip6 saddr fd79:1::/64 accept"}) {
    const CommandOutput done = testbed_->run_in_a(std::string(step) + " 2>&1");
    ASSERT_EQ(done.exit_status, 0) << step << ": " << done.output;
  }
  for (const char* step :
       {"ip route add 10.79.1.0/24 via 10.77.0.1", "ip -6 route add fd79:1::/64 via fd77::1"}) {
    const CommandOutput done = testbed_->run_in_b(std::string(step) + " 2>&1");
    ASSERT_EQ(done.exit_status, 0) << step << ": " << done.output;
  }
  // The internet sees the container's own address: the server in B names
  // the peer of the one test it takes.
  ChildProcess peer({"ip", "netns", "exec", testbed_->namespace_b(), "iperf3", "-s", "-1", "-p", "5299"});
  ASSERT_TRUE(testbed_->wait_for_listener(testbed_->namespace_b(), 5299, 5s));
  testbed_->run_in(routed.netns, "iperf3 -c 10.77.0.2 -p 5299 -t 1 >/dev/null 2>&1");
  EXPECT_TRUE(peer.wait_for_output("Accepted connection from " + routed.ipv4, 5s)) << peer.output();
  expect_limit_within_five_percent(routed, bridged);
}

// The packets nftables sees coming in from `link` in A's forward hook:
// {with any of the container mark's bits, UDP to the probe port, all}.
std::array<uint64_t, 3> forwarded_from(const Testbed& testbed, const std::string& link) {
  const std::string listing = testbed.run_in_a("nft list chain inet ntcount forwarded").output;
  std::array<uint64_t, 3> counted{};
  size_t at = 0;
  for (uint64_t& count : counted) {
    at = listing.find("iifname \"" + link + "\"", at);
    if (at == std::string::npos) break;
    at = listing.find("packets ", at);
    if (at == std::string::npos) break;
    count = std::stoull(listing.substr(at + 8));
  }
  return counted;
}

// A veth to a namespace whose sockets nettoll never tagged (its processes
// run outside the daemon's --cgroup: a router namespace, a VM's, a container
// of no rule) gets the program too, and it changes nothing: no mark, no
// drop, nothing in a rule's class.
TEST_F(ContainerTest, AVethToANamespaceOfUntaggedSocketsIsLeftAsItWas) {
  const TestContainer& stranger = add_routed_container(4);
  start_servers(5201, 2);
  ChildProcess echo(rtt_probe_server(testbed_->namespace_b()));
  ASSERT_TRUE(echo.wait_for_output("listening", 5s)) << echo.output();
  start_daemon(kBulkRule);
  ASSERT_TRUE(eventually([&] { return lists_link(stranger.host_link); }, 5s)) << status_json();
  EXPECT_NE(testbed_->run_in_a("tc filter show dev " + stranger.host_link + " ingress")
                .output.find("classify_conta"),
            std::string::npos);
  const std::string in = "iifname " + stranger.host_link;
  for (const std::string& step : std::vector<std::string>{
           "nft add table inet ntcount",
           "nft add chain inet ntcount forwarded '{ type filter hook forward priority 0; }'",
           "nft add rule inet ntcount forwarded " + in + " meta mark and 0x7f000000 != 0 counter",
           "nft add rule inet ntcount forwarded " + in + " udp dport " + std::to_string(kRttProbePort) +
               " counter",
           "nft add rule inet ntcount forwarded " + in + " counter"}) {
    ASSERT_EQ(testbed_->run_in_a(step).exit_status, 0) << step;
  }
  const auto bulk_before = read_class_counter(testbed_->namespace_a(), "vA", "7a:10");
  std::filesystem::copy_file(UDP_RTT_PROBE, bin_dir_ + "/udp_rtt_probe");
  const CommandOutput probes = testbed_->run_in(
      stranger.netns, "cd " + bin_dir_ + " && " + rtt_probe_command("udp_rtt_probe", "10.77.0.2", 100, 5));
  const CommandOutput upload = testbed_->run_in(stranger.netns, "iperf3 -c 10.77.0.2 -p 5201 -t 2");
  EXPECT_EQ(upload.exit_status, 0) << upload.output;
  EXPECT_EQ(parse_rtt_figures(probes.output).lost, 0) << probes.output;
  const auto [marked, probes_seen, all] = forwarded_from(*testbed_, stranger.host_link);
  EXPECT_EQ(marked, 0u) << "a packet it could not attribute got a mark";
  EXPECT_EQ(probes_seen, 100u) << "every probe was forwarded";
  EXPECT_GT(all, 1000u) << "the TCP upload went through";
  const auto bulk_after = read_class_counter(testbed_->namespace_a(), "vA", "7a:10");
  ASSERT_TRUE(bulk_before && bulk_after);
  EXPECT_EQ(bulk_after->bytes, bulk_before->bytes) << "nothing of it in the rule's class";
  // The counters see a mark when there is one: the same link's packets from
  // a socket nettoll tagged (a process of the rule, in the test's cgroup).
  EXPECT_TRUE(start_in(stranger, "./ntbulk -c 10.77.0.2 -p 5202 -t 1 >/dev/null 2>&1").wait_for_exit(10s));
  // (a second at 5 Mbit/s: some 90 packets, GSO aggregates among them)
  EXPECT_GT(forwarded_from(*testbed_, stranger.host_link)[0], 10u) << "a tagged socket's packets are marked";
}

TEST_F(ContainerTest, BridgedScopeLeavesRoutedVethsAlone) {
  const TestContainer& routed = add_routed_container(1);
  const TestContainer& bridged = add_container(2);
  start_daemon(std::string(kBulkRule) + "container-links: bridged\n");
  ASSERT_TRUE(eventually([&] { return lists_link(bridged.host_link); }, 5s)) << status_json();
  EXPECT_FALSE(lists_link(routed.host_link)) << status_json();
  EXPECT_EQ(testbed_->run_in_a("tc filter show dev " + routed.host_link + " ingress").output, "");
}

// Priority for container processes: while bulk from another container and
// from the host fills the upload, a UDP probe in a container in a
// priority-0 rule keeps a low round-trip time; the same probe in the bulk's
// own rule shows the queue the priority spares it.
TEST_F(ContainerTest, ContainerProcessInAPriorityRuleKeepsLowLatencyUnderBulk) {
  const TestContainer& caller = add_container(1);
  const TestContainer& bulk = add_container(2);
  for (const char* name : {"ntcall-probe", "ntbulk-probe"}) {
    std::filesystem::copy_file(UDP_RTT_PROBE, bin_dir_ + "/" + name);
  }
  start_servers(5201, 2);
  ChildProcess echo(rtt_probe_server(testbed_->namespace_b()));
  ASSERT_TRUE(echo.wait_for_output("listening", 5s)) << echo.output();
  start_daemon(std::string("interface: vA\n") + kPriorityRules);
  ASSERT_TRUE(eventually([&] { return lists_link(caller.host_link) && lists_link(bulk.host_link); }, 5s))
      << status_json();
  start_in(bulk, "./ntbulk -c 10.77.0.2 -p 5201 -P 4 -t 12 >/dev/null 2>&1");
  start_on_host("./nthost -c 10.77.0.2 -p 5202 -P 2 -t 12 >/dev/null 2>&1");
  // The bulk fills the link once its class has carried what the whole link
  // carries in a second.
  ASSERT_TRUE(steady_class_rate(testbed_->namespace_a(), "vA", "7a:11", 20'000'000 / 8, 100ms, 10s));
  const auto median_rtt_ms = [&](const std::string& program) {
    return testing::median_rtt_ms(start_in(caller, rtt_probe_command(program, "10.77.0.2", 60, 25)), program);
  };
  const double priority = median_rtt_ms("ntcall-probe");
  const double queued = median_rtt_ms("ntbulk-probe");
  const auto rates = class_rates("vA", 1000ms);
  stop_clients();
  std::printf("median RTT: priority %.2f ms, in the bulk class %.2f ms; bulk %.1f + host %.1f Mbit/s\n",
              priority, queued, rates.at("7a:11"), rates.at("7a:2"));
  EXPECT_GT(rates.at("7a:11") + rates.at("7a:2"), 15.0) << "the bulk fills the link";
  // As for host processes (process_priority_test.cc): a few frames at 20
  // Mbit/s are ~0.6 ms each; the bulk class's fifo holds ~20 ms of it.
  EXPECT_LT(priority, 3.0) << "the priority container process waits behind the bulk";
  EXPECT_GT(queued, 2 * priority + 2.0) << "the load did not queue (priority " << priority << " ms)";
}

}  // namespace
}  // namespace nettoll::testing
