// SPDX-License-Identifier: Apache-2.0
// The daemon's usage history (eBPF path): a renamed iperf3's bytes reach the
// database by the stop (SIGTERM), agree with iperf3's own count, add up
// over a restart, and a SIGKILL keeps what was flushed before it; a
// database that cannot be opened leaves the daemon shaping.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "byte_counting_fixture.h"

namespace nettoll::testing {
namespace {

constexpr double kTolerance = 0.03;

class UsageHistoryTest : public ByteCountingFixture {
 protected:
  std::string usage_db() const { return runtime_dir_ + "/usage.db"; }

  // The daemon, flushing every `flush_seconds` (default: the service's minute).
  void start_recording_daemon(int flush_seconds = 0) {
    std::vector<std::string> command = daemon_command(kBulkRules);
    if (flush_seconds > 0)
      command.insert(command.end(), {"--usage-flush-interval", std::to_string(flush_seconds)});
    daemon_ = std::make_unique<ChildProcess>(command);
    ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  }

  void stop_daemon() {
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait_for_exit(10s), 0) << daemon_->output();
    daemon_.reset();
  }

  // `program` uploads `megabytes` MB to B at 80 Mbit/s (seconds, so that the
  // moment before the daemon sees the new process is a small part); returns
  // iperf3's count of bytes sent.
  double upload(const std::string& program, int megabytes) {
    start_in_a("./" + program + " -c 10.77.0.2 -p 5201 -n " + std::to_string(megabytes) +
               "M -b 80M --json > " + program + ".json 2>&1");
    stop_clients();
    std::ifstream file(bin_dir_ + "/" + program + ".json");
    const nlohmann::json report = nlohmann::json::parse(file, nullptr, false);
    return report.value("end", nlohmann::json::object())
        .value("sum_sent", nlohmann::json::object())
        .value("bytes", 0.0);
  }

  // Upload bytes of `name` in `nettoll usage --by process --json`; -1 when
  // the command fails (no database yet).
  double recorded_upload(const std::string& name) const {
    const auto reply = run_command(nettoll_binary() + " usage --db " + usage_db() + " --by process --json");
    if (reply.exit_status != 0) return -1;
    const nlohmann::json report = nlohmann::json::parse(reply.output, nullptr, false);
    double bytes = 0;
    for (const auto& row : report.value("rows", nlohmann::json::array()))
      if (row.value("name", "") == name) bytes += row.value("upload", 0.0);
    return bytes;
  }
};

TEST_P(UsageHistoryTest, StopWritesTheBytesAndARestartAddsToThem) {
  start_recording_daemon();
  const double first = upload("ntbulk", 20);
  ASSERT_GT(first, 1e6) << "iperf3 moved data";
  stop_daemon();
  const double after_first = recorded_upload("ntbulk");
  EXPECT_NEAR(after_first / first, 1.0, kTolerance) << "recorded " << after_first << ", iperf3 " << first;

  start_recording_daemon();
  const double second = upload("ntbulk", 10);
  ASSERT_GT(second, 1e6);
  stop_daemon();
  const double total = recorded_upload("ntbulk");
  EXPECT_NEAR(total / (first + second), 1.0, kTolerance)
      << "recorded " << total << ", iperf3 " << first << " + " << second;
}

TEST_P(UsageHistoryTest, SigkillKeepsWhatWasFlushed) {
  start_recording_daemon(1);
  const double sent = upload("ntbulk", 20);
  ASSERT_GT(sent, 1e6);
  // The periodic flush writes it while the daemon runs.
  double recorded = -1;
  EXPECT_TRUE(eventually(
      [&] {
        recorded = recorded_upload("ntbulk");
        return recorded >= sent * (1 - kTolerance);
      },
      10s))
      << "recorded " << recorded << ", iperf3 " << sent << "\n"
      << daemon_->output();
  daemon_->signal(SIGKILL);
  daemon_->wait_for_exit(10s);
  daemon_.reset();
  const double kept = recorded_upload("ntbulk");
  EXPECT_NEAR(kept / sent, 1.0, kTolerance) << "kept " << kept << ", iperf3 " << sent;
  // A new daemon adopts what the killed one left and adds to the history.
  start_recording_daemon();
  const double more = upload("ntbulk", 10);
  stop_daemon();
  const double total = recorded_upload("ntbulk");
  EXPECT_NEAR(total / (sent + more), 1.0, kTolerance) << "recorded " << total;
}

TEST_P(UsageHistoryTest, AMissingDirectoryIsCreatedForRootOnly) {
  std::vector<std::string> command = daemon_command(kBulkRules);
  auto db = std::find(command.begin(), command.end(), "--usage-db");
  ASSERT_NE(db, command.end());
  const std::string directory = runtime_dir_ + "/var-lib-nettoll";
  *std::next(db) = directory + "/usage.db";
  daemon_ = std::make_unique<ChildProcess>(command);
  ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  ASSERT_TRUE(daemon_->wait_for_output("usage history: " + directory, 5s)) << daemon_->output();
  struct stat info {};
  ASSERT_EQ(stat(directory.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  stop_daemon();
}

TEST_P(UsageHistoryTest, ADatabaseThatCannotBeOpenedIsALogLineNotAFailure) {
  std::vector<std::string> command = daemon_command(kBulkRules);
  auto db = std::find(command.begin(), command.end(), "--usage-db");
  ASSERT_NE(db, command.end());
  // A missing directory is created (as StateDirectory= would); one that is
  // a file cannot be.
  std::ofstream(bin_dir_ + "/not-a-directory") << "x";
  *std::next(db) = bin_dir_ + "/not-a-directory/usage.db";
  daemon_ = std::make_unique<ChildProcess>(command);
  ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  EXPECT_TRUE(daemon_->wait_for_output("usage history off: usage database " + bin_dir_, 5s))
      << daemon_->output();
  upload("ntbulk", 5);
  stop_daemon();
}

INSTANTIATE_TEST_SUITE_P(Paths, UsageHistoryTest, ::testing::Values("bpf"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
