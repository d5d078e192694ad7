// SPDX-License-Identifier: Apache-2.0
#include "core/client_limits.h"

#include <algorithm>

namespace nettoll {
namespace {

SpeedLimit lowered(const SpeedLimit& user, Rate target) {
  return SpeedLimit{user.enabled ? std::min(user.rate, target) : target, true};
}

template <typename T>
void take_if_changed(T& original, const T& applied, const T& current) {
  if (current != applied) original = current;
}

}  // namespace

ClientLimits lowered_limits(const ClientLimits& original, const ClientTargets& targets) {
  ClientLimits limits = original;
  const bool alternative =
      original.alternative_mode && limits.alternative_upload && limits.alternative_download;
  SpeedLimit& upload = alternative ? *limits.alternative_upload : limits.upload;
  SpeedLimit& download = alternative ? *limits.alternative_download : limits.download;
  if (targets.upload) upload = lowered(upload, *targets.upload);
  if (targets.download) download = lowered(download, *targets.download);
  return limits;
}

ClientLimits merge_user_changes(const ClientLimits& original, const ClientLimits& applied,
                                const ClientLimits& current) {
  ClientLimits merged = original;
  take_if_changed(merged.upload, applied.upload, current.upload);
  take_if_changed(merged.download, applied.download, current.download);
  take_if_changed(merged.alternative_upload, applied.alternative_upload, current.alternative_upload);
  take_if_changed(merged.alternative_download, applied.alternative_download, current.alternative_download);
  take_if_changed(merged.alternative_mode, applied.alternative_mode, current.alternative_mode);
  return merged;
}

}  // namespace nettoll
