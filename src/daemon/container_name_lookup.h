// SPDX-License-Identifier: Apache-2.0
// ContainerNameLookup: the daemon's book of container names from the
// engines' APIs (clients/container_engines.h). A container id that shows up
// unnamed sends one question to the engines, asked away from the loop
// (ClientCalls), so a hung engine holds up only that thread; the answer
// lands on the loop and, when it names a container, the daemon re-matches.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "clients/client_calls.h"
#include "clients/container_engines.h"
#include "core/container_engine_names.h"
#include "core/result.h"
#include "daemon/event_loop.h"

namespace nettoll {

class ContainerNameLookup {
 public:
  using EnginesSource = std::function<std::vector<std::string>()>;  // the config's socket paths, now

  // Asks the engines `engines` gives through `calls`; `on_new_names` runs
  // on the loop when an answer named a container not named before.
  ContainerNameLookup(std::unique_ptr<ClientCalls> calls, EnginesSource engines,
                      std::function<void()> on_new_names);
  // The daemon's: the questions run on a thread of their own, their answers
  // on `loop`. Fails when the thread's eventfd cannot be made or watched.
  static Result<std::unique_ptr<ContainerNameLookup>> open(EventLoop& loop, EnginesSource engines,
                                                           std::function<void()> on_new_names);
  ~ContainerNameLookup();
  ContainerNameLookup(const ContainerNameLookup&) = delete;
  ContainerNameLookup& operator=(const ContainerNameLookup&) = delete;

  // The name of container `id`, or nullopt: an engine's id not named yet
  // is asked about (at most once every ContainerNameBook::kRetryUnknown).
  std::optional<std::string> name_of(const std::string& id);

  // For ProcessClassifier and status: name_of as a ContainerNamer.
  ContainerNamer namer() {
    return [this](const std::string& id) { return name_of(id); };
  }

 private:
  void ask();
  void take(const EngineAnswers& answers);

  EnginesSource engines_;
  std::function<void()> on_new_names_;
  ContainerNameBook book_;
  bool asking_ = false;             // a question is out
  bool ask_again_ = false;          // another id showed up meanwhile
  std::set<std::string> failures_;  // the last answer's, logged once while they last
  EventLoop* loop_ = nullptr;       // with open(): watching watched_fd_
  int watched_fd_ = -1;
  std::unique_ptr<ClientCalls> calls_;  // last: its threads end before the rest goes
};

}  // namespace nettoll
