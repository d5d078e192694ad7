// SPDX-License-Identifier: Apache-2.0
// A real container engine: Debian's podman (PodmanEngine: throwaway storage,
// cgroupfs under the test's cgroup, no registry, an image imported from a
// busybox-static root filesystem with iperf3) runs a container that joins a
// namespace of ContainerTopology's (bridge, veth, masquerade in the test's
// "host" namespace). A `container:` rule with the id podman printed limits
// its iperf3 both ways, IPv4 and IPv6, while a host process gets the rest;
// `nettoll match` lists it under the rule; and podman leaves the machine's
// own network namespace as it was. Skipped when podman is not installed.
#include <nlohmann/json.hpp>
#include <set>

#include "container_fixture.h"
#include "podman_engine.h"
#include "tc_text.h"

namespace nettoll::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kImage = "localhost/nettoll-busybox:test";

// holds_limit (container_fixture.h): the tolerances of container_test.cc.

// What podman could add to the machine's own network namespace: links,
// nftables rules, legacy iptables rules (without their counters).
std::string root_namespace_network() {
  return run_command(
             "ip -o link show | awk '{print $2}'; nft list ruleset; "
             "for save in iptables-legacy-save ip6tables-legacy-save; do "
             "command -v $save >/dev/null && $save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'; done; "
             "true")
      .output;
}

std::set<pid_t> pids_in(const std::string& cgroup) {
  std::set<pid_t> pids;
  std::ifstream procs(cgroup + "/cgroup.procs");
  for (pid_t pid; procs >> pid;) pids.insert(pid);
  return pids;
}

class ContainerEngineTest : public ContainerFixture {
 protected:
  void SetUp() override {
    ContainerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::string missing = PodmanEngine::missing_packages();
    if (!missing.empty()) GTEST_SKIP() << missing;
    root_network_before_ = root_namespace_network();
    engine_ = std::make_unique<PodmanEngine>(bin_dir_ + "/podman", cgroup_);
  }

  void TearDown() override {
    clients_.clear();  // the `podman exec` clients go before their container
    engine_.reset();
    ContainerFixture::TearDown();
    if (!root_network_before_.empty()) {
      EXPECT_EQ(root_namespace_network(), root_network_before_)
          << "podman changed the machine's own network namespace";
    }
  }

  // The pids `nettoll match --json` lists under `rule`, named `name`.
  std::set<pid_t> matched_by(const std::string& rule, const std::string& name) {
    const CommandOutput json = run_command(nettoll_binary() + " match --json -c " + config_path_);
    const auto report = nlohmann::json::parse(json.output, nullptr, false);
    std::set<pid_t> pids;
    if (report.is_discarded() || !report.contains("rules")) {
      ADD_FAILURE() << "nettoll match: " << json.output;
      return pids;
    }
    for (const auto& selection : report["rules"]) {
      if (selection.value("rule", "") != rule) continue;
      for (const auto& process : selection.value("matched", nlohmann::json::array())) {
        if (process.value("name", "") == name) pids.insert(process.value("pid", pid_t(0)));
      }
    }
    return pids;
  }

  uint64_t class_bytes(const std::string& device, const std::string& id) const {
    const auto classes = parse_tc_classes(testbed_->run_in_a("tc -s class show dev " + device).output);
    return classes.contains(id) ? classes.at(id).sent_bytes : 0;
  }

  std::unique_ptr<PodmanEngine> engine_;
  std::string root_network_before_;
};

TEST_F(ContainerEngineTest, PodmanContainerProcessHoldsItsLimitBothWaysAndIsListedUnderItsRule) {
  // The namespace the podman container joins: ContainerTopology's veth on
  // the bridge (its docker-*.scope cgroup stays empty).
  const TestContainer& network = add_container(1);
  ASSERT_EQ(engine_->import_image(kImage, {{"ntbulk", "/usr/bin/iperf3"}}), "");
  const PodmanEngine::Started container = engine_->run(kImage, network.netns, {"sleep", "600"});
  ASSERT_EQ(container.error, "") << "runtime " << PodmanEngine::runtime();
  const pid_t init = engine_->pid_of(container.id);
  ASSERT_TRUE(pids_in(engine_->cgroup_of(container.id)).contains(init))
      << "the container's first process (" << init << ") is in " << engine_->cgroup_of(container.id);
  ASSERT_EQ(run_command("ip netns identify " + std::to_string(init)).output, network.netns + "\n")
      << "the container joined the test's namespace";

  start_servers(5201, 8);
  start_daemon(
      "interface: vA\ndownload: 100mbit\nupload: 100mbit\nprocesses:\n  podman:\n"
      "    match: [{container: " +
      container.id.substr(0, 12) + "}]\n    upload: 5mbit\n    download: 5mbit\n");
  EXPECT_EQ(matched_by("podman", "sleep"), std::set<pid_t>{init}) << "nettoll match: the container's sleep";

  int port = 5201;
  for (const char* host : {"10.77.0.2", "fd77::2"}) {
    for (const bool download : {false, true}) {
      const std::string what = std::string(host) + (download ? " download" : " upload");
      const std::string device = download ? "ntb-vA" : "vA";
      const uint64_t before = class_bytes(device, "7a:10");
      std::vector<std::string> iperf = {"/bin/ntbulk", "-c", host, "-p", std::to_string(port), "-t", "7"};
      if (download) iperf.push_back("-R");
      clients_.push_back(std::make_unique<ChildProcess>(engine_->exec_argv(container.id, iperf)));
      ChildProcess& client = *clients_.back();
      // `podman exec` takes seconds to start on a loaded machine: the host
      // process starts once the container's flow runs, so that both run
      // through the window.
      ASSERT_TRUE(eventually([&] { return class_bytes(device, "7a:10") > before + 100000; }, 15s))
          << what << ": no traffic in the rule's class\n"
          << client.output();
      start_on_host("./nthost -p " + std::to_string(port + 1) + " -t 7 -c " + host + (download ? " -R" : "") +
                    " >/dev/null 2>&1");
      port += 2;
      if (!download && std::string(host) == "10.77.0.2") {
        const std::set<pid_t> iperf_pids = matched_by("podman", "ntbulk");
        EXPECT_EQ(iperf_pids.size(), 1u) << "nettoll match: the container's iperf3";
        for (const pid_t pid : iperf_pids) {
          EXPECT_TRUE(pids_in(engine_->cgroup_of(container.id)).contains(pid))
              << pid << " is not in the container";
        }
      }
      // TCP's ramp-up is not part of the reading.
      std::this_thread::sleep_for(1000ms);
      const auto rates = class_rates(device, 4000ms);
      std::cout << "podman " << what << ": container " << rates.at("7a:10") << " Mbit/s, the rest "
                << rates.at("7a:2") << " Mbit/s\n";
      EXPECT_TRUE(holds_limit(rates.at("7a:10"))) << what << ": the podman container's iperf3";
      EXPECT_GT(rates.at("7a:2"), 20.0) << what << ": the host process gets the rest";
      EXPECT_EQ(client.wait_for_exit(15s), 0) << client.output();
      stop_clients();
    }
  }
  const std::string top =
      run_command(nettoll_binary() + " top --once --json --socket " + socket_path_).output;
  EXPECT_NE(top.find("ntbulk"), std::string::npos) << "accounting counts the container's iperf3: " << top;
}

}  // namespace
}  // namespace nettoll::testing
