// SPDX-License-Identifier: Apache-2.0
#include "kernel/namespace_processes.h"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>

#include "kernel/process_info.h"

namespace nettoll {
namespace {

int collect_nsid(const nlattr* attribute, void* data) {
  if (mnl_attr_get_type(attribute) == NETNSA_NSID && mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0)
    *static_cast<int32_t*>(data) = int32_t(mnl_attr_get_u32(attribute));
  return MNL_CB_OK;
}

std::string net_namespace_path(pid_t pid) { return "/proc/" + std::to_string(pid) + "/ns/net"; }

// The inode of the network namespace `path` (/proc/PID/ns/net) names.
std::optional<ino_t> namespace_inode(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return info.st_ino;
}

// The id of the namespace process `pid` lives in, as `socket`'s namespace
// numbers it; nullopt when the process is gone or its namespace has no id.
std::optional<int32_t> namespace_id_of_process(NetlinkSocket& socket, pid_t pid) {
  const int fd = ::open(net_namespace_path(pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto nsid = namespace_id_of(socket, fd);
  ::close(fd);
  if (!nsid || *nsid < 0) return std::nullopt;
  return *nsid;
}

}  // namespace

Result<int32_t> namespace_id_of(NetlinkSocket& socket, int netns_fd) {
  NetlinkMessage message(RTM_GETNSID, 0);
  message.put_extra_header<rtgenmsg>()->rtgen_family = AF_UNSPEC;
  mnl_attr_put_u32(message.header(), NETNSA_FD, uint32_t(netns_fd));
  int32_t nsid = -1;  // NETNSA_NSID_NOT_ASSIGNED
  NetlinkSocket::MessageCallback on_reply = [&](const nlmsghdr* reply) -> Result<void> {
    if (reply->nlmsg_type == RTM_NEWNSID) mnl_attr_parse(reply, sizeof(rtgenmsg), collect_nsid, &nsid);
    return success();
  };
  const NetlinkStatus status = socket.transact(message.header(), &on_reply);
  if (!status.ok()) return Error{describe_failure("ask for a network namespace's id", status)};
  return nsid;
}

Result<std::vector<NamespaceProcess>> processes_in_namespaces(NetlinkSocket& socket,
                                                              const std::set<int32_t>& nsids) {
  auto pids = list_processes();
  if (!pids) return Error{pids.error()};
  const std::optional<ino_t> own = namespace_inode("/proc/thread-self/ns/net");
  std::map<ino_t, std::optional<int32_t>> nsid_of_inode;  // asked once per namespace
  std::vector<NamespaceProcess> found;
  for (pid_t pid : *pids) {
    const std::optional<ino_t> inode = namespace_inode(net_namespace_path(pid));
    if (!inode || inode == own) continue;
    auto known = nsid_of_inode.find(*inode);
    if (known == nsid_of_inode.end())
      known = nsid_of_inode.emplace(*inode, namespace_id_of_process(socket, pid)).first;
    if (!known->second || !nsids.contains(*known->second)) continue;
    auto attributes = read_process(pid, {"cgroup"});
    if (!attributes) continue;
    found.push_back({pid, *known->second, attributes->values["cgroup"]});
  }
  return found;
}

}  // namespace nettoll
