// SPDX-License-Identifier: Apache-2.0
#include "clients/scgi_transport.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace nettoll {
namespace {

using Clock = std::chrono::steady_clock;

struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) close(fd);
  }
};

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Waits until `fd` is ready for `events`; fails when the deadline passes.
Result<void> wait_for(int fd, short events, Clock::time_point deadline, const std::string& what) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Error{what + ": timed out"};
    pollfd entry{fd, events, 0};
    const int ready = poll(&entry, 1, static_cast<int>(left));
    if (ready > 0) return success();
    if (ready < 0 && errno != EINTR) return Error{errno_text(what)};
  }
}

// Starts a non-blocking connect to host:port or a unix socket path and waits for it.
Result<void> connect_to(Descriptor& socket_fd, const std::string& address, Clock::time_point deadline) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNIX;
  if (!address.empty() && address[0] == '/') {
    sockaddr_un* unix_address = reinterpret_cast<sockaddr_un*>(&storage);
    if (address.size() >= sizeof unix_address->sun_path) return Error{"socket path too long: " + address};
    unix_address->sun_family = AF_UNIX;
    std::memcpy(unix_address->sun_path, address.c_str(), address.size() + 1);
    length = sizeof(sockaddr_un);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos)
      return Error{"expected host:port or a socket path, got '" + address + "'"};
    std::string host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), address.c_str() + colon + 1, &hints, &found); rc != 0) {
      return Error{"cannot resolve '" + address + "': " + gai_strerror(rc)};
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, freeaddrinfo);
    std::memcpy(&storage, found->ai_addr, found->ai_addrlen);
    length = found->ai_addrlen;
    family = found->ai_family;
  }
  socket_fd.fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (socket_fd.fd < 0) return Error{errno_text("socket")};
  if (connect(socket_fd.fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) return success();
  if (errno != EINPROGRESS && errno != EAGAIN) return Error{errno_text("connect to " + address)};
  if (auto ready = wait_for(socket_fd.fd, POLLOUT, deadline, "connect to " + address); !ready) return ready;
  int error = 0;
  socklen_t error_length = sizeof error;
  getsockopt(socket_fd.fd, SOL_SOCKET, SO_ERROR, &error, &error_length);
  if (error != 0) return Error{"connect to " + address + ": " + std::strerror(error)};
  return success();
}

Result<void> send_all(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      data.remove_prefix(static_cast<size_t>(sent));
    } else if (errno == EAGAIN || errno == EINTR) {
      if (auto ready = wait_for(fd, POLLOUT, deadline, "send"); !ready) return ready;
    } else {
      return Error{errno_text("send")};
    }
  }
  return success();
}

constexpr size_t kMaxReply = 1 << 20;

Result<std::string> receive_all(int fd, Clock::time_point deadline) {
  std::string reply;
  char buffer[4096];
  for (;;) {
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got == 0) return reply;
    if (got > 0) {
      reply.append(buffer, static_cast<size_t>(got));
      if (reply.size() > kMaxReply) return Error{"reply larger than 1 MiB"};
    } else if (errno == EAGAIN || errno == EINTR) {
      if (auto ready = wait_for(fd, POLLIN, deadline, "reply"); !ready) return Error{ready.error()};
    } else {
      return Error{errno_text("recv")};
    }
  }
}

}  // namespace

std::string format_scgi_request(std::string_view body) {
  std::string headers = "CONTENT_LENGTH";
  headers += '\0';
  headers += std::to_string(body.size());
  headers += '\0';
  headers += "SCGI";
  headers += '\0';
  headers += "1";
  headers += '\0';
  return std::to_string(headers.size()) + ":" + headers + "," + std::string(body);
}

Result<std::string> parse_scgi_reply(std::string_view reply) {
  const size_t end = reply.find("\r\n\r\n");
  if (end == std::string_view::npos) return Error{"not an SCGI reply (no header end)"};
  const std::string_view headers = reply.substr(0, end);
  const size_t status = headers.find("Status:");
  if (status != std::string_view::npos) {
    const std::string_view code = headers.substr(status + 7, 4);
    if (code.find("200") == std::string_view::npos) {
      return Error{"SCGI status " +
                   std::string(headers.substr(status + 7, headers.find('\r', status) - status - 7))};
    }
  }
  return std::string(reply.substr(end + 4));
}

Result<std::string> scgi_call(const std::string& address, std::string_view body,
                              std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  Descriptor socket_fd;
  if (auto connected = connect_to(socket_fd, address, deadline); !connected) return Error{connected.error()};
  if (auto sent = send_all(socket_fd.fd, format_scgi_request(body), deadline); !sent)
    return Error{sent.error()};
  auto reply = receive_all(socket_fd.fd, deadline);
  if (!reply) return Error{reply.error()};
  return parse_scgi_reply(*reply);
}

}  // namespace nettoll
