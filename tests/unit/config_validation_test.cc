// SPDX-License-Identifier: Apache-2.0
// Every validation problem, with the line and column `nettoll check` prints.
#include <gtest/gtest.h>

#include "core/config_loader.h"

namespace nettoll {
namespace {

using Severity = Diagnostic::Severity;

std::string all_diagnostics(const LoadedConfig& loaded) {
  std::string text;
  for (const Diagnostic& diagnostic : loaded.diagnostics) text += format_diagnostic(diagnostic) + "\n";
  return text;
}

// Succeeds when loading `yaml` gives exactly one diagnostic, of `severity`, at
// line:column, whose message contains `needle`.
::testing::AssertionResult has_one(std::string_view yaml, int line, int column, std::string_view needle,
                                   Severity severity = Severity::error) {
  const LoadedConfig loaded = load_config_text(yaml, "t.yaml");
  if (loaded.diagnostics.size() != 1) {
    return ::testing::AssertionFailure() << "expected one diagnostic, got:\n" << all_diagnostics(loaded);
  }
  const Diagnostic& diagnostic = loaded.diagnostics[0];
  if (diagnostic.severity != severity || diagnostic.mark.line != line || diagnostic.mark.column != column ||
      diagnostic.message.find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << "got " << format_diagnostic(diagnostic) << "\nwanted " << line
                                         << ":" << column << " containing '" << needle << "'";
  }
  if (severity == Severity::warning && !loaded.ok())
    return ::testing::AssertionFailure() << "warning failed load";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult has_warning(std::string_view yaml, int line, int column, std::string_view needle) {
  return has_one(yaml, line, column, needle, Severity::warning);
}

TEST(ConfigValidation, YamlSyntaxError) {
  EXPECT_TRUE(has_one("download: 10mbit\nprocesses: [a, b\n", 3, 1, "bad YAML: "));
  EXPECT_TRUE(has_one("a: b\n  c: d\n", 2, 4, "bad YAML: illegal map value"));
}

TEST(ConfigValidation, TopLevelMustBeAMap) {
  EXPECT_TRUE(has_one("- download: 1mbit\n", 1, 1, "expected a map of settings, got a list"));
}

TEST(ConfigValidation, UnknownKeysSuggestTheClosest) {
  EXPECT_TRUE(
      has_one("downlod: 10mbit\n", 1, 1, "unknown key 'downlod' at the top level: did you mean 'download'?"));
  EXPECT_TRUE(has_one("upload: 1mbit\nUpload-Minimum: 1kbit\n", 2, 1, "did you mean 'upload-minimum'?"));
  EXPECT_TRUE(
      has_one("frobnicate: 1\n", 1, 1, "unknown key 'frobnicate' at the top level; known keys: interface, "));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{name: a}]\n    recursiv: true\n", 4, 5,
                      "unknown key 'recursiv' in process 'a': did you mean 'recursive'?"));
  EXPECT_TRUE(has_one("interfaces:\n  wg0: {rate: 1mbit, laytency: 5ms}\n", 2, 22,
                      "unknown key 'laytency' in interface 'wg0': did you mean 'latency'?"));
  EXPECT_TRUE(has_one("reservations:\n  link-uplaod: 1mbit\n", 2, 3,
                      "unknown key 'link-uplaod' in reservations: did you mean 'link-upload'?"));
  EXPECT_TRUE(has_one("reservations:\n  clients:\n    - {type: rtorrent, scgi: x, urll: y}\n", 3, 33,
                      "unknown key 'urll' in reservations: client #1: did you mean 'url'?"));
}

TEST(ConfigValidation, DuplicateKeys) {
  EXPECT_TRUE(has_one("upload: 1mbit\ndownload: 2mbit\nupload: 3mbit\n", 3, 1,
                      "duplicate key 'upload' (first at line 1)"));
}

TEST(ConfigValidation, BadRateUnit) {
  EXPECT_TRUE(has_one("download: 10mb\n", 1, 11, "download: '10mb' is a size, but a rate is wanted here"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{name: a}]\n    upload: fast\n", 4, 13,
                      "process 'a': upload: bad rate 'fast'"));
  EXPECT_TRUE(has_one("interfaces:\n  wg0:\n    rate: 1mbits\n", 3, 11, "interface 'wg0': rate: bad rate"));
}

