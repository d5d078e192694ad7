// SPDX-License-Identifier: Apache-2.0
#include "core/container_name.h"

#include <gtest/gtest.h>

#include "core/config_loader.h"
#include "core/container_mark.h"

namespace nettoll {
namespace {

const std::string kId = "3f2a6b0c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a";

TEST(ContainerOfCgroup, DockerAndPodmanScopes) {
  EXPECT_EQ(container_of_cgroup("/system.slice/docker-" + kId + ".scope"), kId);
  EXPECT_EQ(container_of_cgroup("/machine.slice/libpod-" + kId + ".scope/container"), kId);
  EXPECT_EQ(container_of_cgroup("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
                                ".scope"),
            kId);
}

TEST(ContainerOfCgroup, CgroupfsLayoutAndMachines) {
  EXPECT_EQ(container_of_cgroup("/docker/" + kId), kId);
  EXPECT_EQ(container_of_cgroup("/machine.slice/machine-web\\x2dfront.scope/payload"), "web-front");
}

TEST(ContainerOfCgroup, HostProcessesAndLookalikesAreInNone) {
  EXPECT_EQ(container_of_cgroup("/system.slice/docker.service"), "");
  EXPECT_EQ(container_of_cgroup("/system.slice/docker-short.scope"), "");
  EXPECT_EQ(container_of_cgroup("/user.slice/user-1000.slice/session-2.scope"), "");
  EXPECT_EQ(container_of_cgroup("/"), "");
}

TEST(ContainerMark, ParsesContiguousMasksAndOff) {
  EXPECT_EQ(*parse_container_mark("0x7f000000"), 0x7f000000u);
  EXPECT_EQ(*parse_container_mark("16711680"), 0x00ff0000u);
  EXPECT_EQ(*parse_container_mark("off"), 0u);
  EXPECT_EQ(container_mark_rule_capacity(0x00ff0000), 254u);
  EXPECT_EQ(container_mark_rule_capacity(kDefaultContainerMark), 126u);
}

TEST(ContainerMark, RefusesGapsSingleBitsAndJunk) {
  EXPECT_FALSE(parse_container_mark("0x00ff00ff"));
  EXPECT_FALSE(parse_container_mark("0x100"));
  EXPECT_FALSE(parse_container_mark("0"));
  EXPECT_FALSE(parse_container_mark("lots"));
  EXPECT_FALSE(parse_container_mark("0x"));
}

TEST(ContainerMark, CheckNamesTheLineOfABadMask) {
  const LoadedConfig loaded = load_config_text("upload: 10mbit\ncontainer-mark: 0x0f0f0000\n", "c.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.diagnostics.at(0).mark.line, 2);
  EXPECT_NE(loaded.diagnostics.at(0).message.find("contiguous"), std::string::npos);
  const LoadedConfig good = load_config_text("upload: 10mbit\ncontainer-mark: 0x00ff0000\n", "c.yaml");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.config->container_mark, 0x00ff0000u);
}

}  // namespace
}  // namespace nettoll
