// SPDX-License-Identifier: Apache-2.0
#include "core/process_match.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

MatchPredicate predicate(const std::string& attribute, const std::string& pattern) {
  return MatchPredicate{attribute, pattern, std::regex(pattern), {}};
}

MatchEntry entry(std::vector<MatchPredicate> predicates) { return MatchEntry{std::move(predicates), {}}; }

ProcessAttributes firefox() {
  return {{{"name", "firefox"},
           {"exe", "/usr/lib/firefox/firefox"},
           {"cmdline", "/usr/lib/firefox/firefox -P work"},
           {"username", "alice"},
           {"pid", "4242"}}};
}

TEST(EntryMatches, AnchoredAtTheStartOnlyLikePythonReMatch) {
  EXPECT_TRUE(entry_matches(entry({predicate("name", "fire")}), firefox()));
  EXPECT_TRUE(entry_matches(entry({predicate("name", "firefox$")}), firefox()));
  EXPECT_FALSE(entry_matches(entry({predicate("name", "fox")}), firefox()));
  EXPECT_TRUE(entry_matches(entry({predicate("name", ".*fox")}), firefox()));
  EXPECT_FALSE(entry_matches(entry({predicate("name", "fire$")}), firefox()));
}

TEST(EntryMatches, AllPredicatesMustMatch) {
  EXPECT_TRUE(
      entry_matches(entry({predicate("name", "firefox"), predicate("username", "alice")}), firefox()));
  EXPECT_FALSE(entry_matches(entry({predicate("name", "firefox"), predicate("username", "bob")}), firefox()));
}

TEST(EntryMatches, CmdlineAndNumbersAreText) {
  EXPECT_TRUE(entry_matches(entry({predicate("cmdline", ".* -P work")}), firefox()));
  EXPECT_TRUE(entry_matches(entry({predicate("pid", "4242")}), firefox()));
  EXPECT_TRUE(
      entry_matches(entry({predicate("pid", "42")}), firefox()));  // re.match("42", "4242") matches too
  EXPECT_FALSE(entry_matches(entry({predicate("pid", "4243")}), firefox()));
}

TEST(EntryMatches, MissingAttributeDoesNotMatch) {
  EXPECT_FALSE(entry_matches(entry({predicate("cwd", ".*")}), firefox()));
  EXPECT_FALSE(entry_matches(entry({predicate("name", "firefox"), predicate("unit", ".*")}), firefox()));
}

TEST(EntryMatches, EmptyEntryMatchesNothing) { EXPECT_FALSE(entry_matches(entry({}), firefox())); }

ProcessRule rule_of(std::vector<MatchEntry> match, std::vector<MatchEntry> match_any = {}) {
  ProcessRule rule;
  rule.match = std::move(match);
  rule.match_any = std::move(match_any);
  return rule;
}

TEST(RuleMatches, EveryMatchEntryMustMatchAsInTrafficToll) {
  // TrafficToll's example of the difference: name skype AND exe /opt/skype/skype.
  const ProcessRule rule =
      rule_of({entry({predicate("name", "firefox")}), entry({predicate("exe", "/usr/lib/")})});
  EXPECT_TRUE(rule_matches(rule, firefox()));
  EXPECT_FALSE(rule_matches(
      rule_of({entry({predicate("name", "chromium")}), entry({predicate("exe", "/usr/lib/")})}), firefox()));
  EXPECT_FALSE(rule_matches(
      rule_of({entry({predicate("name", "firefox")}), entry({predicate("username", "bob")})}), firefox()));
}

TEST(RuleMatches, MatchAnyNeedsOneEntry) {
  EXPECT_TRUE(rule_matches(
      rule_of({}, {entry({predicate("name", "chromium")}), entry({predicate("exe", "/usr/lib/")})}),
      firefox()));
  EXPECT_FALSE(rule_matches(
      rule_of({}, {entry({predicate("name", "chromium")}), entry({predicate("exe", "/opt/")})}), firefox()));
}

