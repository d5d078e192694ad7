// SPDX-License-Identifier: Apache-2.0
// The `reservations:` keys and `bulk:` as `nettoll check` reads them.
#include <gtest/gtest.h>

#include "core/config_loader.h"

namespace nettoll {
namespace {

std::string messages(const LoadedConfig& loaded) {
  std::string text;
  for (const Diagnostic& diagnostic : loaded.diagnostics) text += format_diagnostic(diagnostic) + "\n";
  return text;
}

TEST(ReservationsConfig, ReadsEveryKey) {
  const LoadedConfig loaded = load_config_text(R"(reservations:
  local-networks: [192.168.0.0/16, fc00::/7]
  link-upload: 50mbit
  link-download: 400mbit
  download-factor: 25%
  client-minimum: 2mbit
  default-duration: 3h
  margin: 10min
  reservation-priority: 1
  jellyfin: {default-upload: 8mbit}
  clients:
    - {type: rtorrent, scgi: /run/rtorrent/rpc.sock}
)",
                                               "r.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  const ReservationsConfig& reservations = *loaded.config->reservations;
  EXPECT_EQ(reservations.local_networks.size(), 2u);
  EXPECT_DOUBLE_EQ(reservations.download_factor, 0.25);
  EXPECT_EQ(reservations.client_minimum, Rate::bits_per_second(2'000'000));
  EXPECT_EQ(reservations.default_duration, Duration(std::chrono::hours(3)));
  EXPECT_EQ(reservations.margin, Duration(std::chrono::minutes(10)));
  EXPECT_EQ(reservations.reservation_priority, 1);
  EXPECT_EQ(reservations.jellyfin_default_upload, Rate::bits_per_second(8'000'000));
  EXPECT_EQ(reservations.clients.at(0).scgi, "/run/rtorrent/rpc.sock");
}

TEST(ReservationsConfig, DefaultsWhenAbsent) {
  const LoadedConfig loaded = load_config_text("reservations: {link-upload: 10mbit}\n", "r.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  const ReservationsConfig& reservations = *loaded.config->reservations;
  EXPECT_EQ(reservations.default_duration, Duration(std::chrono::hours(4)));
  EXPECT_EQ(reservations.margin, Duration(std::chrono::minutes(5)));
  EXPECT_EQ(reservations.client_minimum, Rate::bits_per_second(1'000'000));
  EXPECT_FALSE(reservations.jellyfin_default_upload);
}

TEST(ReservationsConfig, BadValuesAreErrorsWithPositions) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"reservations:\n  client-minimum: 0\n", "r.yaml:2:19: reservations: client-minimum"},
      {"reservations:\n  default-duration: 0s\n",
       "r.yaml:2:21: reservations: default-duration: must be above zero"},
      {"reservations:\n  margin: soon\n", "r.yaml:2:11: reservations: margin"},
      {"reservations:\n  reservation-priority: 9\n", "r.yaml:2:25: reservations: reservation-priority"},
      {"reservations:\n  jellyfin: {default-upload: fast}\n",
       "r.yaml:2:30: reservations: jellyfin: default-upload"},
      {"reservations:\n  jellyfin: {upload: 1mbit}\n", "r.yaml:2:14: unknown key 'upload'"},
  };
  for (const Case& c : cases) {
    const LoadedConfig loaded = load_config_text(c.yaml, "r.yaml");
    EXPECT_FALSE(loaded.ok()) << c.yaml;
    EXPECT_NE(messages(loaded).find(c.expected), std::string::npos) << c.yaml << "\n" << messages(loaded);
  }
}

}  // namespace
}  // namespace nettoll
