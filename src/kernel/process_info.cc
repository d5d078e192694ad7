// SPDX-License-Identifier: Apache-2.0
#include "kernel/process_info.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "core/container_name.h"
#include "core/shell_quote.h"

namespace nettoll {
namespace {

// The kernel keeps 15 characters of a process's name (TASK_COMM_LEN - 1).
constexpr size_t kCommLength = 15;

// The content of `name` (relative to directory `directory_fd`, or a path).
// A short read is the end: /proc files hand out all they have at once when
// the buffer is big enough, so the usual read that returns 0 is skipped (the
// daemon reads a file for every process that starts).
std::optional<std::string> read_whole(int directory_fd, const char* name) {
  const int fd = ::openat(directory_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string content;
  std::array<char, 16384> chunk;
  ssize_t got = 0;
  while ((got = ::read(fd, chunk.data(), chunk.size())) > 0) {
    content.append(chunk.data(), static_cast<size_t>(got));
    if (static_cast<size_t>(got) < chunk.size()) break;
  }
  ::close(fd);
  if (got < 0) return std::nullopt;
  return content;
}

// /proc/PID opened once: every file is read relative to it, so a pid reused
// while we read fails (ESRCH) instead of mixing two processes' attributes.
class ProcDirectory {
 public:
  explicit ProcDirectory(pid_t pid)
      : fd_(::open(("/proc/" + std::to_string(pid)).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}
  ~ProcDirectory() {
    if (fd_ >= 0) ::close(fd_);
  }
  ProcDirectory(const ProcDirectory&) = delete;
  ProcDirectory& operator=(const ProcDirectory&) = delete;

  bool is_open() const { return fd_ >= 0; }

  std::optional<std::string> read_file(const char* name) const { return read_whole(fd_, name); }

  std::optional<std::string> read_link(const char* name) const {
    std::array<char, 4096> target;
    const ssize_t length = ::readlinkat(fd_, name, target.data(), target.size());
    if (length < 0) return std::nullopt;
    return std::string(target.data(), static_cast<size_t>(length));
  }

 private:
  int fd_;
};

// The fields of /proc/PID/stat that rules use.
struct StatFields {
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
  unsigned tty_nr = 0;
};

std::optional<StatFields> parse_stat(const std::string& stat) {
  // "PID (COMM) STATE PPID PGRP SESSION TTY_NR ...": COMM may hold spaces
  // and parentheses, so it ends at the last ')'.
  const size_t open = stat.find('(');
  const size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  StatFields fields;
  fields.comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 1));
  long pgrp = 0;
  long session = 0;
  if (!(rest >> fields.state >> fields.ppid >> pgrp >> session >> fields.tty_nr)) return std::nullopt;
  return fields;
}

// psutil's status names for the state letters.
std::string status_name(char state) {
  static const std::map<char, std::string> kNames = {
      {'R', "running"},      {'S', "sleeping"}, {'D', "disk-sleep"}, {'T', "stopped"},
      {'t', "tracing-stop"}, {'Z', "zombie"},   {'X', "dead"},       {'x', "dead"},
      {'K', "wake-kill"},    {'W', "waking"},   {'I', "idle"},       {'P', "parked"}};
  const auto found = kNames.find(state);
  return found == kNames.end() ? std::string(1, state) : found->second;
}

// The arguments as psutil splits /proc/PID/cmdline: by NUL, or by spaces
// when a process rewrote its title without NULs (setproctitle).
std::vector<std::string> split_cmdline(std::string data) {
  if (data.empty()) return {};
  const char separator = data.back() == '\0' ? '\0' : ' ';
  if (data.back() == separator) data.pop_back();
  std::vector<std::string> arguments;
  size_t start = 0;
  for (size_t end; (end = data.find(separator, start)) != std::string::npos; start = end + 1) {
    arguments.push_back(data.substr(start, end - start));
  }
  arguments.push_back(data.substr(start));
  if (separator == '\0' && arguments.size() == 1 && data.find(' ') != std::string::npos) {
    return split_cmdline(data);  // NUL-terminated but space-separated: split by spaces
  }
  return arguments;
}

std::string join(const std::vector<std::string>& parts) {
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) joined += (i == 0 ? "" : " ") + parts[i];
  return joined;
}

// psutil's name(): comm, or the basename of argv[0] when comm is a
// truncated prefix of it.
std::string process_name(const std::string& comm, const std::vector<std::string>& arguments) {
  if (comm.size() < kCommLength || arguments.empty()) return comm;
  const std::string& first = arguments.front();
  const size_t slash = first.rfind('/');
  std::string base = slash == std::string::npos ? first : first.substr(slash + 1);
  return base.starts_with(comm) ? base : comm;
}

// psutil's readlink(): drops what follows a NUL and the " (deleted)" suffix
// when the file is really gone.
std::string clean_link(std::string target) {
  target = target.substr(0, target.find('\0'));
  static const std::string kDeleted = " (deleted)";
  struct stat info;
  if (target.ends_with(kDeleted) && ::stat(target.c_str(), &info) != 0) {
    target.resize(target.size() - kDeleted.size());
  }
  return target;
}

// The value of `key:` in /proc/PID/status with its tabs turned into single
// spaces, keeping the first `fields` fields ("Uid:\t0\t0\t0\t0" → "0 0 0").
std::optional<std::string> status_field(const std::string& status, const std::string& key, size_t fields) {
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(key + ":")) continue;
    std::istringstream line_values(line.substr(key.size() + 1));
    std::vector<std::string> values;
    for (std::string value; values.size() < fields && line_values >> value;) values.push_back(value);
    if (values.empty()) return std::nullopt;
    return join(values);
  }
  return std::nullopt;
}

