// SPDX-License-Identifier: Apache-2.0
#include "api/session_book.h"

#include <algorithm>

namespace nettoll {
namespace {

// The index of the entry holding `secret`, comparing with every entry so
// the time taken says nothing about which one matched or how closely.
std::optional<size_t> find_secret(const auto& entries, std::string_view secret) {
  std::optional<size_t> found;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (same_secret(entries[i].secret, secret)) found = i;
  }
  return found;
}

}  // namespace

bool same_secret(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) difference |= a[i] ^ b[i];
  return difference == 0;
}

void SessionBook::forget_expired(Clock::time_point now) {
  std::erase_if(codes_, [now](const Entry& code) { return now - code.time >= kCodeLifetime; });
  std::erase_if(sessions_, [now](const Entry& session) {
    return now - session.time >= kSessionIdleLifetime || now - session.start >= kSessionAbsoluteLifetime;
  });
}

Result<std::string> SessionBook::issue_code(Clock::time_point now) {
  forget_expired(now);
  auto code = secrets_();
  if (!code) return code;
  if (codes_.size() >= kMaxCodes) codes_.erase(codes_.begin());
  codes_.push_back(Entry{*code, now, now});
  return code;
}

std::optional<std::string> SessionBook::redeem(std::string_view code, Clock::time_point now) {
  forget_expired(now);
  if (code.empty()) return std::nullopt;
  const auto found = find_secret(codes_, code);
  if (!found) return std::nullopt;
  codes_.erase(codes_.begin() + static_cast<std::ptrdiff_t>(*found));
  auto session = secrets_();
  if (!session) return std::nullopt;
  if (sessions_.size() >= kMaxSessions) {
    sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(),
                                     [](const Entry& a, const Entry& b) { return a.time < b.time; }));
  }
  sessions_.push_back(Entry{*session, now, now});
  return *session;
}

bool SessionBook::check(std::string_view session, Clock::time_point now) {
  forget_expired(now);
  if (session.empty()) return false;
  const auto found = find_secret(sessions_, session);
  if (!found) return false;
  sessions_[*found].time = now;
  return true;
}

bool SessionBook::end(std::string_view session, Clock::time_point now) {
  forget_expired(now);
  if (session.empty()) return false;
  const auto found = find_secret(sessions_, session);
  if (!found) return false;
  sessions_.erase(sessions_.begin() + static_cast<std::ptrdiff_t>(*found));
  return true;
}

}  // namespace nettoll
