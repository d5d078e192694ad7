// SPDX-License-Identifier: Apache-2.0
// Links through the adapter, checked with `ip` from outside.
#include "kernel/links.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "namespace_test.h"

namespace nettoll::testing {
namespace {

class LinksTest : public NamespaceTest {};

TEST_F(LinksTest, FindsTheVethWithItsMtuStateAndKind) {
  auto link = find_link(socket(), "vA");
  ASSERT_TRUE(link) << link.error();
  EXPECT_EQ(link->name, "vA");
  EXPECT_EQ(link->mtu, 1500u);
  EXPECT_TRUE(link->up);
  EXPECT_EQ(link->kind, "veth");

  auto by_index = find_link(socket(), link->ifindex);
  ASSERT_TRUE(by_index) << by_index.error();
  EXPECT_EQ(by_index->name, "vA");
}

TEST_F(LinksTest, MissingInterfaceIsNamedInTheError) {
  auto link = find_link(socket(), "nope0");
  ASSERT_FALSE(link);
  EXPECT_EQ(link.error(), "no interface named nope0");

  auto by_index = find_link(socket(), 4242);
  ASSERT_FALSE(by_index);
  EXPECT_EQ(by_index.error(), "no interface with index 4242");
}

TEST_F(LinksTest, ListsOnlyTheNamespacesInterfaces) {
  auto links = list_links(socket());
  ASSERT_TRUE(links) << links.error();
  std::vector<std::string> names;
  for (const auto& link : *links) names.push_back(link.name);
  EXPECT_EQ(names, (std::vector<std::string>{"lo", "vA"}));
}

TEST_F(LinksTest, CreatesBringsUpAndDeletesAnIfb) {
  ASSERT_TRUE(create_ifb(socket(), "ntb-vA"));
  auto ifb = find_link(socket(), "ntb-vA");
  ASSERT_TRUE(ifb) << ifb.error();
  EXPECT_EQ(ifb->kind, "ifb");
  EXPECT_FALSE(ifb->up);

  auto up = set_link_up(socket(), ifb->ifindex);
  ASSERT_TRUE(up) << up.error();
  auto shown = in_a("ip -d link show ntb-vA");
  ASSERT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_NE(shown.output.find("ifb"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find(",UP"), std::string::npos) << shown.output;
  auto listed = list_links(socket());
  ASSERT_TRUE(listed) << listed.error();
  EXPECT_TRUE(std::any_of(listed->begin(), listed->end(), [](const LinkInfo& link) {
    return link.name == "ntb-vA" && link.up && link.kind == "ifb";
  }));

  auto again = create_ifb(socket(), "ntb-vA");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), "cannot create ifb ntb-vA: File exists");

  auto deleted = delete_link(socket(), "ntb-vA");
  ASSERT_TRUE(deleted) << deleted.error();
  EXPECT_NE(in_a("ip link show ntb-vA").exit_status, 0);
}

TEST_F(LinksTest, DeleteByIndexAndErrorsNameTheInterface) {
  ASSERT_TRUE(create_ifb(socket(), "ntb-x"));
  auto ifb = find_link(socket(), "ntb-x");
  ASSERT_TRUE(ifb);
  ASSERT_TRUE(delete_link(socket(), ifb->ifindex));

  auto missing = delete_link(socket(), "ntb-x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "cannot delete interface ntb-x: no interface named ntb-x");

  auto up = set_link_up(socket(), 4242);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().rfind("cannot bring up interface #4242: No such device", 0), 0u) << up.error();

  auto too_long = create_ifb(socket(), "a-name-far-too-long");
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().find("cannot create ifb a-name-far-too-long"), std::string::npos);
}

}  // namespace
}  // namespace nettoll::testing
