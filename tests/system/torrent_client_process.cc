// SPDX-License-Identifier: Apache-2.0
#include "torrent_client_process.h"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "clients/client_factory.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

constexpr const char* kRtorrentPort = "127.0.0.1:15000";
constexpr int kTransmissionPort = 19091;
constexpr int kQbittorrentPort = 18080;

std::string find_program(const std::string& name) {
  for (const char* directory : {"/usr/bin/", "/usr/local/bin/"}) {
    std::string path = std::string(directory) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace

std::string to_string(RealClient client) {
  switch (client) {
    case RealClient::rtorrent_tcp:
      return "rtorrent_tcp";
    case RealClient::rtorrent_unix:
      return "rtorrent_unix";
    case RealClient::transmission:
      return "transmission";
    case RealClient::qbittorrent:
      return "qbittorrent";
  }
  return "?";
}

uint64_t in_client_unit(RealClient client, uint64_t bits_per_second) {
  const uint64_t bytes = bits_per_second / 8;
  const uint64_t unit = client == RealClient::transmission ? 1000 : 1024;
  return bytes / unit * unit;
}

TorrentClientProcess::TorrentClientProcess(RealClient client, std::string netns,
                                           std::filesystem::path directory)
    : client_(client), netns_(std::move(netns)), directory_(std::move(directory)) {
  std::filesystem::create_directories(directory_);
  write_config();
}

TorrentClientProcess::~TorrentClientProcess() { kill(); }

std::string TorrentClientProcess::program() const {
  switch (client_) {
    case RealClient::rtorrent_tcp:
    case RealClient::rtorrent_unix:
      return find_program("rtorrent");
    case RealClient::transmission:
      return find_program("transmission-daemon");
    case RealClient::qbittorrent:
      return find_program("qbittorrent-nox");
  }
  return "";
}

void TorrentClientProcess::write_config() const {
  const std::string dir = directory_.string();
  if (client_ == RealClient::rtorrent_tcp || client_ == RealClient::rtorrent_unix) {
    std::filesystem::create_directories(directory_ / "session");
    std::ofstream rc(directory_ / "rtorrent.rc");
    rc << "session.path.set = " << dir << "/session\n"
       << "directory.default.set = " << dir << "\n"
       << (client_ == RealClient::rtorrent_tcp ? std::string("network.scgi.open_port = ") + kRtorrentPort
                                               : "network.scgi.open_local = " + dir + "/rpc.sock")
       << "\n"
       << "network.bind_address.set = 127.0.0.1\nnetwork.port_range.set = 49164-49164\n"
       << "network.port_open.set = no\ndht.mode.set = disable\nprotocol.pex.set = no\n"
       << "trackers.use_udp.set = no\nsystem.daemon.set = true\n"
       << "throttle.global_up.max_rate.set_kb = 8000\n";  // the user's own limit, as the test sets it
  } else if (client_ == RealClient::transmission) {
    std::ofstream settings(directory_ / "settings.json");
    settings << R"({"dht-enabled": false, "pex-enabled": false, "lpd-enabled": false,
      "port-forwarding-enabled": false, "utp-enabled": false, "rpc-bind-address": "127.0.0.1",
      "rpc-port": )"
             << kTransmissionPort << R"(, "rpc-authentication-required": false, "rpc-whitelist-enabled": true,
      "rpc-whitelist": "127.0.0.1", "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
      "peer-port": 49166, "speed-limit-up": 8192, "speed-limit-up-enabled": true,
      "speed-limit-down-enabled": false, "download-dir": ")"
             << dir << R"(", "message-level": 1})";
  } else {
    std::filesystem::create_directories(directory_ / "qBittorrent" / "config");
    std::ofstream conf(directory_ / "qBittorrent" / "config" / "qBittorrent.conf");
    conf << "[LegalNotice]\nAccepted=true\n\n[BitTorrent]\nSession\\DHTEnabled=false\nSession\\PeXEnabled="
            "false\n"
         << "Session\\LSDEnabled=false\nSession\\GlobalUPSpeedLimit=8000\nSession\\Port="
            "49165\nSession\\Interface=lo\nSession\\InterfaceName=lo\n"
         << "Session\\DefaultSavePath=" << dir << "\n\n[Network]\nPortForwardingEnabled=false\n\n"
         << "[Preferences]\nWebUI\\Address=127.0.0.1\nWebUI\\Port=" << kQbittorrentPort
         << "\nWebUI\\UPnP=false\nConnection\\UPnP=false\n";
  }
}

void TorrentClientProcess::start() {
  const std::string dir = directory_.string();
  std::vector<std::string> argv = {"ip", "netns", "exec", netns_, program()};
  switch (client_) {
    case RealClient::rtorrent_tcp:
    case RealClient::rtorrent_unix:
      std::filesystem::remove(directory_ / "session" / "rtorrent.lock");
      argv.insert(argv.end(), {"-n", "-o", "import=" + dir + "/rtorrent.rc"});
      break;
    case RealClient::transmission:
      argv.insert(argv.end(), {"-f", "-g", dir});
      break;
    case RealClient::qbittorrent:
      argv.insert(argv.end(), {"--profile=" + dir});
      break;
  }
  process_ = std::make_unique<ChildProcess>(argv);
}

void TorrentClientProcess::kill() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait_for_exit(std::chrono::seconds(10));
  process_.reset();
}

TorrentClientConfig TorrentClientProcess::config() const {
  TorrentClientConfig config;
  switch (client_) {
    case RealClient::rtorrent_tcp:
      config.type = ClientType::rtorrent;
      config.scgi = kRtorrentPort;
      break;
    case RealClient::rtorrent_unix:
      config.type = ClientType::rtorrent;
      config.scgi = (directory_ / "rpc.sock").string();
      break;
    case RealClient::transmission:
      config.type = ClientType::transmission;
      config.url = "http://127.0.0.1:" + std::to_string(kTransmissionPort) + "/transmission/rpc";
      break;
    case RealClient::qbittorrent:
      config.type = ClientType::qbittorrent;
      config.url = "http://127.0.0.1:" + std::to_string(kQbittorrentPort);
      config.username = "admin";
      config.password_file = (directory_ / "password").string();
      std::ofstream(directory_ / "password") << "adminadmin\n";  // qBittorrent 4.5's default
      break;
  }
  return config;
}

std::string TorrentClientProcess::config_yaml() const {
  const TorrentClientConfig c = config();
  switch (c.type) {
    case ClientType::rtorrent:
      return "{type: rtorrent, scgi: " + c.scgi + "}";
    case ClientType::transmission:
      return "{type: transmission, url: " + c.url + "}";
    case ClientType::qbittorrent:
      return "{type: qbittorrent, url: " + c.url + ", username: " + c.username +
             ", password-file: " + c.password_file + "}";
  }
  return "";
}

Result<ClientLimits> TorrentClientProcess::read_limits() const {
  ScopedNetworkNamespace inside(netns_);
  if (!inside.error().empty()) return Error{inside.error()};
  auto client = make_torrent_client(config(), std::chrono::seconds(5));
  if (!client) return Error{client.error()};
  return (*client)->read_limits();
}

Result<void> TorrentClientProcess::wait_until_ready(std::chrono::seconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  Result<ClientLimits> limits = read_limits();
  while (!limits && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling an outside program's start
    limits = read_limits();
  }
  if (!limits) return Error{to_string(client_) + " did not answer: " + limits.error()};
  return success();
}

}  // namespace nettoll::testing
