// SPDX-License-Identifier: Apache-2.0
#include "clients/rtorrent_client.h"

#include <algorithm>

#include "clients/scgi_transport.h"
#include "clients/xmlrpc.h"

namespace nettoll {
namespace {

constexpr uint64_t kKiB = 1024;

SpeedLimit limit_from_bytes(int64_t bytes) {
  return SpeedLimit{Rate::bytes_per_second(static_cast<uint64_t>(std::max<int64_t>(bytes, 0))), bytes > 0};
}

SpeedLimit stored_limit(const SpeedLimit& limit) {
  if (!limit.enabled) return SpeedLimit{Rate(), false};
  const uint64_t bytes = std::max(limit.rate.bytes_per_second() / kKiB * kKiB, kKiB);
  return SpeedLimit{Rate::bytes_per_second(bytes), true};
}

}  // namespace

Result<int64_t> RtorrentClient::read_rate(const char* method) {
  // The empty target "" comes first in rTorrent 0.9's command calls.
  auto reply = scgi_call(address_, format_xmlrpc_call(method, {std::string()}), timeout_);
  if (!reply) return Error{reply.error()};
  auto value = parse_xmlrpc_integer(*reply);
  if (!value) return Error{std::string(method) + ": " + value.error()};
  return value;
}

Result<void> RtorrentClient::write_rate(const char* method, const SpeedLimit& limit) {
  const SpeedLimit stored = stored_limit(limit);
  const auto bytes = static_cast<int64_t>(stored.rate.bytes_per_second());
  auto reply = scgi_call(address_, format_xmlrpc_call(method, {std::string(), bytes}), timeout_);
  if (!reply) return Error{reply.error()};
  if (auto ok = parse_xmlrpc_success(*reply); !ok) return Error{std::string(method) + ": " + ok.error()};
  return success();
}

Result<ClientLimits> RtorrentClient::read_limits() {
  auto upload = read_rate("throttle.global_up.max_rate");
  if (!upload) return Error{upload.error()};
  auto download = read_rate("throttle.global_down.max_rate");
  if (!download) return Error{download.error()};
  ClientLimits limits;
  limits.upload = limit_from_bytes(*upload);
  limits.download = limit_from_bytes(*download);
  return limits;
}

Result<void> RtorrentClient::set_limits(const ClientLimits& limits) {
  if (auto up = write_rate("throttle.global_up.max_rate.set", limits.upload); !up) return up;
  return write_rate("throttle.global_down.max_rate.set", limits.download);
}

ClientLimits RtorrentClient::stored_form(const ClientLimits& limits) const {
  ClientLimits stored;
  stored.upload = stored_limit(limits.upload);
  stored.download = stored_limit(limits.download);
  return stored;
}

}  // namespace nettoll
