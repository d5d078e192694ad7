// SPDX-License-Identifier: Apache-2.0
// The filter that sends an interface's ingress to its IFB before process
// classification exists (and on kernels where the BPF path is refused): a u32
// match-all on clsact ingress with a mirred egress redirect.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// nettoll's filters on clsact carry this preference, so they can be told from
// anyone else's and removed without touching theirs.
inline constexpr uint16_t kRedirectFilterPref = 0x7a01;

// Filters on a device's clsact hook (both directions), split by owner.
struct ClsactFilters {
  bool has_redirect = false;            // nettoll's redirect on ingress
  bool has_classifier_ingress = false;  // nettoll's BPF classifier (kClassifierFilterPref)
  bool has_classifier_egress = false;
  size_t others = 0;  // distinct filter preferences that are not nettoll's redirect
};

// Adds the redirect of `device`'s ingress to `ifb`. The clsact qdisc must exist.
Result<void> add_ingress_redirect(NetlinkSocket& socket, int ifindex, const std::string& device,
                                  int ifb_ifindex, const std::string& ifb);

// Removes nettoll's redirect from `device`'s clsact ingress.
Result<void> delete_ingress_redirect(NetlinkSocket& socket, int ifindex, const std::string& device);

// Removes every filter at preference `pref` from one of `device`'s clsact
// hooks (a crashed run's BPF classifier, whose programs died with it).
Result<void> delete_clsact_filters_at(NetlinkSocket& socket, int ifindex, const std::string& device,
                                      uint16_t pref, bool ingress);

// Lists the filters on `device`'s clsact hooks; no clsact → nothing.
Result<ClsactFilters> list_clsact_filters(NetlinkSocket& socket, int ifindex, const std::string& device);

}  // namespace nettoll
