// SPDX-License-Identifier: Apache-2.0
#include "core/process_table.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

using Changes = std::vector<ProcessRuleChange>;

// A rule matching processes whose `name` starts with `name_pattern`.
ProcessRule rule(const std::string& rule_name, const std::string& name_pattern, bool recursive = false) {
  ProcessRule rule;
  rule.name = rule_name;
  rule.recursive = recursive;
  rule.match.push_back(MatchEntry{{MatchPredicate{"name", name_pattern, std::regex(name_pattern), {}}}, {}});
  return rule;
}

ProcessAttributes named(const std::string& name) { return {{{"name", name}}}; }

ScannedProcess scanned(pid_t pid, pid_t ppid, const std::string& name) { return {pid, ppid, named(name)}; }

// Rules 1 = browser (not recursive), 2 = shell (recursive), 3 = backup.
std::vector<ProcessRule> standard_rules() {
  return {rule("browser", "firefox"), rule("shell", "bash", true), rule("backup", "restic")};
}

TEST(ProcessTable, ExecMatchesTheFirstRuleInConfigOrder) {
  ProcessTable table({rule("first", "fire"), rule("second", "firefox")});
  EXPECT_EQ(table.on_exec(100, 1, named("firefox")), (Changes{{100, 0, 1}}));
  EXPECT_EQ(table.rule_of(100), 1u);
  EXPECT_FALSE(table.inherited(100));
}

TEST(ProcessTable, ExecWithoutMatchChangesNothing) {
  ProcessTable table(standard_rules());
  EXPECT_EQ(table.on_exec(100, 1, named("vim")), Changes{});
  EXPECT_EQ(table.rule_of(100), 0u);
  EXPECT_EQ(table.size(), 1u);
}

TEST(ProcessTable, ChildOfARecursiveRuleInheritsAtFork) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("bash"));
  EXPECT_EQ(table.on_fork(101, 100), (Changes{{101, 0, 2}}));
  // It execs a program no rule matches: the inherited rule stays.
  EXPECT_EQ(table.on_exec(101, 100, named("make")), Changes{});
  EXPECT_TRUE(table.inherited(101));
  // make matches nothing of its own: its children inherit through it.
  EXPECT_EQ(table.on_fork(102, 101), (Changes{{102, 0, 2}}));
  EXPECT_TRUE(table.inherited(102));
}

TEST(ProcessTable, InheritanceDoesNotNeedMatchingAttributes) {
  ProcessRule by_pid;
  by_pid.name = "session";
  by_pid.recursive = true;
  by_pid.match.push_back(MatchEntry{{MatchPredicate{"pid", "100$", std::regex("100$"), {}}}, {}});
  ProcessTable table({by_pid});
  (void)table.on_exec(100, 1, {{{"pid", "100"}}});
  EXPECT_EQ(table.on_fork(101, 100), (Changes{{101, 0, 1}}));
  EXPECT_TRUE(table.inherited(101));
}

TEST(ProcessTable, ForkedChildSharesItsParentsAttributesUntilExec) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("firefox"));
  EXPECT_EQ(table.on_fork(101, 100), (Changes{{101, 0, 1}}));  // a prefork worker is still firefox
  EXPECT_FALSE(table.inherited(101));
  EXPECT_EQ(table.on_exec(101, 100, named("crashreporter")), (Changes{{101, 1, 0}}));  // not recursive
}

TEST(ProcessTable, PredicatesOnPidDoNotFollowAFork) {
  ProcessRule by_pid;
  by_pid.name = "one";
  by_pid.match.push_back(MatchEntry{{MatchPredicate{"pid", "100$", std::regex("100$"), {}}}, {}});
  ProcessTable table({by_pid});
  EXPECT_EQ(table.on_exec(100, 1, {{{"pid", "100"}}}), (Changes{{100, 0, 1}}));
  EXPECT_EQ(table.on_fork(101, 100), Changes{});  // no rule until exec
}

