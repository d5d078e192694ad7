// SPDX-License-Identifier: Apache-2.0
#include "clients/client_limiter.h"

#include <algorithm>

namespace nettoll {

// What a client is asked to do: copies of the loop's state, so the work
// touches nothing the loop owns.
struct ClientLimiter::Order {
  std::optional<ClientLimits> original;  // nullopt: not recorded yet
  std::optional<ClientLimits> applied;
  std::optional<ClientTargets> targets;  // nullopt: restore
};

// What came of it, applied on the loop.
struct ClientLimiter::Outcome {
  Result<void> result;
  std::optional<ClientLimits> unrecorded;    // read before the first change: record, then sync again
  std::optional<ClientLimits> users_change;  // the original with the user's change merged in
  std::optional<ClientLimits> applied;       // lowered to this
  bool restored = false;
};

ClientLimiter::ClientLimiter(std::vector<std::unique_ptr<TorrentClient>> clients, ClientCalls& calls,
                             LimiterTimer& timer, Persist persist, Log log, LimiterSettings settings)
    : calls_(calls), timer_(timer), persist_(std::move(persist)), log_(std::move(log)), settings_(settings) {
  for (auto& client : clients) {
    const std::string name = client->name();
    clients_.push_back(Held{std::move(client), name, std::nullopt, settings_.first_retry});
  }
}

// Work still queued holds its own reference to the client (shared_ptr); its
// `done` never runs once the calls are destroyed with the service.
ClientLimiter::~ClientLimiter() = default;

void ClientLimiter::load_originals(const std::map<std::string, ClientLimits>& originals) {
  for (const Held& held : clients_) {
    const auto it = originals.find(held.name);
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

void ClientLimiter::take_over(const LimiterHandover& handover) {
  load_originals(handover.originals);
  for (Held& held : clients_) {
    const auto it = handover.applied.find(held.name);
    if (it != handover.applied.end()) held.applied = it->second;
  }
}

void ClientLimiter::retire(const std::string& name) {
  for (Held& held : clients_) {
    if (held.name == name) held.retiring = true;
  }
}

LimiterHandover ClientLimiter::hand_over() {
  stopping_ = true;  // for good: no retries, no follow-up orders
  calls_.finish(std::chrono::steady_clock::now() + settings_.stop_timeout);
  LimiterHandover handover{originals_, {}};
  for (const Held& held : clients_) {
    if (held.applied) handover.applied[held.name] = *held.applied;
  }
  return handover;
}

void ClientLimiter::set_targets(const std::optional<ClientTargets>& targets) {
  targets_ = targets;
  for (size_t i = 0; i < clients_.size(); ++i) sync(i);
  if (targets_) schedule_check();
}

bool ClientLimiter::restore_all() {
  stopping_ = true;
  targets_.reset();
  const auto deadline = std::chrono::steady_clock::now() + settings_.stop_timeout;
  calls_.finish(deadline);  // the calls under way end first: their outcome decides what to restore
  for (size_t i = 0; i < clients_.size(); ++i) {
    if (holds(clients_[i].name)) sync(i);
  }
  calls_.finish(deadline);
  bool all = true;
  for (const Held& held : clients_) {
    if (!holds(held.name)) continue;
    log_(held.name + ": original limits not restored now; they stay in the state file for the next start");
    all = false;
  }
  stopping_ = false;
  return all;
}

void ClientLimiter::sync(size_t index) {
  Held& held = clients_[index];
  if (held.busy) {
    held.again = true;
    return;
  }
  const auto known = originals_.find(held.name);
  const std::optional<ClientTargets> targets = held.retiring ? std::nullopt : targets_;
  if (!targets && known == originals_.end()) return;  // nothing of ours to undo
  Order order{known == originals_.end() ? std::nullopt : std::optional(known->second), held.applied, targets};
  held.busy = true;
  auto outcome = std::make_shared<Outcome>();
  calls_.run(
      index, [client = held.client, order, outcome] { *outcome = carry_out(*client, order); },
      [this, index, outcome] { finished(index, *outcome); });
}

// On the client's thread: one read, at most one set.
ClientLimiter::Outcome ClientLimiter::carry_out(TorrentClient& client, const Order& order) {
  Outcome outcome;
  auto current = client.read_limits();
  if (!current) {
    outcome.result = Error{current.error()};
    return outcome;
  }
  if (!order.original) {
    if (order.targets) outcome.unrecorded = *current;  // never change a client before its limits are recorded
    return outcome;
  }
  ClientLimits original = *order.original;
  if (order.applied && *current != *order.applied) {
    original = merge_user_changes(original, *order.applied, *current);
    outcome.users_change = original;
  }
  original.alternative_mode = current->alternative_mode;  // the mode in force decides what to set
  const ClientLimits desired =
      order.targets ? client.stored_form(lowered_limits(original, *order.targets)) : original;
  if (desired != *current) {
    outcome.result = client.set_limits(desired);
    if (!outcome.result) return outcome;
  }
  if (order.targets) {
    outcome.applied = desired;
  } else {
    outcome.restored = true;
  }
  return outcome;
}

void ClientLimiter::finished(size_t index, const Outcome& outcome) {
  Held& held = clients_[index];
  held.busy = false;
  if (outcome.users_change) {
    originals_[held.name] = *outcome.users_change;
    log_(held.name + ": limits changed by the user while lowered; their values become the originals");
    if (auto saved = save(); !saved)
      log_(held.name + ": cannot record the user's new limits: " + saved.error());
  }
  if (!outcome.result) {
    failed(held, index, outcome.result.error());
  } else if (outcome.unrecorded) {
    originals_[held.name] = *outcome.unrecorded;
    if (auto saved = save(); !saved) {
      originals_.erase(held.name);
      failed(held, index, "cannot record the original limits: " + saved.error());
    } else {
      held.again = true;  // recorded: now lower it
    }
  } else {
    if (outcome.restored) {
      originals_.erase(held.name);
      held.applied.reset();
      if (auto saved = save(); !saved)
        log_(held.name + ": restored, but the state file was not updated: " + saved.error());
      log_(held.name + ": original limits restored");
    } else if (outcome.applied) {
      held.applied = outcome.applied;
    }
    held.next_retry = settings_.first_retry;
  }
  if (held.again && !stopping_) {
    held.again = false;
    sync(index);
  }
}

void ClientLimiter::failed(Held& held, size_t index, const std::string& message) {
  if (stopping_) {
    log_(held.name + ": " + message);
    return;
  }
  const std::chrono::milliseconds delay = held.next_retry;
  held.next_retry = std::min(held.next_retry * 2, settings_.longest_retry);
  log_(held.name + ": " + message + "; retrying in " + std::to_string(delay.count()) + " ms");
  timer_.after("client-retry " + held.name, delay, [this, index] { sync(index); });
}

void ClientLimiter::schedule_check() {
  timer_.after("client-check", settings_.check_interval, [this] {
    if (!targets_) return;
    for (size_t i = 0; i < clients_.size(); ++i) sync(i);
    schedule_check();
  });
}

Result<void> ClientLimiter::save() { return persist_(originals_); }

}  // namespace nettoll
