// SPDX-License-Identifier: Apache-2.0
// Process events from the proc connector, and process attributes from /proc,
// on the real kernel: children this test starts are seen forking, execing
// and exiting; the connector refuses other network namespaces with a clear
// message and keeps working after setns.
#include "kernel/proc_connector.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>

#include "child_process.h"
#include "kernel/process_info.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Reads events until `done` says the wanted ones arrived or `timeout`
// passes; returns everything read.
std::vector<ProcEvent> collect_events(ProcConnector& connector, milliseconds timeout,
                                      const std::function<bool(const std::vector<ProcEvent>&)>& done) {
  std::vector<ProcEvent> events;
  const auto deadline = Clock::now() + timeout;
  while (!done(events) && Clock::now() < deadline) {
    pollfd readable{connector.fd(), POLLIN, 0};
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (::poll(&readable, 1, static_cast<int>(std::max<long>(left.count(), 0))) <= 0) continue;
    auto batch = connector.read_events();
    if (!batch) ADD_FAILURE() << batch.error();
    if (!batch) break;
    EXPECT_FALSE(batch->overflowed);
    events.insert(events.end(), batch->events.begin(), batch->events.end());
  }
  return events;
}

bool has_event(const std::vector<ProcEvent>& events, ProcEvent::Kind kind, pid_t pid) {
  return std::any_of(events.begin(), events.end(),
                     [&](const ProcEvent& event) { return event.kind == kind && event.pid == pid; });
}

// The pid of the child `parent` forked, from its fork event; 0 if none.
pid_t forked_by(const std::vector<ProcEvent>& events, pid_t parent) {
  for (const ProcEvent& event : events) {
    if (event.kind == ProcEvent::fork && event.parent_tgid == parent) return event.pid;
  }
  return 0;
}

uint64_t monotonic_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(now.tv_nsec);
}

// A named network namespace for the test's lifetime.
class ScratchNamespace {
 public:
  ScratchNamespace() : name_("ntt-proc-" + std::to_string(::getpid())) {
    ok_ = run_command("ip netns add " + name_).exit_status == 0;
  }
  ~ScratchNamespace() { (void)run_command("ip netns del " + name_); }
  const std::string& name() const { return name_; }
  bool ok() const { return ok_; }

 private:
  std::string name_;
  bool ok_ = false;
};

class ProcConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the proc connector needs root (CAP_NET_ADMIN)";
  }
};

TEST_F(ProcConnectorTest, SeesForkExecAndExitOfAShellAndItsBackgroundChild) {
  auto connector = ProcConnector::open();
  ASSERT_TRUE(connector) << connector.error();
  ChildProcess shell({"sh", "-c", "sleep 0.2 & exec sleep 0.3"});
  ASSERT_TRUE(shell.started());
  const pid_t sh = shell.pid();
  const auto events = collect_events(*connector, milliseconds(2000), [&](const auto& seen) {
    const pid_t background = forked_by(seen, sh);
    return has_event(seen, ProcEvent::exit, sh) && background != 0 &&
           has_event(seen, ProcEvent::exit, background);
  });
  EXPECT_TRUE(has_event(events, ProcEvent::fork, sh));
  EXPECT_TRUE(has_event(events, ProcEvent::exec, sh));
  EXPECT_EQ(
      std::count_if(events.begin(), events.end(),
                    [&](const ProcEvent& event) { return event.kind == ProcEvent::exec && event.pid == sh; }),
      2);  // sh, then sleep 0.3 in its place
  EXPECT_TRUE(has_event(events, ProcEvent::exit, sh));
  const pid_t background = forked_by(events, sh);
  ASSERT_NE(background, 0) << "no fork event from sh " << sh;
  EXPECT_TRUE(has_event(events, ProcEvent::exec, background));
  EXPECT_TRUE(has_event(events, ProcEvent::exit, background));
  for (const ProcEvent& event : events) {
    if (event.kind == ProcEvent::fork && event.pid == sh) {
      EXPECT_EQ(event.parent_tgid, ::getpid());
    }
  }
  EXPECT_EQ(shell.wait_for_exit(milliseconds(2000)), 0);
}

TEST_F(ProcConnectorTest, ExitsCanBeDroppedInTheKernel) {
  auto dropping = ProcConnector::open(ExitEvents::dropped);
  ASSERT_TRUE(dropping) << dropping.error();
  auto delivering = ProcConnector::open();
  ASSERT_TRUE(delivering) << delivering.error();
  ChildProcess child({"sleep", "0.1"});
  ASSERT_TRUE(child.started());
  const pid_t pid = child.pid();
  // Both see the fork and the exec; only the delivering one sees the exit,
  // once it has arrived there the other had every chance to get it too.
  const auto delivered = collect_events(*delivering, milliseconds(3000), [&](const auto& seen) {
    return has_event(seen, ProcEvent::exit, pid);
  });
  ASSERT_TRUE(has_event(delivered, ProcEvent::exit, pid));
  const auto dropped = collect_events(*dropping, milliseconds(300), [](const auto&) { return false; });
  EXPECT_TRUE(has_event(dropped, ProcEvent::exec, pid));
  EXPECT_FALSE(has_event(dropped, ProcEvent::exit, pid)) << "the exit reached userspace";
}