TEST(ConfigValidation, ZeroAndNegativeRates) {
  EXPECT_TRUE(has_one("upload: 0mbit\n", 1, 9, "upload: rate '0mbit' is zero; omit the key for no limit"));
  EXPECT_TRUE(has_one("download: -5mbit\n", 1, 11, "download: rate '-5mbit' is negative"));
  EXPECT_TRUE(
      has_one("reservations:\n  link-download: 0\n", 2, 18, "reservations: link-download: rate '0' is zero"));
}

TEST(ConfigValidation, WrongNodeTypeNamesTheExpectedType) {
  EXPECT_TRUE(has_one("download: [1, 2]\n", 1, 11, "download: expected a rate such as 10mbit, got a list"));
  EXPECT_TRUE(has_one("upload:\n", 1, 1, "upload: expected a rate such as 10mbit, got an empty value"));
  EXPECT_TRUE(has_one("interface: {a: b}\n", 1, 12, "interface: expected a string, got a map"));
  EXPECT_TRUE(has_one("latency: [1]\n", 1, 10, "latency: expected a duration such as 20ms, got a list"));
  EXPECT_TRUE(has_one("processes: [a, b]\n", 1, 12, "processes: expected a map, got a list"));
  EXPECT_TRUE(
      has_one("processes:\n  a: firefox\n", 2, 6, "process 'a': expected a map of settings, got 'firefox'"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: {name: a}\n", 3, 12,
                      "process 'a': match: expected a list of entries such as '- name: firefox', got a map"));
}

TEST(ConfigValidation, ProcessLimitAboveTheGlobalLimit) {
  EXPECT_TRUE(has_one("upload: 10mbit\nprocesses:\n  X:\n    match: [{name: x}]\n    upload: 20mbit\n", 5, 13,
                      "process 'X': upload 20mbit is above the global upload limit 10mbit"));
  // The check does not depend on the order of the keys.
  EXPECT_TRUE(
      has_one("processes:\n  X:\n    match: [{name: x}]\n    download: 2500kbps\ndownload: 1mbps\n", 4, 15,
              "process 'X': download 2500kbps (20mbit) is above the global download limit 1mbps (8mbit)"));
}

TEST(ConfigValidation, MinimumAboveItsLimit) {
  EXPECT_TRUE(
      has_one("processes:\n  X:\n    match: [{name: x}]\n    upload: 1mbit\n    upload-minimum: 2mbit\n", 5,
              21, "process 'X': upload-minimum 2mbit is above its upload limit 1mbit"));
  EXPECT_TRUE(has_one("download: 1mbit\ndownload-minimum: 2mbit\n", 2, 19,
                      "download-minimum 2mbit is above the global download limit 1mbit"));
}

TEST(ConfigValidation, PriorityMustBeAnIntegerFrom0To7) {
  EXPECT_TRUE(
      has_one("download-priority: high\n", 1, 20,
              "download-priority: expected an integer from 0 (served first) to 7 (served last), got 'high'"));
  EXPECT_TRUE(has_one("upload-priority: 8\n", 1, 18, "got '8'"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{name: a}]\n    upload-priority: -1\n", 4, 22,
                      "process 'a': upload-priority: expected an integer from 0"));
  EXPECT_TRUE(has_one("upload-priority: 1.5\n", 1, 18, "got '1.5'"));
}

TEST(ConfigValidation, BadRegex) {
  EXPECT_TRUE(has_one("processes:\n  X:\n    match:\n      - name: \"(\"\n", 4, 15,
                      "process 'X': bad regex '(' for name: "));
}

TEST(ConfigValidation, DuplicateProcessNamesReportTheSecond) {
  EXPECT_TRUE(
      has_one("processes:\n  a:\n    match: [{name: a}]\n  b:\n    match: [{name: b}]\n  a:\n"
              "    match: [{name: c}]\n",
              6, 3, "processes: duplicate process 'a' (first at line 2)"));
}

TEST(ConfigValidation, ProcessWithoutMatchWillNeverMatch) {
  EXPECT_TRUE(has_warning("processes:\n  idle:\n    upload: 1mbit\n", 2, 3,
                          "process 'idle' has no match entries: it will never match"));
  EXPECT_TRUE(has_warning("processes:\n  idle:\n    match: []\n", 3, 12, "it will never match"));
  EXPECT_TRUE(has_warning("processes:\n  idle:\n", 2, 3, "it will never match"));
}

TEST(ConfigValidation, AttributesNettollDoesNotReadAreRefused) {
  for (const char* attribute : {"nice", "num_threads", "create_time"}) {
    EXPECT_TRUE(has_one(
        std::string("processes:\n  a:\n    match: [{") + attribute + ": '1'}]\n", 3, 14,
        std::string("process 'a': match attribute '") + attribute + "' is not supported by nettoll yet"))
        << attribute;
  }
}