std::string user_name(uid_t uid) {
  // Name service lookups (LDAP, sssd) can be slow; names rarely change.
  static std::mutex mutex;
  static std::map<uid_t, std::string> cache;
  std::lock_guard lock(mutex);
  if (const auto found = cache.find(uid); found != cache.end()) return found->second;
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* result = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) != 0 || result == nullptr) {
    return std::to_string(uid);  // psutil's fallback; not cached, the user may appear later
  }
  return cache[uid] = entry.pw_name;
}

// The /dev path of a controlling terminal number, checked against the
// device node; nullopt when there is none or it is not a tty or pts.
std::optional<std::string> terminal_path(unsigned tty_nr) {
  if (tty_nr == 0) return std::nullopt;
  const unsigned major_number = (tty_nr >> 8) & 0xfff;
  const unsigned minor_number = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
  std::string path;
  if (major_number >= 136 && major_number <= 143) {
    path = "/dev/pts/" + std::to_string((major_number - 136) * 256 + minor_number);
  } else if (major_number == 4) {
    path = minor_number < 64 ? "/dev/tty" + std::to_string(minor_number)
                             : "/dev/ttyS" + std::to_string(minor_number - 64);
  } else {
    return std::nullopt;
  }
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || info.st_rdev != makedev(major_number, minor_number))
    return std::nullopt;
  return path;
}

// The cgroup v2 path: the "0::PATH" line of /proc/PID/cgroup.
std::optional<std::string> cgroup_v2_path(const std::string& cgroups) {
  std::istringstream lines(cgroups);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("0::")) return line.substr(3);
  }
  return std::nullopt;
}

void add_status_attributes(const std::string& status, ProcessAttributes& process) {
  auto& values = process.values;
  if (auto uids = status_field(status, "Uid", 3)) {
    values["uids"] = *uids;
    uid_t real = 0;
    const std::string& text = *uids;
    std::from_chars(text.data(), text.data() + text.size(), real);
    values["username"] = values["user"] = user_name(real);
  }
  if (auto gids = status_field(status, "Gid", 3)) values["gids"] = *gids;
}

void add_cgroup_attributes(const ProcDirectory& directory, ProcessAttributes& process) {
  const auto cgroups = directory.read_file("cgroup");
  if (!cgroups) return;
  const auto path = cgroup_v2_path(*cgroups);
  if (!path) return;
  process.values["cgroup"] = *path;
  if (std::string unit = unit_of_cgroup(*path); !unit.empty()) process.values["unit"] = unit;
  if (std::string container = container_of_cgroup(*path); !container.empty())
    process.values["container"] = container;
}

}  // namespace

Result<ProcessAttributes> read_process(pid_t pid) {
  static const std::set<std::string> kEverything = {"name",     "cmdline", "exe",      "cwd",
                                                    "username", "cgroup",  "container"};
  return read_process(pid, kEverything);
}

namespace {

// What /proc/PID/stat alone tells: pid, ppid, status, terminal.
ProcessAttributes stat_attributes(pid_t pid, const StatFields& stat) {
  ProcessAttributes process;
  auto& values = process.values;
  values["pid"] = std::to_string(pid);
  values["ppid"] = std::to_string(stat.ppid);
  values["status"] = status_name(stat.state);
  if (auto terminal = terminal_path(stat.tty_nr)) values["terminal"] = *terminal;
  return process;
}

Error unreadable_stat(pid_t pid) {
  return Error{"cannot read process " + std::to_string(pid) + ": /proc/" + std::to_string(pid) +
               "/stat is unreadable (it has exited)"};
}

}  // namespace

