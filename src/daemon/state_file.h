// SPDX-License-Identifier: Apache-2.0
// StateFile: the daemon's state.json (reservations and the torrent clients'
// original limits), written atomically: a temp file beside it, fsync, rename,
// fsync of the directory. A crash leaves the old file or the new, never half.
#pragma once

#include <string>

#include "core/result.h"
#include "core/state_document.h"

namespace nettoll {

inline constexpr const char* kDefaultStatePath = "/var/lib/nettoll/state.json";

class StateFile {
 public:
  explicit StateFile(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  // The saved state; an empty one when the file does not exist. Fails
  // naming the file on read errors and bad content (left in place).
  Result<StateDocument> load() const;
  // Replaces the file with `state`, creating its directory (0700) if needed.
  // Fails naming the file and the failing step.
  Result<void> save(const StateDocument& state) const;

 private:
  std::string path_;
};

}  // namespace nettoll
