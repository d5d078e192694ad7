// SPDX-License-Identifier: Apache-2.0
#include "kernel/bpf_classifier.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "bpf/classifier.h"

// The skeleton embeds the object as one long string literal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "classifier.skel.h"
#include "kernel/process_info.h"
#pragma GCC diagnostic pop

namespace nettoll {
namespace {

static_assert(kMaxBpfRules == NETTOLL_MAX_RULES);

std::string error_text(int error) { return std::strerror(error); }

// libbpf reports through one global callback. While a LibbpfLogCapture lives
// on a thread, that thread's messages are kept for the error we return
// instead of going to stderr.
thread_local std::string* libbpf_log_sink = nullptr;

int print_libbpf_message(libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  if (!libbpf_log_sink) return std::vfprintf(stderr, format, args);
  char buffer[1024];
  const int length = std::vsnprintf(buffer, sizeof(buffer), format, args);
  if (length > 0) libbpf_log_sink->append(buffer, std::min<size_t>(size_t(length), sizeof(buffer) - 1));
  return length;
}

class LibbpfLogCapture {
 public:
  LibbpfLogCapture() {
    static std::once_flag installed;
    std::call_once(installed, [] { libbpf_set_print(print_libbpf_message); });
    libbpf_log_sink = &text_;
  }
  ~LibbpfLogCapture() { libbpf_log_sink = nullptr; }
  LibbpfLogCapture(const LibbpfLogCapture&) = delete;
  LibbpfLogCapture& operator=(const LibbpfLogCapture&) = delete;

  // The last few lines worth showing (the verifier's verdict comes last),
  // as " (libbpf: ...)", or "" when libbpf said nothing.
  std::string tail() const {
    std::vector<std::string> lines;
    std::istringstream in(text_);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line.find("PROG LOAD LOG") != std::string::npos) continue;
      lines.push_back(line);
    }
    if (lines.empty()) return "";
    std::string shown;
    for (size_t i = lines.size() > 4 ? lines.size() - 4 : 0; i < lines.size(); ++i) {
      shown += (shown.empty() ? "" : " | ") + lines[i];
    }
    return " (" + shown + ")";
  }

 private:
  std::string text_;
};

int open_current_netns() { return ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }

bool same_file(int a, int b) {
  struct stat first {};
  struct stat second {};
  return ::fstat(a, &first) == 0 && ::fstat(b, &second) == 0 && first.st_ino == second.st_ino &&
         first.st_dev == second.st_dev;
}

// Enters the network namespace `target_fd` for the lifetime of the object
// (netlink, and so libbpf's tc calls, act in the calling thread's namespace).
class NamespaceVisit {
 public:
  explicit NamespaceVisit(int target_fd) : original_(open_current_netns()) {
    if (original_ < 0) {
      error_ = "cannot open /proc/thread-self/ns/net: " + error_text(errno);
    } else if (!same_file(original_, target_fd)) {
      if (::setns(target_fd, CLONE_NEWNET) == 0) {
        switched_ = true;
      } else {
        error_ = "cannot enter the filter's network namespace: " + error_text(errno);
      }
    }
  }
  ~NamespaceVisit() {
    // A thread left in another namespace would manage the wrong interfaces.
    if (switched_ && ::setns(original_, CLONE_NEWNET) != 0) std::abort();
    if (original_ >= 0) ::close(original_);
  }
  NamespaceVisit(const NamespaceVisit&) = delete;
  NamespaceVisit& operator=(const NamespaceVisit&) = delete;

  const std::string& error() const { return error_; }

 private:
  int original_;
  bool switched_ = false;
  std::string error_;
};

std::string describe_hook(int ifindex, TcDirection direction) {
  char name[IF_NAMESIZE] = {};
  const std::string device = ::if_indextoname(unsigned(ifindex), name) ? name : "?";
  return std::string(direction == TcDirection::ingress ? "ingress" : "egress") + " of " + device +
         " (ifindex " + std::to_string(ifindex) + ")";
}

