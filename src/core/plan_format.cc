// SPDX-License-Identifier: Apache-2.0
#include "core/plan_format.h"

#include <fmt/format.h>

namespace nettoll {

std::string format_handle(Handle handle) { return fmt::format("{:x}:{:x}", handle.major, handle.minor); }

namespace {

std::string format_leaf(const LeafQueue& leaf) {
  if (leaf.kind == LeafQueueKind::fq_codel) {
    return fmt::format("fq_codel {} limit {}p target {} interval {}", format_handle(leaf.handle),
                       leaf.limit_packets, format_duration(leaf.target), format_duration(leaf.interval));
  }
  return fmt::format("bfifo {} limit {}b", format_handle(leaf.handle), leaf.limit_bytes);
}

void append_tree(std::string& out, const char* title, const HtbTree& tree) {
  out += fmt::format("{} on {}: htb {} default {}\n", title, tree.device, format_handle(tree.qdisc),
                     format_handle(Handle{tree.qdisc.major, tree.default_minor}));
  for (const HtbClass& c : tree.classes) {
    const char* indent = c.leaf ? "    " : "  ";
    out += fmt::format("{}{:<8}{:<16} rate {:<10} ceil {:<10} prio {} quantum {} burst {}b cburst {}b\n",
                       indent, format_handle(c.id), c.rule, format_rate(c.rate), format_rate(c.ceil), c.prio,
                       c.quantum, c.burst, c.cburst);
    if (c.leaf) out += fmt::format("{}        leaf {}\n", indent, format_leaf(*c.leaf));
  }
}

std::string format_stream_class(Handle handle) { return handle.packed() ? format_handle(handle) : "-"; }

nlohmann::json leaf_to_json(const LeafQueue& leaf) {
  nlohmann::json json{{"handle", format_handle(leaf.handle)}};
  if (leaf.kind == LeafQueueKind::fq_codel) {
    json["kind"] = "fq_codel";
    json["limit_packets"] = leaf.limit_packets;
    json["target_us"] = leaf.target.count();
    json["interval_us"] = leaf.interval.count();
  } else {
    json["kind"] = "bfifo";
    json["limit_bytes"] = leaf.limit_bytes;
  }
  return json;
}

nlohmann::json tree_to_json(const HtbTree& tree) {
  nlohmann::json classes = nlohmann::json::array();
  for (const HtbClass& c : tree.classes) {
    nlohmann::json json{{"id", format_handle(c.id)},
                        {"parent", format_handle(c.parent)},
                        {"rule", c.rule},
                        {"rate_bps", c.rate.bits_per_second()},
                        {"ceil_bps", c.ceil.bits_per_second()},
                        {"prio", c.prio},
                        {"quantum", c.quantum},
                        {"burst", c.burst},
                        {"cburst", c.cburst}};
    if (c.leaf) json["leaf"] = leaf_to_json(*c.leaf);
    classes.push_back(std::move(json));
  }
  return {{"device", tree.device},
          {"qdisc", format_handle(tree.qdisc)},
          {"default", format_handle(Handle{tree.qdisc.major, tree.default_minor})},
          {"classes", std::move(classes)}};
}

}  // namespace

std::string format_plan(const Plan& plan) {
  std::string out =
      fmt::format("interface {} (mtu {}", plan.interface.empty() ? "none" : plan.interface, plan.mtu);
  if (plan.gso_max_size) out += fmt::format(", gso/gro size {} while shaping", plan.gso_max_size);
  out += ")\n";
  if (plan.egress) append_tree(out, "egress (upload)", *plan.egress);
  if (plan.ingress) {
    append_tree(out, fmt::format("ingress (download, redirected from {})", plan.interface).c_str(),
                *plan.ingress);
  }
  if (!plan.classifier.empty()) {
    out += "classifier (rule id -> class):\n";
    for (const ClassifierEntry& entry : plan.classifier) {
      out += fmt::format("  {:<4}{:<16} egress {}  ingress {}\n", entry.rule_id, entry.rule,
                         format_handle(entry.egress_class), format_handle(entry.ingress_class));
      out += fmt::format("      selects {}\n", entry.selects);
      if (entry.blocked) out += "      blocked: its packets are dropped (quota used up, then: block)\n";
    }
  }
  if (!plan.streams.empty()) {
    out += "reserved streams (viewer address -> class):\n";
    for (const StreamClassifierEntry& entry : plan.streams) {
      out += fmt::format("  {:<20} egress {}  ingress {}  ({})\n", format_cidr(entry.remote),
                         format_stream_class(entry.egress_class), format_stream_class(entry.ingress_class),
                         entry.streams);
    }
  }
  for (const TbfPlan& tbf : plan.tbfs) {
    const std::string where =
        tbf.direction == TbfDirection::ingress
            ? fmt::format("{} ingress (on {}, redirected from {})", tbf.device, tbf.ifb, tbf.device)
            : fmt::format("{} egress", tbf.device);
    out += fmt::format("tbf 7b:0 on {}: rate {} burst {}b limit {}b (latency {}, mtu {}, frame {}b)\n", where,
                       format_rate(tbf.rate), tbf.burst_bytes, tbf.limit_bytes, format_duration(tbf.latency),
                       tbf.mtu, tbf.frame_bytes);
  }
  if (!plan.notes.empty()) {
    out += "notes:\n";
    for (const std::string& note : plan.notes) out += "  - " + note + "\n";
  }
  return out;
}

nlohmann::json plan_to_json(const Plan& plan) {
  nlohmann::json json{{"interface", plan.interface},
                      {"mtu", plan.mtu},
                      {"ifb", plan.ifb},
                      {"gso_max_size", plan.gso_max_size}};
  json["egress"] = plan.egress ? tree_to_json(*plan.egress) : nlohmann::json();
  json["ingress"] = plan.ingress ? tree_to_json(*plan.ingress) : nlohmann::json();
  json["classifier"] = nlohmann::json::array();
  for (const ClassifierEntry& entry : plan.classifier) {
    json["classifier"].push_back({{"rule_id", entry.rule_id},
                                  {"rule", entry.rule},
                                  {"egress_class", format_handle(entry.egress_class)},
                                  {"ingress_class", format_handle(entry.ingress_class)},
                                  {"selects", entry.selects}});
    // Only when blocked: plans without blocked quotas print as they always did.
    if (entry.blocked) json["classifier"].back()["blocked"] = true;
  }
  // Only with streams: plans without reservations print as they always did.
  for (const StreamClassifierEntry& entry : plan.streams) {
    json["streams"].push_back({{"remote", format_cidr(entry.remote)},
                               {"streams", entry.streams},
                               {"egress_class", format_stream_class(entry.egress_class)},
                               {"ingress_class", format_stream_class(entry.ingress_class)}});
  }
  json["tbf"] = nlohmann::json::array();
  for (const TbfPlan& tbf : plan.tbfs) {
    json["tbf"].push_back({{"device", tbf.device},
                           {"direction", tbf.direction == TbfDirection::ingress ? "ingress" : "egress"},
                           {"ifb", tbf.ifb},
                           {"frame_bytes", tbf.frame_bytes},
                           {"rate_bps", tbf.rate.bits_per_second()},
                           {"burst_bytes", tbf.burst_bytes},
                           {"limit_bytes", tbf.limit_bytes},
                           {"mtu", tbf.mtu},
                           {"latency_us", tbf.latency.count()},
                           {"explanation", tbf.explanation}});
  }
  json["accounting"] = plan.accounting;
  json["notes"] = plan.notes;
  return json;
}

}  // namespace nettoll
