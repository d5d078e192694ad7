// SPDX-License-Identifier: Apache-2.0
#include "daemon/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace nettoll {
namespace {

Error failure(const std::string& path, const std::string& step) {
  return Error{path + ": " + step + ": " + std::strerror(errno)};
}

Result<void> write_all(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t written = write(fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return failure(path, "write");
    done += static_cast<size_t>(written);
  }
  return success();
}

}  // namespace

Result<StateDocument> StateFile::load() const {
  std::error_code error;
  if (!std::filesystem::exists(path_, error) && !error) return StateDocument{};
  std::ifstream file(path_);
  if (!file) return failure(path_, "read");
  std::ostringstream text;
  text << file.rdbuf();
  auto state = parse_state_document(text.str());
  if (!state) return Error{path_ + ": " + state.error()};
  return state;
}

Result<void> StateFile::save(const StateDocument& state) const {
  const std::filesystem::path target(path_);
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  std::error_code ignored;
  if (std::filesystem::create_directories(directory, ignored)) chmod(directory.c_str(), 0700);
  const std::string temp = path_ + ".tmp";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failure(temp, "create");
  Result<void> written = write_all(fd, format_state_document(state), temp);
  if (written && fsync(fd) != 0) written = failure(temp, "fsync");
  close(fd);
  if (written && rename(temp.c_str(), path_.c_str()) != 0) written = failure(path_, "rename");
  if (!written) {
    unlink(temp.c_str());
    return written;
  }
  // The rename is durable once the directory entry is.
  const int directory_fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0) {
    fsync(directory_fd);
    close(directory_fd);
  }
  return success();
}

}  // namespace nettoll