TEST_F(ProcConnectorTest, ThreadsAreNotReportedAsProcesses) {
  auto connector = ProcConnector::open();
  ASSERT_TRUE(connector) << connector.error();
  std::thread([] {}).join();
  const auto events = collect_events(*connector, milliseconds(200), [](const auto&) { return false; });
  EXPECT_FALSE(has_event(events, ProcEvent::exit, ::getpid()));
  for (const ProcEvent& event : events) {
    EXPECT_FALSE(event.kind == ProcEvent::fork && event.parent_tgid == ::getpid())
        << "thread reported as fork";
  }
}

TEST_F(ProcConnectorTest, MeasuresForkToEventLatency) {
  auto connector = ProcConnector::open();
  ASSERT_TRUE(connector) << connector.error();
  std::vector<double> to_kernel_us;
  std::vector<double> to_received_us;
  for (int i = 0; i < 50; ++i) {
    const uint64_t before_fork = monotonic_ns();
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ASSERT_GT(child, 0);
    uint64_t received = 0;
    const auto events = collect_events(*connector, milliseconds(2000), [&](const auto& seen) {
      if (received == 0 && has_event(seen, ProcEvent::fork, child)) received = monotonic_ns();
      return received != 0;
    });
    ::waitpid(child, nullptr, 0);
    ASSERT_NE(received, 0u) << "no fork event for " << child;
    for (const ProcEvent& event : events) {
      if (event.kind == ProcEvent::fork && event.pid == child) {
        to_kernel_us.push_back(static_cast<double>(event.timestamp_ns - before_fork) / 1e3);
      }
    }
    to_received_us.push_back(static_cast<double>(received - before_fork) / 1e3);
  }
  std::sort(to_kernel_us.begin(), to_kernel_us.end());
  std::sort(to_received_us.begin(), to_received_us.end());
  std::printf("fork() → event sent by the kernel: median %.0f µs, max %.0f µs\n",
              to_kernel_us[to_kernel_us.size() / 2], to_kernel_us.back());
  std::printf("fork() → event read by userspace: median %.0f µs, p90 %.0f µs, max %.0f µs (%zu forks)\n",
              to_received_us[to_received_us.size() / 2], to_received_us[to_received_us.size() * 9 / 10],
              to_received_us.back(), to_received_us.size());
}