// Whether received packets on `ifindex` start with an Ethernet header (true)
// or directly with the IP header (L3 devices: tun, wireguard, ppp).
Result<bool> has_ethernet_header(int ifindex) {
  char name[IF_NAMESIZE] = {};
  if (!::if_indextoname(unsigned(ifindex), name)) {
    return Error{"no interface with index " + std::to_string(ifindex) + " in this network namespace"};
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{"cannot open a socket to query " + std::string(name) + ": " + error_text(errno)};
  ifreq request{};
  std::memcpy(request.ifr_name, name, sizeof(request.ifr_name) - 1);
  const int queried = ::ioctl(fd, SIOCGIFHWADDR, &request);
  const int error = errno;
  ::close(fd);
  if (queried != 0)
    return Error{"cannot read the link type of " + std::string(name) + ": " + error_text(error)};
  switch (request.ifr_hwaddr.sa_family) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:
      return true;
    case ARPHRD_NONE:
    case ARPHRD_PPP:
    case ARPHRD_RAWIP:
    case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6:
    case ARPHRD_SIT:
    case ARPHRD_IPGRE:
      return false;
    default:
      return Error{std::string(name) + " has link type " + std::to_string(request.ifr_hwaddr.sa_family) +
                   ", which the classifier cannot parse"};
  }
}

bpf_tc_hook make_hook(int ifindex, TcDirection direction) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = direction == TcDirection::ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
  return hook;
}

bpf_tc_opts make_filter_opts() {
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.handle = kClassifierFilterHandle;
  opts.priority = kClassifierFilterPref;
  return opts;
}

// The kernel's name of process `pid` ("" when it is gone).
std::string read_comm(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(file, comm);
  return comm;
}

comm_key make_comm_key(const std::string& comm) {
  comm_key key{};
  std::memcpy(key.comm, comm.data(), std::min(comm.size(), sizeof(key.comm) - 1));
  return key;
}

}  // namespace

void BpfClassifier::SkeletonDeleter::operator()(classifier_bpf* skeleton) const {
  classifier_bpf__destroy(skeleton);
}

void BpfClassifier::LinkDeleter::operator()(bpf_link* link) const { bpf_link__destroy(link); }

BpfClassifier::BpfClassifier(classifier_bpf* skeleton) : skeleton_(skeleton) {}

BpfClassifier::BpfClassifier(BpfClassifier&& other) noexcept = default;

Result<BpfClassifier> BpfClassifier::load() {
  LibbpfLogCapture log;
  classifier_bpf* skeleton = classifier_bpf__open_and_load();
  if (!skeleton) {
    const int error = errno;
    std::string message = "cannot load the BPF classifier: " + error_text(error);
    if (error == EPERM) message += " (needs root, or CAP_BPF and CAP_NET_ADMIN)";
    return Error{message + log.tail()};
  }
  return BpfClassifier(skeleton);
}

BpfClassifier::~BpfClassifier() {
  // Newest first: a filter's clsact is removed only after every filter of
  // ours on it (the one that created it was attached first).
  while (!tc_attachments_.empty()) {
    Result<void> detached = detach(tc_attachments_.back());
    if (!detached) std::fprintf(stderr, "nettoll: %s\n", detached.error().c_str());
    ::close(tc_attachments_.back().netns_fd);
    tc_attachments_.pop_back();
  }
}

Result<void> BpfClassifier::attach_cgroup(const std::string& cgroup_path) {
  const std::string what = "cannot attach the BPF socket program to cgroup " + cgroup_path;
  struct statfs filesystem {};
  if (::statfs(cgroup_path.c_str(), &filesystem) != 0) return Error{what + ": " + error_text(errno)};
  if (filesystem.f_type != CGROUP2_SUPER_MAGIC) return Error{what + ": not a cgroup v2 directory"};
  const int fd = ::open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{what + ": " + error_text(errno)};
  LibbpfLogCapture log;
  bpf_link* link = bpf_program__attach_cgroup(skeleton_->progs.assign_socket_rule, fd);
  const int error = errno;
  ::close(fd);  // the link holds the cgroup
  if (!link) return Error{what + ": " + error_text(error) + log.tail()};
  cgroup_links_.emplace_back(link);
  return success();
}