TEST(RuleMatches, BothNeedAllOfMatchAndOneOfMatchAny) {
  const auto any =
      std::vector<MatchEntry>{entry({predicate("name", "chromium")}), entry({predicate("name", "fire")})};
  EXPECT_TRUE(rule_matches(rule_of({entry({predicate("username", "alice")})}, any), firefox()));
  EXPECT_FALSE(rule_matches(rule_of({entry({predicate("username", "bob")})}, any), firefox()));
  EXPECT_FALSE(rule_matches(
      rule_of({entry({predicate("username", "alice")})}, {entry({predicate("name", "chromium")})}),
      firefox()));
}

TEST(RuleMatches, MultiKeyEntryUsesEveryKey) {
  EXPECT_TRUE(
      rule_matches(rule_of({entry({predicate("name", "firefox"), predicate("pid", "4242")})}), firefox()));
  EXPECT_FALSE(
      rule_matches(rule_of({entry({predicate("name", "firefox"), predicate("pid", "1$")})}), firefox()));
  EXPECT_FALSE(
      rule_matches(rule_of({}, {entry({predicate("name", "firefox"), predicate("pid", "1$")})}), firefox()));
}

TEST(WhyRuleMatches, NamesTheEntriesThatSelected) {
  const ProcessRule rule = rule_of({entry({predicate("username", "alice")})},
                                   {entry({predicate("name", "chromium")}),
                                    entry({predicate("exe", "/usr/lib/"), predicate("pid", "42")})});
  const auto reason = why_rule_matches(rule, firefox());
  ASSERT_TRUE(reason);
  ASSERT_EQ(reason->all.size(), 1u);
  EXPECT_EQ(reason->any, &rule.match_any[1]);
  EXPECT_EQ(describe_reason(*reason), "match {username: alice}; match-any {exe: /usr/lib/, pid: 42}");
  EXPECT_FALSE(why_rule_matches(rule_of({entry({predicate("name", "x")})}), firefox()));
  EXPECT_EQ(describe_reason(*why_rule_matches(
                rule_of({entry({predicate("name", "f")}), entry({predicate("pid", "4")})}), firefox())),
            "match {name: f}, {pid: 4}");
}

TEST(DescribeSelection, SaysAllAnyAndChildren) {
  ProcessRule rule = rule_of({entry({predicate("name", "a")}), entry({predicate("exe", "/b")})},
                             {entry({predicate("user", "c"), predicate("cwd", "/d")})});
  EXPECT_EQ(describe_selection(rule),
            "processes matching all of {name: a}, {exe: /b} and any of {user: c, cwd: /d}");
  rule.match_any.clear();
  rule.recursive = true;
  EXPECT_EQ(describe_selection(rule), "processes matching all of {name: a}, {exe: /b}, and their children");
  EXPECT_EQ(describe_selection(ProcessRule{}), "nothing (no match entries)");
}

TEST(RuleMatches, NoEntriesNeverMatch) {
  EXPECT_FALSE(rule_matches(ProcessRule{}, firefox()));
  EXPECT_FALSE(rule_matches(ProcessRule{}, ProcessAttributes{}));
}

TEST(CgroupScope, HoldsTheScopeAndWhatLiesBelowIt) {
  const auto in = [](const std::string& cgroup) {
    ProcessAttributes process;
    process.values["cgroup"] = cgroup;
    return process;
  };
  EXPECT_TRUE(in_cgroup_scope(in("/nettoll-test-1"), "/nettoll-test-1"));
  EXPECT_TRUE(in_cgroup_scope(in("/nettoll-test-1/child"), "/nettoll-test-1"));
  EXPECT_FALSE(in_cgroup_scope(in("/nettoll-test-12"), "/nettoll-test-1"));
  EXPECT_FALSE(in_cgroup_scope(in("/user.slice"), "/nettoll-test-1"));
  EXPECT_FALSE(in_cgroup_scope(ProcessAttributes{}, "/nettoll-test-1"));
  EXPECT_TRUE(in_cgroup_scope(ProcessAttributes{}, ""));
  EXPECT_TRUE(in_cgroup_scope(in("/user.slice"), "/"));
}

}  // namespace
}  // namespace nettoll
