// SPDX-License-Identifier: Apache-2.0
// The dashboard's login codes and sessions, with an injected clock and
// predictable secrets.
#include "api/session_book.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

using namespace std::chrono_literals;

class SessionBookTest : public ::testing::Test {
 protected:
  SessionBook book_{[this]() -> Result<std::string> {
    if (fail_) return Error{"no entropy"};
    return "secret-" + std::to_string(++made_);
  }};
  SessionBook::Clock::time_point now_{};
  int made_ = 0;
  bool fail_ = false;
};

TEST_F(SessionBookTest, ACodeBuysOneSession) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code) << code.error();
  const auto session = book_.redeem(*code, now_ + 5s);
  ASSERT_TRUE(session);
  EXPECT_NE(*session, *code);
  EXPECT_TRUE(book_.check(*session, now_ + 6s));
  EXPECT_EQ(book_.session_count(), 1u);
}

TEST_F(SessionBookTest, ACodeWorksOnce) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code);
  ASSERT_TRUE(book_.redeem(*code, now_));
  EXPECT_FALSE(book_.redeem(*code, now_));
  EXPECT_EQ(book_.session_count(), 1u);
}

TEST_F(SessionBookTest, ACodeExpiresAfterTwoMinutes) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code);
  EXPECT_FALSE(book_.redeem(*code, now_ + SessionBook::kCodeLifetime));
  auto fresh = book_.issue_code(now_);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(book_.redeem(*fresh, now_ + SessionBook::kCodeLifetime - 1s));
}

TEST_F(SessionBookTest, UnknownEmptyAndPrefixCodesAreRefused) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code);
  EXPECT_FALSE(book_.redeem("", now_));
  EXPECT_FALSE(book_.redeem("secret-", now_));
  EXPECT_FALSE(book_.redeem(*code + "x", now_));
  EXPECT_FALSE(book_.redeem("nonsense", now_));
  EXPECT_TRUE(book_.redeem(*code, now_)) << "refused guesses do not spend the code";
}

TEST_F(SessionBookTest, ASessionLivesWhileUsedAndEndsAfterTwelveIdleHours) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code);
  const auto session = book_.redeem(*code, now_);
  ASSERT_TRUE(session);
  auto t = now_;
  for (int i = 0; i < 5; ++i) {
    t += 11h;
    EXPECT_TRUE(book_.check(*session, t)) << "used every 11 h, day " << i;
  }
  EXPECT_FALSE(book_.check(*session, t + SessionBook::kSessionIdleLifetime));
  EXPECT_EQ(book_.session_count(), 0u);
}

TEST_F(SessionBookTest, ASessionEndsSevenDaysAfterItsLoginHoweverOftenUsed) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code);
  const auto session = book_.redeem(*code, now_ + 1min);
  ASSERT_TRUE(session);
  const auto login = now_ + 1min;
  auto t = login;
  while (t + 1h < login + SessionBook::kSessionAbsoluteLifetime) {
    t += 1h;
    ASSERT_TRUE(book_.check(*session, t)) << "used every hour, " << (t - login) / 1h << " h after login";
  }
  EXPECT_FALSE(book_.check(*session, login + SessionBook::kSessionAbsoluteLifetime))
      << "used an hour ago, but logged in 7 days ago";
  EXPECT_EQ(book_.session_count(), 0u);
}

TEST_F(SessionBookTest, LoggingOutEndsThatSessionOnly) {
  auto first = book_.redeem(*book_.issue_code(now_), now_);
  auto second = book_.redeem(*book_.issue_code(now_), now_);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(book_.end(*first, now_ + 1s));
  EXPECT_FALSE(book_.check(*first, now_ + 2s)) << "the cookie stops working at once";
  EXPECT_TRUE(book_.check(*second, now_ + 2s)) << "another browser stays logged in";
  EXPECT_FALSE(book_.end(*first, now_ + 3s)) << "already ended";
  EXPECT_FALSE(book_.end("", now_ + 3s));
  EXPECT_FALSE(book_.end("secret-", now_ + 3s));
  EXPECT_EQ(book_.session_count(), 1u);
}

TEST_F(SessionBookTest, ACodeIsNoSessionAndASessionIsNoCode) {
  auto code = book_.issue_code(now_);
  ASSERT_TRUE(code);
  EXPECT_FALSE(book_.check(*code, now_));
  const auto session = book_.redeem(*code, now_);
  ASSERT_TRUE(session);
  EXPECT_FALSE(book_.redeem(*session, now_));
  EXPECT_FALSE(book_.check("", now_));
}

TEST_F(SessionBookTest, NoSecretNoCode) {
  fail_ = true;
  auto code = book_.issue_code(now_);
  ASSERT_FALSE(code);
  EXPECT_EQ(code.error(), "no entropy");
}

TEST_F(SessionBookTest, TheBookStaysBounded) {
  std::vector<std::string> codes;
  for (size_t i = 0; i < SessionBook::kMaxCodes + 3; ++i) codes.push_back(*book_.issue_code(now_));
  EXPECT_FALSE(book_.redeem(codes.front(), now_)) << "the oldest unredeemed codes were dropped";
  EXPECT_TRUE(book_.redeem(codes.back(), now_));
  for (size_t i = 0; i < SessionBook::kMaxSessions + 5; ++i) {
    auto code = book_.issue_code(now_ + std::chrono::seconds(i));
    ASSERT_TRUE(book_.redeem(*code, now_ + std::chrono::seconds(i)));
  }
  EXPECT_EQ(book_.session_count(), SessionBook::kMaxSessions);
}

TEST(SameSecret, ComparesWholeStrings) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "abcd"));
  EXPECT_FALSE(same_secret("", "a"));
  EXPECT_TRUE(same_secret("", ""));
}

}  // namespace
}  // namespace nettoll
