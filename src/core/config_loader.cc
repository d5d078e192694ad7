// SPDX-License-Identifier: Apache-2.0
#include "core/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/api_config_loader.h"
#include "core/byte_size.h"
#include "core/config_node_reader.h"
#include "core/container_engines_loader.h"
#include "core/container_link_scope.h"
#include "core/container_mark.h"
#include "core/listen_address.h"
#include "core/process_rule_loader.h"
#include "core/quota_loader.h"

namespace nettoll {
namespace {

constexpr size_t kMaxInterfaceNameLength = 15;  // IFNAMSIZ - 1
constexpr uint32_t kMinMtu = 68;                // the least IPv4 allows
constexpr uint32_t kMaxMtu = 65535;

bool valid_interface_name(const std::string& name) {
  return !name.empty() && name.size() <= kMaxInterfaceNameLength && name != "." && name != ".." &&
         std::none_of(name.begin(), name.end(),
                      [](unsigned char c) { return c == '/' || c == ':' || std::isspace(c); });
}

void check_interface_name(ConfigNodeReader& reader, const YAML::Node& node, const std::string& what,
                          const std::string& name) {
  if (valid_interface_name(name)) return;
  reader.error(node, what + ": '" + name +
                         "' is not an interface name (at most 15 characters, no '/', ':' or "
                         "spaces); see `ip link` for the names here");
}

void read_interface_burst(ConfigNodeReader& reader, const YAML::Node& node, const std::string& what,
                          InterfaceLimit& limit) {
  const auto text = reader.read_scalar(node, what + ": burst", "auto or a size in bytes");
  if (!text || *text == "auto") return;
  if (auto size = parse_byte_size(*text)) {
    limit.burst_bytes = *size;
    limit.burst_mark = mark_of(node);
  } else {
    reader.error(node, what + ": burst: " + size.error());
  }
}

void read_interface_direction(ConfigNodeReader& reader, const YAML::Node& node, const std::string& what,
                              InterfaceLimit& limit) {
  const auto text = reader.read_scalar(node, what + ": direction", "egress, ingress or both");
  if (!text) return;
  if (*text == "egress") {
    limit.direction = LimitDirection::egress;
  } else if (*text == "ingress") {
    limit.direction = LimitDirection::ingress;
  } else if (*text == "both") {
    limit.direction = LimitDirection::both;
  } else {
    reader.error(node, what + ": direction: expected egress, ingress or both, got '" + *text + "'");
  }
}

InterfaceLimit read_interface_limit(ConfigNodeReader& reader, const YAML::Node& key,
                                    const YAML::Node& value) {
  InterfaceLimit limit;
  limit.name = key.Scalar();
  limit.mark = mark_of(key);
  const std::string what = "interface '" + limit.name + "'";
  check_interface_name(reader, key, "interfaces", limit.name);
  bool has_rate = false;
  const bool is_map = reader.read_fields(
      value, what, "in " + what,
      {{"rate",
        [&](const YAML::Node& node) {
          has_rate = true;
          if (auto rate = reader.read_rate(node, what + ": rate")) limit.rate = rate->rate;
        }},
       {"latency",
        [&](const YAML::Node& node) {
          limit.latency = reader.read_duration(node, what + ": latency").value_or(limit.latency);
        }},
       {"burst", [&](const YAML::Node& node) { read_interface_burst(reader, node, what, limit); }},
       {"mtu",
        [&](const YAML::Node& node) {
          if (!(node.IsScalar() && node.Scalar() == "auto")) {
            limit.mtu = reader.read_integer(node, what + ": mtu (auto or bytes)", kMinMtu, kMaxMtu);
          }
        }},
       {"direction", [&](const YAML::Node& node) { read_interface_direction(reader, node, what, limit); }}});
  if (is_map && !has_rate) reader.error(key, what + ": needs a rate, such as {rate: 1mbit}");
  return limit;
}

std::vector<InterfaceLimit> read_interface_limits(ConfigNodeReader& reader, const YAML::Node& node) {
  std::vector<InterfaceLimit> limits;
  reader.read_named_entries(node, "interfaces", "interface",
                            [&](const YAML::Node& key, const YAML::Node& value) {
                              limits.push_back(read_interface_limit(reader, key, value));
                            });
  return limits;
}

void read_download_factor(ConfigNodeReader& reader, const YAML::Node& node,
                          ReservationsConfig& reservations) {
  const std::string what = "reservations: download-factor";
  const std::string expected = "a percentage such as 30% or a number from 0 to 1";
  const auto text = reader.read_scalar(node, what, expected);
  if (!text) return;
  if (auto factor = parse_fraction(*text)) {
    reservations.download_factor = *factor;
  } else {
    reader.error(node, what + ": expected " + expected + ", got '" + *text + "'");
  }
}

std::vector<Cidr> read_local_networks(ConfigNodeReader& reader, const YAML::Node& node) {
  const std::string what = "reservations: local-networks";
  std::vector<Cidr> networks;
  if (node.IsNull()) return networks;
  if (!node.IsSequence()) {
    reader.error(node,
                 what + ": expected a list of networks such as [192.168.0.0/16], got " + describe_node(node));
    return networks;
  }
  for (const YAML::Node& item : node) {
    const auto text = reader.read_scalar(item, what, "a network such as 192.168.0.0/16");
    if (!text) continue;
    if (auto cidr = parse_cidr(*text)) {
      networks.push_back(*cidr);
    } else {
      reader.error(item, what + ": " + cidr.error());
    }
  }
  return networks;
}

std::optional<ClientType> parse_client_type(ConfigNodeReader& reader, const YAML::Node& node,
                                            const std::string& what) {
  const auto text = reader.read_string(node, what + ": type");
  if (!text) return std::nullopt;
  if (*text == "rtorrent") return ClientType::rtorrent;
  if (*text == "transmission") return ClientType::transmission;
  if (*text == "qbittorrent") return ClientType::qbittorrent;
  const std::string suggestion = closest_key(*text, {"rtorrent", "transmission", "qbittorrent"});
  reader.error(node, what + ": unknown client type '" + *text + "'" +
                         (suggestion.empty() ? "; use rtorrent, transmission or qbittorrent"
                                             : ": did you mean '" + suggestion + "'?"));
  return std::nullopt;
}

TorrentClientConfig read_client(ConfigNodeReader& reader, const YAML::Node& node, size_t index) {
  TorrentClientConfig client;
  client.mark = mark_of(node);
  const std::string what = "reservations: client #" + std::to_string(index + 1);
  std::optional<ClientType> type;
  auto text_field = [&](const char* key, std::string& out) {
    return std::pair<std::string_view, ConfigNodeReader::FieldHandler>(
        key, [&reader, &out, what, key](const YAML::Node& value) {
          out = reader.read_string(value, what + ": " + key).value_or("");
        });
  };
  if (node.IsNull()) {
    reader.error(node, what + ": expected a map such as {type: rtorrent, scgi: 127.0.0.1:5000}");
    return client;
  }
  const bool is_map = reader.read_fields(
      node, what, "in " + what,
      {{"type", [&](const YAML::Node& value) { type = parse_client_type(reader, value, what); }},
       text_field("scgi", client.scgi),
       text_field("url", client.url),
       text_field("username", client.username),
       text_field("password-file", client.password_file)});
  if (!is_map) return client;
  if (!node["type"]) reader.error(node, what + ": needs a type: rtorrent, transmission or qbittorrent");
  if (type) client.type = *type;
  if (type == ClientType::rtorrent && client.scgi.empty()) {
    reader.error(node, what + ": rtorrent needs 'scgi', such as scgi: 127.0.0.1:5000");
  } else if (type && type != ClientType::rtorrent && client.url.empty()) {
    reader.error(node, what + ": needs 'url', the client's RPC/API address");
  }
  return client;
}

std::vector<TorrentClientConfig> read_clients(ConfigNodeReader& reader, const YAML::Node& node) {
  std::vector<TorrentClientConfig> clients;
  if (node.IsNull()) return clients;
  if (!node.IsSequence()) {
    reader.error(node,
                 "reservations: clients: expected a list such as [{type: rtorrent, scgi: 127.0.0.1:5000}], "
                 "got " +
                     describe_node(node));
    return clients;
  }
  for (const YAML::Node& item : node) clients.push_back(read_client(reader, item, clients.size()));
  return clients;
}

void read_jellyfin(ConfigNodeReader& reader, const YAML::Node& node, ReservationsConfig& reservations) {
  const std::string what = "reservations: jellyfin";
  reader.read_fields(node, what, "in " + what,
                     {{"default-upload", [&](const YAML::Node& value) {
                         if (auto rate = reader.read_rate(value, what + ": default-upload")) {
                           reservations.jellyfin_default_upload = rate->rate;
                         }
                       }}});
}

ReservationsConfig read_reservations(ConfigNodeReader& reader, const YAML::Node& node) {
  ReservationsConfig reservations;
  reservations.mark = mark_of(node);
  const std::string what = "reservations";
  auto optional_rate = [&](const char* key, std::optional<Rate>& out) {
    return std::pair<std::string_view, ConfigNodeReader::FieldHandler>(
        key, [&reader, &out, key](const YAML::Node& value) {
          if (auto rate = reader.read_rate(value, std::string("reservations: ") + key)) out = rate->rate;
        });
  };
  reader.read_fields(
      node, what, "in reservations",
      {{"api",
        [&](const YAML::Node& value) {
          reservations.sets_api = true;
          reservations.api = reader.read_string(value, what + ": api").value_or(reservations.api);
          if (auto address = parse_listen_address(reservations.api); !address)
            reader.error(value, what + ": api: " + address.error());
        }},
       {"token-file",
        [&](const YAML::Node& value) {
          reservations.sets_api = true;
          reservations.token_file =
              reader.read_string(value, what + ": token-file").value_or(reservations.token_file);
        }},
       {"local-networks",
        [&](const YAML::Node& value) { reservations.local_networks = read_local_networks(reader, value); }},
       optional_rate("link-upload", reservations.link_upload),
       optional_rate("link-download", reservations.link_download),
       {"download-factor",
        [&](const YAML::Node& value) { read_download_factor(reader, value, reservations); }},
       {"clients", [&](const YAML::Node& value) { reservations.clients = read_clients(reader, value); }},
       {"default-duration",
        [&](const YAML::Node& value) {
          reservations.default_duration = reader.read_duration(value, what + ": default-duration")
                                              .value_or(reservations.default_duration);
        }},
       {"margin",
        [&](const YAML::Node& value) {
          reservations.margin = reader.read_duration(value, what + ": margin").value_or(reservations.margin);
        }},
       {"client-minimum",
        [&](const YAML::Node& value) {
          if (auto rate = reader.read_rate(value, what + ": client-minimum"))
            reservations.client_minimum = rate->rate;
        }},
       {"reservation-priority",
        [&](const YAML::Node& value) {
          reservations.reservation_priority = reader.read_priority(value, what + ": reservation-priority")
                                                  .value_or(reservations.reservation_priority);
        }},
       {"jellyfin", [&](const YAML::Node& value) { read_jellyfin(reader, value, reservations); }}});
  return reservations;
}

// "400d" → 400: whole days, 1 to 100 years' worth.
std::optional<int> parse_retention_days(std::string_view text) {
  if (text.size() < 2 || text.back() != 'd') return std::nullopt;
  int days = 0;
  const char* end = text.data() + text.size() - 1;
  const auto [last, ec] = std::from_chars(text.data(), end, days);
  if (ec != std::errc() || last != end || days < 1 || days > 36500) return std::nullopt;
  return days;
}

// `usage: {retention: 400d}`.
void read_usage_settings(ConfigNodeReader& reader, const YAML::Node& node, Config& config) {
  const auto read_retention = [&](const YAML::Node& value) {
    const auto text = reader.read_scalar(value, "usage: retention", "a number of days");
    if (!text) return;
    if (const auto days = parse_retention_days(*text)) {
      config.usage_retention_days = *days;
      return;
    }
    reader.error(value,
                 "usage: retention: expected days from 1d to 36500d, such as 400d; got '" + *text + "'");
  };
  reader.read_fields(node, "usage", "in usage", {{"retention", read_retention}});
}

void read_interface_setting(ConfigNodeReader& reader, const YAML::Node& node, Config& config) {
  const auto name = reader.read_string(node, "interface");
  if (!name) return;
  if (*name != "auto") check_interface_name(reader, node, "interface", *name);
  config.interface = *name;
}

void read_container_mark(ConfigNodeReader& reader, const YAML::Node& node, Config& config) {
  const auto text = reader.read_scalar(node, "container-mark", "a mark mask such as 0x7f000000, or off");
  if (!text) return;
  auto mask = parse_container_mark(*text);
  if (!mask) {
    reader.error(node, "container-mark: " + mask.error());
    return;
  }
  config.container_mark = *mask;
}

void read_container_links(ConfigNodeReader& reader, const YAML::Node& node, Config& config) {
  const auto text = reader.read_scalar(node, "container-links", "auto or bridged");
  if (!text) return;
  auto scope = parse_container_link_scope(*text);
  if (!scope) {
    reader.error(node, "container-links: " + scope.error());
    return;
  }
  config.container_links = *scope;
}

Config read_config(ConfigNodeReader& reader, const YAML::Node& root) {
  Config config;
  DirectionInputs globals;
  std::optional<YAML::Node> processes;  // read last: rules are checked against the global limits
  ConfigNodeReader::Fields fields;
  fields.emplace_back("interface",
                      [&](const YAML::Node& node) { read_interface_setting(reader, node, config); });
  add_direction_fields(reader, "", globals, fields);
  fields.emplace_back("latency", [&](const YAML::Node& node) {
    config.latency = reader.read_duration(node, "latency").value_or(config.latency);
  });
  fields.emplace_back("processes", [&](const YAML::Node& node) { processes.emplace(node); });
  std::optional<YAML::Node> container_mark;
  fields.emplace_back("container-mark", [&](const YAML::Node& node) {
    container_mark.emplace(node);
    read_container_mark(reader, node, config);
  });
  fields.emplace_back("container-engines", [&](const YAML::Node& node) {
    config.container_engines = read_container_engines(reader, node);
  });
  std::optional<YAML::Node> container_links;
  fields.emplace_back("container-links", [&](const YAML::Node& node) {
    container_links.emplace(node);
    read_container_links(reader, node, config);
  });
  fields.emplace_back(
      "interfaces", [&](const YAML::Node& node) { config.interfaces = read_interface_limits(reader, node); });
  fields.emplace_back("reservations",
                      [&](const YAML::Node& node) { config.reservations = read_reservations(reader, node); });
  fields.emplace_back("api", [&](const YAML::Node& node) { config.api = read_api_config(reader, node); });
  fields.emplace_back("accounting", [&](const YAML::Node& node) {
    config.accounting = reader.read_bool(node, "accounting").value_or(config.accounting);
  });
  fields.emplace_back("usage", [&](const YAML::Node& node) { read_usage_settings(reader, node, config); });
  fields.emplace_back(
      "quota", [&](const YAML::Node& node) { config.quota = read_quota(reader, node, "quota", false); });
  reader.read_fields(root, "the config", "at the top level", fields);

  check_minimum_fits(reader, "", "the global", globals);
  config.download = globals.download.settings();
  config.upload = globals.upload.settings();
  if (processes) config.processes = read_process_rules(reader, *processes, globals);
  check_api_settings(reader, config);
  if (container_links && config.container_mark == 0)
    reader.warning(*container_links, "container-links: has no effect with container-mark: off");
  if (const uint32_t capacity = container_mark_rule_capacity(config.container_mark);
      config.processes.size() > capacity && capacity > 0) {
    const std::string message = "container-mark: the mark bits carry rule ids up to " +
                                std::to_string(capacity) + "; container processes of the later " +
                                std::to_string(config.processes.size() - capacity) +
                                " rule(s) are counted but not limited (widen the mask)";
    if (container_mark) {
      reader.warning(*container_mark, message);
    } else {
      reader.warning(SourceMark{1, 1}, message);
    }
  }
  return config;
}

Diagnostic whole_file_error(const std::string& file_name, SourceMark mark, std::string message) {
  return Diagnostic{Diagnostic::Severity::error, file_name, mark, std::move(message)};
}

}  // namespace

bool LoadedConfig::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& diagnostic) {
    return diagnostic.severity == Diagnostic::Severity::error;
  });
}

LoadedConfig load_config_text(std::string_view yaml_text, const std::string& file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    const SourceMark mark =
        error.mark.is_null() ? SourceMark{} : SourceMark{error.mark.line + 1, error.mark.column + 1};
    return LoadedConfig{std::nullopt, {whole_file_error(file_name, mark, "bad YAML: " + error.msg)}};
  }
  ConfigNodeReader reader(file_name);
  Config config = read_config(reader, root);
  config.path = file_name;
  LoadedConfig loaded{std::nullopt, reader.take_diagnostics()};
  if (loaded.ok()) loaded.config = std::move(config);
  return loaded;
}

LoadedConfig load_config_file(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return LoadedConfig{std::nullopt,
                        {whole_file_error(path, {}, "cannot read: " + std::string(std::strerror(EISDIR)))}};
  }
  std::ifstream file(path);
  if (!file) {
    return LoadedConfig{std::nullopt,
                        {whole_file_error(path, {}, "cannot read: " + std::string(std::strerror(errno)))}};
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return LoadedConfig{std::nullopt,
                        {whole_file_error(path, {}, "cannot read: " + std::string(std::strerror(errno)))}};
  }
  return load_config_text(text.str(), path);
}

}  // namespace nettoll
