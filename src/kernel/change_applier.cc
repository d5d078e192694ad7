// SPDX-License-Identifier: Apache-2.0
#include "kernel/change_applier.h"

#include "core/kernel_state.h"
#include "kernel/htb_classes.h"
#include "kernel/ingress_redirect.h"
#include "kernel/link_gso.h"
#include "kernel/links.h"
#include "kernel/qdiscs.h"

namespace nettoll {

Result<int> ChangeApplier::ifindex_of(const std::string& device) {
  if (auto it = ifindexes_.find(device); it != ifindexes_.end()) return it->second;
  auto link = find_link(socket_, device);
  if (!link) return Error{link.error()};
  ifindexes_[device] = link->ifindex;
  return link->ifindex;
}

template <>
Result<void> ChangeApplier::apply_one(const CreateIfb& change) {
  if (auto created = create_ifb(socket_, change.name); !created) return created;
  auto ifindex = ifindex_of(change.name);
  if (!ifindex) return Error{ifindex.error()};
  return set_link_up(socket_, *ifindex);
}

template <>
Result<void> ChangeApplier::apply_one(const DeleteIfb& change) {
  ifindexes_.erase(change.name);
  return delete_link(socket_, change.name);
}

template <>
Result<void> ChangeApplier::apply_one(const ReplaceRootHtb& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return add_htb_qdisc(socket_, *ifindex, change.handle, change.default_minor, QdiscWrite::replace);
}

template <>
Result<void> ChangeApplier::apply_one(const DeleteRootQdisc& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return delete_root_qdisc(socket_, *ifindex);
}

template <>
Result<void> ChangeApplier::apply_one(const AddClass& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return add_htb_class(socket_, *ifindex, change.htb_class);
}

template <>
Result<void> ChangeApplier::apply_one(const ChangeClass& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return change_htb_class(socket_, *ifindex, change.htb_class);
}

template <>
Result<void> ChangeApplier::apply_one(const DeleteClass& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return delete_htb_class(socket_, *ifindex, change.id);
}

template <>
Result<void> ChangeApplier::apply_one(const ReplaceLeaf& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return add_leaf_qdisc(socket_, *ifindex, change.parent, change.leaf, QdiscWrite::replace);
}

template <>
Result<void> ChangeApplier::apply_one(const AddIngressRedirect& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  auto ifb_ifindex = ifindex_of(change.ifb);
  if (!ifb_ifindex) return Error{ifb_ifindex.error()};
  if (change.create_clsact) {
    if (auto added = add_clsact_qdisc(socket_, *ifindex); !added) return added;
  }
  return add_ingress_redirect(socket_, *ifindex, change.device, *ifb_ifindex, change.ifb);
}

template <>
Result<void> ChangeApplier::apply_one(const RemoveIngressRedirect& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  // Deleting clsact takes its filters with it; otherwise remove only ours.
  if (change.delete_clsact) return delete_clsact_qdisc(socket_, *ifindex);
  return delete_ingress_redirect(socket_, *ifindex, change.device);
}

template <>
Result<void> ChangeApplier::apply_one(const ReplaceRootTbf& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return add_tbf_qdisc(socket_, *ifindex, Handle{kTbfMajor, 0}, change.tbf.rate, change.tbf.burst_bytes,
                       change.tbf.limit_bytes, QdiscWrite::replace);
}

template <>
Result<void> ChangeApplier::apply_one(const SetGsoLimit& change) {
  auto ifindex = ifindex_of(change.device);
  if (!ifindex) return Error{ifindex.error()};
  return set_gso_limits(socket_, *ifindex, change.device, change.size);
}

Result<void> ChangeApplier::apply(const KernelChange& change) {
  return std::visit([this](const auto& c) { return apply_one(c); }, change);
}

}  // namespace nettoll
