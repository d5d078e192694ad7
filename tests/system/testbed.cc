// SPDX-License-Identifier: Apache-2.0
#include "testbed.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "kernel/netns.h"

namespace nettoll::testing {
namespace {

std::atomic<int> testbed_counter{0};

std::string single_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

bool running_as_root() { return geteuid() == 0; }

CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  const std::string full = "sh -c " + single_quoted(command) + " 2>&1";
  std::FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) {
    result.output = "popen failed: " + std::string(std::strerror(errno));
    return result;
  }
  char buffer[4096];
  size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, count);
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Testbed::Testbed(UplinkFrames frames) {
  const std::string prefix =
      "ntt-" + std::to_string(getpid()) + "-" + std::to_string(testbed_counter.fetch_add(1));
  namespace_a_ = prefix + "a";
  namespace_b_ = prefix + "b";
  const std::string a = namespace_a_;
  const std::string b = namespace_b_;
  // The veth pair is born inside A and its B end moved straight to B: the
  // root namespace never holds either end.
  run_setup_step("ip netns add " + a) && run_setup_step("ip netns add " + b) &&
      run_setup_step("ip -n " + a + " link add vA type veth peer name vB netns " + b) &&
      run_setup_step("ip -n " + a + " addr add 10.77.0.1/24 dev vA") &&
      run_setup_step("ip -n " + a + " addr add fd77::1/64 dev vA nodad") &&
      run_setup_step("ip -n " + b + " addr add 10.77.0.2/24 dev vB") &&
      run_setup_step("ip -n " + b + " addr add fd77::2/64 dev vB nodad") &&
      run_setup_step("ip -n " + a + " link set lo up") && run_setup_step("ip -n " + b + " link set lo up") &&
      run_setup_step("ip -n " + a + " link set vA up") && run_setup_step("ip -n " + b + " link set vB up") &&
      (frames == UplinkFrames::super_packets ||
       run_setup_step("ip netns exec " + b + " ethtool -K vB tso off gso off")) &&
      wait_until_reachable();
}

// The kernel reports a new veth's carrier asynchronously (linkwatch, up to a
// second later) and IPv6 drops packets until then: wait for both families.
bool Testbed::wait_until_reachable() {
  return run_setup_step("ip netns exec " + namespace_a_ + " ping -c 1 -w 5 10.77.0.2 >/dev/null") &&
         run_setup_step("ip netns exec " + namespace_a_ + " ping -c 1 -w 5 fd77::2 >/dev/null");
}

Testbed::~Testbed() {
  // Deleting a namespace destroys its devices (veth ends, IFBs) and qdiscs.
  run_command("ip netns del " + namespace_a_);
  run_command("ip netns del " + namespace_b_);
}

bool Testbed::run_setup_step(const std::string& command) {
  CommandOutput result = run_command(command);
  if (result.exit_status == 0) return true;
  setup_error_ = command + ": " + result.output;
  return false;
}

bool Testbed::wait_for_listener(const std::string& name, int port, std::chrono::milliseconds timeout) const {
  const std::string command = "ss -Hltn 'sport = :" + std::to_string(port) + "'";
  return eventually([&] { return !run_in(name, command).output.empty(); }, timeout);
}

CommandOutput Testbed::run_in(const std::string& name, const std::string& command) const {
  return run_command("ip netns exec " + name + " sh -c " + single_quoted(command));
}

ScopedNetworkNamespace::ScopedNetworkNamespace(const std::string& name) {
  original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ < 0) {
    error_ = "cannot open /proc/thread-self/ns/net: " + std::string(std::strerror(errno));
    return;
  }
  Result<void> entered = enter_network_namespace(name);
  if (!entered) error_ = entered.error();
}

ScopedNetworkNamespace::~ScopedNetworkNamespace() {
  if (original_ < 0) return;
  if (::setns(original_, CLONE_NEWNET) != 0) {
    // A thread stuck in a test namespace would make later tests touch the
    // wrong kernel objects: stop here.
    std::perror("cannot return to the original network namespace");
    std::abort();
  }
  ::close(original_);
}

}  // namespace nettoll::testing
