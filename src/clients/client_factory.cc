// SPDX-License-Identifier: Apache-2.0
#include "clients/client_factory.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "clients/qbittorrent_client.h"
#include "clients/rtorrent_client.h"
#include "clients/transmission_client.h"

namespace nettoll {
namespace {

Result<std::string> read_password(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream file(path);
  if (!file) return Error{"password-file " + path + ": " + std::strerror(errno)};
  std::string password;
  std::getline(file, password);  // the first line; a trailing newline is not part of it
  return password;
}

}  // namespace

Result<std::unique_ptr<TorrentClient>> make_torrent_client(const TorrentClientConfig& config,
                                                           std::chrono::milliseconds timeout) {
  if (config.type == ClientType::rtorrent) {
    return std::unique_ptr<TorrentClient>(std::make_unique<RtorrentClient>(config.scgi, timeout));
  }
  auto endpoint = HttpEndpoint::parse(config.url);
  if (!endpoint) return Error{endpoint.error()};
  auto password = read_password(config.password_file);
  if (!password) return Error{password.error()};
  if (config.type == ClientType::transmission) {
    std::optional<std::pair<std::string, std::string>> credentials;
    if (!config.username.empty()) credentials.emplace(config.username, *password);
    return std::unique_ptr<TorrentClient>(
        std::make_unique<TransmissionClient>(std::move(*endpoint), std::move(credentials), timeout));
  }
  return std::unique_ptr<TorrentClient>(
      std::make_unique<QbittorrentClient>(std::move(*endpoint), config.username, *password, timeout));
}

}  // namespace nettoll
