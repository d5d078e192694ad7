// SPDX-License-Identifier: Apache-2.0
// Containers' names: the engines' /containers/json answers, the daemon's
// book of names, `container:` matching a name as well as an id, the
// `container-engines:` setting, and `nettoll match` showing names.
#include "core/container_engine_names.h"

#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "core/match_report.h"
#include "core/process_match.h"

namespace nettoll {
namespace {

using namespace std::chrono_literals;

const std::string kPlex = "3f2a6b0c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a";
const std::string kOther = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(EngineContainers, DockerAnswerGivesNamesWithoutTheSlash) {
  const auto names =
      parse_engine_containers(R"([{"Id": ")" + kPlex + R"(", "Names": ["/plex"], "State": "running"},
      {"Id": ")" + kOther + R"(", "Names": ["/torrent", "/web/torrent"]}])");
  ASSERT_TRUE(names) << names.error();
  EXPECT_EQ(*names, (ContainerNames{{kPlex, "plex"}, {kOther, "torrent"}}));
}

TEST(EngineContainers, PodmanCompatAnswerAndNamelessContainers) {
  const auto names = parse_engine_containers(R"([{"Id": ")" + kPlex + R"(", "Names": ["plex"]}, {"Id": ")" +
                                             kOther + R"("}])");
  ASSERT_TRUE(names) << names.error();
  EXPECT_EQ(*names, (ContainerNames{{kPlex, "plex"}}));
  EXPECT_TRUE(parse_engine_containers("[]")->empty());
}

TEST(EngineContainers, BadAnswersSayWhatIsWrong) {
  EXPECT_NE(parse_engine_containers("<html>").error().find("not JSON"), std::string::npos);
  EXPECT_NE(parse_engine_containers(R"({"message": "page not found"})").error().find("not a list"),
            std::string::npos);
  EXPECT_NE(parse_engine_containers(R"([{"Names": ["/x"]}])").error().find("Id"), std::string::npos);
  EXPECT_FALSE(parse_engine_containers(R"([{"Id": 7}])"));
}

TEST(ContainerNameBook, AsksOnceForAnUnknownIdUntilTheRetryTime) {
  ContainerNameBook book;
  const auto start = std::chrono::steady_clock::time_point{} + 1h;
  EXPECT_TRUE(book.should_ask(kPlex, start));
  EXPECT_FALSE(book.should_ask(kPlex, start + 1s));
  EXPECT_TRUE(book.should_ask(kPlex, start + ContainerNameBook::kRetryUnknown));
  // An nspawn machine's name is its own: no engine is asked.
  EXPECT_FALSE(book.should_ask("web-front", start));
}

TEST(ContainerNameBook, AnAnswerNamesContainersAndSaysWhetherAnythingIsNew) {
  ContainerNameBook book;
  EXPECT_TRUE(book.update({{kPlex, "plex"}}));
  EXPECT_EQ(book.name_of(kPlex), "plex");
  EXPECT_FALSE(book.should_ask(kPlex, std::chrono::steady_clock::now()));
  EXPECT_FALSE(book.update({{kPlex, "plex"}}));
  EXPECT_TRUE(book.update({{kPlex, "media"}}));  // docker rename
  EXPECT_EQ(book.name_of(kPlex), "media");
  EXPECT_FALSE(book.update({}));
  EXPECT_EQ(book.name_of(kPlex), std::nullopt);  // gone from the engine
}

ProcessRule container_rule(const std::string& pattern) {
  const LoadedConfig loaded =
      load_config_text("processes:\n  media:\n    match: [{container: " + pattern + "}]\n", "c.yaml");
  EXPECT_TRUE(loaded.ok());
  return loaded.config->processes.at(0);
}

TEST(ContainerMatch, ContainerMatchesTheEngineNameOrTheId) {
  ProcessAttributes in_plex{{{"name", "Plex Media Serv"}, {"container", kPlex}}};
  const ContainerNamer namer = [](const std::string& id) -> std::optional<std::string> {
    if (id == kPlex) return "plex";
    return std::nullopt;
  };
  EXPECT_FALSE(rule_matches(container_rule("plex$"), in_plex));  // no name known yet
  add_container_name(in_plex, namer);
  EXPECT_EQ(in_plex.values[kContainerNameAttribute], "plex");
  EXPECT_TRUE(rule_matches(container_rule("plex$"), in_plex));
  EXPECT_TRUE(rule_matches(container_rule("3f2a"), in_plex));
  EXPECT_FALSE(rule_matches(container_rule("torrent"), in_plex));

  ProcessAttributes elsewhere{{{"name", "x"}, {"container", kOther}}};
  add_container_name(elsewhere, namer);
  EXPECT_FALSE(elsewhere.values.contains(kContainerNameAttribute));
  EXPECT_FALSE(rule_matches(container_rule("plex"), elsewhere));
  ProcessAttributes host{{{"name", "plex"}}};
  add_container_name(host, namer);
  EXPECT_FALSE(rule_matches(container_rule("plex"), host));
}

TEST(ContainerMatchReport, MatchShowsTheContainersNameAndShortId) {
  const std::vector<ProcessRule> rules = {container_rule("plex$")};
  ScannedProcess plex{
      41, 1, {{{"name", "Plex Media Serv"}, {"container", kPlex}, {kContainerNameAttribute, "plex"}}}};
  const MatchReport report = make_match_report(rules, {plex});
  const std::string text = format_match_report(report);
  EXPECT_NE(text.find("in container plex (3f2a6b0c1d9e)  (match {container: plex$})"), std::string::npos)
      << text;
  const nlohmann::json json = match_report_to_json(report);
  EXPECT_EQ(json["rules"][0]["matched"][0]["container"], kPlex);
  EXPECT_EQ(json["rules"][0]["matched"][0]["container_name"], "plex");
  EXPECT_TRUE(match_report_attributes(rules).contains("container"));
}

TEST(ContainerEnginesSetting, DefaultsListOffAndBadPaths) {
  const LoadedConfig defaults = load_config_text("upload: 10mbit\n", "c.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults.config->container_engines,
            (std::vector<std::string>{"/run/docker.sock", "/run/podman/podman.sock"}));
  const LoadedConfig listed = load_config_text("container-engines: [/srv/docker.sock]\n", "c.yaml");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed.diagnostics.empty());
  EXPECT_EQ(listed.config->container_engines, std::vector<std::string>{"/srv/docker.sock"});
  for (const char* none : {"container-engines: off\n", "container-engines: []\n"}) {
    const LoadedConfig off = load_config_text(none, "c.yaml");
    ASSERT_TRUE(off.ok()) << none;
    EXPECT_TRUE(off.config->container_engines.empty()) << none;
  }
  const LoadedConfig relative =
      load_config_text("upload: 1mbit\ncontainer-engines: [docker.sock]\n", "c.yaml");
  ASSERT_FALSE(relative.ok());
  EXPECT_EQ(relative.diagnostics.at(0).mark.line, 2);
  EXPECT_NE(relative.diagnostics.at(0).message.find("absolute path"), std::string::npos);
  EXPECT_FALSE(load_config_text("container-engines: /run/docker.sock\n", "c.yaml").ok());
}

}  // namespace
}  // namespace nettoll
