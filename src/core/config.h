// SPDX-License-Identifier: Apache-2.0
// The typed configuration: what config_loader produces from YAML and the
// planner consumes. Native schema (DESIGN.md §3) and TrafficToll's schema load
// into the same values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "core/container_link_scope.h"
#include "core/container_mark.h"
#include "core/duration.h"
#include "core/quota_config.h"
#include "core/rate.h"

namespace nettoll {

// Where a value came from in the config file (1-based, as printed by check).
struct SourceMark {
  int line = 0;
  int column = 0;
};

// Priorities are HTB prio values: 0 is served first, 7 last.
inline constexpr int kHighestPriority = 0;
inline constexpr int kLowestPriority = 7;

// One `attribute: regex` pair of a match entry. TrafficToll semantics: the
// pattern must match at the start of the value (Python re.match).
struct MatchPredicate {
  std::string attribute;  // name, exe, cmdline, username, pid, ppid, cwd, user, unit, cgroup...
  std::string pattern;
  std::regex regex;  // compiled pattern (ECMAScript), anchored at the start when matching
  SourceMark mark;
};

// A match entry matches a process when all of its predicates do.
struct MatchEntry {
  std::vector<MatchPredicate> predicates;
  SourceMark mark;
};

// Limits and priority of one direction of a process rule.
struct DirectionSettings {
  std::optional<Rate> limit;    // ceil; absent = may borrow up to the global limit
  std::optional<Rate> minimum;  // guaranteed rate; absent = the default minimum
  std::optional<int> priority;  // absent = the lowest priority in use
};

struct ProcessRule {
  std::string name;
  std::vector<MatchEntry> match;      // all entries must match (TrafficToll's meaning)
  std::vector<MatchEntry> match_any;  // and, when present, at least one of these (`match-any:`)
  DirectionSettings download;
  DirectionSettings upload;
  bool recursive = false;  // children inherit the rule
  bool bulk = false;       // squeezed by reservations
  std::optional<QuotaConfig> quota;
  // Not a config key: the rule's quota is used up with `then: block`
  // (QuotaTracker::effective sets it); the classifier drops its packets.
  bool blocked = false;
  SourceMark mark;
};

enum class LimitDirection { egress, ingress, both };

// A token-bucket limit on one interface (`interfaces:`).
struct InterfaceLimit {
  std::string name;
  Rate rate;
  Duration latency = std::chrono::milliseconds(50);
  std::optional<uint32_t> burst_bytes;  // absent = auto: from rate, frame size and HZ
  std::optional<uint32_t> mtu;          // absent = auto: the interface's MTU
  LimitDirection direction = LimitDirection::egress;
  SourceMark mark;
  SourceMark burst_mark;
  bool limits_egress() const { return direction != LimitDirection::ingress; }
  bool limits_ingress() const { return direction != LimitDirection::egress; }
};

enum class ClientType { rtorrent, transmission, qbittorrent };

struct TorrentClientConfig {
  ClientType type = ClientType::rtorrent;
  std::string scgi;  // host:port or unix socket path (rtorrent)
  std::string url;   // RPC/API URL (transmission, qbittorrent)
  std::string username;
  std::string password_file;
  SourceMark mark;
};

struct ReservationsConfig {
  std::string api = "127.0.0.1:7657";
  std::string token_file = "/etc/nettoll/api-token";
  bool sets_api = false;  // `api` or `token-file` was written here
  std::vector<Cidr> local_networks;
  std::optional<Rate> link_upload;
  std::optional<Rate> link_download;
  double download_factor = 0.3;  // download reserved per unit of reserved upload
  std::vector<TorrentClientConfig> clients;
  // Expiry of a reservation whose remaining duration is unknown.
  Duration default_duration = std::chrono::hours(4);
  Duration margin = std::chrono::minutes(5);               // added to a stream's remaining duration
  Rate client_minimum = Rate::bits_per_second(1'000'000);  // clients' floor while reserved
  int reservation_priority = kHighestPriority;             // HTB prio of the streams' classes
  std::optional<Rate> jellyfin_default_upload;             // Jellyfin's webhook carries no bitrate
  SourceMark mark;
};

// The HTTP API on loopback TCP (`api:`), with or without reservations.
struct ApiConfig {
  std::string listen = "127.0.0.1:7657";
  std::string token_file = "/etc/nettoll/api-token";
  SourceMark mark;
};

// Defaults documented by TrafficToll: `kbps` is kilobytes per second.
inline constexpr Rate kDefaultGlobalDownloadMinimum = Rate::bytes_per_second(100'000);
inline constexpr Rate kDefaultGlobalUploadMinimum = Rate::bytes_per_second(10'000);
inline constexpr Rate kDefaultProcessDownloadMinimum = Rate::bytes_per_second(10'000);
inline constexpr Rate kDefaultProcessUploadMinimum = Rate::bytes_per_second(1'000);

struct Config {
  std::string path;                // file it was loaded from, for messages
  std::string interface = "auto";  // "auto" = follow the route to the internet
  // Global direction settings: limit = parent ceil, minimum = default class
  // rate, priority = default priority of unclassified traffic.
  DirectionSettings download;
  DirectionSettings upload;
  Duration latency = std::chrono::milliseconds(20);  // leaf queue target
  std::vector<ProcessRule> processes;
  std::vector<InterfaceLimit> interfaces;
  std::optional<ReservationsConfig> reservations;
  std::optional<ApiConfig> api;  // `api:`; see tcp_api_of() (api_config_loader.h)
  // skb->mark bits carrying container processes' rules (`container-mark`,
  // core/container_mark.h); 0: container links are left alone.
  uint32_t container_mark = kDefaultContainerMark;
  // `container-engines`: the Docker/Podman API sockets asked for container
  // names (core/container_engine_names.h); empty: containers match by id.
  std::vector<std::string> container_engines = {"/run/docker.sock", "/run/podman/podman.sock"};
  // `container-links`: which veths to other namespaces are containers'.
  ContainerLinkScope container_links = ContainerLinkScope::every_veth;
  // `accounting: true`: count per process even without limits or rules.
  bool accounting = false;
  // `usage: {retention: 400d}`: hourly rows older than this are pruned.
  int usage_retention_days = 400;
  std::optional<QuotaConfig> quota;  // on the whole link

  // True when the config asks nettoll to change anything in the kernel.
  bool shapes_anything() const {
    // A link quota attaches the programs that count its use.
    return download.limit || upload.limit || !processes.empty() || !interfaces.empty() || quota;
  }
};

}  // namespace nettoll