TEST(ConfigValidation, MatchEntryMustBeAMapOfKnownAttributes) {
  EXPECT_TRUE(has_one("processes:\n  a:\n    match:\n      - firefox\n", 4, 9,
                      "process 'a': a match entry must be a map of attribute: regex, such as {name: "
                      "firefox}, got 'firefox'"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match:\n      - nmae: firefox\n", 4, 9,
                      "process 'a': unknown match attribute 'nmae': did you mean 'name'?"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{colour: red}]\n", 3, 14,
                      "unknown match attribute 'colour'; use one of"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{name: [a]}]\n", 3, 20,
                      "process 'a': match name: expected a regular expression, got a list"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{}]\n", 3, 13, "a match entry must be a map"));
}

TEST(ConfigValidation, SeveralMatchEntriesMeanAllAsInTrafficTollWithoutWarning) {
  const LoadedConfig loaded =
      load_config_text("processes:\n  a:\n    match: [{name: a}, {exe: b}]\n", "t.yaml");
  EXPECT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded.diagnostics.empty());
}

TEST(ConfigValidation, MultiKeyEntrySaysWhatTrafficTollWouldHaveDone) {
  EXPECT_TRUE(
      has_warning("processes:\n  a:\n    match:\n      - name: skype\n        exe: /opt/skype\n", 4, 9,
                  "process 'a': this match entry has 2 attributes and nettoll requires all of them; "
                  "TrafficToll used only the first (name: skype) and ignored exe; write one attribute "
                  "per entry ([{name: skype}, {exe: /opt/skype}]) to say the same without this warning"));
  EXPECT_TRUE(has_warning("processes:\n  a:\n    match: [{name: a}, {exe: b, user: c, cwd: d}]\n", 3, 24,
                          "TrafficToll used only the first (exe: b) and ignored user, cwd"));
}

TEST(ConfigValidation, MultiKeyMatchAnyEntryIsNativeAndNotWarned) {
  const LoadedConfig loaded =
      load_config_text("processes:\n  a:\n    match-any: [{name: a, exe: b}, {name: c}]\n", "n.yaml");
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded.diagnostics.empty());
  ASSERT_EQ(loaded.config->processes[0].match_any.size(), 2u);
  EXPECT_EQ(loaded.config->processes[0].match_any[0].predicates.size(), 2u);
}

TEST(ConfigValidation, MatchAnyIsCheckedLikeMatch) {
  EXPECT_TRUE(
      has_one("processes:\n  a:\n    match-any: {name: a}\n", 3, 16,
              "process 'a': match-any: expected a list of entries such as '- name: firefox', got a map"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match-any: [firefox]\n", 3, 17,
                      "process 'a': a match-any entry must be a map of attribute: regex"));
  EXPECT_TRUE(has_one("processes:\n  a:\n    match-any: [{nmae: a}]\n", 3, 18,
                      "unknown match attribute 'nmae': did you mean 'name'?"));
  EXPECT_TRUE(has_warning("processes:\n  idle:\n    match-any: []\n", 3, 16, "it will never match"));
  const LoadedConfig only_any = load_config_text("processes:\n  a:\n    match-any: [{name: a}]\n", "n.yaml");
  EXPECT_TRUE(only_any.ok());
  EXPECT_TRUE(only_any.diagnostics.empty());
}

TEST(ConfigValidation, BoolsAndIntegers) {
  EXPECT_TRUE(has_one("processes:\n  a:\n    match: [{name: a}]\n    recursive: maybe\n", 4, 16,
                      "process 'a': recursive: expected true or false, got 'maybe'"));
  EXPECT_TRUE(has_one("interfaces:\n  wg0: {rate: 1mbit, burst: 3kbit}\n", 2, 29,
                      "interface 'wg0': burst: bad size '3kbit': expected auto or a size in bytes"));
  EXPECT_TRUE(has_one("interfaces:\n  wg0: {rate: 1mbit, mtu: 40}\n", 2, 27,
                      "mtu (auto or bytes): expected an integer from 68 to 65535"));
  EXPECT_TRUE(has_one("interfaces:\n  wg0: {rate: 1mbit, direction: up}\n", 2, 33,
                      "interface 'wg0': direction: expected egress, ingress or both, got 'up'"));
}

