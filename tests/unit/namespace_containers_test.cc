// SPDX-License-Identifier: Apache-2.0
// Which container a container link belongs to: the container of the
// processes in its namespace, and how `nettoll status` shows it.
#include "core/namespace_containers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/status_report.h"

namespace nettoll {
namespace {

const std::string kPlex = "3f2a6b0c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a";
const std::string kOther = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(NamespaceContainers, TheLowestPidInAContainerNamesTheNamespace) {
  const std::vector<NamespaceProcess> processes = {
      {900, 3, "/system.slice/docker-" + kOther + ".scope"},  // joined the namespace later
      {40, 3, "/user.slice/session-1.scope"},                 // nsenter from a shell
      {120, 3, "/system.slice/docker-" + kPlex + ".scope"},
      {77, 5, "/system.slice/ssh.service"},  // a namespace without containers
      {88, 6, "/machine.slice/machine-web.scope/payload"},
  };
  EXPECT_EQ(containers_of_namespaces(processes), (std::map<int32_t, std::string>{{3, kPlex}, {6, "web"}}));
  EXPECT_TRUE(containers_of_namespaces({}).empty());
}

TEST(ContainerLinkStatus, TextNamesTheContainerByNameAndShortId) {
  const nlohmann::json report = {
      {"classifier",
       {{"path", "bpf"},
        {"container_links",
         {{{"name", "veth1"}, {"nsid", 1}, {"flows", 2}, {"container", kPlex}, {"container_name", "plex"}},
          {{"name", "veth2"}, {"nsid", 2}, {"flows", 0}, {"container", kOther}},
          {{"name", "veth3"}, {"nsid", 3}, {"flows", 0}, {"container", ""}}}}}}};
  const std::string text = format_status(report);
  EXPECT_NE(text.find("container link veth1: container plex (3f2a6b0c1d9e), peer namespace id 1, 2 flow(s)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("container link veth2: container 0123456789ab, peer namespace id 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("container link veth3: container unknown, peer namespace id 3"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace nettoll
