// SPDX-License-Identifier: Apache-2.0
// SessionBook: the web dashboard's logins. `nettoll dashboard` gets a
// one-time code (valid 120 s); the browser trades it once for a session id
// (its cookie), which lives while used at least every 12 hours, and 7 days
// after the login at most, however often used; logging out ends it at once.
// Held in memory only: a daemon restart logs everyone out. Pure: the time and the
// random secrets come in from outside; secrets are compared in constant time.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace nettoll {

class SessionBook {
 public:
  using Clock = std::chrono::steady_clock;
  // A fresh unguessable secret (at least 128 bits), or why there is none.
  using SecretSource = std::function<Result<std::string>()>;

  static constexpr std::chrono::seconds kCodeLifetime{120};
  static constexpr std::chrono::hours kSessionIdleLifetime{12};
  // A stolen cookie that is kept in use still stops working.
  static constexpr std::chrono::days kSessionAbsoluteLifetime{7};
  static constexpr size_t kMaxCodes = 16;      // unredeemed; the oldest is dropped
  static constexpr size_t kMaxSessions = 256;  // the least recently used is dropped

  explicit SessionBook(SecretSource secrets) : secrets_(std::move(secrets)) {}

  // A new one-time login code, valid for kCodeLifetime from `now`. Fails
  // when no secret can be made.
  Result<std::string> issue_code(Clock::time_point now);

  // Trades a valid, unused, unexpired `code` for a new session id; the code
  // is spent either way it matched. Nullopt for any other code.
  std::optional<std::string> redeem(std::string_view code, Clock::time_point now);

  // True when `session` is a live session; using it keeps it alive (up to
  // kSessionAbsoluteLifetime after its login).
  bool check(std::string_view session, Clock::time_point now);

  // Forgets `session` (a logout); true when it was a live session.
  bool end(std::string_view session, Clock::time_point now);

  size_t session_count() const { return sessions_.size(); }

 private:
  struct Entry {
    std::string secret;
    Clock::time_point time;   // codes: when issued; sessions: last used
    Clock::time_point start;  // when issued (codes) or logged in (sessions)
  };
  void forget_expired(Clock::time_point now);

  SecretSource secrets_;
  std::vector<Entry> codes_;
  std::vector<Entry> sessions_;
};

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace nettoll
