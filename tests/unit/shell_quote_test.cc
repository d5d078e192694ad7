// SPDX-License-Identifier: Apache-2.0
#include "core/shell_quote.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

// Expected values are what Python 3's shlex.quote / shlex.join return.
TEST(ShellQuote, SafeArgumentsStayAsTheyAre) {
  EXPECT_EQ(shell_quote("/usr/bin/java"), "/usr/bin/java");
  EXPECT_EQ(shell_quote("--user-data-dir=/tmp/a,b:c@d%e+f_g.h-i"), "--user-data-dir=/tmp/a,b:c@d%e+f_g.h-i");
}

TEST(ShellQuote, EmptyArgumentIsTwoQuotes) { EXPECT_EQ(shell_quote(""), "''"); }

TEST(ShellQuote, SpacesAndShellCharactersAreSingleQuoted) {
  EXPECT_EQ(shell_quote("My Documents"), "'My Documents'");
  EXPECT_EQ(shell_quote("a*b"), "'a*b'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_quote("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(shell_quote("tab\there"), "'tab\there'");
}

TEST(ShellQuote, SingleQuoteIsClosedEscapedAndReopened) {
  EXPECT_EQ(shell_quote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(shell_quote("'"), "''\"'\"''");
}

TEST(ShellQuote, NonAsciiIsQuotedAsPythonDoes) { EXPECT_EQ(shell_quote("caf\xc3\xa9"), "'caf\xc3\xa9'"); }

TEST(ShellJoin, JoinsQuotedArgumentsWithSpaces) {
  EXPECT_EQ(shell_join({}), "");
  EXPECT_EQ(shell_join({"java", "-jar", "/opt/jd2/JDownloader.jar"}), "java -jar /opt/jd2/JDownloader.jar");
  EXPECT_EQ(shell_join({"vlc", "/home/a/My Movie.mkv", "", "--x='y'"}),
            "vlc '/home/a/My Movie.mkv' '' '--x='\"'\"'y'\"'\"''");
}

}  // namespace
}  // namespace nettoll
