// SPDX-License-Identifier: Apache-2.0
#include "core/top_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace nettoll {
namespace {

double number(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_number() ? it->get<double>() : 0.0;
}

double total(const nlohmann::json& p) { return number(p, "download_bytes") + number(p, "upload_bytes"); }
double rate(const nlohmann::json& p) {
  return number(p, "download_bytes_per_second") + number(p, "upload_bytes_per_second");
}

bool sorts_before(const nlohmann::json& a, const nlohmann::json& b, TopSort sort) {
  switch (sort) {
    case TopSort::download:
      return number(a, "download_bytes_per_second") > number(b, "download_bytes_per_second");
    case TopSort::upload:
      return number(a, "upload_bytes_per_second") > number(b, "upload_bytes_per_second");
    case TopSort::total:
      return total(a) > total(b);
    case TopSort::name:
      return a.value("name", "") < b.value("name", "");
    case TopSort::pid:
      return number(a, "pid") < number(b, "pid");
    case TopSort::rate:
      break;
  }
  return rate(a) > rate(b);
}

std::string limit_text(const nlohmann::json& stats, const char* key) {
  const double bps = number(stats, key);
  return bps > 0 ? human_rate(bps / 8) : "unlimited";
}

void append_processes(std::string& out, const nlohmann::json& stats, const TopOptions& options) {
  const nlohmann::json processes = stats.value("processes", nlohmann::json::array());
  std::vector<nlohmann::json> rows(processes.begin(), processes.end());
  std::stable_sort(rows.begin(), rows.end(), [&](const nlohmann::json& a, const nlohmann::json& b) {
    if (options.group_by_rule && a.value("rule", "") != b.value("rule", ""))
      return a.value("rule", "") < b.value("rule", "");
    return sorts_before(a, b, options.sort);
  });
  out += fmt::format("{:>7} {:<10} {:<16} {:<12} {:>12} {:>12} {:>10}\n", "PID", "USER", "NAME", "RULE",
                     "DOWN/s", "UP/s", "TOTAL");
  std::string group;
  size_t shown = 0;
  for (const nlohmann::json& p : rows) {
    if (shown++ >= options.max_rows) break;
    const std::string rule = p.value("rule", "");
    if (options.group_by_rule && (shown == 1 || rule != group)) {
      group = rule;
      out += fmt::format("-- {} --\n", rule.empty() ? "no rule" : rule);
    }
    const uint32_t pid = p.value("pid", 0u);
    out += fmt::format("{:>7} {:<10} {:<16} {:<12} {:>12} {:>12} {:>10}\n", pid ? std::to_string(pid) : "-",
                       p.value("user", "").substr(0, 10), p.value("name", "").substr(0, 16),
                       (rule.empty() ? "-" : rule).substr(0, 12),
                       human_rate(number(p, "download_bytes_per_second")),
                       human_rate(number(p, "upload_bytes_per_second")), human_size(total(p)));
  }
}

void append_classes(std::string& out, const nlohmann::json& stats) {
  out += fmt::format("\n{:<10} {:<9} {:<7} {:<12} {:>12} {:>12} {:>12} {:>8} {:>9}\n", "DEVICE", "DIRECTION",
                     "CLASS", "RULE", "RATE", "CEIL", "NOW/s", "DROPS", "BACKLOG");
  for (const nlohmann::json& c : stats.value("classes", nlohmann::json::array())) {
    out += fmt::format("{:<10} {:<9} {:<7} {:<12} {:>12} {:>12} {:>12} {:>8} {:>9}\n",
                       c.value("device", "").substr(0, 10), c.value("direction", ""), c.value("id", ""),
                       c.value("rule", "").substr(0, 12), human_rate(number(c, "rate_bps") / 8),
                       human_rate(number(c, "ceil_bps") / 8), human_rate(number(c, "bytes_per_second")),
                       c.value("drops", 0u), human_size(number(c, "backlog_bytes")));
  }
}

}  // namespace

std::string human_rate(double bytes_per_second) { return human_size(bytes_per_second) + "/s"; }

std::string human_size(double bytes) {
  constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  size_t unit = 0;
  while (bytes >= 1000 && unit + 1 < std::size(kUnits)) {
    bytes /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string format_top(const nlohmann::json& stats, const TopOptions& options) {
  const std::string interface = stats.value("interface", "");
  std::string out = fmt::format(
      "nettoll top   interface {}   limits down {} up {}\n", interface.empty() ? "none" : interface,
      limit_text(stats, "download_limit_bps"), limit_text(stats, "upload_limit_bps"));
  out += fmt::format("now: down {}  up {}\n", human_rate(number(stats, "download_bytes_per_second")),
                     human_rate(number(stats, "upload_bytes_per_second")));
  const nlohmann::json accounting = stats.value("accounting", nlohmann::json::object());
  if (!accounting.value("per_process", false))
    out += "per-process accounting off: " + accounting.value("note", std::string("no eBPF path")) + "\n";
  out += "\n";
  append_processes(out, stats, options);
  append_classes(out, stats);
  return out;
}

}  // namespace nettoll
