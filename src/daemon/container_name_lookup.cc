// SPDX-License-Identifier: Apache-2.0
#include "daemon/container_name_lookup.h"

#include <spdlog/spdlog.h>

#include "clients/client_threads.h"

namespace nettoll {

ContainerNameLookup::ContainerNameLookup(std::unique_ptr<ClientCalls> calls, EnginesSource engines,
                                         std::function<void()> on_new_names)
    : engines_(std::move(engines)), on_new_names_(std::move(on_new_names)), calls_(std::move(calls)) {}

Result<std::unique_ptr<ContainerNameLookup>> ContainerNameLookup::open(EventLoop& loop, EnginesSource engines,
                                                                       std::function<void()> on_new_names) {
  auto threads = ClientThreads::create(1);
  if (!threads) return Error{threads.error()};
  ClientThreads* thread = threads->get();
  if (auto watched = loop.on_readable(thread->fd(), [thread] { thread->run_done(); }); !watched)
    return Error{watched.error()};
  auto lookup =
      std::make_unique<ContainerNameLookup>(std::move(*threads), std::move(engines), std::move(on_new_names));
  lookup->loop_ = &loop;
  lookup->watched_fd_ = thread->fd();
  return lookup;
}

ContainerNameLookup::~ContainerNameLookup() {
  if (loop_) loop_->stop_watching(watched_fd_);
}

std::optional<std::string> ContainerNameLookup::name_of(const std::string& id) {
  if (auto name = book_.name_of(id)) return name;
  if (book_.should_ask(id, std::chrono::steady_clock::now())) ask();
  return std::nullopt;
}

void ContainerNameLookup::ask() {
  if (asking_) {
    ask_again_ = true;
    return;
  }
  std::vector<std::string> sockets = engines_ ? engines_() : std::vector<std::string>{};
  if (sockets.empty()) return;
  asking_ = true;
  auto answers = std::make_shared<EngineAnswers>();
  calls_->run(
      0, [answers, sockets = std::move(sockets)] { *answers = read_container_names(sockets); },
      [this, answers] { take(*answers); });
}

void ContainerNameLookup::take(const EngineAnswers& answers) {
  asking_ = false;
  std::set<std::string> failures(answers.failures.begin(), answers.failures.end());
  for (const std::string& failure : failures) {
    if (!failures_.contains(failure)) spdlog::warn("{}", failure);
  }
  failures_ = std::move(failures);
  if (book_.update(answers.names) && on_new_names_) on_new_names_();
  if (ask_again_) {
    ask_again_ = false;
    ask();
  }
}

}  // namespace nettoll