Result<void> BpfClassifier::attach_tc(int ifindex, TcDirection direction) {
  bpf_program* program = skeleton_->progs.classify_egress;
  if (direction == TcDirection::ingress) {
    Result<bool> ethernet = has_ethernet_header(ifindex);
    if (!ethernet) {
      return Error{"cannot attach the BPF classifier to " + describe_hook(ifindex, direction) + ": " +
                   ethernet.error()};
    }
    program = *ethernet ? skeleton_->progs.classify_ingress_ethernet : skeleton_->progs.classify_ingress_l3;
  }
  return attach_program(ifindex, direction, program);
}

Result<void> BpfClassifier::attach_container_link(int ifindex) {
  return attach_program(ifindex, TcDirection::ingress, skeleton_->progs.classify_container_upload);
}

ContainerMapFds BpfClassifier::container_maps() const {
  return ContainerMapFds{bpf_map__fd(skeleton_->maps.container_links),
                         bpf_map__fd(skeleton_->maps.container_settings),
                         bpf_map__fd(skeleton_->maps.container_flows)};
}

Result<void> BpfClassifier::attach_program(int ifindex, TcDirection direction, bpf_program* program) {
  const std::string what = "cannot attach the BPF classifier to " + describe_hook(ifindex, direction);
  const int netns_fd = open_current_netns();
  if (netns_fd < 0) return Error{what + ": cannot open /proc/thread-self/ns/net: " + error_text(errno)};

  LibbpfLogCapture log;
  bpf_tc_hook hook = make_hook(ifindex, direction);
  const int created = bpf_tc_hook_create(&hook);
  if (created != 0 && created != -EEXIST) {
    ::close(netns_fd);
    return Error{what + ": cannot add a clsact qdisc: " + error_text(-created) + log.tail()};
  }
  bpf_tc_opts opts = make_filter_opts();
  opts.prog_fd = bpf_program__fd(program);
  opts.flags = BPF_TC_F_REPLACE;  // a filter a crashed nettoll left behind
  const int attached = bpf_tc_attach(&hook, &opts);
  if (attached != 0) {
    if (created == 0) {
      hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
      bpf_tc_hook_destroy(&hook);
    }
    ::close(netns_fd);
    return Error{what + ": " + error_text(-attached) + log.tail()};
  }
  for (const TcAttachment& existing : tc_attachments_) {
    if (existing.ifindex == ifindex && existing.direction == direction &&
        same_file(existing.netns_fd, netns_fd)) {
      ::close(netns_fd);  // replaced our own filter
      return success();
    }
  }
  tc_attachments_.push_back({netns_fd, ifindex, direction, created == 0});
  return success();
}

Result<void> BpfClassifier::detach_tc(int ifindex, TcDirection direction) {
  const int netns_fd = open_current_netns();
  if (netns_fd < 0) return Error{"cannot open /proc/thread-self/ns/net: " + error_text(errno)};
  Result<void> result = success();
  for (size_t i = 0; i < tc_attachments_.size(); ++i) {
    TcAttachment attachment = tc_attachments_[i];
    if (attachment.ifindex != ifindex || attachment.direction != direction ||
        !same_file(attachment.netns_fd, netns_fd)) {
      continue;
    }
    tc_attachments_.erase(tc_attachments_.begin() + long(i));
    // Our other filter on the same clsact inherits the duty to remove it.
    for (TcAttachment& other : tc_attachments_) {
      if (attachment.created_clsact && other.ifindex == ifindex && same_file(other.netns_fd, netns_fd)) {
        other.created_clsact = true;
        attachment.created_clsact = false;
      }
    }
    result = detach(attachment);
    ::close(attachment.netns_fd);
    break;
  }
  ::close(netns_fd);
  return result;
}

Result<void> BpfClassifier::detach(const TcAttachment& attachment) {
  NamespaceVisit visit(attachment.netns_fd);
  const std::string what =
      "cannot detach the BPF classifier from ifindex " + std::to_string(attachment.ifindex);
  if (!visit.error().empty()) return Error{what + ": " + visit.error()};
  LibbpfLogCapture log;
  bpf_tc_hook hook = make_hook(attachment.ifindex, attachment.direction);
  bpf_tc_opts opts = make_filter_opts();
  const int detached = bpf_tc_detach(&hook, &opts);
  if (attachment.created_clsact) {
    hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
    bpf_tc_hook_destroy(&hook);
  }
  // Gone already: the device (or its clsact) was deleted, and the filter with it.
  if (detached != 0 && detached != -ENOENT && detached != -ENODEV && detached != -EINVAL) {
    return Error{what + ": " + error_text(-detached) + log.tail()};
  }
  return success();
}

