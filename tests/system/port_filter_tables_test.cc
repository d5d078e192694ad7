// SPDX-License-Identifier: Apache-2.0
// The fallback classifier's kernel side: sock_diag finds a namespace's
// sockets, and u32 port filters on an HTB qdisc send a port's packets to a
// class, for IPv4 and IPv6, TCP and UDP. Checked with real traffic and with
// what `tc filter show` prints.
#include "kernel/port_filter_tables.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "child_process.h"
#include "core/plan.h"
#include "kernel/htb_classes.h"
#include "kernel/qdiscs.h"
#include "kernel/socket_diag.h"
#include "namespace_test.h"
#include "tc_text.h"

namespace nettoll::testing {
namespace {

constexpr Handle kQdisc{kHtbMajor, 0};
constexpr Handle kRuleClass{kHtbMajor, 0x10};

HtbClass make_class(uint16_t minor, Rate rate) {
  HtbClass htb_class;
  htb_class.id = Handle{kHtbMajor, minor};
  htb_class.parent = minor == kRootClassMinor ? kQdisc : Handle{kHtbMajor, kRootClassMinor};
  htb_class.rate = rate;
  htb_class.ceil = Rate::bits_per_second(1'000'000'000);
  htb_class.quantum = 1514 * 4;
  htb_class.burst = 15140;
  htb_class.cburst = 15140;
  return htb_class;
}

PortFilter filter(IpFamily family, uint8_t protocol, uint16_t port) {
  return {{FilterDirection::egress, family, protocol, port}, kRuleClass};
}

class PortFilterTablesTest : public NamespaceTest {
 protected:
  void SetUp() override {
    NamespaceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto qdisc = add_htb_qdisc(socket(), va_, kQdisc, kDefaultClassMinor);
    ASSERT_TRUE(qdisc) << qdisc.error();
    const Rate gbit = Rate::bits_per_second(1'000'000'000);
    const Rate half = Rate::bits_per_second(500'000'000);
    for (const HtbClass& htb_class :
         {make_class(kRootClassMinor, gbit), make_class(kDefaultClassMinor, half), make_class(0x10, half)}) {
      auto added = add_htb_class(socket(), va_, htb_class);
      ASSERT_TRUE(added) << added.error();
    }
    site_ = PortFilterSite{va_, "vA", kQdisc, FilterDirection::egress};
    auto created = create_port_tables(socket(), site_);
    ASSERT_TRUE(created) << created.error();
    if (run_command("command -v iperf3").exit_status != 0) GTEST_SKIP() << "iperf3 is not installed";
  }

  InstalledPortFilter install(const PortFilter& wanted) {
    const auto changes = diff_port_filters(installed_, {wanted});
    EXPECT_EQ(changes.add.size(), 1u);
    auto added = add_port_filter(socket(), site_, changes.add.at(0));
    EXPECT_TRUE(added) << added.error();
    installed_.push_back(changes.add.at(0));
    return changes.add.at(0);
  }

  // Bytes the rule class and the default class sent while `client` ran
  // (iperf3 in A against a server in B).
  std::pair<uint64_t, uint64_t> class_bytes_during(const std::string& client) {
    const auto before = parse_tc_classes(in_a("tc -s class show dev vA").output);
    const CommandOutput ran = in_a(client);
    EXPECT_EQ(ran.exit_status, 0) << ran.output;
    const auto after = parse_tc_classes(in_a("tc -s class show dev vA").output);
    return {after.at("7a:10").sent_bytes - before.at("7a:10").sent_bytes,
            after.at("7a:2").sent_bytes - before.at("7a:2").sent_bytes};
  }

  PortFilterSite site_;
  std::vector<InstalledPortFilter> installed_;
};

TEST_F(PortFilterTablesTest, TcShowsTablesLinksAndFilters) {
  install(filter(IpFamily::ipv4, IPPROTO_TCP, 5001));
  install(filter(IpFamily::ipv6, IPPROTO_UDP, 0x1389));
  const std::string ipv4 = in_a("tc filter show dev vA parent 7a: protocol ip").output;
  EXPECT_NE(ipv4.find("7a1: ht divisor 256"), std::string::npos) << ipv4;
  EXPECT_NE(ipv4.find("link 7a1:"), std::string::npos) << ipv4;
  EXPECT_NE(ipv4.find("flowid 7a:10"), std::string::npos) << ipv4;
  EXPECT_NE(ipv4.find("match 13890000/ffff0000 at 20"), std::string::npos) << ipv4;  // sport 5001
  EXPECT_NE(ipv4.find("match 00060000/00ff0000 at 8"), std::string::npos) << ipv4;   // TCP
  const std::string ipv6 = in_a("tc filter show dev vA parent 7a: protocol ipv6").output;
  EXPECT_NE(ipv6.find("7a2: ht divisor 256"), std::string::npos) << ipv6;
  EXPECT_NE(ipv6.find("match 13890000/ffff0000 at 40"), std::string::npos) << ipv6;
  EXPECT_NE(ipv6.find("match 00001100/0000ff00 at 4"), std::string::npos) << ipv6;  // UDP

  auto deleted = delete_port_filter(socket(), site_, installed_[0]);
  ASSERT_TRUE(deleted) << deleted.error();
  EXPECT_EQ(in_a("tc filter show dev vA parent 7a: protocol ip").output.find("flowid"), std::string::npos);
  auto removed = remove_port_tables(socket(), site_);
  ASSERT_TRUE(removed) << removed.error();
  EXPECT_EQ(in_a("tc filter show dev vA parent 7a:").output, "");
  auto again = remove_port_tables(socket(), site_);  // nothing there: fine
  EXPECT_TRUE(again) << again.error();
}

TEST_F(PortFilterTablesTest, RecreatingReplacesLeftovers) {
  install(filter(IpFamily::ipv4, IPPROTO_TCP, 5001));
  auto created = create_port_tables(socket(), site_);
  ASSERT_TRUE(created) << created.error();
  EXPECT_EQ(in_a("tc filter show dev vA parent 7a:").output.find("flowid"), std::string::npos);
}

TEST_F(PortFilterTablesTest, TrafficFromAFilteredPortGoesToItsClass) {
  ChildProcess server(
      {"ip", "netns", "exec", testbed().namespace_b(), "iperf3", "-s", "-p", "5201", "--forceflush"});
  ASSERT_TRUE(server.wait_for_output("listening", std::chrono::seconds(5))) << server.output();
  for (IpFamily family : {IpFamily::ipv4, IpFamily::ipv6}) {
    for (uint8_t protocol : {uint8_t(IPPROTO_TCP), uint8_t(IPPROTO_UDP)}) {
      const uint16_t port = uint16_t(41000 + installed_.size());
      install(filter(family, protocol, port));
      const std::string client = fmt::format("iperf3 -c {} -p 5201 -t 1 --cport {} {} >/dev/null 2>&1",
                                             family == IpFamily::ipv4 ? "10.77.0.2" : "fd77::2", port,
                                             protocol == IPPROTO_UDP ? "-u -b 20M" : "");
      const auto [filtered, other] = class_bytes_during(client);
      SCOPED_TRACE(client);
      // The data flows from the client port; the control connection (another
      // port) and neighbour discovery stay in the default class.
      EXPECT_GT(filtered, 1'000'000u);
      EXPECT_LT(other, filtered / 10);
    }
  }
  // A port without a filter stays in the default class.
  const auto [filtered, other] =
      class_bytes_during("iperf3 -c 10.77.0.2 -p 5201 -t 1 --cport 42999 >/dev/null 2>&1");
  EXPECT_LT(filtered, 10'000u);
  EXPECT_GT(other, 1'000'000u);
}

TEST_F(PortFilterTablesTest, SockDiagListsTheNamespacesSocketsWithTheirInodes) {
  // A listening TCP socket and a UDP socket of this process in namespace A.
  int tcp = -1, udp = -1;
  {
    ScopedNetworkNamespace inside(testbed().namespace_a());
    ASSERT_EQ(inside.error(), "");
    tcp = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  }
  ASSERT_GE(tcp, 0);
  ASSERT_GE(udp, 0);
  sockaddr_in6 tcp_address{};
  tcp_address.sin6_family = AF_INET6;
  tcp_address.sin6_port = htons(45123);
  ASSERT_EQ(::bind(tcp, reinterpret_cast<sockaddr*>(&tcp_address), sizeof(tcp_address)), 0);
  ASSERT_EQ(::listen(tcp, 1), 0);
  sockaddr_in udp_address{};
  udp_address.sin_family = AF_INET;
  udp_address.sin_port = htons(45124);
  ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&udp_address), sizeof(udp_address)), 0);

  std::optional<NetlinkSocket> diag;
  {
    ScopedNetworkNamespace inside(testbed().namespace_a());
    auto opened = NetlinkSocket::open(NETLINK_SOCK_DIAG);
    ASSERT_TRUE(opened) << opened.error();
    diag.emplace(std::move(*opened));
  }
  auto sockets = dump_local_sockets(*diag);
  ASSERT_TRUE(sockets) << sockets.error();
  const std::set<uint64_t> ours = socket_inodes_of(::getpid());
  std::vector<LocalSocket> found;
  for (const LocalSocket& socket : *sockets) {
    if (ours.contains(socket.inode)) found.push_back(socket);
  }
  ::close(tcp);
  ::close(udp);
  ASSERT_EQ(found.size(), 2u);
  std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.local_port < b.local_port; });
  EXPECT_EQ(found[0].family, IpFamily::ipv6);
  EXPECT_EQ(found[0].protocol, IPPROTO_TCP);
  EXPECT_EQ(found[0].local_port, 45123);
  EXPECT_FALSE(found[0].v6_only);
  EXPECT_EQ(found[1].family, IpFamily::ipv4);
  EXPECT_EQ(found[1].protocol, IPPROTO_UDP);
  EXPECT_EQ(found[1].local_port, 45124);
}

}  // namespace
}  // namespace nettoll::testing
