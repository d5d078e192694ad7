// SPDX-License-Identifier: Apache-2.0
// The `api:` section: the TCP listener with or without `reservations:`.
#include <gtest/gtest.h>

#include "core/api_config_loader.h"
#include "core/config_loader.h"

namespace nettoll {
namespace {

std::string messages(const LoadedConfig& loaded) {
  std::string text;
  for (const Diagnostic& diagnostic : loaded.diagnostics) text += format_diagnostic(diagnostic) + "\n";
  return text;
}

TEST(ApiConfig, NoSectionMeansNoTcpListener) {
  const LoadedConfig loaded = load_config_text("interface: auto\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  EXPECT_FALSE(tcp_api_of(*loaded.config));
}

TEST(ApiConfig, ApiSectionTurnsTheListenerOnWithoutReservations) {
  const LoadedConfig loaded =
      load_config_text("api: {listen: '127.0.0.1:8000', token-file: /tmp/t}\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  EXPECT_TRUE(loaded.diagnostics.empty()) << messages(loaded);
  const auto api = tcp_api_of(*loaded.config);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->listen, "127.0.0.1:8000");
  EXPECT_EQ(api->token_file, "/tmp/t");
  EXPECT_FALSE(loaded.config->reservations);
}

TEST(ApiConfig, EmptyApiSectionUsesTheDefaults) {
  const LoadedConfig loaded = load_config_text("api: {}\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  const auto api = tcp_api_of(*loaded.config);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->listen, "127.0.0.1:7657");
  EXPECT_EQ(api->token_file, "/etc/nettoll/api-token");
}

TEST(ApiConfig, ReservationsKeysStillTurnItOn) {
  const LoadedConfig loaded =
      load_config_text("reservations: {api: '127.0.0.1:9000', token-file: /tmp/r}\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  const auto api = tcp_api_of(*loaded.config);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->listen, "127.0.0.1:9000");
  EXPECT_EQ(api->token_file, "/tmp/r");
}

TEST(ApiConfig, BothGivenAndDifferentWarnsAndApiWins) {
  const LoadedConfig loaded =
      load_config_text("api: {listen: '127.0.0.1:8000'}\nreservations: {api: '127.0.0.1:9000'}\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << messages(loaded);
  ASSERT_EQ(loaded.diagnostics.size(), 1u) << messages(loaded);
  EXPECT_EQ(loaded.diagnostics[0].severity, Diagnostic::Severity::warning);
  EXPECT_NE(messages(loaded).find("a.yaml:2:"), std::string::npos) << messages(loaded);
  EXPECT_NE(messages(loaded).find("the API uses api:"), std::string::npos) << messages(loaded);
  EXPECT_EQ(tcp_api_of(*loaded.config)->listen, "127.0.0.1:8000");
}

TEST(ApiConfig, BothGivenAndEqualOrReservationsSilentIsNoWarning) {
  const LoadedConfig same = load_config_text(
      "api: {listen: '127.0.0.1:8000', token-file: /t}\n"
      "reservations: {api: '127.0.0.1:8000', token-file: /t}\n",
      "a.yaml");
  EXPECT_TRUE(same.diagnostics.empty()) << messages(same);
  const LoadedConfig silent =
      load_config_text("api: {listen: '127.0.0.1:8000'}\nreservations: {link-upload: 10mbit}\n", "a.yaml");
  EXPECT_TRUE(silent.diagnostics.empty()) << messages(silent);
}

TEST(ApiConfig, NonLoopbackAndUnknownKeysAreErrors) {
  const LoadedConfig wide = load_config_text("api: {listen: '0.0.0.0:7657'}\n", "a.yaml");
  EXPECT_FALSE(wide.ok());
  EXPECT_NE(messages(wide).find("a.yaml:1:15: api: listen:"), std::string::npos) << messages(wide);
  const LoadedConfig typo = load_config_text("api: {lisen: '127.0.0.1:7657'}\n", "a.yaml");
  EXPECT_FALSE(typo.ok());
  EXPECT_NE(messages(typo).find("listen"), std::string::npos) << messages(typo);
}

}  // namespace
}  // namespace nettoll
