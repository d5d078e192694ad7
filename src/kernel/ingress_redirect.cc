// SPDX-License-Identifier: Apache-2.0
#include "kernel/ingress_redirect.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include <array>
#include <cstring>
#include <set>

#include "kernel/bpf_classifier.h"

namespace nettoll {
namespace {

uint32_t clsact_parent(uint32_t direction_minor) { return TC_H_MAKE(TC_H_CLSACT, direction_minor); }

tcmsg* put_filter_header(NetlinkMessage& message, int ifindex, uint32_t direction_minor) {
  auto* tc = message.put_extra_header<tcmsg>();
  tc->tcm_family = AF_UNSPEC;
  tc->tcm_ifindex = ifindex;
  tc->tcm_parent = clsact_parent(direction_minor);
  return tc;
}

// A selector with one key that masks nothing: every packet matches.
void put_match_all_selector(nlmsghdr* header) {
  std::array<char, sizeof(tc_u32_sel) + sizeof(tc_u32_key)> buffer{};
  auto* selector = reinterpret_cast<tc_u32_sel*>(buffer.data());
  selector->flags = TC_U32_TERMINAL;
  selector->nkeys = 1;
  mnl_attr_put(header, TCA_U32_SEL, buffer.size(), buffer.data());
}

void put_mirred_redirect(nlmsghdr* header, int ifb_ifindex) {
  nlattr* actions = mnl_attr_nest_start(header, TCA_U32_ACT);
  nlattr* first = mnl_attr_nest_start(header, 1);
  mnl_attr_put_strz(header, TCA_ACT_KIND, "mirred");
  nlattr* options = mnl_attr_nest_start(header, TCA_ACT_OPTIONS);
  tc_mirred mirred{};
  mirred.action = TC_ACT_STOLEN;
  mirred.eaction = TCA_EGRESS_REDIR;
  mirred.ifindex = static_cast<uint32_t>(ifb_ifindex);
  mnl_attr_put(header, TCA_MIRRED_PARMS, sizeof(mirred), &mirred);
  mnl_attr_nest_end(header, options);
  mnl_attr_nest_end(header, first);
  mnl_attr_nest_end(header, actions);
}

struct FilterKind {
  std::string kind;
};

int read_kind(const nlattr* attribute, void* data) {
  if (mnl_attr_get_type(attribute) == TCA_KIND && mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0) {
    static_cast<FilterKind*>(data)->kind = mnl_attr_get_str(attribute);
  }
  return MNL_CB_OK;
}

}  // namespace

Result<void> add_ingress_redirect(NetlinkSocket& socket, int ifindex, const std::string& device,
                                  int ifb_ifindex, const std::string& ifb) {
  NetlinkMessage message(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
  tcmsg* tc = put_filter_header(message, ifindex, TC_H_MIN_INGRESS);
  tc->tcm_info = TC_H_MAKE(static_cast<uint32_t>(kRedirectFilterPref) << 16, htons(ETH_P_ALL));
  mnl_attr_put_strz(message.header(), TCA_KIND, "u32");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  put_match_all_selector(message.header());
  put_mirred_redirect(message.header(), ifb_ifindex);
  mnl_attr_nest_end(message.header(), options);
  return socket.request(message.header(), "redirect the ingress of " + device + " to " + ifb);
}

Result<void> delete_ingress_redirect(NetlinkSocket& socket, int ifindex, const std::string& device) {
  NetlinkMessage message(RTM_DELTFILTER, 0);
  tcmsg* tc = put_filter_header(message, ifindex, TC_H_MIN_INGRESS);
  tc->tcm_info = TC_H_MAKE(static_cast<uint32_t>(kRedirectFilterPref) << 16, htons(ETH_P_ALL));
  return socket.request(message.header(), "remove the ingress redirect of " + device);
}

Result<void> delete_clsact_filters_at(NetlinkSocket& socket, int ifindex, const std::string& device,
                                      uint16_t pref, bool ingress) {
  NetlinkMessage message(RTM_DELTFILTER, 0);
  tcmsg* tc = put_filter_header(message, ifindex, ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
  // Protocol 0 and no handle: the whole preference, whatever it matches.
  tc->tcm_info = TC_H_MAKE(static_cast<uint32_t>(pref) << 16, 0);
  return socket.request(message.header(), "remove nettoll's " + std::string(ingress ? "ingress" : "egress") +
                                              " filters (preference " + std::to_string(pref) + ") from " +
                                              device);
}

Result<ClsactFilters> list_clsact_filters(NetlinkSocket& socket, int ifindex, const std::string& device) {
  ClsactFilters filters;
  for (uint32_t direction : {TC_H_MIN_INGRESS, TC_H_MIN_EGRESS}) {
    std::set<uint32_t> other_prefs;
    NetlinkMessage message(RTM_GETTFILTER, NLM_F_DUMP);
    put_filter_header(message, ifindex, direction);
    NetlinkSocket::MessageCallback on_filter = [&](const nlmsghdr* reply) -> Result<void> {
      const auto* tc = static_cast<const tcmsg*>(mnl_nlmsg_get_payload(reply));
      const uint32_t pref = TC_H_MAJ(tc->tcm_info) >> 16;
      FilterKind kind;
      mnl_attr_parse(reply, sizeof(tcmsg), read_kind, &kind);
      if (direction == TC_H_MIN_INGRESS && pref == kRedirectFilterPref && kind.kind == "u32") {
        filters.has_redirect = true;
      } else if (pref == kClassifierFilterPref) {
        // nettoll's BPF classifier: goes with nettoll's clsact.
        (direction == TC_H_MIN_INGRESS ? filters.has_classifier_ingress : filters.has_classifier_egress) =
            true;
      } else {
        other_prefs.insert(pref);
      }
      return success();
    };
    const NetlinkStatus status = socket.transact(message.header(), &on_filter);
    // No clsact on the device: the kernel answers EINVAL (or ENOENT) to the dump.
    if (status.error == -EINVAL || status.error == -ENOENT) return filters;
    if (!status.ok()) return Error{describe_failure("list the clsact filters of " + device, status)};
    filters.others += other_prefs.size();
  }
  return filters;
}

}  // namespace nettoll
