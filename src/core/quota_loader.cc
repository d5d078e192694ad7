// SPDX-License-Identifier: Apache-2.0
#include "core/quota_loader.h"

#include <array>

#include "core/data_size.h"

namespace nettoll {
namespace {

constexpr std::array<const char*, 7> kWeekdays = {"monday", "tuesday",  "wednesday", "thursday",
                                                  "friday", "saturday", "sunday"};

void read_start(ConfigNodeReader& reader, const YAML::Node& node, const std::string& what,
                QuotaConfig& quota) {
  if (node.IsScalar()) {
    for (size_t day = 0; day < kWeekdays.size(); ++day) {
      if (node.Scalar() == kWeekdays[day]) {
        quota.period.start = static_cast<int>(day) + 1;
        return;
      }
    }
  }
  if (auto start = reader.read_integer(node, what + ": start (day of the month, or weekday 1-7)", 1, 31)) {
    quota.period.start = static_cast<int>(*start);
  }
}

void read_size(ConfigNodeReader& reader, const YAML::Node& node, const std::string& what,
               std::optional<uint64_t>& out) {
  const auto text = reader.read_scalar(node, what, "a size such as 50GB");
  if (!text) return;
  if (auto size = parse_data_size(*text)) {
    out = *size;
  } else {
    reader.error(node, what + ": " + size.error());
  }
}

void read_then(ConfigNodeReader& reader, const YAML::Node& node, const std::string& what, bool in_rule,
               QuotaConfig& quota) {
  if (node.IsScalar() && node.Scalar() == "block") {
    if (!in_rule) {
      reader.error(node,
                   what + ": block cuts the whole link off; give limits instead, such as {download: 1mbit}");
      return;
    }
    quota.then.block = true;
    return;
  }
  bool limited = false;  // a limit key is present, valid or not
  auto limit_field = [&](const char* key, std::optional<Rate>& out) {
    return std::pair<std::string_view, ConfigNodeReader::FieldHandler>(
        key, [&, key](const YAML::Node& value) {
          limited = true;
          if (auto rate = reader.read_rate(value, what + ": " + key)) out = rate->rate;
        });
  };
  const bool is_map = reader.read_fields(
      node, what, "in " + what,
      {limit_field("download", quota.then.download), limit_field("upload", quota.then.upload)});
  if (is_map && !limited) {
    reader.error(node, what + ": needs a download or upload limit, such as {download: 1mbit}, or block");
  }
}

}  // namespace

std::optional<QuotaConfig> read_quota(ConfigNodeReader& reader, const YAML::Node& node,
                                      const std::string& what, bool in_rule) {
  QuotaConfig quota;
  std::optional<YAML::Node> start, period, then;
  const size_t errors_before = reader.error_count();
  bool sized = false;  // a size key is present, valid or not
  auto size_field = [&](const char* key, std::optional<uint64_t>& out) {
    return std::pair<std::string_view, ConfigNodeReader::FieldHandler>(
        key, [&, key](const YAML::Node& value) {
          sized = true;
          read_size(reader, value, what + ": " + key, out);
        });
  };
  const bool is_map = reader.read_fields(
      node, what, "in " + what,
      {{"period", [&](const YAML::Node& value) { period = value; }},
       {"start", [&](const YAML::Node& value) { start = value; }},
       size_field("total", quota.total),
       size_field("download", quota.download),
       size_field("upload", quota.upload),
       {"then", [&](const YAML::Node& value) { then = value; }},
       {"warn-at", [&](const YAML::Node& value) {
          const auto text = reader.read_scalar(value, what + ": warn-at", "a percentage such as 80%");
          if (!text) return;
          if (auto fraction = parse_fraction(*text); fraction && *fraction > 0) {
            quota.warn_at = *fraction;
          } else {
            reader.error(value,
                         what + ": warn-at: expected a percentage from 1% to 100%, got '" + *text + "'");
          }
        }}});
  if (!is_map) return std::nullopt;
  if (!period) {
    reader.error(node, what + ": needs a period: day, week or month");
  } else if (const auto text = reader.read_scalar(*period, what + ": period", "day, week or month")) {
    if (*text == "day") {
      quota.period = {QuotaPeriodKind::day, 0};
    } else if (*text == "week") {
      quota.period = {QuotaPeriodKind::week, 1};
    } else if (*text == "month") {
      quota.period = {QuotaPeriodKind::month, 1};
    } else {
      reader.error(*period, what + ": period: expected day, week or month, got '" + *text + "'");
    }
  }
  if (start) {
    if (quota.period.kind == QuotaPeriodKind::day) {
      reader.error(*start, what + ": start: a daily quota starts at midnight; remove start");
    } else {
      read_start(reader, *start, what, quota);
      if (quota.period.kind == QuotaPeriodKind::week && quota.period.start > 7) {
        reader.error(*start, what + ": start: a week starts on a weekday from 1 (monday) to 7 (sunday)");
      }
    }
  }
  if (!sized) reader.error(node, what + ": needs a size: total, download or upload, such as {total: 50GB}");
  if (!then) {
    reader.error(node,
                 what + ": needs then: the limits while over quota, such as {download: 1mbit}, or block");
  } else {
    read_then(reader, *then, what + ": then", in_rule, quota);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return quota;
}

}  // namespace nettoll
