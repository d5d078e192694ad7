// SPDX-License-Identifier: Apache-2.0
#include "core/tautulli_hook.h"

#include <charconv>
#include <chrono>

#include "core/json_fields.h"

namespace nettoll {
namespace {

bool not_given(std::string_view text) { return text.empty() || text == "N/A"; }

// A non-negative whole number as Tautulli prints it; nullopt for "" / "N/A".
Result<std::optional<uint64_t>> parse_count(std::string_view text, std::string_view field) {
  if (not_given(text)) return std::optional<uint64_t>();
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > (uint64_t{1} << 40)) {
    return Error{std::string(field) + ": expected a whole number, \"\" or \"N/A\", got '" +
                 std::string(text) + "'"};
  }
  return std::optional<uint64_t>(value);
}

Result<StreamAction> parse_action(std::string_view text, std::string_view field) {
  if (text == "play") return StreamAction::play;
  if (text == "resume") return StreamAction::resume;
  if (text == "change") return StreamAction::change;
  if (text == "pause") return StreamAction::pause;
  if (text == "watched") return StreamAction::watched;
  if (text == "stop") return StreamAction::stop;
  return Error{std::string(field) + ": unknown action '" + std::string(text) +
               "'; expected play, resume, change, pause, watched or stop"};
}

Result<void> set_bandwidth(StreamEvent& event, std::string_view text, std::string_view field) {
  auto kbits = parse_count(text, field);
  if (!kbits) return Error{kbits.error()};
  if (*kbits && **kbits > 0) event.upload = Rate::bits_per_second(**kbits * 1000);
  return success();
}

Result<void> set_remaining(StreamEvent& event, std::string_view text, std::string_view field,
                           int seconds_per_unit) {
  auto count = parse_count(text, field);
  if (!count) return Error{count.error()};
  if (*count) event.remaining = std::chrono::seconds(**count * seconds_per_unit);
  return success();
}

Result<void> set_location(StreamEvent& event, std::string_view text) {
  if (text == "lan") event.lan = true;
  if (text == "lan" || text == "wan" || not_given(text)) return success();
  return Error{"stream_location: expected lan or wan, got '" + std::string(text) + "'"};
}

}  // namespace

Result<StreamEvent> parse_tautulli_webhook(std::string_view body) {
  auto object = parse_json_object(body, {"action", "session_id", "ip_address", "stream_bandwidth",
                                         "remaining_duration", "remaining_duration_sec", "stream_location"});
  if (!object) return Error{object.error()};
  std::optional<std::string> values[7];
  const char* names[7] = {"action",           "session_id",         "ip_address",
                          "stream_bandwidth", "remaining_duration", "remaining_duration_sec",
                          "stream_location"};
  for (int i = 0; i < 7; ++i) {
    auto value = string_field(*object, names[i]);
    if (!value) return Error{value.error()};
    values[i] = std::move(*value);
  }
  if (!values[0] || values[0]->empty()) return Error{"action: required"};
  if (!values[1] || not_given(*values[1])) return Error{"session_id: required"};
  StreamEvent event;
  event.source = ReservationSource::tautulli;
  auto action = parse_action(*values[0], "action");
  if (!action) return Error{action.error()};
  event.action = *action;
  event.id = *values[1];
  if (values[2] && !not_given(*values[2])) event.remote_ip = *values[2];
  Result<void> steps[] = {
      set_bandwidth(event, values[3].value_or(""), "stream_bandwidth"),
      set_remaining(event, values[4].value_or(""), "remaining_duration", 60),
      set_location(event, values[6].value_or("")),
  };
  for (const auto& step : steps) {
    if (!step) return Error{step.error()};
  }
  // The seconds are exact; the minutes are what older Tautulli versions send.
  if (auto exact = set_remaining(event, values[5].value_or(""), "remaining_duration_sec", 1); !exact) {
    return Error{exact.error()};
  }
  return event;
}

Result<std::optional<StreamEvent>> parse_tautulli_arguments(const std::vector<std::string>& arguments) {
  constexpr std::string_view kUsage =
      "usage: -play|-pause|-stop|-watched|-check IP SESSION [DURATION BANDWIDTH]";
  if (arguments.empty()) return Error{std::string(kUsage)};
  const std::string& flag = arguments[0];
  if (flag == "-check") return std::optional<StreamEvent>();
  if (flag.size() < 2 || flag[0] != '-')
    return Error{"action: expected -play, -pause, -stop, -watched or -check"};
  auto action = parse_action(std::string_view(flag).substr(1), "action");
  if (!action || *action == StreamAction::resume || *action == StreamAction::change) {
    return Error{"action: unknown '" + flag + "'; expected -play, -pause, -stop, -watched or -check"};
  }
  if (arguments.size() < 3 || arguments.size() > 5) return Error{std::string(kUsage)};
  StreamEvent event;
  event.source = ReservationSource::tautulli;
  event.action = *action;
  if (!not_given(arguments[1])) event.remote_ip = arguments[1];
  event.id = arguments[2];
  if (not_given(event.id)) return Error{"SESSION: required"};
  if (arguments.size() > 3) {
    if (auto remaining = set_remaining(event, arguments[3], "DURATION", 60); !remaining)
      return Error{remaining.error()};
  }
  if (arguments.size() > 4) {
    if (auto bandwidth = set_bandwidth(event, arguments[4], "BANDWIDTH"); !bandwidth)
      return Error{bandwidth.error()};
  }
  return std::optional<StreamEvent>(std::move(event));
}

}  // namespace nettoll
