// SPDX-License-Identifier: Apache-2.0
#include "kernel/proc_connector.h"

#include <arpa/inet.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

namespace nettoll {
namespace {

// Room for bursts of fork/exit storms (a parallel build) before the kernel
// drops events; each event costs one small skb.
constexpr int kReceiveBufferBytes = 4 << 20;

// One read_events call stops after this many datagrams (one event each) so a
// fork storm cannot keep the event loop here; the socket stays readable.
constexpr int kMaxDatagramsPerRead = 4096;

// Errors from opening: what failed, why, and the fix where there is one.
Error open_error(const std::string& step, int error) {
  std::string message = "cannot " + step + ": " + std::strerror(error);
  if (error == ECONNREFUSED) {
    message +=
        " (the proc connector only works in the initial network namespace; open it before entering "
        "--netns)";
  } else if (error == EPERM || error == EACCES) {
    message += " (needs root or CAP_NET_ADMIN)";
  } else if (error == EPROTONOSUPPORT) {
    message += " (the kernel lacks the proc connector: CONFIG_CONNECTOR and CONFIG_PROC_EVENTS)";
  }
  return Error{message};
}

// Sends LISTEN or IGNORE to the proc connector; 0 or the errno.
int send_multicast_op(int fd, proc_cn_mcast_op op) {
  // nlmsghdr, cn_msg, then the op: assembled byte by byte, as cn_msg ends in
  // a flexible array and cannot be a member of a request struct.
  std::array<char, NLMSG_HDRLEN + sizeof(cn_msg) + sizeof(op)> request{};
  nlmsghdr header{};
  header.nlmsg_len = request.size();
  header.nlmsg_type = NLMSG_DONE;  // connector requests are single-part messages
  cn_msg connector{};
  connector.id.idx = CN_IDX_PROC;
  connector.id.val = CN_VAL_PROC;
  connector.len = sizeof(op);
  std::memcpy(request.data(), &header, sizeof(header));
  std::memcpy(request.data() + NLMSG_HDRLEN, &connector, sizeof(connector));
  std::memcpy(request.data() + NLMSG_HDRLEN + sizeof(connector), &op, sizeof(op));
  const sockaddr_nl kernel{.nl_family = AF_NETLINK};
  const ssize_t sent = ::sendto(fd, request.data(), request.size(), 0,
                                reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel));
  return sent < 0 ? errno : 0;
}

void enlarge_receive_buffer(int fd) {
  // SO_RCVBUFFORCE passes rmem_max (root); SO_RCVBUF is the unprivileged
  // best effort. Neither failing is fatal: overflow is reported to the caller.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBufferBytes, sizeof(kReceiveBufferBytes)) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes, sizeof(kReceiveBufferBytes));
  }
}

// Where a proc connector datagram keeps what the filter reads: the
// netlink header, the connector header, then the proc_event.
constexpr uint32_t kEventOffset = NLMSG_HDRLEN + sizeof(cn_msg);
constexpr uint32_t kWhat = kEventOffset + offsetof(proc_event, what);
constexpr uint32_t kForkChildPid = kEventOffset + offsetof(proc_event, event_data.fork.child_pid);
constexpr uint32_t kForkChildTgid = kEventOffset + offsetof(proc_event, event_data.fork.child_tgid);
constexpr uint32_t kExitPid = kEventOffset + offsetof(proc_event, event_data.exit.process_pid);
constexpr uint32_t kExitTgid = kEventOffset + offsetof(proc_event, event_data.exit.process_tgid);

// Classic BPF loads words in network byte order; proc_event fields are in
// host order, so constants are compared as the load sees them.
uint32_t as_loaded(uint32_t host_value) { return ntohl(host_value); }