Result<ProcessAttributes> read_process(pid_t pid, const std::set<std::string>& attributes) {
  const auto wants = [&](std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const char* name) { return attributes.contains(name); });
  };
  // The common case, rules on the name: /proc/PID/stat alone, without opening
  // the directory (two calls fewer for every process that starts).
  if (!wants({"cmdline", "exe", "cwd", "username", "user", "uids", "gids", "cgroup", "unit", "container"})) {
    const auto stat_text = read_whole(AT_FDCWD, ("/proc/" + std::to_string(pid) + "/stat").c_str());
    const auto stat = stat_text ? parse_stat(*stat_text) : std::nullopt;
    if (!stat) return unreadable_stat(pid);
    if (!wants({"name"}) || stat->comm.size() < kCommLength) {
      ProcessAttributes process = stat_attributes(pid, *stat);
      if (wants({"name"})) process.values["name"] = stat->comm;
      return process;
    }
    // The kernel cut the name short: it comes from the arguments, below.
  }
  // Several files: all read through one directory handle, so they all
  // belong to the same process even if its pid is reused meanwhile.
  const ProcDirectory directory(pid);
  if (!directory.is_open()) {
    const int error = errno;
    return Error{"cannot read process " + std::to_string(pid) + ": " + std::strerror(error) +
                 (error == ENOENT ? " (it has exited)" : "")};
  }
  const auto stat_text = directory.read_file("stat");
  const auto stat = stat_text ? parse_stat(*stat_text) : std::nullopt;
  if (!stat) return unreadable_stat(pid);
  ProcessAttributes process = stat_attributes(pid, *stat);
  auto& values = process.values;
  if (wants({"cmdline", "name"})) {
    const auto arguments = split_cmdline(directory.read_file("cmdline").value_or(""));
    values["name"] = process_name(stat->comm, arguments);
    values["cmdline"] = shell_join(arguments);  // TrafficToll joins with shlex.join
  }
  if (wants({"exe"})) {
    if (auto exe = directory.read_link("exe")) values["exe"] = clean_link(*exe);
  }
  if (wants({"cwd"})) {
    if (auto cwd = directory.read_link("cwd")) values["cwd"] = clean_link(*cwd);
  }
  if (wants({"username", "user", "uids", "gids"})) {
    if (auto status = directory.read_file("status")) add_status_attributes(*status, process);
  }
  if (wants({"cgroup", "unit", "container"})) add_cgroup_attributes(directory, process);
  return process;
}

Result<std::vector<ProcessSocketFd>> socket_fds_of(pid_t pid) {
  const std::filesystem::path directory = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code error;
  std::filesystem::directory_iterator entry(directory, error);
  if (error) return Error{directory.string() + ": " + error.message()};
  std::vector<ProcessSocketFd> sockets;
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    std::error_code unreadable;
    const std::string target = std::filesystem::read_symlink(entry->path(), unreadable).string();
    // "socket:[12345]"; closed meanwhile: skipped.
    if (unreadable || !target.starts_with("socket:[") || target.back() != ']') continue;
    sockets.push_back(
        {std::atoi(entry->path().filename().c_str()), std::stoull(target.substr(8, target.size() - 9))});
  }
  return sockets;
}

std::vector<pid_t> children_of(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  std::vector<pid_t> children;
  std::istringstream listed(read_whole(AT_FDCWD, path.c_str()).value_or(""));
  for (pid_t child = 0; listed >> child;) children.push_back(child);
  return children;
}

Result<std::vector<pid_t>> list_processes() {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr)
    return Error{std::string("cannot list the processes in /proc: ") + std::strerror(errno)};
  while (const dirent* entry = ::readdir(proc)) {
    const char* name = entry->d_name;
    pid_t pid = 0;
    const auto [end, error] = std::from_chars(name, name + std::strlen(name), pid);
    if (error == std::errc() && *end == '\0' && pid > 0) pids.push_back(pid);
  }
  ::closedir(proc);
  std::sort(pids.begin(), pids.end());
  return pids;
}

pid_t ppid_of(const ProcessAttributes& attributes) {
  const auto ppid = attributes.values.find("ppid");
  return ppid == attributes.values.end() ? 0 : std::stoi(ppid->second);
}

Result<std::vector<ScannedProcess>> scan_processes(const std::set<std::string>& wanted) {
  auto pids = list_processes();
  if (!pids) return Error{pids.error()};
  std::vector<ScannedProcess> scanned;
  for (pid_t pid : *pids) {
    auto attributes = read_process(pid, wanted);
    if (!attributes) continue;  // exited meanwhile
    scanned.push_back({pid, ppid_of(*attributes), *attributes});
  }
  return scanned;
}

std::string unit_of_cgroup(const std::string& cgroup_path) {
  // The deepest unit is the most specific: a user's app scope inside
  // user@1000.service, a service's own sub-cgroup left aside.
  size_t end = cgroup_path.size();
  while (end > 0) {
    const size_t slash = cgroup_path.rfind('/', end - 1);
    const size_t start = slash == std::string::npos ? 0 : slash + 1;
    std::string component = cgroup_path.substr(start, end - start);
    if (component.ends_with(".service") || component.ends_with(".scope")) return component;
    if (slash == std::string::npos) break;
    end = slash;
  }
  return "";
}

}  // namespace nettoll
