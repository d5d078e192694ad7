// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <tuple>

#include "core/data_size.h"

namespace nettoll {
namespace {

const char* grouping_name(UsageGrouping by) {
  switch (by) {
    case UsageGrouping::process:
      return "process";
    case UsageGrouping::rule:
      return "rule";
    case UsageGrouping::day:
      return "day";
    case UsageGrouping::hour:
      break;
  }
  return "hour";
}

const char* split_name(UsageSplit split) { return split == UsageSplit::rule ? "rule" : "process"; }

}  // namespace

Result<UsageSplit> parse_usage_split(std::string_view text, UsageGrouping by) {
  if (text.empty()) return UsageSplit::none;
  if (text != "rule" && text != "process")
    return Error{"split: expected rule or process, got '" + std::string(text) + "'"};
  if (by != UsageGrouping::day && by != UsageGrouping::hour)
    return Error{"split: only days and hours split (by=day or by=hour)"};
  return text == "rule" ? UsageSplit::rule : UsageSplit::process;
}

Result<UsageGrouping> parse_usage_grouping(std::string_view text) {
  for (UsageGrouping by :
       {UsageGrouping::process, UsageGrouping::rule, UsageGrouping::day, UsageGrouping::hour}) {
    if (text == grouping_name(by)) return by;
  }
  return Error{"--by: expected process, rule, day or hour, got '" + std::string(text) + "'"};
}

Result<UsageRange> usage_range_since(std::string_view text, int64_t now) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"min", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
  const Error error{"--since: expected a number and a unit (min, h, d, w) such as 7d, got '" +
                    std::string(text) + "'"};
  for (const auto& [suffix, seconds] : kUnits) {
    if (!text.ends_with(suffix)) continue;
    const std::string_view number = text.substr(0, text.size() - suffix.size());
    int64_t count = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || count <= 0 ||
        count > int64_t{100} * 365 * 86400 / seconds) {
      return error;
    }
    return UsageRange{now - count * seconds, now};
  }
  return error;
}

UsageRange usage_range_period(QuotaPeriodKind kind, int64_t now) {
  const PeriodSpan span = period_containing(QuotaPeriod{kind, 1}, now);
  return UsageRange{span.begin, now};
}

UsageKey usage_key_for(UsageGrouping by, UsageSplit split) {
  if (split != UsageSplit::none && (by == UsageGrouping::day || by == UsageGrouping::hour))
    return split == UsageSplit::rule ? UsageKey::hour_and_rule : UsageKey::hour_and_process;
  switch (by) {
    case UsageGrouping::process:
      return UsageKey::process;
    case UsageGrouping::rule:
      return UsageKey::rule;
    case UsageGrouping::day:
    case UsageGrouping::hour:
      break;
  }
  return UsageKey::hour;
}

std::vector<UsageReportRow> build_usage_report(const std::vector<UsageBucket>& buckets, UsageGrouping by,
                                               UsageSplit split) {
  std::vector<UsageReportRow> rows;
  if (by == UsageGrouping::process || by == UsageGrouping::rule) {
    for (const UsageBucket& bucket : buckets) {
      rows.push_back({bucket.name.empty() ? "(no rule)" : bucket.name, bucket.download, bucket.upload});
    }
    std::sort(rows.begin(), rows.end(), [](const UsageReportRow& a, const UsageReportRow& b) {
      return a.total() != b.total() ? a.total() > b.total() : a.label < b.label;
    });
    return rows;
  }
  // Hours in time order, keyed by the UTC hour so that the hour a DST change
  // repeats stays two rows; days keyed by their local date, which sorts in
  // time order; then by part.
  std::map<std::tuple<std::string, int64_t, std::string>, UsageReportRow> by_time;
  for (const UsageBucket& bucket : buckets) {
    const bool day = by == UsageGrouping::day;
    const std::string date = format_local_time(bucket.hour, "%Y-%m-%d");
    const std::string part =
        split == UsageSplit::none ? "" : (bucket.name.empty() ? "(no rule)" : bucket.name);
    UsageReportRow& row = by_time[{day ? date : "", day ? 0 : bucket.hour, part}];
    row.label = day ? date : format_local_time(bucket.hour, "%Y-%m-%d %H:%M");
    row.part = part;
    row.download += bucket.download;
    row.upload += bucket.upload;
  }
  for (auto& [key, row] : by_time) rows.push_back(std::move(row));
  return rows;
}

std::string format_usage_table(const std::vector<UsageReportRow>& rows, UsageGrouping by) {
  if (rows.empty()) return "no usage recorded in this range\n";
  size_t width = std::string_view(grouping_name(by)).size();
  for (const UsageReportRow& row : rows) width = std::max(width, row.label.size());
  std::string header = grouping_name(by);
  header[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(header[0])));
  std::string text =
      fmt::format("{:<{}}  {:>10}  {:>10}  {:>10}\n", header, width, "Download", "Upload", "Total");
  UsageReportRow sum{"total"};
  for (const UsageReportRow& row : rows) {
    text += fmt::format("{:<{}}  {:>10}  {:>10}  {:>10}\n", row.label, width, format_data_size(row.download),
                        format_data_size(row.upload), format_data_size(row.total()));
    sum.download += row.download;
    sum.upload += row.upload;
  }
  text += fmt::format("{:<{}}  {:>10}  {:>10}  {:>10}\n", "(all)", width, format_data_size(sum.download),
                      format_data_size(sum.upload), format_data_size(sum.total()));
  return text;
}

nlohmann::json usage_report_json(const std::vector<UsageReportRow>& rows, const UsageRange& range,
                                 UsageGrouping by, UsageSplit split) {
  nlohmann::json document{{"from", range.from}, {"to", range.to}, {"by", grouping_name(by)}};
  if (split != UsageSplit::none) document["split"] = split_name(split);
  nlohmann::json& list = document["rows"] = nlohmann::json::array();
  for (const UsageReportRow& row : rows) {
    list.push_back(
        {{"name", row.label}, {"download", row.download}, {"upload", row.upload}, {"total", row.total()}});
    if (split != UsageSplit::none) list.back()["part"] = row.part;
  }
  return document;
}

}  // namespace nettoll
