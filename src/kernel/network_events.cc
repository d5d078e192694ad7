// SPDX-License-Identifier: Apache-2.0
#include "kernel/network_events.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace nettoll {

Result<NetworkEvents> NetworkEvents::open() {
  mnl_socket* socket = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (!socket)
    return Error{std::string("cannot open a netlink socket for network events: ") + std::strerror(errno)};
  NetworkEvents events(socket);
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) < 0) {
    return Error{std::string("cannot bind the network events socket: ") + std::strerror(errno)};
  }
  for (int group : {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
                    RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE}) {
    if (mnl_socket_setsockopt(socket, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
      return Error{"cannot subscribe to network events (group " + std::to_string(group) +
                   "): " + std::strerror(errno)};
    }
  }
  return events;
}

NetworkEvents::NetworkEvents(NetworkEvents&& other) noexcept : socket_(other.socket_) {
  other.socket_ = nullptr;
}

NetworkEvents::~NetworkEvents() {
  if (socket_) mnl_socket_close(socket_);
}

int NetworkEvents::fd() const { return mnl_socket_get_fd(socket_); }

Result<bool> NetworkEvents::drain() {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  bool any = false;
  for (;;) {
    const ssize_t n = mnl_socket_recvfrom(socket_, buffer.data(), buffer.size());
    if (n > 0) {
      any = true;
      continue;
    }
    if (n < 0 && errno == ENOBUFS) {
      any = true;  // notifications were lost: the caller re-reads the state anyway
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return Error{std::string("cannot read network events: ") + std::strerror(errno)};
    }
    return any;
  }
}

}  // namespace nettoll
