#include "daemon/status_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace nettoll {
namespace {

constexpr size_t kMaxRequest = 1024;

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return Error{"socket path too long: " + path};
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

std::string errno_text() { return std::strerror(errno); }

// A client that stalls must not stall the daemon's loop.
void set_timeouts(int fd) {
  timeval timeout{0, 200'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

void write_all(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n <= 0) return;
    written += static_cast<size_t>(n);
  }
}

}  // namespace

Result<StatusSocket> StatusSocket::listen(const std::string& path, Handler handler) {
  auto address = address_of(path);
  if (!address) return Error{address.error()};
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (std::filesystem::create_directories(directory, ignored)) chmod(directory.c_str(), 0700);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Error{"cannot create the status socket: " + errno_text()};
  unlink(path.c_str());
  const mode_t old_mask = umask(0077);  // root only: the socket will also take writes
  const int bound = bind(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof(sockaddr_un));
  umask(old_mask);
  if (bound < 0 || ::listen(fd, 16) < 0) {
    const std::string reason = errno_text();
    close(fd);
    return Error{"cannot listen on " + path + ": " + reason};
  }
  return StatusSocket(fd, path, std::move(handler));
}

StatusSocket::StatusSocket(StatusSocket&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), handler_(std::move(other.handler_)) {
  other.fd_ = -1;
}

StatusSocket::~StatusSocket() {
  if (fd_ < 0) return;
  close(fd_);
  unlink(path_.c_str());
}

void StatusSocket::serve_one() {
  const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  set_timeouts(client);
  std::string request;
  char buffer[256];
  while (request.size() < kMaxRequest && request.find('\n') == std::string::npos) {
    const ssize_t n = read(client, buffer, sizeof buffer);
    if (n <= 0) break;
    request.append(buffer, static_cast<size_t>(n));
  }
  request = request.substr(0, request.find('\n'));
  write_all(client, handler_(request) + "\n");
  close(client);
}

Result<std::string> ask_daemon(const std::string& path, const std::string& request) {
  auto address = address_of(path);
  if (!address) return Error{address.error()};
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"cannot create a socket: " + errno_text()};
  if (connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof(sockaddr_un)) < 0) {
    const std::string reason = errno_text();
    close(fd);
    return Error{"no daemon is running (cannot connect to " + path + ": " + reason + ")"};
  }
  write_all(fd, request + "\n");
  std::string answer;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, static_cast<size_t>(n));
  close(fd);
  return answer;
}

}  // namespace nettoll
