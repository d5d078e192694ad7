// SPDX-License-Identifier: Apache-2.0
#include "podman_engine.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/shell_quote.h"
#include "daemon/bpf_path.h"

namespace nettoll::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

bool installed(const std::string& program) {
  return run_command("command -v " + program + " >/dev/null").exit_status == 0;
}

// The shared libraries `ldd` lists for `program`, as absolute paths (none
// for a static executable): "libc.so.6 => /lib/.../libc.so.6 (0x...)" and
// "/lib64/ld-linux-x86-64.so.2 (0x...)".
std::vector<std::string> libraries_of(const std::string& program) {
  std::vector<std::string> paths;
  std::istringstream lines(run_command("ldd " + shell_quote(program)).output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    for (std::string word; words >> word;) {
      if (word.starts_with('/')) {
        paths.push_back(word);
        break;
      }
    }
  }
  return paths;
}

// Copies host file `from` (following symlinks) to `to` inside `rootfs`.
void copy_into(const std::string& rootfs, const std::string& from, const std::string& to) {
  const fs::path target = rootfs + to;
  fs::create_directories(target.parent_path());
  fs::copy_file(from, target, fs::copy_options::overwrite_existing);
}

// `program` as `inside`, with its libraries at their host paths.
void install_into(const std::string& rootfs, const std::string& program, const std::string& inside) {
  copy_into(rootfs, program, inside);
  for (const std::string& library : libraries_of(program)) copy_into(rootfs, library, library);
}

// Mount points in /proc/self/mounts of filesystem type `type` (`under`: only
// those inside that directory), deepest first.
std::vector<std::string> mount_points(const std::string& type, const std::string& under = "") {
  std::vector<std::string> points;
  std::ifstream mounts("/proc/self/mounts");
  for (std::string source, point, fstype, rest;
       mounts >> source >> point >> fstype && std::getline(mounts, rest);) {
    if ((type.empty() || fstype == type) && point.starts_with(under)) points.push_back(point);
  }
  std::sort(points.rbegin(), points.rend());
  return points;
}

}  // namespace

std::string PodmanEngine::missing_packages() {
  std::string missing;
  if (!installed("podman")) missing += " podman";
  if (!installed("runc") && !installed("crun")) missing += " runc";
  if (!fs::exists(kBusybox)) missing += " busybox-static";
  if (missing.empty()) return "";
  return "a real container engine needs" + missing + " (scripts/install-deps installs them)";
}

// crun (1.8.1 in Debian 12) refuses a hybrid cgroup hierarchy whose v2 part
// has controllers: "crun: cgroups in hybrid mode not supported, drop all
// controllers from cgroupv2" (our machines have hugetlb there). runc joins
// the v2 part too (0::/<parent>/libpod-<id>), which is the cgroup nettoll's
// socket program and `container:` see; on a pure v2 machine both work.
std::string PodmanEngine::runtime() { return installed("runc") ? "runc" : "crun"; }

PodmanEngine::PodmanEngine(std::string directory, std::string cgroup)
    : directory_(std::move(directory)), cgroup_(std::move(cgroup)) {
  const std::string root = cgroup_v2_root();
  cgroup_parent_ = cgroup_.starts_with(root) ? cgroup_.substr(root.size()) : cgroup_;
  for (const char* sub : {"/root", "/runroot", "/tmp"}) fs::create_directories(directory_ + sub);
  write_configuration();
}

PodmanEngine::~PodmanEngine() {
  podman("rm --force --time 0 --all");
  podman("rmi --force --all");
  remove_cgroup_v1_leftovers();
  // vfs mounts nothing but a container's /dev/shm, which rm unmounts; never
  // delete through a mount that is left.
  for (const std::string& point : mount_points("", directory_ + "/")) ::umount2(point.c_str(), MNT_DETACH);
  std::error_code ignored;
  fs::remove_all(directory_, ignored);
}

// Everything podman would otherwise take from /etc/containers or put in
// /var/lib/containers/storage, /run/libpod, /var/tmp or the journal. Not
// /var/lib/containers/cache/blob-info-cache-v1.boltdb: containers/image
// fixes that path for root (no option, file or variable moves it); an
// import records the layer's digests there.
void PodmanEngine::write_configuration() const {
  std::ofstream(directory_ + "/containers.conf")
      << "[containers]\nlog_driver = \"k8s-file\"\n"
      << "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n"
      << "events_logfile_path = \"" << directory_ << "/events.log\"\n"
      << "tmp_dir = \"" << directory_ << "/tmp\"\nimage_copy_tmp_dir = \"" << directory_ << "/tmp\"\n"
      << "[network]\nnetwork_config_dir = \"" << directory_ << "/networks\"\n";
  std::ofstream(directory_ + "/storage.conf") << "[storage]\ndriver = \"vfs\"\ngraphroot = \"" << directory_
                                              << "/root\"\nrunroot = \"" << directory_ << "/runroot\"\n";
  std::ofstream(directory_ + "/registries.conf") << "unqualified-search-registries = []\n";
}

