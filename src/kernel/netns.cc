// SPDX-License-Identifier: Apache-2.0
#include "kernel/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nettoll {
namespace {

constexpr const char* kNamedNamespaceDirectory = "/run/netns/";

}  // namespace

Result<void> enter_network_namespace(const std::string& name) {
  const std::string what = "cannot enter network namespace " + name;
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return Error{what + ": not a namespace name (expected a name from `ip netns list`)"};
  }
  const std::string path = kNamedNamespaceDirectory + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    std::string message = what + ": " + path + ": " + std::strerror(error);
    if (error == ENOENT) message += " (create it with `ip netns add " + name + "`)";
    return Error{message};
  }
  const int entered = ::setns(fd, CLONE_NEWNET);
  const int error = errno;
  ::close(fd);
  if (entered != 0) {
    std::string message = what + ": " + std::strerror(error);
    if (error == EPERM) message += " (needs CAP_SYS_ADMIN)";
    if (error == EINVAL) message += " (" + path + " is not a network namespace)";
    return Error{message};
  }
  return success();
}

}  // namespace nettoll
