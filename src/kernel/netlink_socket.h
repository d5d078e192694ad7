// SPDX-License-Identifier: Apache-2.0
// NetlinkSocket: one netlink socket (rtnetlink unless asked otherwise) with request/ack and
// dump helpers; NetlinkMessage: a request being built. The socket belongs to
// the network namespace of the thread that opened it (setns first to manage
// another namespace), for its whole life.
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

struct mnl_socket;

namespace nettoll {

// A request under construction: the netlink header, then an extra header
// (ifinfomsg, tcmsg) and attributes added with libmnl's mnl_attr_put*.
class NetlinkMessage {
 public:
  // A request of `type` with NLM_F_REQUEST | `flags`.
  NetlinkMessage(uint16_t type, uint16_t flags);
  NetlinkMessage(const NetlinkMessage&) = delete;
  NetlinkMessage& operator=(const NetlinkMessage&) = delete;

  nlmsghdr* header() { return header_; }

  // Appends the family header (zeroed) right after the netlink header.
  template <typename T>
  T* put_extra_header() {
    return static_cast<T*>(put_extra(sizeof(T)));
  }

 private:
  void* put_extra(size_t size);

  // Requests are small: a few fixed structs and attributes.
  alignas(NLMSG_ALIGNTO) std::array<char, 8192> buffer_{};
  nlmsghdr* header_;
};

// How a request went: the kernel's 0 or negative errno plus its extended ack
// message (NLMSGERR_ATTR_MSG) when it gave one, or a reply callback's error.
struct NetlinkStatus {
  int error = 0;
  std::string extack;
  std::string callback_error;
  bool ok() const { return error == 0 && callback_error.empty(); }
};

// Whether `message` is a whole netlink message within the `remaining` bytes
// of a receive buffer. mnl_nlmsg_ok alone compares the length as a signed
// int, so a length of 2^31 or more would pass.
bool netlink_message_fits(const nlmsghdr* message, int remaining);

// "cannot <what>: <strerror> (<extack>)": the text of every kernel refusal.
std::string describe_failure(const std::string& what, const NetlinkStatus& status);

class NetlinkSocket {
 public:
  // Called for each reply message of a dump or a get; an error stops reading
  // and becomes the result.
  using MessageCallback = std::function<Result<void>(const nlmsghdr*)>;

  // Opens and binds a netlink socket of `protocol` (NETLINK_ROUTE, or
  // NETLINK_SOCK_DIAG for socket dumps) in the calling thread's network
  // namespace, with extended acks. Fails with the errno of socket/bind.
  static Result<NetlinkSocket> open(int protocol = NETLINK_ROUTE);

  NetlinkSocket(NetlinkSocket&&) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&&) noexcept;
  ~NetlinkSocket();

  // Sends `message` with NLM_F_ACK and waits for the ack. Fails with
  // "cannot <what>: <reason>" when the kernel refuses.
  Result<void> request(nlmsghdr* message, const std::string& what);

  // Sends a NLM_F_DUMP request and calls `on_message` for every reply until
  // the dump ends. Fails with "cannot <what>: ..." on a kernel error.
  Result<void> dump(nlmsghdr* message, const std::string& what, const MessageCallback& on_message);

  // The raw exchange behind request/dump, for callers that build the error
  // text only on failure (naming a device costs a lookup). A non-dump message
  // gets NLM_F_ACK; reply messages go to `on_message` when given. Transport
  // failures (send/receive) are reported as their errno too.
  NetlinkStatus transact(nlmsghdr* message, const MessageCallback* on_message = nullptr);

  // The kernel's extended-ack warning on the last successful request
  // ("quantum of class 7A0001 is big..."), or "".
  const std::string& last_warning() const { return last_warning_; }

 private:
  explicit NetlinkSocket(mnl_socket* socket);
  NetlinkStatus read_replies(uint32_t seq, const MessageCallback* on_message);

  mnl_socket* socket_ = nullptr;
  uint32_t port_id_ = 0;
  uint32_t next_seq_ = 1;
  std::unique_ptr<char[]> receive_buffer_;
  std::string last_warning_;
};

}  // namespace nettoll