std::vector<std::string> PodmanEngine::podman_argv() const {
  std::vector<std::string> argv = {"env", "CONTAINERS_CONF=" + directory_ + "/containers.conf",
                                   "CONTAINERS_STORAGE_CONF=" + directory_ + "/storage.conf",
                                   "CONTAINERS_REGISTRIES_CONF=" + directory_ + "/registries.conf",
                                   // image_copy_tmp_dir does not reach every copy: else /var/tmp
                                   "TMPDIR=" + directory_ + "/tmp", "podman"};
  const std::pair<std::string, std::string> options[] = {
      {"--root", directory_ + "/root"},
      {"--runroot", directory_ + "/runroot"},
      {"--tmpdir", directory_ + "/tmp"},
      {"--storage-driver", "vfs"},
      {"--cgroup-manager", "cgroupfs"},
      {"--events-backend", "file"},
      {"--runtime", runtime()},
      // the runtime's own state, else in /run/runc or /run/crun
      {"--runtime-flag", "root=" + directory_ + "/runtime"},
  };
  for (const auto& [option, value] : options) argv.insert(argv.end(), {option, value});
  return argv;
}

CommandOutput PodmanEngine::podman(const std::string& arguments) const {
  return run_command(shell_join(podman_argv()) + " " + arguments);
}

std::string PodmanEngine::import_image(const std::string& image,
                                       const std::map<std::string, std::string>& programs) {
  const std::string rootfs = directory_ + "/rootfs";
  for (const char* sub : {"/bin", "/tmp", "/proc", "/sys", "/dev", "/etc"})
    fs::create_directories(rootfs + sub);
  install_into(rootfs, kBusybox, kBusybox);
  std::istringstream applets(run_command(std::string(kBusybox) + " --list").output);
  for (std::string applet; applets >> applet;) {
    const fs::path link = fs::path(rootfs) / "bin" / applet;
    if (!fs::exists(link)) fs::create_symlink("busybox", link);
  }
  for (const auto& [name, path] : programs) install_into(rootfs, path, "/bin/" + name);
  const std::string tar =
      "tar -C " + shell_quote(rootfs) + " -cf " + shell_quote(directory_ + "/rootfs.tar") + " .";
  if (const CommandOutput packed = run_command(tar); packed.exit_status != 0)
    return tar + ": " + packed.output;
  const CommandOutput imported =
      podman("import " + shell_quote(directory_ + "/rootfs.tar") + " " + shell_quote(image));
  if (imported.exit_status != 0) return "podman import " + image + ": " + imported.output;
  return "";
}

PodmanEngine::Started PodmanEngine::run(const std::string& image, const std::string& netns,
                                        const std::vector<std::string>& command) {
  const std::string cidfile = directory_ + "/cid-" + std::to_string(runs_++);
  // Podman asks the runtime for RLIMIT_NOFILE 1048576 and an RLIMIT_NPROC
  // above conmon's, which needs CAP_SYS_RESOURCE ("runc: setrlimit
  // RLIMIT_NPROC: Operation not permitted" where root lacks it, as in our
  // sandbox); limits below the current ones need no capability.
  const CommandOutput started =
      podman("run --detach --pull never --cidfile " + shell_quote(cidfile) +
             " --cgroups no-conmon --cgroup-parent " + shell_quote(cgroup_parent_) + " --network " +
             shell_quote("ns:/run/netns/" + netns) + " --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 " +
             shell_quote(image) + " " + shell_join(command));
  Started result;
  std::ifstream(cidfile) >> result.id;
  if (started.exit_status != 0 || result.id.size() != 64) result.error = "podman run: " + started.output;
  return result;
}

std::vector<std::string> PodmanEngine::exec_argv(const std::string& id,
                                                 const std::vector<std::string>& command) const {
  std::vector<std::string> argv = podman_argv();
  argv.insert(argv.end(), {"exec", id});
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

int PodmanEngine::pid_of(const std::string& id) const {
  const CommandOutput inspected = podman("inspect --format '{{.State.Pid}}' " + shell_quote(id));
  try {
    return inspected.exit_status == 0 ? std::stoi(inspected.output) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

// On a hybrid hierarchy the runtime also creates <v1 mount>/<parent> in
// every v1 hierarchy (the containers' libpod-<id> below it go with `rm`).
void PodmanEngine::remove_cgroup_v1_leftovers() const {
  if (cgroup_parent_.empty() || cgroup_parent_ == "/") return;  // never the hierarchies' roots
  for (const std::string& point : mount_points("cgroup")) {
    const std::string parent = point + cgroup_parent_;
    std::error_code ignored;
    for (const auto& child : fs::directory_iterator(parent, ignored)) {
      if (child.path().filename().string().starts_with("libpod-")) ::rmdir(child.path().c_str());
    }
    ::rmdir(parent.c_str());
  }
}

}  // namespace nettoll::testing
