// SPDX-License-Identifier: Apache-2.0
#include "api/token_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/random_secret.h"

namespace nettoll {
namespace {

Result<std::string> create_token_file(const std::string& path) {
  const auto directory = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!directory.empty() && std::filesystem::create_directories(directory, ignored))
    chmod(directory.c_str(), 0700);
  auto token = random_secret(32);
  if (!token) return Error{"cannot make the API token: " + token.error()};
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{"cannot create the API token file " + path + ": " + std::strerror(errno) +
                 " (put a token of your choice in it, mode 0600)"};
  }
  const std::string line = *token + "\n";
  const bool written =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) {
    unlink(path.c_str());
    return Error{"cannot write the API token file " + path};
  }
  spdlog::info("created the API token file {} (mode 0600)", path);
  return token;
}

}  // namespace

std::string token_from_text(const std::string& text) {
  const std::string line = text.substr(0, text.find('\n'));
  const size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
}

Result<std::string> load_or_create_token(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return create_token_file(path);
    return Error{"cannot read the API token file " + path + ": " + std::strerror(errno)};
  }
  std::ifstream file(path);
  if (!file) return Error{"cannot read the API token file " + path + ": " + std::strerror(errno)};
  std::stringstream text;
  text << file.rdbuf();
  std::string token = token_from_text(text.str());
  if (token.empty()) return Error{"the API token file " + path + " is empty; delete it to get a new token"};
  if (info.st_mode & 077) spdlog::warn("{} is readable by other users: chmod 600 it", path);
  return token;
}

}  // namespace nettoll
