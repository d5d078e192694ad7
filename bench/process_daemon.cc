// SPDX-License-Identifier: Apache-2.0
#include "process_daemon.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "shaping_session.h"

namespace nettoll::bench {

using namespace std::chrono_literals;

DaemonSession::DaemonSession(const ProcessSandbox& sandbox, const std::string& config_yaml,
                             const std::string& classifier, const std::string& ready_text)
    : config_path_(temporary_config_path("daemon")) {
  std::ofstream(config_path_) << config_yaml;
  std::vector<std::string> argv{testing::nettoll_binary(),
                                "daemon",
                                "-c",
                                config_path_,
                                "--netns",
                                sandbox.testbed().namespace_a(),
                                "--socket",
                                sandbox.bin_dir() + "/api.sock",
                                "--cgroup",
                                sandbox.cgroup(),
                                "--runtime-dir",
                                sandbox.bin_dir() + "/run",
                                "--usage-db",
                                sandbox.bin_dir() + "/usage.db",
                                "--state-file",
                                sandbox.bin_dir() + "/state.json"};
  if (!classifier.empty()) argv.insert(argv.end(), {"--classifier", classifier});
  daemon_ = std::make_unique<testing::ChildProcess>(argv);
  // "shaping vA: N change(s)" follows the classifier's setup: from then on a
  // new process is classified. 30 s: a thousand rules are 2,000 classes.
  if (!daemon_->wait_for_output(ready_text, 30s))
    error_ = "the daemon did not say '" + ready_text + "':\n" + daemon_->output();
}

DaemonSession::~DaemonSession() {
  daemon_->signal(SIGTERM);
  if (daemon_->wait_for_exit(10s) != 0) {
    std::fprintf(stderr, "nettoll daemon did not stop cleanly:\n%s\n", daemon_->output().c_str());
  }
  std::remove(config_path_.c_str());
}

std::optional<PlannedRuleClass> planned_rule_class(const ProcessSandbox& sandbox,
                                                   const std::string& config_yaml, const std::string& rule) {
  const std::string path = temporary_config_path("plan");
  std::ofstream(path) << config_yaml;
  const auto printed =
      sandbox.testbed().run_in_a(testing::nettoll_binary() + " plan --json --interface vA -c " + path);
  std::remove(path.c_str());
  const auto plan = nlohmann::json::parse(printed.output, nullptr, false);
  if (printed.exit_status != 0 || plan.is_discarded()) return std::nullopt;
  for (const auto& planned : plan["egress"].value("classes", nlohmann::json::array())) {
    if (planned.value("rule", "") != rule) continue;
    return PlannedRuleClass{planned.value("id", ""), planned.value("burst", uint64_t{0}),
                            planned.value("cburst", uint64_t{0})};
  }
  return std::nullopt;
}

bool daemon_takes_classifier_flag() {
  return testing::run_command(testing::nettoll_binary() + " daemon --help").output.find("--classifier") !=
         std::string::npos;
}

double cpu_seconds(pid_t pid) {
  // /proc/PID/task/*/schedstat: nanoseconds on a CPU, exact. utime and stime
  // in /proc/PID/stat are sampled at the timer tick, which for a daemon that
  // wakes for a few microseconds at a time is noise (runs of this benchmark
  // read 1.1 % to 3.5 % for the same work).
  double seconds = 0;
  std::error_code error;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    std::ifstream schedstat(task.path() / "schedstat");
    unsigned long long on_cpu_ns = 0;
    if (schedstat >> on_cpu_ns) seconds += static_cast<double>(on_cpu_ns) / 1e9;
  }
  return seconds;
}

long memory_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace nettoll::bench
