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

TEST(RuleMatches, AnyEntrySelectsTheProcess) {
  ProcessRule rule;
  rule.match = {entry({predicate("name", "chromium")}), entry({predicate("exe", "/usr/lib/firefox/")})};
  EXPECT_TRUE(rule_matches(rule, firefox()));
  rule.match.pop_back();
  EXPECT_FALSE(rule_matches(rule, firefox()));
}

TEST(RuleMatches, NoEntriesNeverMatch) {
  EXPECT_FALSE(rule_matches(ProcessRule{}, firefox()));
  EXPECT_FALSE(rule_matches(ProcessRule{}, ProcessAttributes{}));
}

}  // namespace
}  // namespace nettoll