Result<void> BpfClassifier::update_map(int map_fd, const void* key, const void* value,
                                       const std::string& what) {
  if (bpf_map_update_elem(map_fd, key, value, BPF_ANY) != 0) {
    const int error = errno;
    std::string message = "cannot set " + what + ": " + error_text(error);
    if (error == E2BIG) message += " (the map is full)";
    return Error{message};
  }
  return success();
}

Result<void> BpfClassifier::set_ifb(int ifb_ifindex) {
  const uint32_t zero = 0;
  classifier_settings settings{};
  settings.ifb_ifindex = uint32_t(ifb_ifindex);
  return update_map(bpf_map__fd(skeleton_->maps.settings), &zero, &settings, "the classifier's IFB");
}

Result<void> BpfClassifier::set_rule_classes(uint32_t rule_id, uint32_t egress_priority,
                                             uint32_t ingress_priority, bool blocked) {
  if (rule_id == NETTOLL_NO_RULE || rule_id >= kMaxBpfRules) {
    return Error{"cannot set the classes of rule " + std::to_string(rule_id) + ": rule ids run from 1 to " +
                 std::to_string(kMaxBpfRules - 1)};
  }
  const rule_classes classes{egress_priority, ingress_priority, blocked ? 1u : 0u};
  return update_map(bpf_map__fd(skeleton_->maps.rule_classes), &rule_id, &classes,
                    "the classes of rule " + std::to_string(rule_id));
}

StreamMapFds BpfClassifier::stream_maps() const {
  return StreamMapFds{bpf_map__fd(skeleton_->maps.stream_classes_ipv4),
                      bpf_map__fd(skeleton_->maps.stream_classes_ipv6),
                      bpf_map__fd(skeleton_->maps.stream_count)};
}

Result<void> BpfClassifier::set_stream_classes(const Cidr& remote, uint32_t egress_priority,
                                               uint32_t ingress_priority) {
  return write_stream_entry(stream_maps(), remote, egress_priority, ingress_priority);
}

void BpfClassifier::erase_stream(const Cidr& remote) { delete_stream_entry(stream_maps(), remote); }

uint32_t BpfClassifier::stream_count() const { return read_stream_count(stream_maps()); }

Result<void> BpfClassifier::set_pid_rule(pid_t tgid, uint32_t rule_id) {
  const uint32_t key = uint32_t(tgid);
  return update_map(bpf_map__fd(skeleton_->maps.pid_rules), &key, &rule_id,
                    "the rule of process " + std::to_string(tgid));
}

Result<void> BpfClassifier::set_cgroup_rule(uint64_t cgroup_id, uint32_t rule_id) {
  return update_map(bpf_map__fd(skeleton_->maps.cgroup_rules), &cgroup_id, &rule_id,
                    "the rule of cgroup " + std::to_string(cgroup_id));
}

Result<void> BpfClassifier::set_comm_rule(const std::string& comm, uint32_t rule_id) {
  const comm_key key = make_comm_key(comm);
  return update_map(bpf_map__fd(skeleton_->maps.comm_rules), &key, &rule_id,
                    "the rule of process name " + comm);
}

Result<void> BpfClassifier::set_uid_rule(uid_t uid, uint32_t rule_id) {
  const uint32_t key = uid;
  return update_map(bpf_map__fd(skeleton_->maps.uid_rules), &key, &rule_id,
                    "the rule of uid " + std::to_string(uid));
}

void BpfClassifier::erase_pid(pid_t tgid) {
  const uint32_t key = uint32_t(tgid);
  bpf_map_delete_elem(bpf_map__fd(skeleton_->maps.pid_rules), &key);
}

