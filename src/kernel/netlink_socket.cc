// SPDX-License-Identifier: Apache-2.0
#include "kernel/netlink_socket.h"

#include <libmnl/libmnl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace nettoll {
namespace {

// Large enough for any dump batch the kernel sends (it fills up to 32 KiB).
constexpr size_t kReceiveBufferSize = 64 * 1024;

std::string errno_text(int error) { return std::strerror(error); }

struct ExtackAttributes {
  std::string message;
};

int collect_extack(const nlattr* attribute, void* data) {
  if (mnl_attr_get_type(attribute) == NLMSGERR_ATTR_MSG &&
      mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0) {
    static_cast<ExtackAttributes*>(data)->message = mnl_attr_get_str(attribute);
  }
  return MNL_CB_OK;
}

// The extended ack TLVs follow the error header and, unless the kernel capped
// the ack, a copy of the request's payload.
std::string extack_of(const nlmsghdr* reply, unsigned int header_size) {
  if (!(reply->nlmsg_flags & NLM_F_ACK_TLVS)) return "";
  unsigned int offset = header_size;
  if (header_size == sizeof(nlmsgerr) && !(reply->nlmsg_flags & NLM_F_CAPPED)) {
    const auto* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(reply));
    offset += error->msg.nlmsg_len - sizeof(nlmsghdr);
  }
  if (mnl_nlmsg_get_payload_len(reply) <= offset) return "";
  ExtackAttributes attributes;
  mnl_attr_parse(reply, offset, collect_extack, &attributes);
  return attributes.message;
}

}  // namespace

NetlinkMessage::NetlinkMessage(uint16_t type, uint16_t flags)
    : header_(mnl_nlmsg_put_header(buffer_.data())) {
  header_->nlmsg_type = type;
  header_->nlmsg_flags = NLM_F_REQUEST | flags;
}

void* NetlinkMessage::put_extra(size_t size) { return mnl_nlmsg_put_extra_header(header_, size); }

std::string describe_failure(const std::string& what, const NetlinkStatus& status) {
  if (!status.callback_error.empty()) return "cannot " + what + ": " + status.callback_error;
  std::string text = "cannot " + what + ": " + errno_text(-status.error);
  if (!status.extack.empty()) text += " (" + status.extack + ")";
  return text;
}

Result<NetlinkSocket> NetlinkSocket::open(int protocol) {
  mnl_socket* socket = mnl_socket_open2(protocol, SOCK_CLOEXEC);
  if (!socket) return Error{"cannot open a netlink socket: " + errno_text(errno)};
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) < 0) {
    const int error = errno;
    mnl_socket_close(socket);
    return Error{"cannot bind a netlink socket: " + errno_text(error)};
  }
  // Both are best effort: without them errors lose their explanation and acks
  // carry a copy of the request, which read_replies handles either way.
  int on = 1;
  mnl_socket_setsockopt(socket, NETLINK_EXT_ACK, &on, sizeof(on));
  mnl_socket_setsockopt(socket, NETLINK_CAP_ACK, &on, sizeof(on));
  return NetlinkSocket(socket);
}

NetlinkSocket::NetlinkSocket(mnl_socket* socket)
    : socket_(socket),
      port_id_(mnl_socket_get_portid(socket)),
      receive_buffer_(std::make_unique<char[]>(kReceiveBufferSize)) {}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept
    : socket_(std::exchange(other.socket_, nullptr)),
      port_id_(other.port_id_),
      next_seq_(other.next_seq_),
      receive_buffer_(std::move(other.receive_buffer_)),
      last_warning_(std::move(other.last_warning_)) {}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
  if (this != &other) {
    if (socket_) mnl_socket_close(socket_);
    socket_ = std::exchange(other.socket_, nullptr);
    port_id_ = other.port_id_;
    next_seq_ = other.next_seq_;
    receive_buffer_ = std::move(other.receive_buffer_);
    last_warning_ = std::move(other.last_warning_);
  }
  return *this;
}

bool netlink_message_fits(const nlmsghdr* message, int remaining) {
  return mnl_nlmsg_ok(message, remaining) && message->nlmsg_len <= static_cast<unsigned>(remaining);
}

NetlinkSocket::~NetlinkSocket() {
  if (socket_) mnl_socket_close(socket_);
}

Result<void> NetlinkSocket::request(nlmsghdr* message, const std::string& what) {
  NetlinkStatus status = transact(message);
  if (!status.ok()) return Error{describe_failure(what, status)};
  return success();
}

Result<void> NetlinkSocket::dump(nlmsghdr* message, const std::string& what,
                                 const MessageCallback& on_message) {
  message->nlmsg_flags |= NLM_F_DUMP;
  NetlinkStatus status = transact(message, &on_message);
  if (!status.ok()) return Error{describe_failure(what, status)};
  return success();
}

NetlinkStatus NetlinkSocket::transact(nlmsghdr* message, const MessageCallback* on_message) {
  last_warning_.clear();
  const uint32_t seq = next_seq_++;
  message->nlmsg_seq = seq;
  // A dump ends with NLMSG_DONE; anything else is confirmed by an ack.
  if ((message->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) message->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(socket_, message, message->nlmsg_len) < 0) {
    return NetlinkStatus{-errno, "send failed", ""};
  }
  return read_replies(seq, on_message);
}

NetlinkStatus NetlinkSocket::read_replies(uint32_t seq, const MessageCallback* on_message) {
  NetlinkStatus status;
  for (;;) {
    ssize_t length = mnl_socket_recvfrom(socket_, receive_buffer_.get(), kReceiveBufferSize);
    if (length < 0) {
      if (errno == EINTR) continue;
      return NetlinkStatus{-errno, "receive failed", ""};
    }
    int remaining = static_cast<int>(length);
    for (auto* reply = reinterpret_cast<const nlmsghdr*>(receive_buffer_.get());
         netlink_message_fits(reply, remaining); reply = mnl_nlmsg_next(reply, &remaining)) {
      // Replies to an earlier request that stopped reading early are skipped.
      if (!mnl_nlmsg_seq_ok(reply, seq) || !mnl_nlmsg_portid_ok(reply, port_id_)) continue;
      if (reply->nlmsg_type == NLMSG_ERROR) {
        if (mnl_nlmsg_get_payload_len(reply) < sizeof(nlmsgerr)) return NetlinkStatus{-EBADMSG, "", ""};
        const auto* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(reply));
        std::string extack = extack_of(reply, sizeof(nlmsgerr));
        if (error->error == 0) {
          last_warning_ = std::move(extack);
          return status;
        }
        return NetlinkStatus{error->error, std::move(extack), ""};
      }
      if (reply->nlmsg_type == NLMSG_DONE) {
        int error = 0;
        if (mnl_nlmsg_get_payload_len(reply) >= sizeof(int)) {
          std::memcpy(&error, mnl_nlmsg_get_payload(reply), sizeof(int));
        }
        if (error < 0) return NetlinkStatus{error, extack_of(reply, sizeof(int)), ""};
        return status;
      }
      if (reply->nlmsg_type < NLMSG_MIN_TYPE || !on_message || !status.callback_error.empty()) continue;
      // Keep reading after a callback error so the dump is drained.
      Result<void> handled = (*on_message)(reply);
      if (!handled) status.callback_error = handled.error();
    }
  }
}

}  // namespace nettoll
