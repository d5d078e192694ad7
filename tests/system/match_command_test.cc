// SPDX-License-Identifier: Apache-2.0
// `nettoll match` against real processes: renamed copies of sleep and bash
// started inside the test's network namespace and a cgroup of its own. Each
// rule must list exactly the processes it should select (TrafficToll's
// meanings: all `match` entries, shlex-joined cmdline, the 15-character name
// extended from the command line) and none it should not.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "child_process.h"
#include "daemon/bpf_path.h"
#include "kernel/process_info.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class MatchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, cgroups)";
    const std::string root = cgroup_v2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    id_ = std::to_string(getpid());
    cgroup_ = root + "/nettoll-match-test-" + id_;
    std::filesystem::create_directory(cgroup_);
    bin_dir_ = "/tmp/nettoll-match-test-" + id_;
    std::filesystem::create_directories(bin_dir_);
  }

  void TearDown() override {
    // Every process of the test, the recursive rule's children included;
    // the ones the test started are reaped by their ChildProcess.
    const auto kill_all = [this] {
      std::istringstream pids(read_text(cgroup_ + "/cgroup.procs"));
      for (pid_t pid = 0; pids >> pid;) kill(pid, SIGKILL);
    };
    if (!cgroup_.empty()) kill_all();
    processes_.clear();
    if (!cgroup_.empty()) {
      eventually(
          [&] {
            kill_all();
            return read_text(cgroup_ + "/cgroup.procs").empty();
          },
          2s);
    }
    if (!cgroup_.empty()) rmdir(cgroup_.c_str());
    if (!bin_dir_.empty()) std::filesystem::remove_all(bin_dir_);
  }

  // A copy of `program` called `name` in the test's bin directory.
  std::string install(const std::string& program, const std::string& name) {
    const std::string path = bin_dir_ + "/" + name;
    std::filesystem::copy_file(program, path, std::filesystem::copy_options::overwrite_existing);
    return path;
  }

  // Starts `command` (a shell command line) in the test's cgroup and
  // namespace A, exec'd in place so the returned pid is the program's; waits
  // until /proc shows `comm`.
  pid_t start(const std::string& command, const std::string& comm) {
    processes_.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{"sh", "-c",
                                 "echo $$ > " + cgroup_ + "/cgroup.procs && exec ip netns exec " +
                                     testbed_->namespace_a() + " " + command}));
    const pid_t pid = processes_.back()->pid();
    eventually([&] { return read_text("/proc/" + std::to_string(pid) + "/comm") == comm + "\n"; }, 5s);
    EXPECT_EQ(read_text("/proc/" + std::to_string(pid) + "/comm"), comm + "\n") << command;
    return pid;
  }

  // The children of `pid` once it has `count` of them (bounded wait).
  std::vector<pid_t> wait_for_children(pid_t pid, size_t count) {
    eventually([&] { return children_of(pid).size() >= count; }, 5s);
    return children_of(pid);
  }

  // Runs `nettoll match -c CONFIG ARGS`, returning its exit status and output.
  CommandOutput nettoll_match(const std::string& config, const std::string& arguments) {
    const std::string path = bin_dir_ + "/nettoll.yaml";
    std::ofstream(path) << config;
    return run_command(nettoll_binary() + " match -c " + path + " " + arguments + " 2>&1");
  }

  std::unique_ptr<Testbed> testbed_;
  std::string id_, cgroup_, bin_dir_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

// Rule → the pids of "matched" and of "children" in `nettoll match --json`.
std::map<std::string, std::pair<std::set<pid_t>, std::set<pid_t>>> selections(const nlohmann::json& report) {
  std::map<std::string, std::pair<std::set<pid_t>, std::set<pid_t>>> selected;
  for (const auto& rule : report.at("rules")) {
    auto& [matched, children] = selected[rule.at("rule").get<std::string>()];
    for (const auto& process : rule.at("matched")) matched.insert(process.at("pid").get<pid_t>());
    for (const auto& process : rule.at("children")) children.insert(process.at("pid").get<pid_t>());
  }
  return selected;
}

