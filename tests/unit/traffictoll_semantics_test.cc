// SPDX-License-Identifier: Apache-2.0
// A config written for TrafficToll selects the same processes in nettoll:
// TrafficToll's example and tt-bandwidth-manager's default config run
// against a process list, with the selections TrafficToll's rule gives
// (every `match` entry must match, re.match from the start, list attributes
// joined as shlex.join does, `recursive` takes the descendants).
#include <gtest/gtest.h>

#include <map>

#include "core/config_loader.h"
#include "core/match_report.h"

namespace nettoll {
namespace {

const std::string kSourceDir = NETTOLL_SOURCE_DIR;

ScannedProcess process(pid_t pid, pid_t ppid, std::string name, std::string exe, std::string cmdline) {
  return {pid,
          ppid,
          {{{"pid", std::to_string(pid)},
            {"ppid", std::to_string(ppid)},
            {"name", std::move(name)},
            {"exe", std::move(exe)},
            {"cmdline", std::move(cmdline)},
            {"username", "alice"}}}};
}

// Rule name → the pids it selects (its own matches, then inherited ones).
std::map<std::string, std::vector<pid_t>> selections(const std::vector<ProcessRule>& rules,
                                                     const std::vector<ScannedProcess>& processes) {
  std::map<std::string, std::vector<pid_t>> selected;
  for (const RuleSelection& rule : make_match_report(rules, processes).rules) {
    auto& pids = selected[rule.rule];
    for (const SelectedProcess& p : rule.matched) pids.push_back(p.pid);
    for (const SelectedProcess& p : rule.children) pids.push_back(p.pid);
  }
  return selected;
}

std::vector<ProcessRule> rules_of_file(const std::string& path) {
  const LoadedConfig loaded = load_config_file(kSourceDir + "/" + path);
  EXPECT_TRUE(loaded.ok()) << path;
  EXPECT_TRUE(loaded.diagnostics.empty()) << path << ": " << format_diagnostic(loaded.diagnostics.front());
  return loaded.ok() ? loaded.config->processes : std::vector<ProcessRule>{};
}

std::vector<ProcessRule> rules_of_text(const std::string& yaml) {
  const LoadedConfig loaded = load_config_text(yaml, "t.yaml");
  EXPECT_TRUE(loaded.ok()) << yaml;
  return loaded.ok() ? loaded.config->processes : std::vector<ProcessRule>{};
}

TEST(TrafficTollSemantics, TrafficTollsExampleSelectsWhatTrafficTollDoes) {
  const std::vector<ScannedProcess> processes = {
      process(100, 1, "PathOfExile_x64", "/games/poe/PathOfExile_x64", "/games/poe/PathOfExile_x64"),
      process(101, 1, "PathOfExile", "/games/poe/PathOfExile", "/games/poe/PathOfExile"),  // not _x64
      process(200, 1, "vivaldi-bin", "/opt/vivaldi/vivaldi-bin", "/opt/vivaldi/vivaldi-bin"),
      process(201, 200, "vivaldi-bin", "/opt/vivaldi/vivaldi-bin",
              "/opt/vivaldi/vivaldi-bin --type=renderer"),
      process(300, 1, "Discord", "/opt/discord/Discord", "/opt/discord/Discord"),
      process(400, 1, "riot-desktop", "/usr/lib/riot/riot-desktop", "/usr/lib/riot/riot-desktop"),
      process(401, 400, "riot-helper", "/usr/lib/riot/helper", "/usr/lib/riot/helper --type=gpu"),
      process(402, 401, "riot-net", "/usr/lib/riot/helper", "/usr/lib/riot/helper --type=utility"),
      process(500, 1, "java", "/usr/lib/jvm/bin/java", "java -jar JDownloader.jar"),
      // ".* JDownloader.jar" wants a space right before the name, as in TrafficToll.
      process(501, 1, "java", "/usr/lib/jvm/bin/java", "java -jar /opt/jd2/JDownloader.jar"),
      process(600, 1, "firefox", "/usr/lib/firefox/firefox", "/usr/lib/firefox/firefox"),
  };
  const auto selected = selections(rules_of_file("tests/unit/data/traffictoll_example.yaml"), processes);
  EXPECT_EQ(selected.at("Path of Exile"), (std::vector<pid_t>{100}));
  EXPECT_EQ(selected.at("Vivaldi"), (std::vector<pid_t>{200, 201}));  // both match by exe; not recursive
  EXPECT_EQ(selected.at("Discord"), (std::vector<pid_t>{300}));
  EXPECT_EQ(selected.at("Riot"), (std::vector<pid_t>{400, 401, 402}));  // recursive: every descendant
  EXPECT_EQ(selected.at("JDownloader 2"), (std::vector<pid_t>{500}));
}

TEST(TrafficTollSemantics, TtBandwidthManagerDefaultSelectsWhatTrafficTollDoes) {
  const std::vector<ScannedProcess> processes = {
      process(700, 1, "skypeforlinux", "/usr/share/skypeforlinux/skypeforlinux",
              "skypeforlinux"),                         // re.match prefix
      process(701, 1, "Skype", "/opt/Skype", "Skype"),  // case matters
      process(800, 1, "zoom", "/opt/zoom/zoom", "/opt/zoom/zoom"),
      process(801, 800, "zoom-helper", "/opt/zoom/zoomhelper",
              "/opt/zoom/zoomhelper"),  // prefix of the exe too
      process(802, 1, "zoom", "/usr/bin/zoom", "/usr/bin/zoom"),
  };
  const auto selected =
      selections(rules_of_file("tests/unit/data/tt_bandwidth_manager_default.yaml"), processes);
  EXPECT_EQ(selected.at("Skype"), (std::vector<pid_t>{700}));
  EXPECT_EQ(selected.at("Zoom"), (std::vector<pid_t>{800, 801}));
  EXPECT_TRUE(selected.at("Speedtest").empty());
}

TEST(TrafficTollSemantics, SeveralEntriesMustAllMatch) {
  // The example: more processes would be selected if any entry sufficed.
  const std::vector<ScannedProcess> processes = {
      process(700, 1, "skypeforlinux", "/usr/share/skypeforlinux/skypeforlinux", "skypeforlinux"),
      process(702, 1, "skype", "/opt/skype/skype", "/opt/skype/skype"),
      process(703, 1, "other", "/opt/skype/skype", "/opt/skype/skype"),
  };
  const auto both =
      rules_of_text("processes:\n  Skype:\n    match: [{name: skype}, {exe: /opt/skype/skype}]\n");
  EXPECT_EQ(selections(both, processes).at("Skype"), (std::vector<pid_t>{702}));
  const auto any =
      rules_of_text("processes:\n  Skype:\n    match-any: [{name: skype}, {exe: /opt/skype/skype}]\n");
  EXPECT_EQ(selections(any, processes).at("Skype"), (std::vector<pid_t>{700, 702, 703}));
}

TEST(MatchReport, SaysWhyAndListsRulesSelectingNothing) {
  const auto rules = rules_of_text(
      "processes:\n  Riot:\n    match: [{name: riot-desktop}]\n    recursive: true\n"
      "  Idle:\n    match-any: [{name: nothing-like-this}, {exe: /nowhere}]\n");
  const MatchReport report =
      make_match_report(rules, {process(400, 1, "riot-desktop", "/usr/lib/riot/riot-desktop", "riot-desktop"),
                                process(401, 400, "riot-helper", "/usr/lib/riot/helper", "helper")});
  ASSERT_EQ(report.rules.size(), 2u);
  ASSERT_EQ(report.rules[0].matched.size(), 1u);
  EXPECT_EQ(report.rules[0].matched[0].matched, "match {name: riot-desktop}");
  EXPECT_EQ(report.rules[0].matched[0].exe, "/usr/lib/riot/riot-desktop");
  ASSERT_EQ(report.rules[0].children.size(), 1u);
  EXPECT_EQ(report.rules[0].children[0].ppid, 400);
  EXPECT_EQ(report.rules[1].selects, "processes matching any of {name: nothing-like-this}, {exe: /nowhere}");

  const std::string text = format_match_report(report);
  EXPECT_NE(text.find("rule 'Riot': processes matching all of {name: riot-desktop}, and their children\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(child of 400, recursive)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 of 2 rule(s) select nothing now: 'Idle'\n"), std::string::npos) << text;

  const nlohmann::json json = match_report_to_json(report);
  EXPECT_EQ(json["scanned"], 2);
  EXPECT_EQ(json["rules"][0]["matched"][0]["pid"], 400);
  EXPECT_EQ(json["rules"][0]["matched"][0]["user"], "alice");
  EXPECT_EQ(json["rules"][0]["children"][0]["pid"], 401);
  EXPECT_EQ(json["selecting_nothing"], nlohmann::json::array({"Idle"}));
}

}  // namespace
}  // namespace nettoll
