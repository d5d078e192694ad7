// SPDX-License-Identifier: Apache-2.0
// ApiFixture: `nettoll daemon` in a namespace testbed (A routes to B), with
// its own socket, token and state files, and HTTP helpers that call it over
// the unix socket or over loopback TCP inside namespace A.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "child_process.h"
#include "test_cgroup.h"
#include "testbed.h"

namespace nettoll::testing {

using namespace std::chrono_literals;

constexpr int kApiPort = 7657;  // the default, inside the test's own namespace

inline sockaddr_in loopback_address(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// One GET, DELETE or POST (JSON) to 127.0.0.1:`port` inside namespace `name`.
inline httplib::Result http_in_namespace(const std::string& name, int port, const std::string& method,
                                         const std::string& path, const httplib::Headers& headers,
                                         const std::string& body = "") {
  ScopedNetworkNamespace inside(name);
  EXPECT_EQ(inside.error(), "");
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  if (method == "GET") return client.Get(path, headers);
  if (method == "DELETE") return client.Delete(path, headers);
  return client.Post(path, headers, body, "application/json");
}

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces)";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    cgroup_ = std::make_unique<TestCgroup>("api-test");
    if (cgroup_->path().empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    directory_ = "/tmp/nettoll-api-test-" + std::to_string(getpid());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    config_path_ = directory_ + "/nettoll.yaml";
    socket_path_ = directory_ + "/run/api.sock";
    token_path_ = directory_ + "/api-token";
    state_path_ = directory_ + "/state.json";
    testbed_->run_in_a("ip route add default via 10.77.0.2 dev vA");
  }
  void TearDown() override {
    daemon_.reset();
    cgroup_.reset();
    std::filesystem::remove_all(directory_);
  }

  std::string reservations_config() const { return "reservations:\n  token-file: " + token_path_ + "\n"; }
  std::string api_config() const { return "api:\n  token-file: " + token_path_ + "\n"; }

  void start_daemon(const std::string& config) {
    std::ofstream(config_path_) << config;
    std::vector<std::string> argv{
        nettoll_binary(),        "daemon",    "-c",         config_path_,    "--netns",
        testbed_->namespace_a(), "--socket",  socket_path_, "--runtime-dir", directory_ + "/run",
        "--state-file",          state_path_, "--cgroup",   cgroup_->path(), "--usage-db",
        directory_ + "/usage.db"};
    argv.insert(argv.end(), extra_arguments_.begin(), extra_arguments_.end());
    daemon_ = std::make_unique<ChildProcess>(argv);
    ASSERT_TRUE(daemon_->wait_for_output("managed interface", 10s)) << daemon_->output();
  }

  std::string token() const {
    std::ifstream file(token_path_);
    std::string line;
    std::getline(file, line);
    return line;
  }

  // One request to 127.0.0.1:7657 inside namespace A.
  httplib::Result tcp(const std::string& method, const std::string& path, const httplib::Headers& headers,
                      const std::string& body = "") const {
    return http_in_namespace(testbed_->namespace_a(), kApiPort, method, path, headers, body);
  }
  httplib::Headers with_token() const { return {{"Authorization", "Bearer " + token()}}; }

  httplib::Result over_unix(const std::string& method, const std::string& path,
                            const std::string& body = "") const {
    httplib::Client client(socket_path_, 80);
    client.set_address_family(AF_UNIX);
    client.set_read_timeout(10, 0);
    if (method == "GET") return client.Get(path);
    if (method == "DELETE") return client.Delete(path);
    return client.Post(path, body, "application/json");
  }

  // A TCP connection inside namespace A that sends the start of a request
  // and then nothing: what a stalled or hostile client does.
  int stalled_client(const std::string& partial_request = "GET /v1/status HTTP/1.1\r\nHost: 127") const {
    ScopedNetworkNamespace inside(testbed_->namespace_a());
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback_address(kApiPort);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(send(fd, partial_request.data(), partial_request.size(), 0),
              static_cast<ssize_t>(partial_request.size()));
    return fd;
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> daemon_;
  std::unique_ptr<TestCgroup> cgroup_;        // the daemon classifies only in here
  std::vector<std::string> extra_arguments_;  // appended to the daemon's command line
  std::string directory_, config_path_, socket_path_, token_path_, state_path_;
};

}  // namespace nettoll::testing
