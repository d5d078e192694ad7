// SPDX-License-Identifier: Apache-2.0
// Which links get the container program (is_container_link) and the
// `container-links` key that chooses between every veth and bridged ones.
#include "daemon/container_links.h"

#include <gtest/gtest.h>

#include "core/config_loader.h"

namespace nettoll {
namespace {

constexpr int kUplink = 2;
constexpr int kIfb = 3;

LinkInfo veth(int ifindex, std::optional<int32_t> peer_nsid, int master) {
  LinkInfo link;
  link.ifindex = ifindex;
  link.name = "veth" + std::to_string(ifindex);
  link.kind = "veth";
  link.peer_nsid = peer_nsid;
  link.master = master;
  return link;
}

TEST(IsContainerLink, RoutedAndBridgedVethsToAnotherNamespace) {
  const LinkInfo routed = veth(7, 1, 0);   // nspawn's ve-*, CNI ptp
  const LinkInfo bridged = veth(8, 2, 4);  // on docker0
  EXPECT_TRUE(is_container_link(routed, kUplink, kIfb, ContainerLinkScope::every_veth));
  EXPECT_TRUE(is_container_link(bridged, kUplink, kIfb, ContainerLinkScope::every_veth));
  EXPECT_FALSE(is_container_link(routed, kUplink, kIfb, ContainerLinkScope::bridged));
  EXPECT_TRUE(is_container_link(bridged, kUplink, kIfb, ContainerLinkScope::bridged));
}

TEST(IsContainerLink, NeverTheShapedDevicesNorLinksInTheSameNamespace) {
  for (ContainerLinkScope scope : {ContainerLinkScope::every_veth, ContainerLinkScope::bridged}) {
    EXPECT_FALSE(is_container_link(veth(kUplink, 1, 4), kUplink, kIfb, scope)) << "the uplink itself";
    EXPECT_FALSE(is_container_link(veth(kIfb, 1, 4), kUplink, kIfb, scope));
    EXPECT_FALSE(is_container_link(veth(9, std::nullopt, 4), kUplink, kIfb, scope)) << "both ends here";
    EXPECT_FALSE(is_container_link(veth(9, -1, 4), kUplink, kIfb, scope)) << "the current namespace";
    LinkInfo tunnel = veth(10, 1, 0);
    tunnel.kind = "vxlan";  // its netnsid is the underlay's, no peer sends from there
    EXPECT_FALSE(is_container_link(tunnel, kUplink, kIfb, scope));
  }
}

TEST(ContainerLinksKey, AutoByDefaultBridgedOnRequest) {
  const LoadedConfig plain = load_config_text("upload: 10mbit\n", "c.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.config->container_links, ContainerLinkScope::every_veth);
  const LoadedConfig bridged = load_config_text("upload: 10mbit\ncontainer-links: bridged\n", "c.yaml");
  ASSERT_TRUE(bridged.ok());
  EXPECT_EQ(bridged.config->container_links, ContainerLinkScope::bridged);
  EXPECT_TRUE(bridged.diagnostics.empty());
}

TEST(ContainerLinksKey, CheckNamesTheLineOfABadValueAndWarnsWhenItDoesNothing) {
  const LoadedConfig bad = load_config_text("upload: 10mbit\ncontainer-links: routed\n", "c.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.diagnostics.at(0).mark.line, 2);
  EXPECT_NE(bad.diagnostics.at(0).message.find("auto"), std::string::npos) << bad.diagnostics.at(0).message;
  const LoadedConfig idle =
      load_config_text("upload: 10mbit\ncontainer-mark: off\ncontainer-links: bridged\n", "c.yaml");
  ASSERT_TRUE(idle.ok());
  ASSERT_EQ(idle.diagnostics.size(), 1u);
  EXPECT_EQ(idle.diagnostics.at(0).severity, Diagnostic::Severity::warning);
  EXPECT_EQ(idle.diagnostics.at(0).mark.line, 3);
}

}  // namespace
}  // namespace nettoll