void BpfClassifier::erase_cgroup(uint64_t cgroup_id) {
  bpf_map_delete_elem(bpf_map__fd(skeleton_->maps.cgroup_rules), &cgroup_id);
}

void BpfClassifier::erase_comm(const std::string& comm) {
  const comm_key key = make_comm_key(comm);
  bpf_map_delete_elem(bpf_map__fd(skeleton_->maps.comm_rules), &key);
}

void BpfClassifier::erase_uid(uid_t uid) {
  const uint32_t key = uid;
  bpf_map_delete_elem(bpf_map__fd(skeleton_->maps.uid_rules), &key);
}

Result<void> BpfClassifier::tag_socket_fd(int fd, uint32_t rule_id, pid_t owner) {
  // Keep the creator the socket program recorded; a socket older than the
  // programs gets `owner` (the process it was taken from) for accounting.
  ::socket_rule value{};
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.socket_rules), &fd, &value) != 0 && owner > 0) {
    value.tgid = uint32_t(owner);
    const std::string comm = read_comm(owner);
    std::memcpy(value.comm, comm.data(), std::min(comm.size(), sizeof(value.comm) - 1));
  }
  value.rule_id = rule_id;
  return update_map(bpf_map__fd(skeleton_->maps.socket_rules), &fd, &value,
                    "the rule of socket fd " + std::to_string(fd));
}

std::optional<uint32_t> BpfClassifier::socket_rule(int fd) const {
  ::socket_rule value{};
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.socket_rules), &fd, &value) != 0) return std::nullopt;
  if (value.rule_id == NETTOLL_NO_RULE) return std::nullopt;  // storage for accounting only
  return value.rule_id;
}

Result<size_t> BpfClassifier::tag_process_sockets(pid_t pid, uint32_t rule_id) {
  const std::string what = "cannot tag the sockets of process " + std::to_string(pid);
  const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return Error{what + ": " + error_text(errno)};
  auto sockets = socket_fds_of(pid);
  if (!sockets) {
    ::close(pidfd);
    return Error{what + ": " + sockets.error()};
  }
  size_t tagged = 0;
  for (const ProcessSocketFd& socket : *sockets) {
    // Closed meanwhile, or not ours to take: skip it.
    const int fd = int(::syscall(SYS_pidfd_getfd, pidfd, socket.fd, 0));
    if (fd < 0) continue;
    int domain = 0;
    socklen_t length = sizeof(domain);
    const bool inet = ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 &&
                      (domain == AF_INET || domain == AF_INET6);
    if (inet && tag_socket_fd(fd, rule_id, pid)) ++tagged;
    ::close(fd);
  }
  ::close(pidfd);
  return tagged;
}

Result<void> BpfClassifier::filter_process_events(int fd) {
  const int program = bpf_program__fd(skeleton_->progs.filter_process_events);
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &program, sizeof(program)) != 0) {
    return Error{"cannot filter process events with eBPF: " + error_text(errno)};
  }
  return success();
}

int BpfClassifier::process_traffic_fd() const { return bpf_map__fd(skeleton_->maps.process_traffic); }

RuleTraffic BpfClassifier::rule_traffic(uint32_t rule_id) const {
  ::rule_traffic value{};
  if (bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.rule_traffic), &rule_id, &value) != 0) return {};
  return RuleTraffic{value.egress_packets, value.egress_bytes, value.ingress_packets,
                     value.ingress_bytes,  value.egress_drops, value.ingress_drops};
}

Result<uint64_t> cgroup_v2_id(const std::string& path) {
  // A kernfs file handle is the node's 64-bit id, the cgroup id BPF sees.
  alignas(file_handle) unsigned char buffer[sizeof(file_handle) + sizeof(uint64_t)] = {};
  auto* handle = reinterpret_cast<file_handle*>(buffer);
  handle->handle_bytes = sizeof(uint64_t);
  int mount_id = 0;
  if (::name_to_handle_at(AT_FDCWD, path.c_str(), handle, &mount_id, 0) != 0) {
    return Error{"cannot read the id of cgroup " + path + ": " + error_text(errno)};
  }
  uint64_t id = 0;
  std::memcpy(&id, handle->f_handle, sizeof(id));
  return id;
}

}  // namespace nettoll