TEST(ProcessTable, ExecOfAnInheritingProcessPrefersItsOwnMatch) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("bash"));
  (void)table.on_fork(101, 100);
  EXPECT_EQ(table.on_exec(101, 100, named("firefox")), (Changes{{101, 2, 1}}));
  EXPECT_FALSE(table.inherited(101));
  (void)table.on_fork(102, 100);
  EXPECT_EQ(table.on_exec(102, 100, named("curl")), Changes{});  // keeps the inherited shell rule
  EXPECT_EQ(table.rule_of(102), 2u);
  EXPECT_TRUE(table.inherited(102));
}

TEST(ProcessTable, NonRecursiveOwnRuleStopsInheritance) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("bash"));
  (void)table.on_fork(101, 100);
  (void)table.on_exec(101, 100, named("firefox"));
  (void)table.on_fork(102, 101);
  EXPECT_EQ(table.on_exec(102, 101, named("Web Content")), (Changes{{102, 1, 0}}));
}

TEST(ProcessTable, ExitForgetsTheProcessAndChildrenKeepTheirRule) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("bash"));
  (void)table.on_fork(101, 100);
  EXPECT_EQ(table.on_exit(100), (Changes{{100, 2, 0}}));
  EXPECT_EQ(table.rule_of(101), 2u);
  EXPECT_EQ(table.on_exit(101), (Changes{{101, 2, 0}}));
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.on_exit(555), Changes{});  // never seen
}

TEST(ProcessTable, ExitOfAnUnmatchedProcessChangesNothing) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("vim"));
  EXPECT_EQ(table.on_exit(100), Changes{});
  EXPECT_EQ(table.size(), 0u);
}

TEST(ProcessTable, UntrackedParentGivesNoRuleAndExecOfAnUntrackedPidLinksItsParent) {
  ProcessTable table(standard_rules());
  EXPECT_EQ(table.on_fork(101, 77), Changes{});
  (void)table.on_exec(100, 1, named("bash"));
  EXPECT_EQ(table.on_exec(200, 100, named("curl")), (Changes{{200, 0, 2}}));  // its fork was missed
}

TEST(ProcessTable, ReusedPidAtForkStartsFresh) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("firefox"));
  (void)table.on_exec(300, 1, named("vim"));
  EXPECT_EQ(table.on_fork(100, 300), (Changes{{100, 1, 0}}));  // the exit of the old 100 was missed
}

TEST(ProcessTable, ScanInheritsFromMatchingAncestors) {
  ProcessTable table(standard_rules());
  const Changes changes = table.on_scan(
      {scanned(1, 0, "systemd"), scanned(500, 1, "bash"), scanned(501, 500, "make"), scanned(502, 501, "cc"),
       scanned(503, 500, "firefox"), scanned(504, 503, "Web Content"), scanned(505, 1, "restic")});
  EXPECT_EQ(changes, (Changes{{500, 0, 2}, {501, 0, 2}, {502, 0, 2}, {503, 0, 1}, {505, 0, 3}}));
  EXPECT_TRUE(table.inherited(502));
  EXPECT_FALSE(table.inherited(503));
  EXPECT_EQ(table.rule_of(504), 0u);
}

TEST(ProcessTable, ScanOrderDoesNotMatter) {
  ProcessTable table(standard_rules());
  (void)table.on_scan({scanned(900, 800, "cc"), scanned(800, 700, "make"), scanned(700, 1, "bash")});
  EXPECT_EQ(table.rule_of(900), 2u);
}

TEST(ProcessTable, RescanDropsVanishedProcessesAndKeepsOrphansInheritance) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("bash"));
  (void)table.on_fork(101, 100);
  (void)table.on_exec(101, 100, named("curl"));
  // Events were lost: bash exited, curl was reparented to init.
  const Changes changes = table.on_scan({scanned(1, 0, "systemd"), scanned(101, 1, "curl")});
  EXPECT_EQ(changes, (Changes{{100, 2, 0}}));
  EXPECT_EQ(table.rule_of(101), 2u);
}

TEST(ProcessTable, SetRulesReevaluatesFromStoredAttributes) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("firefox"));
  (void)table.on_exec(200, 1, named("vim"));
  (void)table.on_fork(201, 200);
  // vim gets a recursive rule; browser moves to id 1 → 2.
  const Changes changes = table.set_rules({rule("editor", "vim", true), rule("browser", "firefox")});
  EXPECT_EQ(changes, (Changes{{100, 1, 2}, {200, 0, 1}, {201, 0, 1}}));
  EXPECT_FALSE(table.inherited(201));  // the fork copied vim's attributes: its own match
}

