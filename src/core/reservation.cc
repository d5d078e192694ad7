// SPDX-License-Identifier: Apache-2.0
#include "core/reservation.h"

#include <array>
#include <utility>

namespace nettoll {
namespace {

template <typename Enum, size_t N>
Result<Enum> parse_name(std::string_view text, const std::array<std::pair<std::string_view, Enum>, N>& names,
                        std::string_view what) {
  std::string accepted;
  for (const auto& [name, value] : names) {
    if (name == text) return value;
    accepted += (accepted.empty() ? "" : ", ") + std::string(name);
  }
  return Error{"unknown " + std::string(what) + " '" + std::string(text) + "': expected one of " + accepted};
}

constexpr std::array<std::pair<std::string_view, ReservationSource>, 3> kSources{{
    {"tautulli", ReservationSource::tautulli},
    {"jellyfin", ReservationSource::jellyfin},
    {"api", ReservationSource::api},
}};
constexpr std::array<std::pair<std::string_view, ReservationState>, 3> kStates{{
    {"active", ReservationState::active},
    {"paused", ReservationState::paused},
    {"local", ReservationState::local},
}};

}  // namespace

std::string_view to_string(ReservationSource source) {
  for (const auto& [name, value] : kSources) {
    if (value == source) return name;
  }
  return "?";
}

std::string_view to_string(ReservationState state) {
  for (const auto& [name, value] : kStates) {
    if (value == state) return name;
  }
  return "?";
}

std::string_view to_string(StreamAction action) {
  switch (action) {
    case StreamAction::play:
      return "play";
    case StreamAction::resume:
      return "resume";
    case StreamAction::change:
      return "change";
    case StreamAction::pause:
      return "pause";
    case StreamAction::watched:
      return "watched";
    case StreamAction::stop:
      return "stop";
  }
  return "?";
}

Result<ReservationSource> parse_reservation_source(std::string_view text) {
  return parse_name(text, kSources, "reservation source");
}

Result<ReservationState> parse_reservation_state(std::string_view text) {
  return parse_name(text, kStates, "reservation state");
}

Result<Cidr> parse_viewer_address(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  constexpr std::string_view kMappedPrefix = "::ffff:";
  if (text.size() > kMappedPrefix.size() && text.substr(0, kMappedPrefix.size()) == kMappedPrefix &&
      text.find('.') != std::string_view::npos) {
    text = text.substr(kMappedPrefix.size());
  }
  return parse_ip_address(text);
}

}  // namespace nettoll
