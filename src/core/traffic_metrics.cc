// SPDX-License-Identifier: Apache-2.0
#include "core/traffic_metrics.h"

#include <map>

namespace nettoll {
namespace {

using Labels = std::map<std::string, std::string>;

// Samples with the same labels are summed: the exposition format forbids
// repeating a label set (two classes of one rule, say).
class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, std::string type)
      : family_{std::move(name), std::move(help), std::move(type), {}} {}
  void add(const Labels& labels, double value) { values_[labels] += value; }
  MetricFamily build() {
    for (const auto& [labels, value] : values_) family_.samples.push_back({labels, value});
    return family_;
  }

 private:
  MetricFamily family_;
  std::map<Labels, double> values_;
};

// The rule label of unruled traffic: it goes to the default class.
std::string rule_label(const nlohmann::json& entry) {
  const std::string rule = entry.value("rule", "");
  return rule.empty() ? "default" : rule;
}

double number(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_number() ? it->get<double>() : 0.0;
}

void add_class_families(const nlohmann::json& stats, std::vector<MetricFamily>& out) {
  FamilyBuilder bytes("nettoll_class_bytes_total", "Bytes sent by an HTB class", "counter");
  FamilyBuilder packets("nettoll_class_packets_total", "Packets sent by an HTB class", "counter");
  FamilyBuilder drops("nettoll_class_drops_total", "Packets an HTB class dropped", "counter");
  FamilyBuilder overlimits("nettoll_class_overlimits_total", "Times an HTB class was over its limit",
                           "counter");
  FamilyBuilder backlog("nettoll_class_backlog_bytes", "Bytes queued in an HTB class", "gauge");
  FamilyBuilder ceil("nettoll_class_ceil_bytes_per_second", "An HTB class's ceil", "gauge");
  for (const nlohmann::json& c : stats.value("classes", nlohmann::json::array())) {
    const Labels labels{
        {"device", c.value("device", "")}, {"direction", c.value("direction", "")}, {"rule", rule_label(c)}};
    bytes.add(labels, number(c, "bytes"));
    packets.add(labels, number(c, "packets"));
    drops.add(labels, number(c, "drops"));
    overlimits.add(labels, number(c, "overlimits"));
    backlog.add(labels, number(c, "backlog_bytes"));
    ceil.add(labels, number(c, "ceil_bps") / 8);
  }
  for (FamilyBuilder* f : {&bytes, &packets, &drops, &overlimits, &backlog, &ceil}) out.push_back(f->build());
}

void add_directions(FamilyBuilder& family, Labels labels, const nlohmann::json& entry) {
  labels["direction"] = "download";
  family.add(labels, number(entry, "download_bytes"));
  labels["direction"] = "upload";
  family.add(labels, number(entry, "upload_bytes"));
}

void add_usage_families(const nlohmann::json& stats, std::vector<MetricFamily>& out) {
  FamilyBuilder rules("nettoll_rule_bytes_total", "Bytes of a rule's traffic", "counter");
  for (const nlohmann::json& r : stats.value("rules", nlohmann::json::array()))
    add_directions(rules, {{"rule", rule_label(r)}}, r);
  out.push_back(rules.build());
  // "names" comes sorted by total, largest first.
  FamilyBuilder names("nettoll_process_name_bytes_total",
                      "Bytes of the processes with a name (top 50 names; the rest as other)", "counter");
  size_t shown = 0;
  for (const nlohmann::json& n : stats.value("names", nlohmann::json::array())) {
    const std::string name = shown < kMaxMetricNames ? n.value("name", "") : "other";
    ++shown;
    add_directions(names, {{"name", name}, {"rule", rule_label(n)}}, n);
  }
  out.push_back(names.build());
}

}  // namespace

std::vector<MetricFamily> traffic_metrics(const nlohmann::json& stats, const std::string& version) {
  std::vector<MetricFamily> out;
  add_class_families(stats, out);
  add_usage_families(stats, out);
  MetricFamily interface {
    "nettoll_managed_interface_info", "The interface nettoll manages, and why", "gauge", {}
  };
  if (!stats.value("interface", "").empty())
    interface.samples.push_back(
        {{{"device", stats.value("interface", "")}, {"reason", stats.value("reason", "")}}, 1});
  out.push_back(std::move(interface));
  out.push_back({"nettoll_build_info", "nettoll's version", "gauge", {{{{"version", version}}, 1}}});
  return out;
}

}  // namespace nettoll