// The attributes of `sleeper` (running `sleep`) once it has exec'd.
Result<ProcessAttributes> read_after_exec(const ChildProcess& sleeper) {
  Result<ProcessAttributes> process = Error{"not read"};
  for (int i = 0; i < 200; ++i) {
    process = read_process(sleeper.pid());
    if (process && process->values["name"] == "sleep") break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return process;
}

TEST_F(ProcConnectorTest, ReadsTheAttributesOfAChild) {
  ChildProcess sleeper({"sleep", "5"});
  ASSERT_TRUE(sleeper.started());
  Result<ProcessAttributes> process = read_after_exec(sleeper);
  ASSERT_TRUE(process) << process.error();
  auto& values = process->values;
  EXPECT_EQ(values["name"], "sleep");
  EXPECT_EQ(values["exe"],
            std::filesystem::canonical("/proc/" + std::to_string(sleeper.pid()) + "/exe").string());
  EXPECT_EQ(std::filesystem::path(values["exe"]).filename(), "sleep");
  EXPECT_EQ(values["cmdline"], "sleep 5");
  EXPECT_EQ(values["pid"], std::to_string(sleeper.pid()));
  EXPECT_EQ(values["ppid"], std::to_string(::getpid()));
  EXPECT_EQ(values["username"], "root");
  EXPECT_EQ(values["user"], "root");
  EXPECT_EQ(values["uids"], "0 0 0");
  EXPECT_EQ(values["cwd"], std::filesystem::current_path().string());
  EXPECT_TRUE(values["status"] == "sleeping" || values["status"] == "running") << values["status"];
  std::printf("attributes of sleep 5:\n");
  for (const auto& [name, value] : values) std::printf("  %s = %s\n", name.c_str(), value.c_str());
}

TEST_F(ProcConnectorTest, ReadsOnlyTheAttributesAskedFor) {
  ChildProcess sleeper({"sleep", "5"});
  ASSERT_TRUE(sleeper.started());
  Result<ProcessAttributes> full = read_after_exec(sleeper);
  ASSERT_TRUE(full) << full.error();
  auto name_only = read_process(sleeper.pid(), {"name"});
  ASSERT_TRUE(name_only) << name_only.error();
  EXPECT_EQ(name_only->values["name"], "sleep");
  EXPECT_EQ(name_only->values["ppid"], full->values["ppid"]);
  EXPECT_FALSE(name_only->values.contains("exe"));
  EXPECT_FALSE(name_only->values.contains("username"));
  auto user_only = read_process(sleeper.pid(), {"user"});
  ASSERT_TRUE(user_only) << user_only.error();
  EXPECT_EQ(user_only->values["user"], "root");
  EXPECT_FALSE(user_only->values.contains("name"));
  auto unit_and_exe = read_process(sleeper.pid(), {"unit", "exe", "cgroup"});
  ASSERT_TRUE(unit_and_exe) << unit_and_exe.error();
  EXPECT_EQ(unit_and_exe->values["exe"], full->values["exe"]);
  EXPECT_EQ(unit_and_exe->values["cgroup"], full->values["cgroup"]);
}

TEST_F(ProcConnectorTest, ExtendsATruncatedNameFromTheCommandLine) {
  const std::string program = "/tmp/ntt-a-rather-long-program-" + std::to_string(::getpid());
  std::filesystem::copy_file("/usr/bin/sleep", program, std::filesystem::copy_options::overwrite_existing);
  ChildProcess sleeper({program, "5"});
  std::string name;
  for (int i = 0; i < 200 && name.rfind("ntt-", 0) != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
    // As the daemon reads it for name-only rules, and in full.
    auto process = read_process(sleeper.pid(), {"name"});
    auto full = read_process(sleeper.pid());
    // Until the child has exec'd the program it still has the test's name,
    // and it may exec between the two reads: compare only once it has.
    if (process && full && process->values["name"].rfind("ntt-", 0) == 0) {
      name = process->values["name"];
      EXPECT_EQ(name, full->values["name"]);
    }
  }
  sleeper.signal(SIGKILL);
  (void)sleeper.wait_for_exit(milliseconds(1000));
  std::filesystem::remove(program);
  EXPECT_EQ(name, std::filesystem::path(program).filename().string());
}

TEST_F(ProcConnectorTest, GoneProcessIsAnErrorAndListingHasProcessesNotThreads) {
  ChildProcess done({"true"});
  ASSERT_EQ(done.wait_for_exit(milliseconds(2000)), 0);
  auto gone = read_process(done.pid());
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().find("cannot read process " + std::to_string(done.pid())), std::string::npos)
      << gone.error();

  pid_t thread_id = 0;
  std::vector<pid_t> listed;
  std::thread thread([&] {
    thread_id = ::gettid();
    listed = list_processes().value();
  });
  thread.join();
  EXPECT_TRUE(std::binary_search(listed.begin(), listed.end(), ::getpid()));
  EXPECT_FALSE(std::binary_search(listed.begin(), listed.end(), thread_id));
}

TEST_F(ProcConnectorTest, RefusedInsideANamespaceButWorksWhenOpenedBeforeSetns) {
  ScratchNamespace scratch;
  ASSERT_TRUE(scratch.ok()) << "cannot create network namespace " << scratch.name();
  std::string inside_error;
  std::optional<ProcConnector> opened_before;
  pid_t child = 0;
  std::thread([&] {
    auto before = ProcConnector::open();
    if (!before) return;
    opened_before.emplace(std::move(before).value());
    ScopedNetworkNamespace inside(scratch.name());
    if (!inside.error().empty()) return;
    auto refused = ProcConnector::open();
    inside_error = refused ? "opened" : refused.error();
    child = ::fork();  // a process of the namespace: events are global anyway
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
  }).join();
  ASSERT_TRUE(opened_before.has_value());
  EXPECT_EQ(inside_error,
            "cannot listen to process events: Connection refused (the proc connector only works in the "
            "initial network namespace; open it before entering --netns)");
  ASSERT_GT(child, 0);
  const auto events = collect_events(*opened_before, milliseconds(2000), [&](const auto& seen) {
    return has_event(seen, ProcEvent::exit, child);
  });
  EXPECT_TRUE(has_event(events, ProcEvent::fork, child));
  EXPECT_TRUE(has_event(events, ProcEvent::exit, child));
}

TEST(UnitOfCgroup, IsTheDeepestServiceOrScope) {
  EXPECT_EQ(unit_of_cgroup("/system.slice/ssh.service"), "ssh.service");
  EXPECT_EQ(unit_of_cgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-42.scope"),
            "app-firefox-42.scope");
  EXPECT_EQ(unit_of_cgroup("/system.slice/docker.service/payload"), "docker.service");
  EXPECT_EQ(unit_of_cgroup("/user.slice"), "");
  EXPECT_EQ(unit_of_cgroup("/"), "");
}

}  // namespace
}  // namespace nettoll::testing
