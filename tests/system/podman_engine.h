// SPDX-License-Identifier: Apache-2.0
// PodmanEngine: Debian's real podman, run so that it touches nothing of the
// machine's (but containers/image's blob cache, see podman_engine.cc): its
// storage (vfs), run and temporary directories, the runtime's state, events
// file and containers.conf/storage.conf/registries.conf live in a directory
// of the test's own; the cgroupfs manager puts the containers' cgroups under
// a cgroup v2 directory of the test's (conmon stays where the test runs; on
// a hybrid hierarchy runc creates that path in every v1 hierarchy too, and
// the destructor removes it); no
// registry is asked (the image is imported from a root filesystem built
// from busybox-static and host executables); and containers get no network
// of podman's (`--network ns:` joins a namespace the test created), so
// neither CNI nor netavark runs. Used by tests/system/container_engine_test.cc.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "testbed.h"

namespace nettoll::testing {

class PodmanEngine {
 public:
  // What is missing for a real podman here (the packages to install), or ""
  // when podman, an OCI runtime and busybox are installed.
  static std::string missing_packages();

  // Podman state under `directory` (created); containers' cgroups under
  // `cgroup`, a cgroup v2 directory of the caller's own.
  PodmanEngine(std::string directory, std::string cgroup);
  // Removes its containers and images, the cgroup v1 directories the
  // runtime created for `cgroup` on a hybrid hierarchy, and `directory`.
  ~PodmanEngine();
  PodmanEngine(const PodmanEngine&) = delete;
  PodmanEngine& operator=(const PodmanEngine&) = delete;

  // Imports image `image` (e.g. "localhost/ntbusybox:test") from a root
  // filesystem of busybox's applets and, for each `programs` entry, the host
  // executable `path` as /bin/`name` with the shared libraries ldd lists.
  // "" when done, else the step that failed and its output.
  std::string import_image(const std::string& image, const std::map<std::string, std::string>& programs);

  struct Started {
    std::string id;     // 64 hex digits, as `podman ps --no-trunc` shows
    std::string error;  // "" when it runs
  };
  // Starts `command` detached in a container of `image` that joins network
  // namespace `netns` (a name under /run/netns).
  Started run(const std::string& image, const std::string& netns, const std::vector<std::string>& command);

  // `podman exec <id> <command>` as the argv for ChildProcess.
  std::vector<std::string> exec_argv(const std::string& id, const std::vector<std::string>& command) const;

  // The host pid of container `id`'s first process, or -1.
  int pid_of(const std::string& id) const;

  // The cgroup v2 directory of container `id` (cgroupfs: <cgroup>/libpod-<id>).
  std::string cgroup_of(const std::string& id) const { return cgroup_ + "/libpod-" + id; }

  // The OCI runtime podman runs (see podman_engine.cc for why runc first).
  static std::string runtime();

  // Runs podman with its throwaway options and `arguments` (shell words).
  CommandOutput podman(const std::string& arguments) const;

 private:
  std::vector<std::string> podman_argv() const;
  void write_configuration() const;
  void remove_cgroup_v1_leftovers() const;

  std::string directory_;
  std::string cgroup_;
  std::string cgroup_parent_;  // `cgroup` from the hierarchy's root: "/nettoll-..."
  int runs_ = 0;               // names each run's --cidfile
};

}  // namespace nettoll::testing
