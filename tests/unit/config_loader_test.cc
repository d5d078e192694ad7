// SPDX-License-Identifier: Apache-2.0
// Loading whole configs: the native schema, TrafficToll's example, files.
#include "core/config_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/process_match.h"

namespace nettoll {
namespace {

Rate bits(uint64_t bps) { return Rate::bits_per_second(bps); }

std::string all_diagnostics(const LoadedConfig& loaded) {
  std::string text;
  for (const Diagnostic& diagnostic : loaded.diagnostics) text += format_diagnostic(diagnostic) + "\n";
  return text;
}

const ProcessRule* find_rule(const Config& config, const std::string& name) {
  for (const ProcessRule& rule : config.processes) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

constexpr const char* kNativeConfig = R"(interface: eth0
download: 50mbit
upload: 10mbit
download-minimum: 100kbit
upload-minimum: 10kbit
download-priority: 4
upload-priority: 5
latency: 30ms
processes:
  voice:
    match-any: [{name: Discord, username: alice}]
    download-priority: 0
    upload-priority: 0
  torrent:
    match: [{unit: rtorrent.service}]
    recursive: true
    upload: 5mbit
    upload-minimum: 1mbit
    bulk: true
interfaces:
  wg0: {rate: 1mbit, latency: 50ms, burst: 3028, mtu: 1420}
  tun0: {rate: 2mbit}
reservations:
  api: 127.0.0.1:7657
  token-file: /etc/nettoll/api-token
  local-networks: [192.168.0.0/16, fc00::/7]
  link-upload: 50mbit
  link-download: 400mbit
  download-factor: 30%
  clients:
    - {type: rtorrent, scgi: 127.0.0.1:5000}
    - {type: transmission, url: http://127.0.0.1:9091/transmission/rpc}
    - {type: qbittorrent, url: http://127.0.0.1:8080, username: admin, password-file: /etc/qbt}
)";

TEST(ConfigLoader, NativeGlobals) {
  const LoadedConfig loaded = load_config_text(kNativeConfig, "native.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_TRUE(loaded.diagnostics.empty()) << all_diagnostics(loaded);
  const Config& config = *loaded.config;
  EXPECT_EQ(config.path, "native.yaml");
  EXPECT_EQ(config.interface, "eth0");
  EXPECT_EQ(config.download.limit, bits(50'000'000));
  EXPECT_EQ(config.upload.limit, bits(10'000'000));
  EXPECT_EQ(config.download.minimum, bits(100'000));
  EXPECT_EQ(config.upload.minimum, bits(10'000));
  EXPECT_EQ(config.download.priority, 4);
  EXPECT_EQ(config.upload.priority, 5);
  EXPECT_EQ(config.latency, std::chrono::milliseconds(30));
}

TEST(ConfigLoader, NativeProcesses) {
  const LoadedConfig loaded = load_config_text(kNativeConfig, "native.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  const Config& config = *loaded.config;
  ASSERT_EQ(config.processes.size(), 2u);
  const ProcessRule& voice = config.processes[0];
  EXPECT_EQ(voice.name, "voice");
  EXPECT_EQ(voice.mark.line, 10);
  EXPECT_EQ(voice.mark.column, 3);
  EXPECT_TRUE(voice.match.empty());
  ASSERT_EQ(voice.match_any.size(), 1u);
  ASSERT_EQ(voice.match_any[0].predicates.size(), 2u);
  EXPECT_EQ(voice.match_any[0].predicates[0].attribute, "name");
  EXPECT_EQ(voice.match_any[0].predicates[0].pattern, "Discord");
  EXPECT_EQ(voice.match_any[0].predicates[1].attribute, "username");
  EXPECT_EQ(voice.download.priority, 0);
  EXPECT_FALSE(voice.download.limit);
  EXPECT_FALSE(voice.recursive);

  const ProcessRule& torrent = config.processes[1];
  EXPECT_TRUE(torrent.recursive);
  EXPECT_TRUE(torrent.bulk);
  EXPECT_EQ(torrent.upload.limit, bits(5'000'000));
  EXPECT_EQ(torrent.upload.minimum, bits(1'000'000));
  EXPECT_FALSE(torrent.upload.priority);
  EXPECT_EQ(torrent.match[0].predicates[0].attribute, "unit");
}

TEST(ConfigLoader, NativeInterfacesAndReservations) {
  const LoadedConfig loaded = load_config_text(kNativeConfig, "native.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  const Config& config = *loaded.config;
  ASSERT_EQ(config.interfaces.size(), 2u);
  EXPECT_EQ(config.interfaces[0].name, "wg0");
  EXPECT_EQ(config.interfaces[0].rate, bits(1'000'000));
  EXPECT_EQ(config.interfaces[0].latency, std::chrono::milliseconds(50));
  EXPECT_EQ(config.interfaces[0].burst_bytes, 3028u);
  EXPECT_EQ(config.interfaces[0].mtu, 1420u);
  EXPECT_FALSE(config.interfaces[1].burst_bytes);

  ASSERT_TRUE(config.reservations);
  const ReservationsConfig& reservations = *config.reservations;
  EXPECT_EQ(reservations.api, "127.0.0.1:7657");
  ASSERT_EQ(reservations.local_networks.size(), 2u);
  EXPECT_TRUE(reservations.local_networks[1].ipv6);
  EXPECT_EQ(reservations.link_upload, bits(50'000'000));
  EXPECT_EQ(reservations.link_download, bits(400'000'000));
  EXPECT_DOUBLE_EQ(reservations.download_factor, 0.3);
  ASSERT_EQ(reservations.clients.size(), 3u);
  EXPECT_EQ(reservations.clients[0].type, ClientType::rtorrent);
  EXPECT_EQ(reservations.clients[0].scgi, "127.0.0.1:5000");
  EXPECT_EQ(reservations.clients[1].type, ClientType::transmission);
  EXPECT_EQ(reservations.clients[2].type, ClientType::qbittorrent);
  EXPECT_EQ(reservations.clients[2].username, "admin");
  EXPECT_EQ(reservations.clients[2].password_file, "/etc/qbt");
}

TEST(ConfigLoader, TrafficTollExampleLoadsUnchanged) {
  const std::string path = std::string(NETTOLL_SOURCE_DIR) + "/tests/unit/data/traffictoll_example.yaml";
  const LoadedConfig loaded = load_config_file(path);
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_TRUE(loaded.diagnostics.empty()) << all_diagnostics(loaded);
  const Config& config = *loaded.config;
  EXPECT_EQ(config.path, path);
  EXPECT_EQ(config.interface, "auto");
  EXPECT_EQ(config.download.limit, Rate::bytes_per_second(5'000'000));
  EXPECT_EQ(config.upload.limit, Rate::bytes_per_second(1'000'000));
  ASSERT_EQ(config.processes.size(), 5u);

  const ProcessRule* poe = find_rule(config, "Path of Exile");
  ASSERT_TRUE(poe);
  EXPECT_EQ(poe->download.priority, 0);
  EXPECT_EQ(poe->match[0].predicates[0].pattern, "PathOfExile_x64");

  const ProcessRule* vivaldi = find_rule(config, "Vivaldi");
  ASSERT_TRUE(vivaldi);
  EXPECT_EQ(vivaldi->download.limit, Rate::bytes_per_second(2'500'000));
  EXPECT_EQ(vivaldi->upload.limit, Rate::bytes_per_second(500'000));
  EXPECT_EQ(vivaldi->upload.priority, 1);

  const ProcessRule* riot = find_rule(config, "Riot");
  ASSERT_TRUE(riot);
  EXPECT_TRUE(riot->recursive);
  EXPECT_EQ(riot->download.priority, 2);

  const ProcessRule* jdownloader = find_rule(config, "JDownloader 2");
  ASSERT_TRUE(jdownloader);
  EXPECT_EQ(jdownloader->download.limit, Rate::bytes_per_second(300'000));
  EXPECT_FALSE(jdownloader->download.priority);
  EXPECT_TRUE(rule_matches(*jdownloader, {{{"cmdline", "java -Xmx1g -jar JDownloader.jar"}}}));
  EXPECT_FALSE(rule_matches(*jdownloader, {{{"cmdline", "java -jar Other.jar"}}}));
}

TEST(ConfigLoader, EmptyTextIsTheDefaultConfig) {
  const LoadedConfig loaded = load_config_text("# nothing here\n", "empty.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_TRUE(loaded.diagnostics.empty());
  EXPECT_EQ(loaded.config->interface, "auto");
  EXPECT_FALSE(loaded.config->shapes_anything());
  EXPECT_FALSE(loaded.config->reservations);
}

TEST(ConfigLoader, AccountingAndUsageRetention) {
  const LoadedConfig defaults = load_config_text("interface: auto\n", "a.yaml");
  ASSERT_TRUE(defaults.ok()) << all_diagnostics(defaults);
  EXPECT_FALSE(defaults.config->accounting);
  EXPECT_EQ(defaults.config->usage_retention_days, 400);
  const LoadedConfig set = load_config_text("accounting: true\nusage: {retention: 30d}\n", "a.yaml");
  ASSERT_TRUE(set.ok()) << all_diagnostics(set);
  EXPECT_TRUE(set.config->accounting);
  EXPECT_EQ(set.config->usage_retention_days, 30);
}

TEST(ConfigLoader, BadAccountingOrRetentionNamesTheKey) {
  for (const char* text :
       {"accounting: sometimes\n", "usage: {retention: 0d}\n", "usage: {retention: 400}\n",
        "usage: {retention: 12h}\n", "usage: {retention: 36501d}\n", "usage: {keep: 1d}\n"}) {
    const LoadedConfig loaded = load_config_text(text, "a.yaml");
    EXPECT_FALSE(loaded.ok()) << text;
    ASSERT_FALSE(loaded.diagnostics.empty()) << text;
    const std::string message = format_diagnostic(loaded.diagnostics.front());
    EXPECT_NE(message.find("a.yaml:1"), std::string::npos) << message;
    EXPECT_TRUE(message.find("accounting") != std::string::npos ||
                message.find("retention") != std::string::npos || message.find("keep") != std::string::npos)
        << message;
  }
}

TEST(ConfigLoader, NullProcessesMeansNoRules) {
  const LoadedConfig loaded = load_config_text("download: 10mbit\nprocesses:\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_TRUE(loaded.config->processes.empty());
}

TEST(ConfigLoader, IntegerMatchValuesBecomeText) {
  const LoadedConfig loaded = load_config_text("processes:\n  one:\n    match: [{pid: 1234}]\n", "a.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_EQ(loaded.config->processes[0].match[0].predicates[0].pattern, "1234");
}

TEST(ConfigLoader, NoConfigWhenThereAreErrors) {
  const LoadedConfig loaded = load_config_text("download: fast\n", "a.yaml");
  EXPECT_FALSE(loaded.ok());
  EXPECT_FALSE(loaded.config);
}

TEST(ConfigLoader, WarningsKeepTheConfig) {
  const LoadedConfig loaded = load_config_text("download: 5000\n", "a.yaml");
  EXPECT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded.config);
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].severity, Diagnostic::Severity::warning);
}

TEST(ConfigLoader, MissingFileIsOneDiagnostic) {
  const LoadedConfig loaded = load_config_file("/nonexistent/nettoll.yaml");
  EXPECT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(loaded.diagnostics[0]),
            "/nonexistent/nettoll.yaml: cannot read: No such file or directory");
}

TEST(ConfigLoader, DirectoryIsUnreadable) {
  const LoadedConfig loaded = load_config_file("/tmp");
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(loaded.diagnostics[0]), "/tmp: cannot read: Is a directory");
}

TEST(ConfigLoader, ReadsAFile) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "nettoll_loader_test.yaml";
  std::ofstream(path) << "upload: 2mbit\n";
  const LoadedConfig loaded = load_config_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_EQ(loaded.config->upload.limit, bits(2'000'000));
}

TEST(ConfigLoader, ShippedConfigsLoad) {
  for (const char* name : {"default.yaml", "example.yaml"}) {
    const LoadedConfig loaded = load_config_file(std::string(NETTOLL_SOURCE_DIR) + "/packaging/" + name);
    EXPECT_TRUE(loaded.ok()) << name << "\n" << all_diagnostics(loaded);
  }
}

TEST(FormatDiagnostic, ErrorsWarningsAndWholeFile) {
  EXPECT_EQ(format_diagnostic({Diagnostic::Severity::error, "a.yaml", {3, 7}, "bad"}), "a.yaml:3:7: bad");
  EXPECT_EQ(format_diagnostic({Diagnostic::Severity::warning, "a.yaml", {1, 1}, "odd"}),
            "a.yaml:1:1: warning: odd");
  EXPECT_EQ(format_diagnostic({Diagnostic::Severity::error, "a.yaml", {}, "cannot read: x"}),
            "a.yaml: cannot read: x");
}

}  // namespace
}  // namespace nettoll
