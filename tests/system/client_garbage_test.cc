// SPDX-License-Identifier: Apache-2.0
// Torrent client adapters against servers on loopback that answer garbage,
// wrong statuses or nothing: a clear error naming the client, never a crash
// or a hang past the adapter's timeout.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "clients/client_factory.h"

namespace nettoll::testing {
namespace {

using std::chrono::milliseconds;

// An HTTP server on 127.0.0.1 answering every request with `status` and `body`.
class GarbageHttpServer {
 public:
  GarbageHttpServer(int status, std::string body) {
    auto handler = [status, body](const httplib::Request&, httplib::Response& response) {
      response.status = status;
      response.set_content(body, "text/html");
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the thread accepts.
  }
  ~GarbageHttpServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A TCP server on 127.0.0.1 that writes `reply` to each connection (or
// nothing, holding it open, when `reply` is empty) and closes it.
class RawServer {
 public:
  explicit RawServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 4);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    stopping_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    while (!stopping_) {
      const int connection = accept(fd_, nullptr, nullptr);
      if (connection < 0) return;
      char buffer[4096];
      (void)!recv(connection, buffer, sizeof buffer, 0);
      if (!reply_.empty()) (void)!send(connection, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      if (reply_.empty()) {
        // Silent: keep the connection open until the client gives up.
        (void)!recv(connection, buffer, sizeof buffer, 0);
      }
      close(connection);
    }
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

std::unique_ptr<TorrentClient> client_for(ClientType type, const std::string& where) {
  TorrentClientConfig config;
  config.type = type;
  (type == ClientType::rtorrent ? config.scgi : config.url) = where;
  auto client = make_torrent_client(config, milliseconds(500));
  EXPECT_TRUE(client) << client.error();
  return client ? std::move(*client) : nullptr;
}

TEST(ClientGarbageTest, HttpClientsNameTheProblem) {
  GarbageHttpServer html(200, "<html>It works!</html>");
  GarbageHttpServer forbidden(403, "Forbidden");
  GarbageHttpServer conflict(409, "no session id header");
  struct Case {
    ClientType type;
    std::string url;
    std::string expected;
  };
  const Case cases[] = {
      {ClientType::transmission, html.url("/transmission/rpc"), "reply is not JSON"},
      {ClientType::transmission, forbidden.url("/transmission/rpc"), "HTTP 403"},
      {ClientType::transmission, conflict.url("/transmission/rpc"), "409 without X-Transmission-Session-Id"},
      {ClientType::qbittorrent, html.url(""), "login refused"},
      {ClientType::qbittorrent, forbidden.url(""), "login refused"},
  };
  for (const Case& c : cases) {
    auto client = client_for(c.type, c.url);
    ASSERT_TRUE(client);
    auto limits = client->read_limits();
    ASSERT_FALSE(limits) << c.url;
    EXPECT_NE(limits.error().find(c.expected), std::string::npos) << c.url << ": " << limits.error();
    EXPECT_FALSE(client->set_limits(ClientLimits{})) << c.url;
  }
}

TEST(ClientGarbageTest, RtorrentGarbageAndSilenceAreErrors) {
  RawServer garbage("Status: 200 OK\r\n\r\n<html>not xml-rpc</html>");
  RawServer truncated(
      "Status: 200 OK\r\nContent-Type: text/xml\r\n\r\n<methodResponse><params><param><value><i8>");
  RawServer no_header("HTTP/1.1 400 Bad Request");
  for (const RawServer* server : {&garbage, &truncated, &no_header}) {
    auto client = client_for(ClientType::rtorrent, server->address());
    auto limits = client->read_limits();
    ASSERT_FALSE(limits);
    EXPECT_NE(limits.error(), "");
  }
  RawServer silent("");
  auto client = client_for(ClientType::rtorrent, silent.address());
  const auto started = std::chrono::steady_clock::now();
  auto limits = client->read_limits();
  ASSERT_FALSE(limits);
  EXPECT_NE(limits.error().find("timed out"), std::string::npos) << limits.error();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(ClientGarbageTest, NothingListeningIsAnError) {
  auto rtorrent = client_for(ClientType::rtorrent, "/nonexistent/nettoll-test.sock");
  EXPECT_NE(rtorrent->read_limits().error().find("No such file"), std::string::npos);
  auto transmission = client_for(ClientType::transmission, "http://127.0.0.1:1/transmission/rpc");
  EXPECT_FALSE(transmission->read_limits());
}

}  // namespace
}  // namespace nettoll::testing
