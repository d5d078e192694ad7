// SPDX-License-Identifier: Apache-2.0
#include "daemon/status_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/data_size.h"
#include "core/plan_format.h"
#include "daemon/accounting.h"
#include "usage/quota_period.h"

namespace nettoll {
namespace {

// "container plex (3f2a6b0c1d9e)", "container 3f2a6b0c1d9e", or "container
// unknown" while no process of the link's namespace is in a container.
std::string container_of_link_text(const nlohmann::json& link) {
  std::string id = link.value("container", "");
  if (id.empty()) return "container unknown";
  if (id.size() == 64) id.resize(12);  // as `docker ps` shows it
  const std::string name = link.value("container_name", "");
  return name.empty() ? "container " + id : "container " + name + " (" + id + ")";
}

nlohmann::json tree_report(const ClassCounterLookup& counters_of, const HtbTree& tree) {
  nlohmann::json classes = nlohmann::json::array();
  for (const HtbClass& c : tree.classes) {
    nlohmann::json entry{{"id", format_handle(c.id)},
                         {"rule", c.rule},
                         {"rate_bps", c.rate.bits_per_second()},
                         {"ceil_bps", c.ceil.bits_per_second()},
                         {"prio", c.prio}};
    if (const TcStats* counters = counters_of(class_key(tree.device, c.id))) {
      entry["bytes"] = counters->bytes;
      entry["packets"] = counters->packets;
      entry["drops"] = counters->drops;
      entry["backlog_bytes"] = counters->backlog_bytes;
    }
    classes.push_back(std::move(entry));
  }
  return {{"device", tree.device}, {"classes", std::move(classes)}};
}

// A member of a report from the daemon, or null when it lacks it.
const nlohmann::json& member(const nlohmann::json& report, const char* key) {
  static const nlohmann::json absent;
  auto it = report.find(key);
  return it == report.end() ? absent : *it;
}

std::string human_bytes(uint64_t bytes) {
  if (bytes >= 1'000'000'000) return fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9);
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
  if (bytes >= 1'000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
  return fmt::format("{} B", bytes);
}

void append_tree_text(std::string& out, const char* title, const nlohmann::json& tree) {
  if (tree.is_null()) return;
  out += fmt::format("{} ({}):\n", title, tree.value("device", ""));
  // Columns as wide as their widest entry: "stream 2001:db8::5/128" is long.
  size_t id_width = 0, rule_width = 0;
  for (const auto& c : member(tree, "classes")) {
    id_width = std::max(id_width, c.value("id", "").size());
    rule_width = std::max(rule_width, c.value("rule", "").size());
  }
  for (const auto& c : member(tree, "classes")) {
    out += fmt::format("  {:<{}} {:<{}} rate {:<10} ceil {:<10} prio {}  sent {:<10} drops {}\n",
                       c.value("id", ""), id_width, c.value("rule", ""), rule_width,
                       format_rate(Rate::bits_per_second(c.value("rate_bps", uint64_t{0}))),
                       format_rate(Rate::bits_per_second(c.value("ceil_bps", uint64_t{0}))),
                       c.value("prio", 0), human_bytes(c.value("bytes", uint64_t{0})), c.value("drops", 0));
  }
}

void append_reservations_text(std::string& out, const nlohmann::json& book) {
  if (book.is_null()) return;
  const auto rate = [](const nlohmann::json& entry, const char* key) {
    return format_rate(Rate::bits_per_second(entry.value(key, uint64_t{0})));
  };
  out += fmt::format("reservations: upload {} download {} reserved\n", rate(book, "reserved_upload_bps"),
                     rate(book, "reserved_download_bps"));
  for (const auto& r : member(book, "reservations")) {
    out += fmt::format("  {:<16} {:<40} {:<7} up {:<10} down {:<10} {} expires in {} s\n", r.value("id", ""),
                       r.value("ip", ""), r.value("state", ""), rate(r, "upload_bps"),
                       rate(r, "download_bps"), r.value("source", ""), r.value("expires_in_s", int64_t{0}));
  }
  for (const auto& client : member(book, "clients_held"))
    out += "  holding " + client.get<std::string>() + "\n";
}

// "quotas:" then, per quota and size: "  link  total  41.0 GB of 50.0 GB (82.0%),
// 9.00 GB left, resets 2027-01-01 00:00  warned".
void append_quotas_text(std::string& out, const nlohmann::json& quotas) {
  if (quotas.empty()) return;
  out += "quotas:\n";
  for (const auto& quota : quotas) {
    const std::string resets = format_local_time(quota.value("resets", int64_t{0}), "%Y-%m-%d %H:%M");
    for (const auto& measure : member(quota, "measures")) {
      out += fmt::format(
          "  {:<16} {:<8} {} of {} ({:.1f}%), {} left, resets {}  {}\n", quota.value("scope", ""),
          measure.value("name", ""), format_data_size(measure.value("used", uint64_t{0})),
          format_data_size(measure.value("limit", uint64_t{0})), measure.value("percent", 0.0),
          format_data_size(measure.value("remaining", uint64_t{0})), resets, quota.value("state", ""));
    }
  }
}

}  // namespace

std::string status_line(const InterfaceChoice& link, const Plan& applied, const std::string& last_error) {
  if (!last_error.empty()) return "error: " + last_error;
  if (link.interface.empty()) return "no interface to manage: " + link.reason;
  if (!applied.egress && !applied.ingress && applied.tbfs.empty()) {
    return "watching " + link.interface + " (" + link.reason + "); no limits configured";
  }
  return "shaping " + link.interface + " (" + link.reason + ")";
}

nlohmann::json status_report(const ClassCounterLookup& counters, const std::string& config_path,
                             const InterfaceChoice& link, const Plan& applied,
                             const std::string& last_error) {
  nlohmann::json report{{"config", config_path},
                        {"interface", link.interface},
                        {"reason", link.reason},
                        {"status", status_line(link, applied, last_error)},
                        {"notes", applied.notes}};
  report["egress"] = applied.egress ? tree_report(counters, *applied.egress) : nlohmann::json();
  report["ingress"] = applied.ingress ? tree_report(counters, *applied.ingress) : nlohmann::json();
  report["tbf"] = plan_to_json(applied)["tbf"];
  if (!last_error.empty()) report["error"] = last_error;
  return report;
}

std::string format_status(const nlohmann::json& report) {
  std::string out = fmt::format("{}\nconfig: {}\n", report.value("status", ""), report.value("config", ""));
  append_tree_text(out, "upload", member(report, "egress"));
  append_tree_text(out, "download", member(report, "ingress"));
  for (const auto& tbf : member(report, "tbf")) {
    out += fmt::format("tbf on {} {}: rate {} burst {}b limit {}b{}\n", tbf.value("device", ""),
                       tbf.value("direction", "egress"),
                       format_rate(Rate::bits_per_second(tbf.value("rate_bps", uint64_t{0}))),
                       tbf.value("burst_bytes", 0u), tbf.value("limit_bytes", 0u),
                       tbf.value("ifb", "").empty() ? "" : " (on " + tbf.value("ifb", "") + ")");
  }
  for (const auto& [name, override_rate] : member(report, "limit_overrides").items()) {
    out +=
        fmt::format("set: {} rate {}, overriding the config's {} until the next reload\n", name,
                    format_rate(Rate::bits_per_second(override_rate.value("rate_bps", uint64_t{0}))),
                    format_rate(Rate::bits_per_second(override_rate.value("config_rate_bps", uint64_t{0}))));
  }
  for (const auto& [name, rule] : member(report, "rules").items()) {
    for (const auto& [direction, rate] : member(rule, "override").items()) {
      out +=
          fmt::format("set: rule {} {} {} until the next reload\n", name, direction, rate.get<std::string>());
    }
  }
  const nlohmann::json& processes = member(report, "processes");
  if (!processes.empty()) {
    out += "processes:\n";
    for (const auto& [pid, rule] : processes.items())
      out += fmt::format("  {:<8} {}\n", pid, rule.get<std::string>());
  }
  if (const nlohmann::json& classifier = member(report, "classifier");
      classifier.is_object() && classifier.value("process_events", "") == "rescan") {
    out += "process events: none, " + classifier.value("process_events_reason", "") + "\n";
  }
  for (const auto& link : member(member(report, "classifier"), "container_links")) {
    out += fmt::format("container link {}: {}, peer namespace id {}, {} flow(s)\n", link.value("name", ""),
                       container_of_link_text(link), link.value("nsid", -1), link.value("flows", 0));
  }
  append_reservations_text(out, member(report, "reservations"));
  append_quotas_text(out, member(report, "quotas"));
  for (const auto& note : member(report, "notes")) out += "note: " + note.get<std::string>() + "\n";
  return out;
}

}  // namespace nettoll
