// The daemon's local control socket (/run/nettoll/api.sock, root only): a
// client sends one request line ("GET /v1/status"), the daemon answers with
// one JSON document and closes. Read-only for now; the HTTP API comes with
// reservations.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"

namespace nettoll {

inline constexpr const char* kDefaultStatusSocket = "/run/nettoll/api.sock";

class StatusSocket {
 public:
  // Answers a request line with a JSON document.
  using Handler = std::function<std::string(const std::string& request)>;

  // Creates the socket (and its directory, mode 0700), replacing a stale one.
  static Result<StatusSocket> listen(const std::string& path, Handler handler);
  StatusSocket(StatusSocket&& other) noexcept;
  StatusSocket& operator=(StatusSocket&&) = delete;
  ~StatusSocket();

  int fd() const { return fd_; }
  // Accepts one waiting client and answers it (called when fd() is readable).
  void serve_one();

 private:
  StatusSocket(int fd, std::string path, Handler handler)
      : fd_(fd), path_(std::move(path)), handler_(std::move(handler)) {}
  int fd_ = -1;
  std::string path_;
  Handler handler_;
};

// Client side: sends `request` to the daemon at `path` and returns its answer.
// Fails with "no daemon is running (...)" when nothing listens there.
Result<std::string> ask_daemon(const std::string& path, const std::string& request);

}  // namespace nettoll