TEST(ConfigValidation, Durations) {
  EXPECT_TRUE(has_one("latency: 20\n", 1, 10, "latency: bad duration '20': expected a number and a unit"));
  EXPECT_TRUE(has_one("latency: 0ms\n", 1, 10, "latency: must be above zero"));
}

TEST(ConfigValidation, Interfaces) {
  EXPECT_TRUE(has_one("interfaces:\n  wg0: {latency: 5ms}\n", 2, 3,
                      "interface 'wg0': needs a rate, such as {rate: 1mbit}"));
  EXPECT_TRUE(has_one("interfaces:\n  wg0: 1mbit\n", 2, 8,
                      "interface 'wg0': expected a map of settings, got '1mbit'"));
  EXPECT_TRUE(has_one("interface: a-very-long-interface-name\n", 1, 12, "is not an interface name"));
}

TEST(ConfigValidation, BadCidr) {
  EXPECT_TRUE(has_one(
      "reservations:\n  local-networks: [10.0.0.0/8, 10.0.0.1/8]\n", 2, 32,
      "reservations: local-networks: network '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?"));
  EXPECT_TRUE(has_one("reservations:\n  local-networks:\n    - lan\n", 3, 7, "bad network 'lan'"));
}

TEST(ConfigValidation, ReservationClients) {
  EXPECT_TRUE(has_one(
      "reservations:\n  clients:\n    - {type: deluge, url: x}\n", 3, 14,
      "reservations: client #1: unknown client type 'deluge'; use rtorrent, transmission or qbittorrent"));
  EXPECT_TRUE(has_one("reservations:\n  clients:\n    - {type: rtorent, scgi: x}\n", 3, 14,
                      "did you mean 'rtorrent'?"));
  EXPECT_TRUE(has_one("reservations:\n  clients:\n    - {scgi: x}\n", 3, 7, "client #1: needs a type"));
  EXPECT_TRUE(has_one("reservations:\n  clients:\n    - {type: rtorrent}\n", 3, 7, "rtorrent needs 'scgi'"));
  EXPECT_TRUE(has_one("reservations:\n  clients:\n    - {type: transmission}\n", 3, 7, "needs 'url'"));
}