TEST(ProcessTable, SetRulesGivesAndTakesInheritance) {
  ProcessTable table({rule("shell", "bash")});
  (void)table.on_exec(100, 1, named("bash"));
  (void)table.on_fork(101, 100);
  (void)table.on_exec(101, 100, named("curl"));
  EXPECT_EQ(table.rule_of(101), 0u);
  EXPECT_EQ(table.set_rules({rule("shell", "bash", true)}), (Changes{{101, 0, 1}}));
  EXPECT_EQ(table.set_rules({rule("shell", "zsh", true)}), (Changes{{100, 1, 0}, {101, 1, 0}}));
}

TEST(ProcessTable, SetRulesKeepsAnOrphansInheritedRuleByName) {
  ProcessTable table(standard_rules());
  (void)table.on_exec(100, 1, named("bash"));
  (void)table.on_fork(101, 100);
  (void)table.on_exec(101, 100, named("curl"));
  (void)table.on_exit(100);
  EXPECT_EQ(table.set_rules({rule("shell", "bash", true), rule("backup", "restic")}), (Changes{{101, 2, 1}}));
  EXPECT_TRUE(table.inherited(101));
  EXPECT_EQ(table.set_rules({rule("shell", "bash", false)}), (Changes{{101, 1, 0}}));  // no longer recursive
}

TEST(ProcessTable, MatchedListsProcessesWithARule) {
  ProcessTable table(standard_rules());
  (void)table.on_scan({scanned(10, 1, "firefox"), scanned(11, 1, "vim"), scanned(12, 1, "restic")});
  EXPECT_EQ(table.matched(), (std::map<pid_t, ProcessRuleId>{{10, 1}, {12, 3}}));
}

TEST(ProcessTable, PruneForgetsWhatIsNotAliveAndReportsLostRules) {
  ProcessTable table(standard_rules());
  (void)table.on_scan({scanned(10, 1, "firefox"), scanned(11, 1, "vim"), scanned(12, 11, "bash")});
  const auto changes = table.prune({1, 11});
  EXPECT_EQ(changes, (std::vector<ProcessRuleChange>{{10, 1, 0}, {12, 2, 0}}));
  EXPECT_EQ(table.size(), 1u);  // 11: 1 itself was never tracked
  EXPECT_TRUE(table.prune({1, 11}).empty());
}

TEST(SameMatchRules, LimitsDoNotCountButNamesPatternsAndRecursionDo) {
  const std::vector<ProcessRule> base = {rule("browser", "firefox"), rule("shell", "bash", true)};
  std::vector<ProcessRule> other_limits = base;
  other_limits[0].upload.limit = Rate::bits_per_second(1'000'000);
  EXPECT_TRUE(same_match_rules(base, other_limits));
  EXPECT_FALSE(same_match_rules(base, {rule("browser", "firefox"), rule("shell", "bash", false)}));
  EXPECT_FALSE(same_match_rules(base, {rule("browser", "firefox"), rule("shell", "zsh", true)}));
  EXPECT_FALSE(same_match_rules(base, {rule("web", "firefox"), rule("shell", "bash", true)}));
  EXPECT_FALSE(same_match_rules(base, {rule("shell", "bash", true), rule("browser", "firefox")}));
  EXPECT_FALSE(same_match_rules(base, {rule("browser", "firefox")}));
}

TEST(AttributesUsed, CollectsEveryPredicatesAttribute) {
  std::vector<ProcessRule> rules = {rule("browser", "firefox"), rule("shell", "bash", true)};
  MatchPredicate exe;
  exe.attribute = "exe";
  exe.pattern = "/usr/bin/mumble";
  rules[1].match.push_back(MatchEntry{{exe}, {}});
  EXPECT_EQ(attributes_used(rules), (std::set<std::string>{"exe", "name"}));
  EXPECT_TRUE(attributes_used({}).empty());
}

}  // namespace
}  // namespace nettoll
