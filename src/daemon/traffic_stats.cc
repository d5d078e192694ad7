// SPDX-License-Identifier: Apache-2.0
#include "daemon/traffic_stats.h"

#include "core/traffic_metrics.h"
#include "kernel/process_info.h"

namespace nettoll {
namespace {

constexpr const char* kVersion = "0.1.0";

nlohmann::json counters_json(const TrafficCounters& counters) {
  return {{"download_bytes", counters.download_bytes},
          {"upload_bytes", counters.upload_bytes},
          {"download_packets", counters.download_packets},
          {"upload_packets", counters.upload_packets}};
}

std::string user_of(uint32_t tgid) {
  if (tgid == 0) return "";
  auto process = read_process(pid_t(tgid), {"username"});
  if (!process) return "";
  auto it = process->values.find("username");
  return it == process->values.end() ? "" : it->second;
}

}  // namespace

void TrafficStats::register_routes(Router& router) {
  router.add("GET", "/v1/stats",
             [this](const ApiRequest&) { return text_response(200, snapshot().text, "application/json"); });
  router.add("GET", "/metrics", [this](const ApiRequest&) {
    std::vector<MetricFamily> families = traffic_metrics(stats(), kVersion);
    for (const auto& source : metric_sources_) {
      for (MetricFamily& family : source()) families.push_back(std::move(family));
    }
    ApiResponse response;
    response.text = format_prometheus(families);
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  });
}

nlohmann::json TrafficStats::classes() const {
  nlohmann::json out = nlohmann::json::array();
  const Plan& plan = sources_.applied();
  for (const auto& [tree, direction] :
       {std::pair{&plan.egress, "upload"}, std::pair{&plan.ingress, "download"}}) {
    if (!*tree) continue;
    for (const HtbClass& c : (*tree)->classes) {
      const std::string key = class_key((*tree)->device, c.id);
      nlohmann::json entry{{"device", (*tree)->device},
                           {"direction", direction},
                           {"id", format_handle(c.id)},
                           {"rule", c.rule},
                           {"rate_bps", c.rate.bits_per_second()},
                           {"ceil_bps", c.ceil.bits_per_second()},
                           {"bytes_per_second", accounting_.class_rate(key)}};
      if (const TcStats* counters = accounting_.class_counters(key)) {
        entry["bytes"] = counters->bytes;
        entry["packets"] = counters->packets;
        entry["drops"] = counters->drops;
        entry["overlimits"] = counters->overlimits;
        entry["backlog_bytes"] = counters->backlog_bytes;
      }
      out.push_back(std::move(entry));
    }
  }
  return out;
}

nlohmann::json TrafficStats::processes() const {
  nlohmann::json out = nlohmann::json::array();
  for (const ProcessUsage& process : accounting_.ledger().processes()) {
    nlohmann::json entry = counters_json(process.total);
    entry["pid"] = process.key.tgid;
    entry["name"] = process.name;
    entry["user"] = user_of(process.key.tgid);
    entry["rule"] = process.rule;
    entry["download_bytes_per_second"] = process.download_bytes_per_second;
    entry["upload_bytes_per_second"] = process.upload_bytes_per_second;
    out.push_back(std::move(entry));
  }
  return out;
}

namespace {

// Per rule from the classes' counters, for the u32 path.
nlohmann::json rules_from_classes(const nlohmann::json& classes) {
  std::map<std::string, TrafficCounters> rules;
  for (const nlohmann::json& c : classes) {
    const std::string rule = c.value("rule", "");
    if (rule == "global") continue;  // the parent: the sum of the others
    TrafficCounters& counters = rules[rule];
    const bool download = c.value("direction", "") == "download";
    (download ? counters.download_bytes : counters.upload_bytes) += c.value("bytes", uint64_t{0});
    (download ? counters.download_packets : counters.upload_packets) += c.value("packets", uint64_t{0});
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [rule, counters] : rules) {
    nlohmann::json entry = counters_json(counters);
    entry["rule"] = rule == "default" ? "" : rule;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

const TrafficStats::Snapshot& TrafficStats::snapshot() {
  const InterfaceChoice link = sources_.link();
  const std::string path = sources_.classifier();
  const Inputs inputs{accounting_.samples(), sources_.applied_version(), link.interface, link.reason, path};
  return cache_.get(inputs, [&] {
    Snapshot made{make_stats(link, path), ""};
    made.text = made.document.dump();
    return made;
  });
}

nlohmann::json TrafficStats::make_stats(const InterfaceChoice& link, const std::string& path) const {
  nlohmann::json report{{"interface", link.interface}, {"reason", link.reason}};
  const bool per_process = accounting_.per_process();
  report["accounting"] = {{"per_process", per_process}, {"classifier", path}};
  if (!per_process) {
    report["accounting"]["note"] = path == "u32"
                                       ? "per-process figures need the eBPF path; per-rule figures "
                                         "come from the HTB class counters"
                                       : "accounting is off: it runs while nettoll shapes (a limit or a "
                                         "rule) or with `accounting: true`";
  }
  report["classes"] = classes();
  for (const nlohmann::json& c : report["classes"]) {
    if (c.value("rule", "") != "global") continue;
    report[c.value("direction", "") + "_limit_bps"] = c.value("ceil_bps", uint64_t{0});
  }
  report["processes"] = processes();
  double download = 0, upload = 0;
  for (const ProcessUsage& p : accounting_.ledger().processes()) {
    download += p.download_bytes_per_second;
    upload += p.upload_bytes_per_second;
  }
  report["download_bytes_per_second"] = download;
  report["upload_bytes_per_second"] = upload;
  nlohmann::json names = nlohmann::json::array();
  for (const NameUsage& name : accounting_.ledger().names()) {
    nlohmann::json entry = counters_json(name.total);
    entry["name"] = name.name;
    entry["rule"] = name.rule;
    names.push_back(std::move(entry));
  }
  report["names"] = std::move(names);
  if (per_process) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& [rule, counters] : accounting_.ledger().rules()) {
      nlohmann::json entry = counters_json(counters);
      entry["rule"] = rule;
      rules.push_back(std::move(entry));
    }
    report["rules"] = std::move(rules);
  } else {
    report["rules"] = rules_from_classes(report["classes"]);
  }
  return report;
}

}  // namespace nettoll
