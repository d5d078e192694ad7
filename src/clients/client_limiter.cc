// SPDX-License-Identifier: Apache-2.0
#include "clients/client_limiter.h"

#include <algorithm>

namespace nettoll {

ClientLimiter::ClientLimiter(std::vector<std::unique_ptr<TorrentClient>> clients, LimiterTimer& timer,
                             Persist persist, Log log, LimiterSettings settings)
    : timer_(timer), persist_(std::move(persist)), log_(std::move(log)), settings_(settings) {
  for (auto& client : clients)
    clients_.push_back(Held{std::move(client), std::nullopt, settings_.first_retry});
}

void ClientLimiter::load_originals(const std::map<std::string, ClientLimits>& originals) {
  for (const Held& held : clients_) {
    const auto it = originals.find(held.client->name());
    if (it != originals.end()) originals_[it->first] = it->second;
  }
  // Originals of a client no longer configured: kept, so nothing is lost,
  // and said once, so the user knows where their limits are.
  for (const auto& [name, limits] : originals) {
    if (!originals_.count(name)) {
      originals_[name] = limits;
      log_(name + ": not configured any more; its original limits stay in the state file");
    }
  }
}

void ClientLimiter::set_targets(const std::optional<ClientTargets>& targets) {
  targets_ = targets;
  for (Held& held : clients_) sync(held);
  if (targets_) schedule_check();
}

bool ClientLimiter::restore_all() {
  bool all = true;
  for (Held& held : clients_) {
    if (!holds(held.client->name())) continue;
    if (auto restored = restore(held); !restored) {
      log_(held.client->name() + ": cannot restore the original limits now (" + restored.error() +
           "); they stay in the state file for the next start");
      all = false;
    }
  }
  return all;
}

void ClientLimiter::sync(Held& held) {
  Result<void> result = targets_ ? bring_down(held) : restore(held);
  if (result) {
    succeeded(held);
  } else {
    failed(held, result.error());
  }
}

Result<void> ClientLimiter::bring_down(Held& held) {
  const std::string name = held.client->name();
  auto current = held.client->read_limits();
  if (!current) return Error{current.error()};
  const auto known = originals_.find(name);
  if (known == originals_.end()) {
    originals_[name] = *current;
    if (auto saved = save(); !saved) {
      originals_.erase(name);  // never change a client whose limits we could not record
      return Error{"cannot record the original limits: " + saved.error()};
    }
  } else if (held.applied && *current != *held.applied) {
    known->second = merge_user_changes(known->second, *held.applied, *current);
    log_(name + ": limits changed by the user while lowered; their values become the originals");
    if (auto saved = save(); !saved) return Error{"cannot record the user's new limits: " + saved.error()};
  }
  ClientLimits original = originals_[name];
  original.alternative_mode = current->alternative_mode;  // the mode in force decides what to lower
  const ClientLimits desired = held.client->stored_form(lowered_limits(original, *targets_));
  if (desired != *current) {
    if (auto set = held.client->set_limits(desired); !set) return set;
  }
  held.applied = desired;
  return success();
}

Result<void> ClientLimiter::restore(Held& held) {
  const std::string name = held.client->name();
  const auto known = originals_.find(name);
  if (known == originals_.end()) return success();
  auto current = held.client->read_limits();
  if (!current) return Error{current.error()};
  if (held.applied && *current != *held.applied) {
    known->second = merge_user_changes(known->second, *held.applied, *current);
  }
  ClientLimits original = known->second;
  original.alternative_mode = current->alternative_mode;
  if (original != *current) {
    if (auto set = held.client->set_limits(original); !set) return set;
  }
  originals_.erase(known);
  held.applied.reset();
  if (auto saved = save(); !saved)
    log_(name + ": restored, but the state file was not updated: " + saved.error());
  log_(name + ": original limits restored");
  return success();
}

void ClientLimiter::failed(Held& held, const std::string& message) {
  const std::chrono::milliseconds delay = held.next_retry;
  held.next_retry = std::min(held.next_retry * 2, settings_.longest_retry);
  log_(held.client->name() + ": " + message + "; retrying in " + std::to_string(delay.count()) + " ms");
  timer_.after("client-retry " + held.client->name(), delay, [this, &held] { sync(held); });
}

void ClientLimiter::succeeded(Held& held) { held.next_retry = settings_.first_retry; }

void ClientLimiter::schedule_check() {
  timer_.after("client-check", settings_.check_interval, [this] {
    if (!targets_) return;
    for (Held& held : clients_) sync(held);
    schedule_check();
  });
}

Result<void> ClientLimiter::save() { return persist_(originals_); }

}  // namespace nettoll
