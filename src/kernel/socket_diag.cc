// SPDX-License-Identifier: Apache-2.0
#include "kernel/socket_diag.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "kernel/process_info.h"

namespace nettoll {
namespace {

struct SocketKind {
  int family;
  uint8_t protocol;
  const char* name;
};

constexpr SocketKind kKinds[] = {
    {AF_INET, IPPROTO_TCP, "IPv4 TCP"},
    {AF_INET6, IPPROTO_TCP, "IPv6 TCP"},
    {AF_INET, IPPROTO_UDP, "IPv4 UDP"},
    {AF_INET6, IPPROTO_UDP, "IPv6 UDP"},
};

// Every TCP state but TIME_WAIT (a kernel-only remnant, inode 0); UDP sockets
// report TCP_CLOSE (unconnected) or TCP_ESTABLISHED (connected).
constexpr uint32_t kStates = ~(1u << TCP_TIME_WAIT);

int read_v6_only(const nlattr* attribute, void* data) {
  if (mnl_attr_get_type(attribute) == INET_DIAG_SKV6ONLY && mnl_attr_get_payload_len(attribute) >= 1) {
    *static_cast<bool*>(data) = *static_cast<const uint8_t*>(mnl_attr_get_payload(attribute)) != 0;
  }
  return MNL_CB_OK;
}

}  // namespace

std::optional<LocalSocket> parse_diag_socket(const nlmsghdr* reply, uint8_t protocol) {
  if (mnl_nlmsg_get_payload_len(reply) < sizeof(inet_diag_msg)) return std::nullopt;
  const auto* diag = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(reply));
  if (diag->idiag_inode == 0) return std::nullopt;
  LocalSocket socket;
  socket.family = diag->idiag_family == AF_INET6 ? IpFamily::ipv6 : IpFamily::ipv4;
  socket.protocol = protocol;
  socket.local_port = ntohs(diag->id.idiag_sport);
  socket.inode = diag->idiag_inode;
  if (socket.family == IpFamily::ipv6)
    mnl_attr_parse(reply, sizeof(inet_diag_msg), read_v6_only, &socket.v6_only);
  return socket;
}

namespace {

Result<void> dump_kind(NetlinkSocket& diag_socket, const SocketKind& kind,
                       std::vector<LocalSocket>& sockets) {
  NetlinkMessage message(SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
  auto* request = message.put_extra_header<inet_diag_req_v2>();
  request->sdiag_family = uint8_t(kind.family);
  request->sdiag_protocol = kind.protocol;
  request->idiag_states = kStates;
  const NetlinkSocket::MessageCallback on_socket = [&](const nlmsghdr* reply) -> Result<void> {
    if (auto socket = parse_diag_socket(reply, kind.protocol)) sockets.push_back(*socket);
    return success();
  };
  return diag_socket.dump(message.header(), std::string("list the ") + kind.name + " sockets", on_socket);
}

}  // namespace

Result<std::vector<LocalSocket>> dump_local_sockets(NetlinkSocket& diag_socket) {
  std::vector<LocalSocket> sockets;
  for (const SocketKind& kind : kKinds) {
    if (auto dumped = dump_kind(diag_socket, kind, sockets); !dumped) return Error{dumped.error()};
  }
  return sockets;
}

std::set<uint64_t> socket_inodes_of(pid_t pid) {
  std::set<uint64_t> inodes;
  auto sockets = socket_fds_of(pid);
  if (!sockets) return inodes;  // gone meanwhile
  for (const ProcessSocketFd& socket : *sockets) inodes.insert(socket.inode);
  return inodes;
}

}  // namespace nettoll