// A socket filter that drops in the kernel what nettoll never uses, so it
// does not wake the daemon: threads being created or exiting (a browser
// makes thousands), gid/sid/ptrace/coredump events, and with
// ExitEvents::dropped every exit. Kept: forks of processes, exec, comm, uid
// and the connector's acknowledgements (PROC_EVENT_NONE).
std::vector<sock_filter> event_filter(ExitEvents exits) {
  constexpr uint8_t kFork = 8, kExit = 13, kDrop = 20, kAccept = 21;  // instruction indices
  const auto jump_if = [](uint32_t value, uint8_t from, uint8_t to) {
    return sock_filter BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, uint8_t(to - from - 1), 0);
  };
  const uint32_t keep_exits = exits == ExitEvents::delivered ? 1 : 0;
  return {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kWhat),
      /* 1 */ jump_if(as_loaded(proc_event::PROC_EVENT_FORK), 1, kFork),
      /* 2 */ jump_if(as_loaded(proc_event::PROC_EVENT_EXIT), 2, kExit),
      /* 3 */ jump_if(as_loaded(proc_event::PROC_EVENT_EXEC), 3, kAccept),
      /* 4 */ jump_if(as_loaded(proc_event::PROC_EVENT_COMM), 4, kAccept),
      /* 5 */ jump_if(as_loaded(proc_event::PROC_EVENT_UID), 5, kAccept),
      /* 6 */ jump_if(as_loaded(proc_event::PROC_EVENT_NONE), 6, kAccept),
      /* 7 */ BPF_STMT(BPF_RET | BPF_K, 0),
      // fork: a process (child pid == child tgid), not a thread
      /* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kForkChildTgid),
      /* 9 */ BPF_STMT(BPF_ST, 0),
      /* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kForkChildPid),
      /* 11 */ BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 0),
      /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, kAccept - 13, kDrop - 13),
      // exit: when wanted, of a process's main thread
      /* 13 */ BPF_STMT(BPF_LD | BPF_W | BPF_IMM, keep_exits),
      /* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, kDrop - 15, 0),
      /* 15 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kExitTgid),
      /* 16 */ BPF_STMT(BPF_ST, 0),
      /* 17 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kExitPid),
      /* 18 */ BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 0),
      /* 19 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, kAccept - 20, kDrop - 20),
      /* 20 */ BPF_STMT(BPF_RET | BPF_K, 0),
      /* 21 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
  };
}

// Attaches event_filter; without it every event still arrives and is
// sorted out in userspace, so failing is not fatal.
void attach_event_filter(int fd, ExitEvents exits) {
  std::vector<sock_filter> program = event_filter(exits);
  const sock_fprog filter{static_cast<unsigned short>(program.size()), program.data()};
  (void)::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof(filter));
}

ProcEvent make_event(ProcEvent::Kind kind, pid_t pid, const proc_event& raw) {
  ProcEvent event;
  event.kind = kind;
  event.pid = pid;
  event.timestamp_ns = raw.timestamp_ns;
  return event;
}

// The process-level event in `raw`, or nullopt for thread events, acks and
// kinds nettoll does not follow.
std::optional<ProcEvent> to_process_event(const proc_event& raw) {
  const auto& data = raw.event_data;
  switch (raw.what) {
    case proc_event::PROC_EVENT_FORK: {
      if (data.fork.child_pid != data.fork.child_tgid) return std::nullopt;  // a new thread
      ProcEvent event = make_event(ProcEvent::fork, data.fork.child_tgid, raw);
      event.parent_tgid = data.fork.parent_tgid;
      return event;
    }
    case proc_event::PROC_EVENT_EXEC:
      return make_event(ProcEvent::exec, data.exec.process_tgid, raw);
    case proc_event::PROC_EVENT_EXIT: {
      if (data.exit.process_pid != data.exit.process_tgid) return std::nullopt;  // a thread ended
      ProcEvent event = make_event(ProcEvent::exit, data.exit.process_tgid, raw);
      event.parent_tgid = data.exit.parent_tgid;
      return event;
    }
    case proc_event::PROC_EVENT_COMM: {
      if (data.comm.process_pid != data.comm.process_tgid) return std::nullopt;  // a thread renamed
      ProcEvent event = make_event(ProcEvent::comm, data.comm.process_tgid, raw);
      event.name.assign(data.comm.comm, ::strnlen(data.comm.comm, sizeof(data.comm.comm)));
      return event;
    }
    case proc_event::PROC_EVENT_UID: {
      if (data.id.process_pid != data.id.process_tgid) return std::nullopt;
      ProcEvent event = make_event(ProcEvent::uid, data.id.process_tgid, raw);
      event.real_uid = data.id.r.ruid;
      event.effective_uid = data.id.e.euid;
      return event;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

void parse_proc_datagram(const char* data, size_t length, std::vector<ProcEvent>& events) {
  size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= length) {
    nlmsghdr header;
    std::memcpy(&header, data + offset, sizeof(header));
    if (header.nlmsg_len < sizeof(header) || offset + header.nlmsg_len > length) return;
    const char* payload = data + offset + NLMSG_HDRLEN;
    const size_t payload_length = header.nlmsg_len - NLMSG_HDRLEN;
    offset += NLMSG_ALIGN(header.nlmsg_len);
    // The connector sends every message as a single-part NLMSG_DONE.
    if (header.nlmsg_type != NLMSG_DONE || payload_length < sizeof(cn_msg)) continue;
    cn_msg message;
    std::memcpy(&message, payload, sizeof(message));
    if (message.id.idx != CN_IDX_PROC || message.id.val != CN_VAL_PROC) continue;
    // Older kernels send a shorter proc_event; the missing tail stays zero.
    proc_event raw{};
    std::memcpy(&raw, payload + sizeof(cn_msg),
                std::min({size_t{message.len}, sizeof(raw), payload_length - sizeof(cn_msg)}));
    if (auto event = to_process_event(raw)) events.push_back(std::move(*event));
  }
}

Result<ProcConnector> ProcConnector::open(ExitEvents exits) {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return open_error("open a proc connector socket", errno);
  ProcConnector connector(fd, exits);  // closes fd on every failure below
  enlarge_receive_buffer(fd);
  attach_event_filter(fd, exits);
  const sockaddr_nl local{.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
    return open_error("subscribe to process events", errno);
  }
  if (const int error = send_multicast_op(fd, PROC_CN_MCAST_LISTEN); error != 0) {
    return open_error("listen to process events", error);
  }
  connector.listening_ = true;
  return connector;
}

void ProcConnector::restore_event_filter() { attach_event_filter(fd_, exits_); }

ProcConnector::~ProcConnector() {
  if (fd_ < 0) return;
  // The kernel counts listeners and builds events while any remain: say we
  // are leaving rather than keep it working for nobody.
  if (listening_) (void)send_multicast_op(fd_, PROC_CN_MCAST_IGNORE);
  ::close(fd_);
}

ProcConnector::ProcConnector(ProcConnector&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      exits_(other.exits_),
      listening_(std::exchange(other.listening_, false)) {}

ProcConnector& ProcConnector::operator=(ProcConnector&& other) noexcept {
  if (this != &other) {
    ProcConnector old(std::move(*this));
    fd_ = std::exchange(other.fd_, -1);
    exits_ = other.exits_;
    listening_ = std::exchange(other.listening_, false);
  }
  return *this;
}

Result<ProcEventBatch> ProcConnector::read_events() {
  ProcEventBatch batch;
  // Several datagrams per system call: a process's fork, exec and exit often
  // queue together, and on a busy machine every saved call counts.
  constexpr unsigned kBatch = 16;
  std::array<std::array<char, 1024>, kBatch> buffers;
  for (int datagrams = 0; datagrams < kMaxDatagramsPerRead;) {
    std::array<iovec, kBatch> vectors{};
    std::array<sockaddr_nl, kBatch> senders{};
    std::array<mmsghdr, kBatch> messages{};
    for (unsigned i = 0; i < kBatch; ++i) {
      vectors[i] = {buffers[i].data(), buffers[i].size()};
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_name = &senders[i];
      messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
    }
    const int received = ::recvmmsg(fd_, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (received < 0) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) return batch;
      if (error == EINTR) continue;
      if (error == ENOBUFS) {  // events were dropped; later ones still queue
        batch.overflowed = true;
        ++datagrams;
        continue;
      }
      return Error{"cannot read process events: " + std::string(std::strerror(error))};
    }
    for (int i = 0; i < received; ++i) {
      if (senders[i].nl_pid != 0) continue;  // only the kernel speaks for the proc connector
      parse_proc_datagram(buffers[i].data(), messages[i].msg_len, batch.events);
    }
    datagrams += received;
    // A short batch emptied the queue: no need for a call that says so.
    if (received < int(kBatch)) return batch;
  }
  return batch;
}

}  // namespace nettoll