TEST_F(MatchCommandTest, ListsExactlyTheProcessesEachRuleSelects) {
  const std::string a = "ntm" + id_ + "a", b = "ntm" + id_ + "b", c = "ntm" + id_ + "c";
  const std::string long_name = "ntmlongname" + id_ + "x";  // longer than the kernel's 15 characters
  const std::string a_path = install("/bin/sleep", a);
  const std::string b_path = install("/bin/sleep", b);
  const std::string long_path = install("/bin/sleep", long_name);
  const std::string c_path = install("/bin/bash", c);

  const pid_t plain = start(a_path + " 1000", a);
  // argv[0] with a space: its cmdline is "'my ntm...a' 1000" as shlex.join writes it.
  const pid_t quoted = start("bash -c \"exec -a 'my " + a + "' " + a_path + " 1000\"", a);
  const pid_t any = start(b_path + " 1000", b);
  const pid_t truncated = start(long_path + " 1000", long_name.substr(0, 15));
  const pid_t parent = start(c_path + " -c '/bin/sleep 1000 & /bin/sleep 1001 & wait'", c);
  const std::vector<pid_t> children = wait_for_children(parent, 2);
  ASSERT_EQ(children.size(), 2u);

  const std::string config =
      "processes:\n"
      "  quoted:\n"  // both entries: the name alone would select `plain` too
      "    match: [{name: " +
      a + "}, {cmdline: \"'my " + a +
      "' 1000$\"}]\n"
      "  plain:\n"
      "    match: [{name: " +
      a +
      "$}]\n"
      "  any:\n"
      "    match-any: [{cmdline: no-such-" +
      id_ + "}, {name: " + b +
      "$}]\n"
      "  long:\n"
      "    match: [{name: " +
      long_name +
      "$}]\n"
      "  tree:\n"
      "    match: [{name: " +
      c + "$}, {exe: " + c_path +
      "}]\n"
      "    recursive: true\n"
      "  nothing:\n"
      "    match: [{name: " +
      a + "$}, {name: " + b + "$}]\n";
  const CommandOutput json = nettoll_match(config, "--json");
  ASSERT_EQ(json.exit_status, 0) << json.output;
  const auto report = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << json.output;
  auto selected = selections(report);
  using Pids = std::set<pid_t>;
  EXPECT_EQ(selected["quoted"].first, Pids{quoted});
  EXPECT_EQ(selected["plain"].first, Pids{plain});
  EXPECT_EQ(selected["any"].first, Pids{any});
  EXPECT_EQ(selected["long"].first, Pids{truncated});
  EXPECT_EQ(selected["tree"].first, Pids{parent});
  EXPECT_EQ(selected["tree"].second, Pids(children.begin(), children.end()));
  EXPECT_TRUE(selected["nothing"].first.empty());
  for (const char* rule : {"quoted", "plain", "any", "long", "nothing"})
    EXPECT_TRUE(selected[rule].second.empty());
  EXPECT_EQ(report.at("selecting_nothing"), nlohmann::json::array({"nothing"}));
  EXPECT_EQ(report.at("rules")[0].at("matched")[0].at("exe"), a_path);
  EXPECT_EQ(report.at("rules")[0].at("matched")[0].at("matched"),
            "match {name: " + a + "}, {cmdline: 'my " + a + "' 1000$}");

  const CommandOutput text = nettoll_match(config, "");
  ASSERT_EQ(text.exit_status, 0) << text.output;
  EXPECT_NE(text.output.find("1 of 6 rule(s) select nothing now: 'nothing'"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("(child of " + std::to_string(parent) + ", recursive)"), std::string::npos)
      << text.output;
}

TEST_F(MatchCommandTest, BadConfigExitsOneWithTheLine) {
  const CommandOutput run = nettoll_match("processes:\n  a:\n    match-any: [{nmae: x}]\n", "");
  EXPECT_EQ(run.exit_status, 1) << run.output;
  EXPECT_NE(run.output.find("nettoll.yaml:3:18: process 'a': unknown match attribute 'nmae'"),
            std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace nettoll::testing