TEST(ConfigValidation, DownloadFactor) {
  EXPECT_TRUE(has_one("reservations:\n  download-factor: 130%\n", 2, 20,
                      "expected a percentage such as 30% or a number from 0 to 1, got '130%'"));
  const LoadedConfig loaded = load_config_text("reservations:\n  download-factor: 0.25\n", "t.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_DOUBLE_EQ(loaded.config->reservations->download_factor, 0.25);
}

TEST(ConfigValidation, ByteUnitsThatLookLikeBitsWarn) {
  EXPECT_TRUE(has_warning(
      "download: 200mbps\n", 1, 11,
      "'200mbps' is 1.6gbit: tc units read 'mbps' as megabytes per second; did you mean '200mbit'?"));
  EXPECT_TRUE(has_warning("upload: 1gbps\n", 1, 9, "did you mean '1gbit'?"));
  EXPECT_TRUE(load_config_text("download: 100mbps\n", "t.yaml").diagnostics.empty());  // 800mbit: plausible
}

TEST(ConfigValidation, SmallBareNumbersWarn) {
  EXPECT_TRUE(has_warning("upload: 5000\n", 1, 9, "'5000' is 5000 bit/s: did you mean '5000kbit'?"));
  EXPECT_TRUE(load_config_text("upload: 10000\n", "t.yaml").diagnostics.empty());
}

TEST(ConfigValidation, AllProblemsAreReportedInFileOrder) {
  const LoadedConfig loaded = load_config_text(
      "processes:\n  a:\n    match: [{name: \"(\"}]\n    upload: 20mbit\ndownlod: 1mbit\nupload: 10mbit\n"
      "upload-priority: 9\n",
      "t.yaml");
  ASSERT_EQ(loaded.diagnostics.size(), 4u) << all_diagnostics(loaded);
  EXPECT_EQ(loaded.diagnostics[0].mark.line, 3);
  EXPECT_EQ(loaded.diagnostics[1].mark.line, 4);
  EXPECT_EQ(loaded.diagnostics[2].mark.line, 5);
  EXPECT_EQ(loaded.diagnostics[3].mark.line, 7);
  EXPECT_FALSE(loaded.ok());
}

TEST(ConfigValidation, QuotaSizesAndRatesKeepTheirUnits) {
  EXPECT_TRUE(has_one("quota: {period: month, total: 50mbit, then: {download: 1mbit}}\n", 1, 31,
                      "quota: total: '50mbit' is a rate, but a size is wanted here"));
  EXPECT_TRUE(has_one("quota: {period: month, total: 50GB, then: {download: 50GB}}\n", 1, 54,
                      "quota: then: download: '50GB' is a size, but a rate is wanted here"));
  EXPECT_TRUE(has_one("download: 20MB\n", 1, 11, "download: '20MB' is a size, but a rate is wanted here"));
  EXPECT_TRUE(has_one("quota: {period: day, download: 20, then: {download: 1mbit}}\n", 1, 32,
                      "quota: download: bad size '20': expected a size such as 500MB"));
}

TEST(ConfigValidation, QuotaFieldsAreChecked) {
  EXPECT_TRUE(has_one("quota: {total: 5GB, then: {download: 1mbit}}\n", 1, 8, "quota: needs a period"));
  EXPECT_TRUE(has_one("quota: {period: year, total: 5GB, then: {download: 1mbit}}\n", 1, 17,
                      "quota: period: expected day, week or month, got 'year'"));
  EXPECT_TRUE(has_one("quota: {period: month, then: {download: 1mbit}}\n", 1, 8, "quota: needs a size"));
  EXPECT_TRUE(has_one("quota: {period: month, total: 5GB}\n", 1, 8, "quota: needs then"));
  EXPECT_TRUE(has_one("quota: {period: month, start: 32, total: 5GB, then: {upload: 1mbit}}\n", 1, 31,
                      "expected an integer from 1 to 31, got '32'"));
  EXPECT_TRUE(has_one("quota: {period: week, start: 8, total: 5GB, then: {upload: 1mbit}}\n", 1, 30,
                      "a week starts on a weekday from 1 (monday) to 7 (sunday)"));
  EXPECT_TRUE(has_one("quota: {period: day, start: 2, total: 5GB, then: {upload: 1mbit}}\n", 1, 29,
                      "a daily quota starts at midnight"));
  EXPECT_TRUE(has_one("quota: {period: day, total: 5GB, warn-at: 120%, then: {upload: 1mbit}}\n", 1, 43,
                      "warn-at: expected a percentage from 1% to 100%, got '120%'"));
  EXPECT_TRUE(
      has_one("quota: {period: day, total: 5GB, then: {}}\n", 1, 40, "needs a download or upload limit"));
  EXPECT_TRUE(
      has_one("quota: {period: day, total: 5GB, then: block}\n", 1, 40, "block cuts the whole link off"));
  EXPECT_TRUE(has_one("quota: {period: day, totl: 5GB, total: 5GB, then: {upload: 1mbit}}\n", 1, 22,
                      "unknown key 'totl' in quota: did you mean 'total'?"));
}

TEST(ConfigValidation, QuotasLoadOnTheLinkAndOnRules) {
  const LoadedConfig loaded = load_config_text(
      "quota: {period: month, start: 1, total: 50GB, warn-at: 80%,\n"
      "        then: {download: 1mbit, upload: 256kbit}}\n"
      "processes:\n  updater:\n    match: [{name: apt}]\n"
      "    quota: {period: week, start: sunday, download: 2GiB, then: block}\n",
      "t.yaml");
  ASSERT_TRUE(loaded.ok()) << all_diagnostics(loaded);
  EXPECT_TRUE(loaded.diagnostics.empty()) << all_diagnostics(loaded);
  ASSERT_TRUE(loaded.config->quota);
  EXPECT_EQ(loaded.config->quota->total, 50'000'000'000u);
  EXPECT_EQ(loaded.config->quota->then.upload, Rate::bits_per_second(256'000));
  EXPECT_DOUBLE_EQ(loaded.config->quota->warn_at.value_or(0), 0.8);
  ASSERT_EQ(loaded.config->processes.size(), 1u);
  const auto& rule_quota = loaded.config->processes[0].quota;
  ASSERT_TRUE(rule_quota);
  EXPECT_EQ(rule_quota->period.kind, QuotaPeriodKind::week);
  EXPECT_EQ(rule_quota->period.start, 7);
  EXPECT_EQ(rule_quota->download, 2u * 1024 * 1024 * 1024);
  EXPECT_TRUE(rule_quota->then.block);
  EXPECT_FALSE(loaded.config->processes[0].blocked) << "only a used-up quota blocks";
  // A link quota alone asks for the counting programs: it changes the kernel.
  EXPECT_TRUE(load_config_text("quota: {period: day, total: 1GB, then: {download: 1mbit}}\n", "t.yaml")
                  .config->shapes_anything());
}

}  // namespace
}  // namespace nettoll
