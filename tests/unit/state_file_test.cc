// SPDX-License-Identifier: Apache-2.0
#include "daemon/state_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace nettoll {
namespace {

StateDocument sample() {
  StateDocument state;
  Reservation reservation;
  reservation.id = "abc";
  reservation.remote_ip = "2001:db8::5";
  reservation.remote = *parse_cidr("2001:db8::5/128");
  reservation.upload = Rate::bits_per_second(10'000'000);
  reservation.download = Rate::bits_per_second(3'000'000);
  reservation.expires = WallTime(std::chrono::seconds(1'800'000'000));
  reservation.source = ReservationSource::tautulli;
  reservation.state = ReservationState::paused;
  state.reservations.push_back(reservation);
  ClientLimits limits;
  limits.upload = {Rate::bytes_per_second(1'024'000), true};
  limits.alternative_upload = SpeedLimit{Rate::bytes_per_second(50'000), true};
  limits.alternative_download = SpeedLimit{Rate(), false};
  limits.alternative_mode = true;
  state.original_limits["transmission http://127.0.0.1:9091/transmission/rpc"] = limits;
  return state;
}

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory = std::filesystem::temp_directory_path() /
                ("nettoll-state-" + std::to_string(getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory);
  }
  void TearDown() override { std::filesystem::remove_all(directory); }
  std::filesystem::path directory;
};

TEST_F(StateFileTest, RoundTripsAndCreatesTheDirectoryPrivately) {
  StateFile file((directory / "sub" / "state.json").string());
  EXPECT_TRUE(file.load()->reservations.empty());  // no file yet: empty state
  ASSERT_TRUE(file.save(sample()));
  auto loaded = file.load();
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(*loaded, sample());
  struct stat info {};
  ASSERT_EQ(stat(file.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(file.path() + ".tmp"));
}

// A file from before `lan` and `download_given`: a reload then keeps a local
// viewer local and the download as it was reserved.
TEST_F(StateFileTest, ReservationsOfAnOlderFileKeepWhatWasRecorded) {
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "state.json").string();
  std::ofstream(path) << R"({"version": 1, "original_limits": {}, "reservations": [
    {"id": "a", "ip": "203.0.113.5", "upload_bits_per_second": 10000000,
     "download_bits_per_second": 1000000, "expires_unix": 1800000000, "source": "tautulli",
     "state": "local"}]})";
  auto loaded = StateFile(path).load();
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->reservations.size(), 1u);
  EXPECT_TRUE(loaded->reservations[0].lan);
  EXPECT_TRUE(loaded->reservations[0].download_given);
}

TEST_F(StateFileTest, GarbageIsAnErrorNamingTheFileAndStaysInPlace) {
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "state.json").string();
  std::ofstream(path) << "{\"version\": 1, \"reservations\": [{\"id\": 3}]";
  auto loaded = StateFile(path).load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().rfind(path + ":", 0), 0u) << loaded.error();
  EXPECT_TRUE(std::filesystem::exists(path));
  std::ofstream(path) << R"({"version": 2, "reservations": [], "original_limits": {}})";
  EXPECT_FALSE(StateFile(path).load());
}

TEST_F(StateFileTest, SaveIntoAnUnwritablePlaceFails) {
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "file") << "x";
  EXPECT_FALSE(StateFile((directory / "file" / "state.json").string()).save(sample()));
}

}  // namespace
}  // namespace nettoll
