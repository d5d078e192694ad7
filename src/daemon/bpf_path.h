// SPDX-License-Identifier: Apache-2.0
// BpfPath: process rules through nettoll's eBPF classifier. A process's rule
// goes into the pid map, which the cgroup socket program reads for every new
// socket; sockets it already holds are tagged through pidfd_getfd; the tc
// programs on the interface turn a socket's rule into its class. Reserved
// streams' viewers go into the address maps, which win over the socket.
#pragma once

#include <memory>
#include <string>

#include "daemon/classifier_path.h"
#include "daemon/container_links.h"
#include "kernel/bpf_classifier.h"

namespace nettoll {

class BpfPath : public ClassifierPath {
 public:
  // Loads the programs and attaches the socket program to the cgroup v2
  // directory `cgroup_path` ("" = the cgroup v2 root). Fails with the
  // kernel's or libbpf's reason (no cgroup v2, no sk_storage, BPF refused).
  static Result<std::unique_ptr<BpfPath>> load(const std::string& cgroup_path);

  std::string name() const override { return "bpf"; }
  Result<void> attach(const Plan& plan, NetlinkSocket& socket) override;
  Result<void> release_streams(const Plan& next, NetlinkSocket& socket) override;
  void set_process_rule(pid_t pid, ProcessRuleId rule) override;
  bool filter_process_events(int fd) override;
  // While container links exist: their idle flows expire.
  std::optional<std::chrono::milliseconds> refresh_interval() const override;
  void refresh(NetlinkSocket& socket) override;
  nlohmann::json container_links() const override;
  int process_traffic_fd() const override {
    return attached_interface_.empty() ? -1 : bpf_.process_traffic_fd();
  }

 private:
  explicit BpfPath(BpfClassifier bpf) : bpf_(std::move(bpf)) {}
  Result<void> attach_to_interface(const Plan& plan, NetlinkSocket& socket);
  void detach_from_interface();
  Result<void> set_streams(const std::vector<StreamClassifierEntry>& streams);
  void erase_streams_not_in(const std::vector<StreamClassifierEntry>& kept);

  // For tests and benchmarks: the classifier's maps.
 public:
  const BpfClassifier& classifier() const { return bpf_; }

 private:
  BpfClassifier bpf_;
  std::string attached_interface_;
  int attached_ifindex_ = 0;
  int ifb_ifindex_ = 0;                         // where ingress packets are redirected now
  std::vector<StreamClassifierEntry> streams_;  // in the address maps
  ContainerLinks containers_;
};

// The cgroup v2 mount point, from /proc/self/mounts ("" when none).
std::string cgroup_v2_root();

}  // namespace nettoll
